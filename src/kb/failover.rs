//! Whether VOS3000 tries the next routing gateway after a SIP response or a Q.850 cause, in the
//! vendor's own terms (the routing gateway's `switchAllow*` settings), for the entries whose
//! data does not say it in words of their own. Written once per kind of code, in every language,
//! so every failure entry carries it whole.
//!
//! What the vendor documents: `switchAllowRing` (after 18x), `switchAllowSdp` (after a response
//! with SDP), `switchAllowBusy` (after busy) and `switchAllowErrorCode` (after an error code in
//! the gateway's list). How a Q.850 cause from a SIP peer is matched is not documented: the
//! peer's SIP response is what VOS3000 receives, so the text names it (RFC 3398's mapping).

use super::lang::Lang;

/// The failover sentence for a SIP response code, or `None` where switching does not apply
/// (provisional responses other than ringing and progress, success, redirection).
pub fn for_sip(code: &str, lang: Lang) -> Option<String> {
    let c: u16 = code.parse().ok()?;
    Some(match c {
        180..=182 => match lang {
            Lang::En => format!("After {c} the call stays on this routing gateway unless its switchAllowRing is on; then a later failure may still move it to the next gateway."),
            Lang::Zh => format!("收到 {c} 之后,除非该落地网关开启了 switchAllowRing,呼叫就留在这个网关上;开启时,之后的失败仍可转到下一个网关。"),
            Lang::Es => format!("Tras {c} la llamada se queda en este gateway de salida salvo que su switchAllowRing esté activo; entonces un fallo posterior aún puede pasarla al siguiente gateway."),
        },
        183 => match lang {
            Lang::En => "A 183 carrying SDP keeps the call on this routing gateway unless its switchAllowSdp is on; without SDP, switchAllowRing decides.".to_string(),
            Lang::Zh => "带 SDP 的 183 会让呼叫留在这个落地网关上,除非其 switchAllowSdp 开启;不带 SDP 时由 switchAllowRing 决定。".to_string(),
            Lang::Es => "Un 183 con SDP deja la llamada en este gateway de salida salvo que su switchAllowSdp esté activo; sin SDP decide switchAllowRing.".to_string(),
        },
        487 => match lang {
            Lang::En => "No gateway switching: the request was cancelled (usually the caller hung up), so the call ends here whatever the settings.".to_string(),
            Lang::Zh => "不会切换网关:请求已被取消(通常是主叫挂机),无论如何设置,呼叫都在此结束。".to_string(),
            Lang::Es => "No hay conmutación de gateway: la petición se canceló (normalmente colgó el llamante), así que la llamada termina aquí sea cual sea la configuración.".to_string(),
        },
        486 | 600 => busy(&c.to_string(), lang),
        400..=699 => error_code(c, lang),
        _ => return None,
    })
}

/// The failover sentence for a Q.850 cause; `to_sip` is the SIP response RFC 3398 answers the
/// cause with (what a SIP peer sends). `None` for the causes of a normal end.
pub fn for_cause(cause: &str, to_sip: &[String], lang: Lang) -> Option<String> {
    let c: u16 = cause.parse().ok()?;
    if matches!(c, 7 | 16) {
        return None;
    }
    if c == 17 {
        return Some(busy(&c.to_string(), lang));
    }
    let sip = if to_sip.is_empty() { "?".to_string() } else { to_sip.join(", ") };
    Some(match lang {
        Lang::En => format!(
            "From an H.323 or ISDN peer, VOS3000 tries the next routing gateway after cause {c} only when that gateway has switchAllowErrorCode on and {c} in its error-code list; from a SIP peer the code it receives is the SIP response (RFC 3398: {sip}), so that is the one to list."
        ),
        Lang::Zh => format!(
            "对 H.323 或 ISDN 对端,只有当该落地网关开启 switchAllowErrorCode 且其错误码列表包含 {c} 时,VOS3000 才会在原因 {c} 之后尝试下一个网关;对 SIP 对端,VOS3000 收到的是 SIP 应答(RFC 3398:{sip}),列表中应填写该应答码。"
        ),
        Lang::Es => format!(
            "Con un par H.323 o RDSI, VOS3000 prueba el siguiente gateway de salida tras la causa {c} solo si ese gateway tiene switchAllowErrorCode activo y {c} en su lista de códigos de error; con un par SIP lo que recibe es la respuesta SIP (RFC 3398: {sip}), y esa es la que hay que incluir."
        ),
    })
}

fn busy(code: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "After busy ({code}) the next routing gateway is tried only when the gateway that answered has switchAllowBusy on; otherwise the call ends busy."
        ),
        Lang::Zh => format!(
            "遇忙({code})之后,只有应答的落地网关开启了 switchAllowBusy 才会尝试下一个网关;否则呼叫以忙结束。"
        ),
        Lang::Es => format!(
            "Tras ocupado ({code}) se prueba el siguiente gateway de salida solo si el que respondió tiene switchAllowBusy activo; si no, la llamada termina como ocupado."
        ),
    }
}

fn error_code(c: u16, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "VOS3000 tries the next routing gateway of the prefix after {c} only when the gateway that answered has switchAllowErrorCode on and {c} in its error-code list; otherwise the call ends with {c}."
        ),
        Lang::Zh => format!(
            "只有应答的落地网关开启 switchAllowErrorCode 且其错误码列表包含 {c} 时,VOS3000 才会在 {c} 之后尝试该前缀的下一个网关;否则呼叫以 {c} 结束。"
        ),
        Lang::Es => format!(
            "VOS3000 prueba el siguiente gateway de salida del prefijo tras {c} solo si el que respondió tiene switchAllowErrorCode activo y {c} en su lista de códigos de error; si no, la llamada termina con {c}."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_of_codes() {
        assert!(for_sip("200", Lang::En).is_none());
        assert!(for_sip("302", Lang::En).is_none());
        assert!(for_sip("180", Lang::En).is_some_and(|t| t.contains("switchAllowRing")));
        assert!(for_sip("183", Lang::Zh).is_some_and(|t| t.contains("switchAllowSdp")));
        assert!(for_sip("486", Lang::Es).is_some_and(|t| t.contains("switchAllowBusy")));
        assert!(
            for_sip("404", Lang::En).is_some_and(|t| t.contains("switchAllowErrorCode") && t.contains("404"))
        );
        assert!(for_sip("487", Lang::En).is_some_and(|t| !t.contains("switchAllow")));
        assert!(for_cause("16", &[], Lang::En).is_none());
        assert!(for_cause("17", &[], Lang::En).is_some_and(|t| t.contains("switchAllowBusy")));
        let t = for_cause("34", &["503".to_string()], Lang::En).unwrap_or_default();
        assert!(t.contains("cause 34") && t.contains("RFC 3398: 503"), "{t}");
    }
}
