//! The SIP Reason header (RFC 3326) that VOS3000 keeps in `sipreasonheader`: the cause a peer
//! gave behind its SIP response, often the real story behind a 503
//! (`Q.850;cause=34;text="No circuit/channel available"`). Real rows vary the spacing
//! (`Q.850; cause=16; text="Normal call clearing"`) and the case of the protocol.

use std::fmt;

/// The protocol a Reason header's cause belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReasonProtocol {
    Q850,
    Sip,
    Other,
}

/// One parsed Reason header value (the first one, when a header lists several).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReasonHeader {
    pub protocol: ReasonProtocol,
    /// The protocol as written, for `Other`.
    pub protocol_text: String,
    pub cause: Option<u32>,
    pub text: Option<String>,
}

impl ReasonHeader {
    /// Parses a header value; `None` for an empty one or one with no protocol token.
    pub fn parse(raw: &str) -> Option<ReasonHeader> {
        let raw = raw.trim();
        if raw.is_empty() || raw.eq_ignore_ascii_case("null") {
            return None;
        }
        // Several reasons may be listed, comma-separated (outside quotes): take the first.
        let first = split_outside_quotes(raw, ',').next()?;
        let mut parts = split_outside_quotes(first, ';');
        let proto = parts.next()?.trim();
        if proto.is_empty() {
            return None;
        }
        let protocol = if proto.eq_ignore_ascii_case("q.850") || proto.eq_ignore_ascii_case("q850") {
            ReasonProtocol::Q850
        } else if proto.eq_ignore_ascii_case("sip") {
            ReasonProtocol::Sip
        } else {
            ReasonProtocol::Other
        };
        let (mut cause, mut text) = (None, None);
        for p in parts {
            let Some((k, v)) = p.split_once('=') else { continue };
            let v = v.trim();
            match k.trim().to_ascii_lowercase().as_str() {
                "cause" => cause = v.parse::<u32>().ok(),
                "text" => text = Some(v.trim_matches('"').to_string()).filter(|t| !t.is_empty()),
                _ => {}
            }
        }
        Some(ReasonHeader { protocol, protocol_text: proto.to_string(), cause, text })
    }

    /// The knowledge-base id of the cause (`q850:34`, `sip:503`), when it has one.
    pub fn kb_id(&self) -> Option<String> {
        let cause = self.cause?;
        match self.protocol {
            ReasonProtocol::Q850 => Some(format!("q850:{cause}")),
            ReasonProtocol::Sip => Some(format!("sip:{cause}")),
            ReasonProtocol::Other => None,
        }
    }

    /// A short stable label used in statistics: `Q.850 34`, `SIP 503`.
    pub fn label(&self) -> String {
        let proto = match self.protocol {
            ReasonProtocol::Q850 => "Q.850",
            ReasonProtocol::Sip => "SIP",
            ReasonProtocol::Other => self.protocol_text.as_str(),
        };
        match self.cause {
            Some(c) => format!("{proto} {c}"),
            None => proto.to_string(),
        }
    }

    /// Whether a filter value matches: `34` (any protocol), `q850:34`, `q.850:34`, `sip:503`.
    pub fn matches(&self, want: &ReasonMatch) -> bool {
        match want {
            ReasonMatch::Cause(c) => self.cause == Some(*c),
            ReasonMatch::Protocol(p, c) => self.protocol == *p && c.is_none_or(|c| self.cause == Some(c)),
        }
    }
}

impl fmt::Display for ReasonHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())?;
        if let Some(t) = &self.text {
            write!(f, " ({t})")?;
        }
        Ok(())
    }
}

/// What a `reason:` filter term asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReasonMatch {
    /// A cause number in any protocol.
    Cause(u32),
    /// A protocol, optionally with its cause.
    Protocol(ReasonProtocol, Option<u32>),
}

impl ReasonMatch {
    /// Parses `34`, `q850:34`, `Q.850:34`, `sip:503`, `q850`, `sip`.
    pub fn parse(v: &str) -> Option<ReasonMatch> {
        let v = v.trim();
        if let Ok(c) = v.parse::<u32>() {
            return Some(ReasonMatch::Cause(c));
        }
        let (proto, cause) = match v.split_once(':') {
            Some((p, c)) => (p, Some(c.trim().parse::<u32>().ok()?)),
            None => (v, None),
        };
        let p = match proto.trim().to_ascii_lowercase().as_str() {
            "q850" | "q.850" => ReasonProtocol::Q850,
            "sip" => ReasonProtocol::Sip,
            _ => return None,
        };
        Some(ReasonMatch::Protocol(p, cause))
    }
}

fn split_outside_quotes(s: &str, sep: char) -> impl Iterator<Item = &str> {
    let mut parts = Vec::new();
    let (mut start, mut quoted) = (0, false);
    for (i, c) in s.char_indices() {
        if c == '"' {
            quoted = !quoted;
        } else if c == sep && !quoted {
            parts.push(&s[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&s[start..]);
    parts.into_iter()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_headers() {
        let h = ReasonHeader::parse(r#"Q.850;cause=34;text="No circuit/channel available""#).expect("q850");
        assert_eq!((h.protocol, h.cause), (ReasonProtocol::Q850, Some(34)));
        assert_eq!(h.text.as_deref(), Some("No circuit/channel available"));
        assert_eq!(h.kb_id().as_deref(), Some("q850:34"));
        assert_eq!(h.label(), "Q.850 34");
        let h = ReasonHeader::parse(r#"Q.850; cause=16; text="Normal call clearing""#).expect("spaced");
        assert_eq!(h.cause, Some(16));
        let h = ReasonHeader::parse("SIP;cause=503").expect("sip");
        assert_eq!((h.protocol, h.kb_id().as_deref()), (ReasonProtocol::Sip, Some("sip:503")));
        // A quoted text with separators inside, and a second reason after a comma.
        let h = ReasonHeader::parse(r#"Q.850;cause=41;text="Temporary; failure, really", SIP;cause=503"#)
            .expect("two");
        assert_eq!((h.cause, h.text.as_deref()), (Some(41), Some("Temporary; failure, really")));
        assert_eq!(ReasonHeader::parse(""), None);
        assert_eq!(ReasonHeader::parse("NULL"), None);
        assert_eq!(ReasonHeader::parse("X-Vendor;cause=7").map(|h| h.label()).as_deref(), Some("X-Vendor 7"));
    }

    #[test]
    fn filter_values() {
        let h = ReasonHeader::parse("Q.850;cause=34").expect("q850");
        assert!(h.matches(&ReasonMatch::parse("34").expect("34")));
        assert!(h.matches(&ReasonMatch::parse("q850:34").expect("q850:34")));
        assert!(h.matches(&ReasonMatch::parse("Q.850:34").expect("Q.850:34")));
        assert!(h.matches(&ReasonMatch::parse("q850").expect("q850")));
        assert!(!h.matches(&ReasonMatch::parse("sip:34").expect("sip:34")));
        assert!(!h.matches(&ReasonMatch::parse("16").expect("16")));
        assert_eq!(ReasonMatch::parse("isdn:3"), None);
        assert_eq!(ReasonMatch::parse("q850:x"), None);
    }
}
