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
    /// SIP 4xx share: healthy below, degraded above (seed 000: 15% / 30%).
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
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            answered_healthy: 0.70,
            answered_degraded: 0.50,
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
            outage_min_z: 4.0,
        }
    }
}

impl Thresholds {
    /// Shares must be fractions; counts and deviations positive.
    pub fn validate(&self) -> Result<(), String> {
        let shares = [
            ("answered_healthy", self.answered_healthy),
            ("answered_degraded", self.answered_degraded),
            ("sip_4xx_healthy", self.sip_4xx_healthy),
            ("sip_4xx_degraded", self.sip_4xx_degraded),
            ("sip_5xx_healthy", self.sip_5xx_healthy),
            ("sip_5xx_degraded", self.sip_5xx_degraded),
            ("busy_486_healthy", self.busy_486_healthy),
            ("busy_486_degraded", self.busy_486_degraded),
            ("no_billing_healthy", self.no_billing_healthy),
            ("outage_fraction", self.outage_fraction),
        ];
        for (name, v) in shares {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!("{name} = {v}: a share, between 0 and 1 (0.7 means 70%)"));
            }
        }
        if !(self.outage_min_z.is_finite() && self.outage_min_z > 0.0) {
            return Err(format!(
                "outage_min_z = {}: a positive number of standard deviations",
                self.outage_min_z
            ));
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
