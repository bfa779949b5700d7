//! Every threshold the health verdicts and findings use, in one place, with the guides'
//! defaults. The config file's `[thresholds]` overrides any of them; the front end sets the
//! result once at start-up ([`set`]) and the statistics read it ([`current`]).

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Thresholds {
    /// Answered share: healthy above, degraded below (seed 000: 70% / 50%).
    pub answered_healthy: f64,
    pub answered_degraded: f64,
    /// NER (answered, busy, no answer, declined over calls): healthy above, degraded below.
    /// Field practice for wholesale routes, not from a document: about 80% when callers who
    /// hang up while ringing are a few percent, 60% and under when a route fails.
    pub ner_healthy: f64,
    pub ner_degraded: f64,
    /// No longer judged (the 4xx share counted busy and absent called users as failures; NER
    /// replaced it): accepted so that existing config files still load.
    pub sip_4xx_healthy: f64,
    pub sip_4xx_degraded: f64,
    /// SIP 5xx share (seed 000: 10% / 20%).
    pub sip_5xx_healthy: f64,
    pub sip_5xx_degraded: f64,
    /// 486 Busy Here share (seed 000: 10% / 20%).
    pub busy_486_healthy: f64,
    pub busy_486_degraded: f64,
    /// billingMode -1 (no billing) share still healthy (seed 003: 0-5%).
    pub no_billing_healthy: f64,
    /// Gateway outage: a gateway needs this many calls to be judged at all...
    pub outage_gateway_min_calls: u64,
    /// ...a time bucket this many calls...
    pub outage_bucket_min_calls: u64,
    /// ...an answer rate below this fraction of the gateway's own...
    pub outage_fraction: f64,
    /// ...by this many standard deviations of a binomial draw (no crying wolf on few calls).
    pub outage_min_z: f64,
    /// Findings other than outages: standard deviations a move must pass (every entity and
    /// window is tested, so this is strict).
    pub min_z: f64,
    /// Standard deviations a window must also pass against the same hours of the day before,
    /// when the data reaches back that far (fewer calls there, so a lower bar).
    pub yesterday_min_z: f64,
    /// Smallest time bucket findings look at, minutes (coarser over long spans).
    pub bucket_minutes: u32,
    /// An answered call shorter than this (seconds) counts as short (false answer).
    pub short_call_secs: u32,
    /// PDD degradation: share of calls slower than the gateway's usual 90th percentile...
    pub pdd_slow_share: f64,
    /// ...and the window's median at least this many times the usual one.
    pub pdd_factor: f64,
    /// False answer: share of answered calls that are short.
    pub false_answer_short_share: f64,
    /// Routing hole: no-route failures to one prefix in the window.
    pub routing_hole_min_calls: u64,
    /// Scanner: suspicious attempts from one source IP in one window.
    pub scanner_min_attempts: u64,
    /// Revenue leak: answered calls with billingMode -1.
    pub unbilled_min_calls: u64,
    /// Capacity: line-limit or concurrency refusals on one gateway in one window.
    pub capacity_min_calls: u64,
    /// What changed: calls an hour needs on both sides of a comparison...
    pub change_min_calls: u64,
    /// ...a volume move of at least this factor (x1.5 with no same hour yesterday)...
    pub change_volume_factor: f64,
    /// ...and an answer-rate move of at least this many points (0.15 = 15 points).
    pub change_min_asr_points: f64,
    /// Reconciliation: a call is looked for in the other source only once it ended this many
    /// seconds ago (the feed and the database's poll may lag; the switch queues and resends).
    pub reconcile_grace_secs: u32,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            answered_healthy: 0.70,
            answered_degraded: 0.50,
            ner_healthy: 0.80,
            ner_degraded: 0.60,
            sip_4xx_healthy: 0.15,
            sip_4xx_degraded: 0.30,
            sip_5xx_healthy: 0.10,
            sip_5xx_degraded: 0.20,
            busy_486_healthy: 0.10,
            busy_486_degraded: 0.20,
            no_billing_healthy: 0.05,
            outage_gateway_min_calls: 100,
            outage_bucket_min_calls: 20,
            outage_fraction: 0.5,
            outage_min_z: 5.0,
            min_z: 5.0,
            yesterday_min_z: 3.0,
            bucket_minutes: 15,
            short_call_secs: 6,
            pdd_slow_share: 0.4,
            pdd_factor: 1.8,
            false_answer_short_share: 0.5,
            routing_hole_min_calls: 20,
            scanner_min_attempts: 50,
            unbilled_min_calls: 5,
            capacity_min_calls: 10,
            change_min_calls: 30,
            change_volume_factor: 2.0,
            change_min_asr_points: 0.15,
            reconcile_grace_secs: 120,
        }
    }
}

impl Thresholds {
    /// Shares must be fractions; counts and deviations positive.
    pub fn validate(&self) -> Result<(), String> {
        let shares = [
            ("answered_healthy", self.answered_healthy),
            ("answered_degraded", self.answered_degraded),
            ("ner_healthy", self.ner_healthy),
            ("ner_degraded", self.ner_degraded),
            ("sip_4xx_healthy", self.sip_4xx_healthy),
            ("sip_4xx_degraded", self.sip_4xx_degraded),
            ("sip_5xx_healthy", self.sip_5xx_healthy),
            ("sip_5xx_degraded", self.sip_5xx_degraded),
            ("busy_486_healthy", self.busy_486_healthy),
            ("busy_486_degraded", self.busy_486_degraded),
            ("no_billing_healthy", self.no_billing_healthy),
            ("outage_fraction", self.outage_fraction),
            ("pdd_slow_share", self.pdd_slow_share),
            ("false_answer_short_share", self.false_answer_short_share),
            ("change_min_asr_points", self.change_min_asr_points),
        ];
        for (name, v) in shares {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{name} = {v}: a share, between 0 and 1 (0.7 means 70%)"));
            }
        }
        for (name, v) in [
            ("outage_min_z", self.outage_min_z),
            ("min_z", self.min_z),
            ("yesterday_min_z", self.yesterday_min_z),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return Err(format!("{name} = {v}: a positive number of standard deviations"));
            }
        }
        for (name, v) in
            [("pdd_factor", self.pdd_factor), ("change_volume_factor", self.change_volume_factor)]
        {
            if !(v.is_finite() && v >= 1.0) {
                return Err(format!("{name} = {v}: a factor of at least 1 (2 means twice)"));
            }
        }
        if self.bucket_minutes == 0 {
            return Err("bucket_minutes = 0: at least 1 minute".into());
        }
        Ok(())
    }
}

static CURRENT: OnceLock<Thresholds> = OnceLock::new();

/// Sets the thresholds for this run (once; later calls are ignored).
pub fn set(t: Thresholds) {
    let _ = CURRENT.set(t);
}

/// The thresholds in force: set from the config file, else the guides' defaults.
pub fn current() -> Thresholds {
    CURRENT.get().copied().unwrap_or_default()
}
