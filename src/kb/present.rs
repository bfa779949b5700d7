//! One presentation of an entry, in the knowledge base's language, for every place that shows
//! one: `cdrscope lookup` renders it as wrapped text, the console's panels as styled lines.
//! What is said, in what order and under which (localized) label is decided here only.

use super::entry::{Entry, Severity};
use super::lang::Lang;
use super::load::Kb;

/// Section labels in one language.
pub struct Labels {
    pub meaning: &'static str,
    pub causes: &'static str,
    pub fixes: &'static str,
    pub settings: &'static str,
    pub menu: &'static str,
    pub parameters: &'static str,
    pub related: &'static str,
    pub failover: &'static str,
    pub billing: &'static str,
    pub origin: &'static str,
    pub rfc3398: &'static str,
    pub default: &'static str,
    pub source: &'static str,
    pub versions: &'static str,
    pub also: &'static str,
    pub fallback: &'static str,
    pub more: &'static str,
    /// The end-reason class of an unanswered call (an answered one is `answered` whatever
    /// its end reason), and what it means for NER.
    pub ner: &'static str,
    pub ner_in: &'static str,
    pub ner_out: &'static str,
}

pub fn labels(lang: Lang) -> Labels {
    match lang {
        Lang::En => Labels {
            meaning: "Meaning",
            causes: "Usual causes",
            fixes: "What to do",
            settings: "Settings",
            menu: "Where (client menu)",
            parameters: "Parameters",
            related: "Related",
            failover: "Failover",
            billing: "Billing",
            origin: "Who produced it",
            rfc3398: "RFC 3398",
            default: "Default",
            source: "Source",
            versions: "VOS3000 versions",
            also: "Also called",
            fallback: "(no translation yet: English text)",
            more: "Other matches",
            ner: "Class if unanswered (NER)",
            ner_in: "reached the called user: effective in NER",
            ner_out: "a failure in NER",
        },
        Lang::Zh => Labels {
            meaning: "含义",
            causes: "常见原因",
            fixes: "处理办法",
            settings: "相关设置",
            menu: "位置(客户端菜单)",
            parameters: "相关参数",
            related: "相关代码",
            failover: "网关切换",
            billing: "计费",
            origin: "由谁产生",
            rfc3398: "RFC 3398",
            default: "默认值",
            source: "来源",
            versions: "VOS3000 版本",
            also: "别名",
            fallback: "(暂无中文翻译,显示英文)",
            more: "其他匹配",
            ner: "未接通时的类别 (NER)",
            ner_in: "已到达被叫用户,NER 中计为有效",
            ner_out: "NER 中计为失败",
        },
        Lang::Es => Labels {
            meaning: "Significado",
            causes: "Causas habituales",
            fixes: "Qué hacer",
            settings: "Ajustes",
            menu: "Dónde (menú del cliente)",
            parameters: "Parámetros",
            related: "Relacionados",
            failover: "Conmutación",
            billing: "Facturación",
            origin: "Quién lo produjo",
            rfc3398: "RFC 3398",
            default: "Valor por defecto",
            source: "Fuente",
            versions: "Versiones de VOS3000",
            also: "También llamado",
            fallback: "(sin traducción todavía: texto en inglés)",
            more: "Otras coincidencias",
            ner: "Clase si no hay respuesta (NER)",
            ner_in: "llegó al usuario llamado: efectiva en NER",
            ner_out: "un fallo en NER",
        },
    }
}

/// Where in the VOS3000 client the settings of an entity are edited, as the guides give the
/// menu (the English client's names; the guides give none for phones and mapping gateways, so
/// none is invented).
pub fn menu_of(entity: &str) -> Option<&'static str> {
    match entity {
        "routing_gateway" => Some("Operation Management > Gateway Operation > Routing Gateway"),
        "account" => Some("Account Management > General Account"),
        _ => None,
    }
}

/// What holds a setting, as the vendor's client names it, in `lang`.
pub fn entity_name(entity: &str, lang: Lang) -> &str {
    match (entity, lang) {
        ("phone", Lang::En) => "phone",
        ("phone", Lang::Zh) => "话机",
        ("phone", Lang::Es) => "teléfono",
        ("mapping_gateway", Lang::En) => "mapping gateway",
        ("mapping_gateway", Lang::Zh) => "对接网关",
        ("mapping_gateway", Lang::Es) => "gateway de mapeo (entrada)",
        ("routing_gateway", Lang::En) => "routing gateway",
        ("routing_gateway", Lang::Zh) => "落地网关",
        ("routing_gateway", Lang::Es) => "gateway de enrutamiento (salida)",
        ("account", Lang::En) => "account",
        ("account", Lang::Zh) => "账户",
        ("account", Lang::Es) => "cuenta",
        ("system", Lang::En) => "system list",
        ("system", Lang::Zh) => "系统列表",
        ("system", Lang::Es) => "lista del sistema",
        (other, _) => other,
    }
}

/// One piece of an entry as shown.
#[derive(Debug, Clone, PartialEq)]
pub enum Part {
    /// The id, the name, the name in the other languages, and the severity.
    Title { id: String, name: String, others: Vec<String>, severity: Severity },
    /// A labelled line: `label: text` (aliases, versions, parameters, billing...).
    Field { label: &'static str, text: String, dim: bool },
    /// A note in the entry's margin (the fallback notice).
    Note(&'static str),
    /// A section heading (causes, fixes).
    Heading(&'static str),
    /// Running text (the meaning).
    Text(String),
    /// A cause.
    Bullet(String),
    /// A fix, numbered from 1.
    Step(usize, String),
    /// A blank line between groups.
    Gap,
}

/// The entry as shown, in the knowledge base's language. `full` adds what a lookup shows and
/// a panel leaves out (versions, class, default, source).
pub fn present(kb: &Kb, e: &Entry, full: bool) -> Vec<Part> {
    let l = labels(kb.lang);
    let mut out = Vec::new();
    // The name in the other languages, after the one shown.
    let others: Vec<String> = e.names.values().filter(|n| **n != e.name).cloned().collect();
    out.push(Part::Title { id: e.id.clone(), name: e.name.clone(), others, severity: e.severity });
    let aliases: Vec<&str> = e.aliases.iter().map(String::as_str).filter(|a| *a != e.name).collect();
    if !aliases.is_empty() {
        out.push(Part::Field { label: l.also, text: aliases.join(", "), dim: true });
    }
    if full {
        if let Some(v) = &e.versions {
            out.push(Part::Field { label: l.versions, text: v.clone(), dim: true });
        }
        if let Some(c) = &e.class {
            out.push(Part::Field { label: "class", text: c.clone(), dim: true });
        }
    }
    if let Some(o) = outcome_of(e) {
        let what = if o.in_ner() { l.ner_in } else { l.ner_out };
        out.push(Part::Field { label: l.ner, text: format!("{} ({what})", o.as_str()), dim: true });
    }
    if e.fallback && kb.lang != Lang::En {
        out.push(Part::Note(l.fallback));
    }
    if full {
        out.push(Part::Gap);
        out.push(Part::Heading(l.meaning));
    }
    out.push(Part::Text(e.meaning.clone()));
    if full && let Some(d) = &e.default {
        out.push(Part::Field { label: l.default, text: d.clone(), dim: false });
    }
    if !e.causes.is_empty() {
        if full {
            out.push(Part::Gap);
        }
        out.push(Part::Heading(l.causes));
        out.extend(e.causes.iter().map(|c| Part::Bullet(c.clone())));
    }
    if !e.fixes.is_empty() {
        if full {
            out.push(Part::Gap);
        }
        out.push(Part::Heading(l.fixes));
        out.extend(e.fixes.iter().enumerate().map(|(k, f)| Part::Step(k + 1, f.clone())));
    }
    if full {
        out.push(Part::Gap);
    }
    if let Some(o) = &e.origin {
        out.push(Part::Field { label: l.origin, text: o.clone(), dim: false });
    }
    for m in &e.rfc3398 {
        out.push(Part::Field { label: l.rfc3398, text: m.clone(), dim: false });
    }
    if !e.settings.is_empty() {
        let list: Vec<String> =
            e.settings.iter().map(|s| format!("{} ({})", s.name, entity_name(&s.entity, kb.lang))).collect();
        out.push(Part::Field { label: l.settings, text: list.join(", "), dim: false });
        let mut menus: Vec<String> = Vec::new();
        for s in &e.settings {
            if let Some(m) = menu_of(&s.entity) {
                let line = format!("{}: {m}", entity_name(&s.entity, kb.lang));
                if !menus.contains(&line) {
                    menus.push(line);
                }
            }
        }
        if !menus.is_empty() {
            out.push(Part::Field { label: l.menu, text: menus.join("; "), dim: true });
        }
    }
    if !e.parameters.is_empty() {
        out.push(Part::Field { label: l.parameters, text: e.parameters.join(", "), dim: false });
    }
    if let Some(f) = &e.failover {
        out.push(Part::Field { label: l.failover, text: f.clone(), dim: false });
    }
    if let Some(b) = &e.billing {
        out.push(Part::Field { label: l.billing, text: b.clone(), dim: false });
    }
    if !e.related.is_empty() {
        let shown = if full { e.related.len() } else { 8 };
        let rel: Vec<String> = e
            .related
            .iter()
            .take(shown)
            .map(|r| kb.get(r).map_or_else(|| r.clone(), |x| format!("{r} {}", x.name)))
            .collect();
        out.push(Part::Field { label: l.related, text: rel.join(", "), dim: true });
    }
    if full {
        let mut src = e.source.clone();
        if let Some(o) = &e.overridden_by {
            src.push_str(&format!("; changed by {o}"));
        }
        out.push(Part::Field { label: l.source, text: src, dim: false });
    }
    out
}

/// The end-reason class of an unanswered call that ended with an end-reason entry's code
/// (VOS3000 codes, SIP responses, Q.850 causes); none for other entries.
pub fn outcome_of(e: &Entry) -> Option<super::outcome::Outcome> {
    let code: i32 = e.code.parse().ok()?;
    let fits = match e.namespace.as_str() {
        "vos" => code < 0,
        "q850" => (1..=128).contains(&code),
        "sip" => (300..=699).contains(&code),
        _ => false,
    };
    fits.then(|| super::outcome::of_code(code))
}
