//! Who produces a code, and so where an operator should look and what billing to expect: VOS3000
//! itself (its own checks and settings, usually before routing), the called side (the routing
//! gateway or the network behind it), the calling side, or any of them (the CDR's
//! `enddirection` and callee gateway tell which). Written once per kind of code, in every
//! language, so every entry carries it whole.

use super::lang::Lang;

/// Who produced a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// VOS3000 refused or ended the call by its own checks, before any route was tried.
    SwitchBeforeRouting,
    /// VOS3000 cut a call that was going on (a limit, an operator, lost media).
    SwitchDuringCall,
    /// A normal hang-up by either party (the answered call's end).
    Hangup,
    /// The called side: the routing gateway or the network behind it.
    Callee,
    /// The calling side (its equipment or the mapping gateway).
    Caller,
    /// Any of them: `enddirection` and the callee gateway tell which.
    Either,
    /// A SIP response from the routing gateway (VOS3000 also sends SIP codes to callers).
    SipResponse,
    /// A Q.850 cause from an H.323 or ISDN peer, or in a SIP peer's Reason header.
    Q850Cause,
}

/// The origin of an entry's code, where the namespace says one.
pub fn origin_of(namespace: &str, code: &str) -> Option<Origin> {
    match namespace {
        "sip" => Some(Origin::SipResponse),
        "q850" => Some(Origin::Q850Cause),
        "vos" => {
            let c: i32 = code.parse().ok()?;
            Some(match c {
                0 | -7 | -8 => Origin::Hangup,
                -10 => Origin::Caller,
                -11 | -20 | -21 | -27 | -39 | -41 | -43 | -57 | -61 => Origin::Callee,
                -4 | -40 | -45 | -55 => Origin::Either,
                -23 | -37 | -56 | -60 | -71 | -90 => Origin::SwitchDuringCall,
                _ => Origin::SwitchBeforeRouting,
            })
        }
        _ => None,
    }
}

/// Who produced the code and where to look, in `lang`.
pub fn who(o: Origin, lang: Lang) -> &'static str {
    match (o, lang) {
        (Origin::SwitchBeforeRouting, Lang::En) => {
            "VOS3000 itself, by its own checks and settings: the call was refused before routing, so the CDR's callee gateway is usually empty and no Reason header comes with it. Look at the settings named here, not at the carriers."
        }
        (Origin::SwitchBeforeRouting, Lang::Zh) => {
            "由 VOS3000 自身的检查和设置产生:呼叫在选路前就被拒绝,所以话单的被叫网关通常为空,也没有 Reason 头。应检查这里列出的设置,而不是运营商。"
        }
        (Origin::SwitchBeforeRouting, Lang::Es) => {
            "VOS3000 mismo, por sus propios controles y ajustes: la llamada se rechazó antes del enrutamiento, así que el gateway llamado del CDR suele estar vacío y no llega cabecera Reason. Revise los ajustes indicados aquí, no a los operadores."
        }
        (Origin::SwitchDuringCall, Lang::En) => {
            "VOS3000 itself, during the call (a limit, an operator or lost media): enddirection is usually 2 (the switch). Look at the limit or the media settings named here."
        }
        (Origin::SwitchDuringCall, Lang::Zh) => {
            "由 VOS3000 在通话中产生(限制、人工或媒体中断):enddirection 通常为 2(交换机)。应检查这里列出的限制或媒体设置。"
        }
        (Origin::SwitchDuringCall, Lang::Es) => {
            "VOS3000 mismo, durante la llamada (un límite, un operador o medios perdidos): enddirection suele ser 2 (el switch). Revise el límite o los ajustes de medios indicados aquí."
        }
        (Origin::Hangup, Lang::En) => {
            "One of the parties hung up: enddirection says who (0 caller, 1 callee). Nothing failed in the switch."
        }
        (Origin::Hangup, Lang::Zh) => {
            "由通话一方挂机产生:enddirection 表示是谁(0 主叫,1 被叫)。交换机本身没有故障。"
        }
        (Origin::Hangup, Lang::Es) => {
            "Colgó una de las partes: enddirection dice cuál (0 llamante, 1 llamado). Nada falló en el switch."
        }
        (Origin::Callee, Lang::En) => {
            "The called side: the routing gateway named in the CDR, or the network behind it. A Reason header, when present, carries the cause the far end gave; look at that gateway first."
        }
        (Origin::Callee, Lang::Zh) => {
            "由被叫侧产生:话单中的落地网关,或其后的网络。若带有 Reason 头,其中是远端给出的原因;应先检查该网关。"
        }
        (Origin::Callee, Lang::Es) => {
            "El lado llamado: el gateway de salida del CDR o la red detrás de él. La cabecera Reason, si viene, trae la causa que dio el otro extremo; revise primero ese gateway."
        }
        (Origin::Caller, Lang::En) => {
            "The calling side (enddirection 0): the caller's equipment or the mapping gateway it came in on."
        }
        (Origin::Caller, Lang::Zh) => "由主叫侧产生(enddirection 为 0):主叫设备或呼叫进入的对接网关。",
        (Origin::Caller, Lang::Es) => {
            "El lado llamante (enddirection 0): el equipo del llamante o el gateway de entrada por el que llegó."
        }
        (Origin::Either, Lang::En) => {
            "Either side or the switch: enddirection (0 caller, 1 callee, 2 switch) and whether the callee gateway is filled tell which."
        }
        (Origin::Either, Lang::Zh) => {
            "可能来自任一方或交换机:由 enddirection(0 主叫、1 被叫、2 交换机)以及被叫网关是否为空来判断。"
        }
        (Origin::Either, Lang::Es) => {
            "Cualquiera de los lados o el switch: enddirection (0 llamante, 1 llamado, 2 switch) y si el gateway llamado está lleno dicen cuál."
        }
        (Origin::SipResponse, Lang::En) => {
            "As an end reason, a SIP response the routing gateway sent back (the CDR's callee gateway names it); a Reason header may add the cause behind it. VOS3000 also sends SIP codes to callers for its own failures, which callFailedSipCode on the mapping gateway can change."
        }
        (Origin::SipResponse, Lang::Zh) => {
            "作为终止原因时,是落地网关回送的 SIP 应答(话单中的被叫网关即是它);Reason 头可能补充背后的原因。VOS3000 自身失败时也会向主叫发送 SIP 代码,可用对接网关的 callFailedSipCode 改变。"
        }
        (Origin::SipResponse, Lang::Es) => {
            "Como motivo de fin, una respuesta SIP que devolvió el gateway de salida (el gateway llamado del CDR lo nombra); una cabecera Reason puede añadir la causa de fondo. VOS3000 también envía códigos SIP a los llamantes por sus propios fallos, que callFailedSipCode en el gateway de entrada puede cambiar."
        }
        (Origin::Q850Cause, Lang::En) => {
            "A Q.850 cause reaches a VOS3000 CDR as the end reason from H.323 or ISDN peers, or inside the SIP Reason header (sipreasonheader) from SIP peers; the callee gateway names the peer."
        }
        (Origin::Q850Cause, Lang::Zh) => {
            "Q.850 原因值以两种方式出现在 VOS3000 话单中:来自 H.323 或 ISDN 对端时是终止原因,来自 SIP 对端时在 Reason 头(sipreasonheader)里;被叫网关即是该对端。"
        }
        (Origin::Q850Cause, Lang::Es) => {
            "Una causa Q.850 llega a un CDR de VOS3000 como motivo de fin desde pares H.323 o RDSI, o dentro de la cabecera Reason (sipreasonheader) desde pares SIP; el gateway llamado nombra al par."
        }
    }
}

/// Why VOS3000 refused a call before routing, as far as billing is concerned: on purpose (a
/// rule), by a fault, by forwarding, by the called party's account, by the vendor's clearing
/// account, or because the number could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Rule,
    Fault,
    Forwarding,
    CalleeAccount,
    Clearing,
    Number,
    Other,
}

fn refusal_kind(code: i32) -> Refusal {
    match code {
        -12 | -28 | -29 | -30 | -31 | -32 | -35 | -36 | -42 | -48 | -49 | -59 | -67 | -70 | -78 | -81
        | -82 | -83 | -89 | -92 | -93 | -94 | -95 => Refusal::Rule,
        -34 | -46 | -68 | -72 | -73 | -74 | -75 | -79 | -80 | -86 | -87 | -88 | -96 | -97 => Refusal::Fault,
        -14 | -17 | -18 | -19 | -47 => Refusal::Forwarding,
        -50 | -51 | -52 | -54 => Refusal::CalleeAccount,
        -66..=-64 => Refusal::Clearing,
        -33 | -84 | -85 => Refusal::Number,
        _ => Refusal::Other,
    }
}

/// What the code means for billing, by who produced it (and for SIP and Q.850 by the class of
/// the code), in `lang`.
pub fn billing(o: Origin, code: &str, lang: Lang) -> &'static str {
    let n: i32 = code.parse().unwrap_or(0);
    let t = |en: &'static str, zh: &'static str, es: &'static str| match lang {
        Lang::En => en,
        Lang::Zh => zh,
        Lang::Es => es,
    };
    match o {
        Origin::SwitchBeforeRouting => match refusal_kind(n) {
            Refusal::Rule => t(
                "Never billed: a rule set on the switch refused the call on purpose (holdTime 0). No revenue is lost unless the rule catches calls it should not; then each is a paying call turned away.",
                "从不计费:交换机上设置的规则有意拒绝了呼叫(holdTime 为 0)。只有规则误拦了不该拦的呼叫时才有收入损失,那时每一个都是被挡掉的付费呼叫。",
                "Nunca se factura: una regla de la central rechazó la llamada a propósito (holdTime 0). No se pierde ingreso salvo que la regla atrape llamadas que no debe; entonces cada una es una llamada de pago rechazada.",
            ),
            Refusal::Fault => t(
                "Never billed: the switch failed to handle a call that would otherwise have been charged, so each one is revenue lost while the fault lasts (no vendor cost either).",
                "从不计费:交换机未能处理一个本应计费的呼叫,因此故障持续期间每一个都是损失的收入(也没有供应商成本)。",
                "Nunca se factura: la central no pudo cursar una llamada que se habría cobrado, así que cada una es ingreso perdido mientras dure el fallo (tampoco hay coste de proveedor).",
            ),
            Refusal::Forwarding => t(
                "Never billed on this record: forwarding stopped the call before anyone answered (holdTime 0); where a forwarded leg was set up, it is charged on its own record.",
                "这条记录从不计费:前转在任何人应答之前就停止了呼叫(holdTime 为 0);如果建立了前转段,它按自己的话单计费。",
                "Este registro nunca se factura: el desvío paró la llamada antes de que nadie contestara (holdTime 0); si se estableció un tramo desviado, se cobra en su propio registro.",
            ),
            Refusal::CalleeAccount => t(
                "Never billed: the called party's account stopped the call, so neither side is charged; it matters where the called party pays or must hold a usable account.",
                "从不计费:被叫方的账户阻止了呼叫,双方都不计费;在被叫付费或被叫必须有可用账户的业务中才需要关注。",
                "Nunca se factura: la cuenta del llamado detuvo la llamada, así que no se cobra a ninguna parte; importa donde paga el llamado o debe tener una cuenta utilizable.",
            ),
            Refusal::Clearing => t(
                "No customer charge and no vendor cost: the clearing account behind the routing gateway is unusable, so calls meant for that gateway are lost revenue until the vendor side is settled.",
                "不向客户计费,也没有供应商成本:落地网关背后的结算账户不可用,在供应商一侧结清之前,送往该网关的呼叫都是损失的收入。",
                "Sin cargo al cliente ni coste de proveedor: la cuenta de liquidación detrás del gateway de salida no se puede usar, así que las llamadas para ese gateway son ingreso perdido hasta arreglar el lado del proveedor.",
            ),
            Refusal::Number => t(
                "Never billed: the number could not be turned into one the switch can route (holdTime 0); a misdial costs the caller nothing, but a rising share after a dial-plan change is lost traffic.",
                "从不计费:号码无法变成交换机可以路由的号码(holdTime 为 0);拨错号不让主叫花钱,但拨号计划变更后占比上升就是流失的话务。",
                "Nunca se factura: el número no pudo convertirse en uno que la central pueda enrutar (holdTime 0); marcar mal no le cuesta nada al llamante, pero una proporción creciente tras cambiar el plan de marcación es tráfico perdido.",
            ),
            Refusal::Other => t(
                "Never billed: the call was refused before any route was tried (holdTime 0, no vendor cost either).",
                "不计费:呼叫在尝试任何路由之前就被拒绝(holdTime 为 0,也没有供应商成本)。",
                "No se factura nunca: la llamada se rechazó antes de probar ninguna ruta (holdTime 0, sin coste de proveedor).",
            ),
        },
        Origin::SwitchDuringCall => t(
            "Billed for the talk time up to the cut (holdTime); check that the cut is where the customer expects it.",
            "按被切断前的通话时长(holdTime)计费;核对切断点是否符合客户的预期。",
            "Se factura el tiempo de conversación hasta el corte (holdTime); compruebe que el corte está donde el cliente lo espera.",
        ),
        Origin::Hangup => t(
            "Billed for its talk time (holdTime) when answered; nothing when it never connected.",
            "接通时按通话时长(holdTime)计费;从未接通则不计费。",
            "Se factura su tiempo de conversación (holdTime) si se contestó; nada si nunca conectó.",
        ),
        Origin::Callee => t(
            "Not billed: the called side ended the attempt before answer (holdTime 0); a rising share costs lines and PDD, not money.",
            "不计费:被叫侧在接通前结束了这次尝试(holdTime 为 0);占比上升的代价是线路和 PDD,而不是费用。",
            "No se factura: el lado llamado terminó el intento antes de contestar (holdTime 0); una proporción creciente cuesta líneas y PDD, no dinero.",
        ),
        Origin::Caller | Origin::Either => t(
            "Billed for the talk time only if the call had been answered (holdTime above 0); a drop before answer costs nothing.",
            "只有已接通(holdTime 大于 0)才按通话时长计费;接通前中断不收费。",
            "Solo se factura el tiempo de conversación si la llamada llegó a contestarse (holdTime mayor que 0); un corte antes de contestar no cuesta nada.",
        ),
        Origin::SipResponse => match n / 100 {
            1 => t(
                "A provisional response is no result: the call's real end reason decides its billing.",
                "临时应答不是结果:呼叫的计费取决于它真正的终止原因。",
                "Una respuesta provisional no es un resultado: la facturación depende del motivo de fin real.",
            ),
            2 => t(
                "The answer: billed for the talk time (holdTime).",
                "这是应答:按通话时长(holdTime)计费。",
                "Es la respuesta: se factura el tiempo de conversación (holdTime).",
            ),
            3 => t(
                "Not billed: the redirect ends this attempt; a call to the new target is billed on its own record.",
                "不计费:重定向结束了这次尝试;转向新目标的呼叫按其自己的话单计费。",
                "No se factura: la redirección termina este intento; la llamada al nuevo destino se factura en su propio registro.",
            ),
            4 if n == 401 || n == 407 => t(
                "Not billed: a credentials challenge; the switch usually repeats the request with credentials, and only a record that ends here means the carrier did not accept them.",
                "不计费:这是凭据质询;交换机通常会带上凭据重发请求,只有以此结束的话单才表示运营商没有接受凭据。",
                "No se factura: es un desafío de credenciales; la central suele repetir la petición con ellas, y solo un registro que termina aquí indica que el operador no las aceptó.",
            ),
            4 if n == 408 => t(
                "Not billed (holdTime 0), but the whole wait held a line and added to PDD before the next gateway could be tried.",
                "不计费(holdTime 为 0),但整个等待时间占用了一条线路,并在尝试下一个网关之前拉长了 PDD。",
                "No se factura (holdTime 0), pero toda la espera ocupó una línea y sumó PDD antes de poder probar el siguiente gateway.",
            ),
            4 if n == 480 || n == 486 => t(
                "Not billed: the called user could not take the call (holdTime 0); an ordinary outcome that costs nothing unless one route reports it far more than others.",
                "不计费:被叫用户无法接听(holdTime 为 0);这是普通结果,除非某条路由报得远多于其他路由,否则没有代价。",
                "No se factura: el usuario llamado no podía atender (holdTime 0); un resultado corriente que no cuesta nada salvo que una ruta lo reporte mucho más que otras.",
            ),
            4 if n == 487 => t(
                "Not billed: the caller gave up before answer (holdTime 0); the share grows with PDD, so long set-up times cost calls that would have paid.",
                "不计费:主叫在接通前放弃(holdTime 为 0);占比随 PDD 增长,接续时间过长会损失本可计费的呼叫。",
                "No se factura: el llamante desistió antes de contestar (holdTime 0); la proporción crece con el PDD, así que los establecimientos largos cuestan llamadas que habrían pagado.",
            ),
            4 if n == 415 || n == 488 => t(
                "Not billed: no media could be agreed (holdTime 0); every call offering the same codecs to this carrier fails alike until the codec settings match.",
                "不计费:媒体协商失败(holdTime 为 0);在编码设置匹配之前,向该运营商提供相同编码的呼叫都会同样失败。",
                "No se factura: no se pudo acordar el medio (holdTime 0); toda llamada que ofrezca los mismos códecs a este operador falla igual hasta que coincidan los ajustes de códec.",
            ),
            4 => t(
                "Not billed: the carrier refused the request for this number or caller before answer (holdTime 0).",
                "不计费:运营商在接通前拒绝了针对该号码或主叫的请求(holdTime 为 0)。",
                "No se factura: el operador rechazó la petición para este número o llamante antes de contestar (holdTime 0).",
            ),
            5 => t(
                "Not billed: the carrier failed before answer (holdTime 0); the cost is lost capacity while it lasts.",
                "不计费:运营商在接通前出现故障(holdTime 为 0);代价是故障期间损失的容量。",
                "No se factura: el operador falló antes de contestar (holdTime 0); el coste es la capacidad perdida mientras dure.",
            ),
            _ => t(
                "Not billed: the callee declined everywhere before answer (holdTime 0).",
                "不计费:被叫在接通前全局拒绝(holdTime 为 0)。",
                "No se factura: el llamado rechazó en todas partes antes de contestar (holdTime 0).",
            ),
        },
        Origin::Q850Cause => match n {
            16 => t(
                "Normal clearing: billed for the talk time when the call was answered.",
                "正常释放:已接通的呼叫按通话时长计费。",
                "Liberación normal: se factura el tiempo de conversación si la llamada se contestó.",
            ),
            1..=31 => t(
                "Not billed when it ends the call before answer: a number or user condition, no talk time.",
                "在接通前以此结束时不计费:号码或用户状态问题,没有通话时长。",
                "No se factura si termina la llamada antes de contestar: una condición del número o del usuario, sin conversación.",
            ),
            32..=47 => t(
                "Not billed before answer: a network resource was missing; a high share costs capacity, not money.",
                "接通前不计费:网络资源不足;占比高的代价是容量,而不是费用。",
                "No se factura antes de contestar: faltó un recurso de red; una proporción alta cuesta capacidad, no dinero.",
            ),
            48..=79 => t(
                "Not billed before answer: a service or option was refused or not available.",
                "接通前不计费:某项业务或选项被拒绝或不可用。",
                "No se factura antes de contestar: un servicio u opción se rechazó o no estaba disponible.",
            ),
            _ => t(
                "Not billed before answer: a signalling or interworking fault between the networks.",
                "接通前不计费:网络之间的信令或互通故障。",
                "No se factura antes de contestar: un fallo de señalización o de interconexión entre redes.",
            ),
        },
    }
}

/// RFC 3398 for a Q.850 cause: the SIP responses an ISDN-to-SIP gateway answers it with
/// (`to_sip`), and the SIP responses a SIP-to-ISDN gateway turns into it (`from_sip`).
pub fn for_cause(to_sip: &[String], from_sip: &[String], lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    if !to_sip.is_empty() {
        let l = to_sip.join(", ");
        out.push(match lang {
            Lang::En => format!("a gateway from ISDN to SIP answers this cause with SIP {l}."),
            Lang::Zh => format!("ISDN 到 SIP 的网关以 SIP {l} 回应此原因值。"),
            Lang::Es => format!("un gateway de RDSI a SIP responde a esta causa con SIP {l}."),
        });
    }
    if !from_sip.is_empty() {
        let l = from_sip.join(", ");
        out.push(match lang {
            Lang::En => format!("a gateway from SIP to ISDN turns SIP {l} into this cause."),
            Lang::Zh => format!("SIP 到 ISDN 的网关把 SIP {l} 转换为此原因值。"),
            Lang::Es => format!("un gateway de SIP a RDSI convierte SIP {l} en esta causa."),
        });
    }
    out
}

/// RFC 3398 for a SIP response: the cause a SIP-to-ISDN gateway turns it into (`to_cause`),
/// and the causes an ISDN-to-SIP gateway answers with it (`from_cause`).
pub fn for_sip(to_cause: &[String], from_cause: &[String], lang: Lang) -> Vec<String> {
    let mut out = Vec::new();
    if !to_cause.is_empty() {
        let l = to_cause.join(", ");
        out.push(match lang {
            Lang::En => format!("a gateway from SIP to ISDN turns this response into Q.850 cause {l}."),
            Lang::Zh => format!("SIP 到 ISDN 的网关把此应答转换为 Q.850 原因值 {l}。"),
            Lang::Es => format!("un gateway de SIP a RDSI convierte esta respuesta en la causa Q.850 {l}."),
        });
    }
    if !from_cause.is_empty() {
        let l = from_cause.join(", ");
        out.push(match lang {
            Lang::En => format!("a gateway from ISDN to SIP answers Q.850 causes {l} with this response."),
            Lang::Zh => format!("ISDN 到 SIP 的网关以此应答回应 Q.850 原因值 {l}。"),
            Lang::Es => {
                format!("un gateway de RDSI a SIP responde a las causas Q.850 {l} con esta respuesta.")
            }
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_of_codes() {
        assert_eq!(origin_of("vos", "-69"), Some(Origin::SwitchBeforeRouting));
        assert_eq!(origin_of("vos", "-8"), Some(Origin::Hangup));
        assert_eq!(origin_of("vos", "-43"), Some(Origin::Callee));
        assert_eq!(origin_of("vos", "-60"), Some(Origin::SwitchDuringCall));
        assert_eq!(origin_of("sip", "503"), Some(Origin::SipResponse));
        assert_eq!(origin_of("parameter", "X"), None);
        // Every sentence in every language, none empty, none the same across languages.
        for o in [
            Origin::SwitchBeforeRouting,
            Origin::SwitchDuringCall,
            Origin::Hangup,
            Origin::Callee,
            Origin::Caller,
            Origin::Either,
            Origin::SipResponse,
            Origin::Q850Cause,
        ] {
            let bill = |o, l| billing(o, "503", l);
            for f in [who, bill] {
                let (en, zh, es) = (f(o, Lang::En), f(o, Lang::Zh), f(o, Lang::Es));
                assert!(!en.is_empty() && zh != en && es != en && zh.chars().any(|c| c > '\u{2e80}'));
            }
        }
    }
}
