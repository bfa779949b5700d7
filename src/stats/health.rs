//! Health verdicts. Thresholds come from the seed guides: seed 000's table of healthy and
//! degraded shares (answered above 70% healthy, under 50% degraded; 5xx under 10% / over 20%;
//! 486 under 10% / over 20%) and seed 003's billing-mode guidance (no-billing, -1, at 0-5%).
//! The guides' 4xx share is not judged: most 4xx are called users who are busy (486), away
//! (480) or callers who hung up (487), normal outcomes. NER is judged instead, by end-reason
//! class ([`crate::kb::outcome`]): it falls only for failures that are not the called users'.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Healthy,
    Warning,
    Degraded,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Healthy => "healthy",
            Verdict::Warning => "warning",
            Verdict::Degraded => "degraded",
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Health {
    pub metric: String,
    /// A share, 0..1.
    pub value: f64,
    pub verdict: Verdict,
    /// The thresholds, for people.
    pub rule: String,
}

/// Healthy past `good`, degraded past `bad`, a warning between; `higher_is_better` says
/// which way "past" points.
fn judge(metric: &str, value: f64, good: f64, bad: f64, higher_is_better: bool) -> Health {
    let (better, worse, sign_good, sign_bad) = if higher_is_better {
        (value > good, value < bad, '>', '<')
    } else {
        (value < good, value > bad, '<', '>')
    };
    let verdict = match (better, worse) {
        (true, _) => Verdict::Healthy,
        (false, true) => Verdict::Degraded,
        (false, false) => Verdict::Warning,
    };
    Health {
        metric: metric.into(),
        value,
        verdict,
        rule: format!("healthy {sign_good} {:.0}%, degraded {sign_bad} {:.0}%", good * 100.0, bad * 100.0),
    }
}

fn higher(metric: &str, value: f64, good: f64, bad: f64) -> Health {
    judge(metric, value, good, bad, true)
}

fn lower(metric: &str, value: f64, good: f64, bad: f64) -> Health {
    judge(metric, value, good, bad, false)
}

pub struct Shares {
    pub answered: f64,
    /// Network effectiveness ratio (answered, busy, no answer, declined over calls).
    pub ner: f64,
    pub sip_5xx: f64,
    pub busy_486: f64,
    pub no_billing: f64,
}

pub fn verdicts(s: &Shares) -> Vec<Health> {
    verdicts_with(s, &super::thresholds::current())
}

pub fn verdicts_with(s: &Shares, t: &super::thresholds::Thresholds) -> Vec<Health> {
    let no_billing = Health {
        metric: "billingMode -1 share".into(),
        value: s.no_billing,
        verdict: if s.no_billing <= t.no_billing_healthy { Verdict::Healthy } else { Verdict::Warning },
        rule: format!("healthy <= {:.0}% (seed 003)", t.no_billing_healthy * 100.0),
    };
    vec![
        higher("answered share", s.answered, t.answered_healthy, t.answered_degraded),
        higher("NER", s.ner, t.ner_healthy, t.ner_degraded),
        lower("5xx share", s.sip_5xx, t.sip_5xx_healthy, t.sip_5xx_degraded),
        lower("486 share", s.busy_486, t.busy_486_healthy, t.busy_486_degraded),
        no_billing,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds() {
        let v =
            verdicts(&Shares { answered: 0.71, ner: 0.70, sip_5xx: 0.21, busy_486: 0.05, no_billing: 0.06 });
        let got: Vec<Verdict> = v.iter().map(|h| h.verdict).collect();
        assert_eq!(
            got,
            vec![Verdict::Healthy, Verdict::Warning, Verdict::Degraded, Verdict::Healthy, Verdict::Warning]
        );
        assert_eq!(higher("a", 0.49, 0.7, 0.5).verdict, Verdict::Degraded);
        assert_eq!(higher("a", 0.50, 0.7, 0.5).verdict, Verdict::Warning);
        // Thresholds from the config file move the verdicts.
        let t = super::super::thresholds::Thresholds { answered_healthy: 0.9, ..Default::default() };
        let shares = Shares { answered: 0.8, ner: 1.0, sip_5xx: 0.0, busy_486: 0.0, no_billing: 0.0 };
        assert_eq!(verdicts_with(&shares, &t)[0].verdict, Verdict::Warning);
    }
}
