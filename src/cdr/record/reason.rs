//! End-reason values as found in CDRs: a signed integer, a name, or nothing.

use std::collections::HashMap;
use std::fmt;

use crate::kb::names::{code_for_name, code_name};

#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    Empty,
    Code(i32),
    /// A name no registry maps to a code; kept as written.
    Name(Box<str>),
}

impl Reason {
    /// Reads a raw end-reason field. Names that a registry knows become their code
    /// (`NoAvailableRouter` -> -69), so both spellings count together.
    pub fn parse(raw: &str) -> Reason {
        let t = raw.trim();
        if t.is_empty() || t.eq_ignore_ascii_case("null") || t == "\\N" {
            return Reason::Empty;
        }
        if let Ok(c) = t.parse::<i32>() {
            return Reason::Code(c);
        }
        match code_for_name(t) {
            Some(c) => Reason::Code(c),
            None => Reason::Name(t.into()),
        }
    }

    pub fn code(&self) -> Option<i32> {
        match self {
            Reason::Code(c) => Some(*c),
            _ => None,
        }
    }

    /// The short name to show beside the value ("NoAvailableRouter" for -69).
    pub fn name(&self) -> &str {
        match self {
            Reason::Empty => "",
            Reason::Code(c) => code_name(*c).unwrap_or(""),
            Reason::Name(n) => n,
        }
    }

    /// The SIP class a value counts under in the health shares: its own for SIP codes; for the
    /// failure names the guides use with no vendor code, the response the guides say callers
    /// get (AllGatewayBusy: 503; GatewayTimeout and InviteTimeout: 408).
    pub fn health_class(&self) -> Option<u8> {
        match self {
            Reason::Name(n) => {
                let key: String =
                    n.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
                match key.as_str() {
                    "allgatewaybusy" => Some(5),
                    "gatewaytimeout" | "invitetimeout" => Some(4),
                    _ => None,
                }
            }
            r => r.sip_class(),
        }
    }

    /// The end-reason class of an unanswered call ended with this value (see
    /// [`crate::kb::outcome`]); an answered call is `answered` whatever its end reason.
    pub fn outcome(&self) -> crate::kb::outcome::Outcome {
        match self {
            Reason::Empty => crate::kb::outcome::Outcome::Unknown,
            Reason::Code(c) => crate::kb::outcome::of_code(*c),
            // The guides' failure names stand for the responses callers get (503, 408):
            // failures of the network either way.
            Reason::Name(_) if self.health_class().is_some() => crate::kb::outcome::Outcome::Network,
            Reason::Name(_) => crate::kb::outcome::Outcome::Unknown,
        }
    }

    /// SIP class such as `5xx` for codes 100..=699 that are not Q.850 causes.
    pub fn sip_class(&self) -> Option<u8> {
        match self {
            Reason::Code(c) if (129..=699).contains(c) => Some((*c / 100) as u8),
            _ => None,
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Empty => Ok(()),
            Reason::Code(c) => write!(f, "{c}"),
            Reason::Name(n) => f.write_str(n),
        }
    }
}

/// Distinct end-reason values; rows hold a `u16` index. Real data has a few hundred at most.
#[derive(Clone, Debug)]
pub struct ReasonTable {
    values: Vec<Reason>,
    index: HashMap<Reason, u16>,
    /// Direct lookup for codes -1000..1000 (id + 1; 0 = not yet seen): the hot path.
    small: Vec<u16>,
}

const SMALL_RANGE: i32 = 1000;

impl Default for ReasonTable {
    fn default() -> Self {
        let mut t = ReasonTable {
            values: Vec::new(),
            index: HashMap::new(),
            small: vec![0; 2 * SMALL_RANGE as usize],
        };
        t.intern(Reason::Empty);
        t
    }
}

impl ReasonTable {
    /// The id of a value, or `None` when the table already holds 65,536 distinct values.
    pub fn intern(&mut self, r: Reason) -> Option<u16> {
        if let Some(id) = self.index.get(&r) {
            return Some(*id);
        }
        let id = u16::try_from(self.values.len()).ok()?;
        self.values.push(r.clone());
        self.index.insert(r, id);
        Some(id)
    }

    /// The id of a value already in the table.
    pub fn lookup(&self, r: &Reason) -> Option<u16> {
        self.index.get(r).copied()
    }

    /// Same as `intern(Reason::Code(code))`, without hashing for everyday codes.
    pub fn intern_code(&mut self, code: i32) -> Option<u16> {
        let slot = usize::try_from(code + SMALL_RANGE).ok().filter(|s| *s < self.small.len());
        if let Some(s) = slot
            && self.small[s] != 0
        {
            return Some(self.small[s] - 1);
        }
        let id = self.intern(Reason::Code(code))?;
        if let Some(s) = slot {
            self.small[s] = id.checked_add(1)?;
        }
        Some(id)
    }

    pub fn get(&self, id: u16) -> &Reason {
        self.values.get(id as usize).unwrap_or(&Reason::Empty)
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.len() <= 1
    }

    pub fn iter(&self) -> impl Iterator<Item = (u16, &Reason)> {
        self.values.iter().enumerate().map(|(i, r)| (i as u16, r))
    }

    /// Ids of every value matching a predicate, as a lookup table indexed by id.
    pub fn mask(&self, pred: impl Fn(&Reason) -> bool) -> Vec<bool> {
        self.values.iter().map(pred).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_and_names() {
        assert_eq!(Reason::parse("-69"), Reason::Code(-69));
        assert_eq!(Reason::parse(" 503 "), Reason::Code(503));
        assert_eq!(Reason::parse("NoAvailableRouter"), Reason::Code(-69));
        assert_eq!(Reason::parse("MyLocalReason"), Reason::Name("MyLocalReason".into()));
        assert_eq!(Reason::parse(""), Reason::Empty);
        assert_eq!(Reason::Code(503).sip_class(), Some(5));
        assert_eq!(Reason::Code(16).sip_class(), None);
        assert_eq!(Reason::Code(-69).name(), "NoAvailableRouter");
        // Guide names with no vendor code keep their name and count where the guides put them.
        assert_eq!(Reason::parse("AllGatewayBusy"), Reason::Name("AllGatewayBusy".into()));
        assert_eq!(Reason::parse("AllGatewayBusy").health_class(), Some(5));
        assert_eq!(Reason::parse("GatewayTimeout").health_class(), Some(4));
        assert_eq!(Reason::parse("AllGatewayBusy").sip_class(), None);
    }

    #[test]
    fn names_without_a_code_have_the_class_of_the_response_they_stand_for() {
        use crate::kb::outcome::Outcome;
        assert_eq!(Reason::parse("AllGatewayBusy").outcome(), Outcome::Network);
        assert_eq!(Reason::parse("InviteTimeout").outcome(), Outcome::Network);
        assert_eq!(Reason::parse("whatever").outcome(), Outcome::Unknown);
        assert_eq!(Reason::parse("486").outcome(), Outcome::UserBusy);
    }
}
