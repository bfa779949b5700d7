//! "Gateways now": per callee (routing) and caller (mapping) gateway, calls, ASR, ACD, PDD and
//! the top failure over the last 5, 15 and 60 minutes (to the minute) next to the whole
//! selection, with what moved. Read from a [`Tally`]: what an operator watches while following.

use std::collections::HashMap;

use serde::Serialize;

use super::tally::Tally;
use crate::cdr::Store;

/// The recent stretches shown, in minutes, then the whole selection.
pub const WINDOWS_MIN: [i64; 3] = [5, 15, 60];

/// One gateway's figures over one stretch.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Stretch {
    pub calls: u64,
    pub answered: u64,
    pub asr: f64,
    pub acd_seconds: f64,
    pub pdd_avg_ms: Option<f64>,
    /// The most frequent end reason of the failed calls, and how many.
    pub top_failure: Option<(String, u64)>,
}

/// Which way a gateway's ASR moved: the last 15 minutes against the whole selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Moved {
    Up,
    Down,
    Flat,
}

impl Moved {
    pub fn arrow(self) -> &'static str {
        match self {
            Moved::Up => "↑",
            Moved::Down => "↓",
            Moved::Flat => " ",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoardRow {
    /// `callee` (routing gateway) or `caller` (mapping gateway).
    pub side: &'static str,
    pub gateway: String,
    /// 5, 15 and 60 minutes, then the whole selection.
    pub stretches: [Stretch; 4],
    pub moved: Moved,
}

#[derive(Default)]
struct Acc {
    calls: u64,
    answered: u64,
    hold_ms: u64,
    pdd_sum: u64,
    pdd_n: u64,
    failures: HashMap<u16, u64>,
}

impl Acc {
    fn finish(&self, st: &Store) -> Stretch {
        let top = self.failures.iter().max_by_key(|(id, n)| (**n, std::cmp::Reverse(**id)));
        Stretch {
            calls: self.calls,
            answered: self.answered,
            asr: if self.calls == 0 { 0.0 } else { self.answered as f64 / self.calls as f64 },
            acd_seconds: if self.answered == 0 {
                0.0
            } else {
                self.hold_ms as f64 / self.answered as f64 / 1000.0
            },
            pdd_avg_ms: (self.pdd_n > 0).then(|| self.pdd_sum as f64 / self.pdd_n as f64),
            top_failure: top.map(|(id, n)| (st.pools.reasons.get(*id).to_string(), *n)),
        }
    }
}

/// A change of ASR this large (with enough calls) gets an arrow.
const MOVE_POINTS: f64 = 0.10;
const MOVE_MIN_CALLS: u64 = 10;

/// The board over `rows`, "now" being `now_ms`; busiest gateways (last hour) first.
pub fn board(st: &Store, rows: &[u32], now_ms: i64) -> Vec<BoardRow> {
    let mut tally = Tally::default();
    tally.add(st, rows);
    board_of(st, &tally, now_ms)
}

/// The board from a tally (see [`Tally::recent`]): the recent stretches to the minute, the
/// whole selection from its sums. Reads no row, so the console's refresh while following
/// costs what arrived.
pub fn board_of(st: &Store, tally: &Tally, now_ms: i64) -> Vec<BoardRow> {
    // (side, gateway id) -> the four stretches.
    let mut acc: HashMap<(u8, u32), [Acc; 4]> = HashMap::new();
    for (&minute, gateways) in &tally.recent {
        let start = minute.saturating_mul(60_000);
        let age_ms = now_ms.saturating_sub(start);
        for (&(side, gw), m) in gateways {
            if gw == 0 {
                continue;
            }
            let e = acc.entry((side, gw)).or_default();
            for (k, &mins) in WINDOWS_MIN.iter().enumerate() {
                if !(0..=mins * 60_000).contains(&age_ms) {
                    continue;
                }
                let a = &mut e[k];
                a.calls += m.calls;
                a.answered += m.answered;
                a.hold_ms += m.hold_ms;
                a.pdd_sum += m.pdd_sum;
                a.pdd_n += m.pdd_n;
                for (&r, &n) in &m.failures {
                    *a.failures.entry(r).or_default() += n;
                }
            }
        }
    }
    for (side, gws, fails) in
        [(0u8, &tally.callee_acc, &tally.callee_fail), (1u8, &tally.caller_acc, &tally.caller_fail)]
    {
        for (gw, g) in gws.iter().enumerate().skip(1).filter(|(_, g)| g.calls > 0) {
            let whole = &mut acc.entry((side, gw as u32)).or_default()[3];
            whole.calls = g.calls;
            whole.answered = g.answered;
            whole.hold_ms = g.hold_ms;
            whole.pdd_sum = g.pdd_ms;
            whole.pdd_n = g.pdd_n;
        }
        for ((gw, reason), n) in fails.pairs() {
            if let Some(e) = acc.get_mut(&(side, gw)) {
                e[3].failures.insert(reason, n);
            }
        }
    }
    let mut out: Vec<BoardRow> = acc
        .into_iter()
        .map(|((side, gw), a)| {
            let stretches = [a[0].finish(st), a[1].finish(st), a[2].finish(st), a[3].finish(st)];
            let (recent, all) = (&stretches[1], &stretches[3]);
            let moved = if recent.calls < MOVE_MIN_CALLS {
                Moved::Flat
            } else if recent.asr >= all.asr + MOVE_POINTS {
                Moved::Up
            } else if recent.asr + MOVE_POINTS <= all.asr {
                Moved::Down
            } else {
                Moved::Flat
            };
            BoardRow {
                side: if side == 0 { "callee" } else { "caller" },
                gateway: st.gateway_label(st.pools.gateways.resolve(gw)).to_string(),
                stretches,
                moved,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        (a.side, std::cmp::Reverse(a.stretches[2].calls), std::cmp::Reverse(a.stretches[3].calls), &a.gateway)
            .cmp(&(
                b.side,
                std::cmp::Reverse(b.stretches[2].calls),
                std::cmp::Reverse(b.stretches[3].calls),
                &b.gateway,
            ))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cdr::{LoadOptions, Progress, SourceSpec};
    use std::sync::Arc;

    fn line(start: &str, hold: u64, reason: &str, out_gw: &str) -> String {
        format!(
            "8613800000001|8613800138000|{start}|{start}|{hold}|{reason}|1|IN|{out_gw}|10.0.0.1|10.0.0.2|8613800000001|008613800138000|8613800000001|8613800138000|0|1|2300|1800\n"
        )
    }

    #[test]
    fn stretches_and_arrows() {
        let mut text = String::new();
        // An hour ago and before: GW-A answers everything.
        for m in 0..40 {
            text.push_str(&line(&format!("2026-11-20 09:{m:02}:00"), 30_000, "-8", "GW-A"));
        }
        // From 10:48, one a minute: GW-A fails with 503.
        for m in 0..12 {
            text.push_str(&line(&format!("2026-11-20 10:{:02}:00", 48 + m), 0, "503", "GW-A"));
        }
        let specs = [SourceSpec::Memory { name: "m".into(), data: Arc::new(text.into_bytes()) }];
        let st =
            crate::cdr::load(&specs, &LoadOptions::default(), Arc::new(Progress::default())).map(|l| l.store);
        let st = st.unwrap_or_default();
        let rows: Vec<u32> = (0..st.len() as u32).collect();
        // Now is 11:00: the last 5 minutes hold 10:55 to 10:59 (5 calls).
        let now = st.cols.start_ms.iter().max().copied().unwrap_or(0) + 60_000;
        let b = board(&st, &rows, now);
        let a = b.iter().find(|r| r.side == "callee" && r.gateway == "GW-A").expect("GW-A");
        assert_eq!(a.stretches[0].calls, 5, "last 5 minutes");
        assert_eq!(a.stretches[1].calls, 12);
        assert_eq!(a.stretches[3].calls, 52);
        assert_eq!(a.stretches[1].asr, 0.0);
        assert_eq!(a.stretches[1].top_failure, Some(("503".into(), 12)));
        assert_eq!(a.moved, Moved::Down);
        assert!(b.iter().any(|r| r.side == "caller" && r.gateway == "IN"));
    }
}
