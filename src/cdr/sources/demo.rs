//! Deterministic, generated VOS3000 traffic in the text-file form, so every command works on a
//! fresh machine. The demo is two days: a clean first day (the baseline "same hour yesterday"
//! needs) and a second day with one incident of each kind the findings engine names:
//! - outage: routing gateway `CT-Route-2` fails 14:00-15:00 (503s and timeouts, long PDD);
//! - PDD degradation: `IntlCarrier-A` rings three times later than usual 09:00-11:00;
//! - routing hole: calls to 4420… fail with -69 NoAvailableRouter from 16:00 on;
//! - false answer: `CU-Route-3` answers most calls 19:00-22:00, and they last 1-4 seconds;
//! - scanner: one IP probes the switch 03:00-03:20 with junk and terminal escape sequences in
//!   its caller IDs (-9, 401, 403, 404, 407);
//! - revenue leak: calls from `WHS-Delta` to 882 numbers are answered but not billed from 06:00;
//! - capacity: `CUST-Alpha` hits its line limit 10:00-12:00 (-25 OverCapacity);
//! - change: `CUST-Bravo` sends five times its usual traffic in the last hour.
//!
//! The same generator, with incidents chosen one by one or none, makes the test traffic and,
//! scaled up, the benchmark corpus.

use std::io::Write;

/// Start of the demo day, local time (the loader reads it in `--tz`).
pub const DEMO_DATE: (i64, i64, i64) = (2026, 11, 20);
pub const DEMO_ROWS: usize = 40_000;
const SEED: u64 = 0x5eed_c0de_2026;

const CALLER_GWS: [(&str, &str, u32); 5] = [
    // name, IP, weight
    ("CUST-Alpha", "203.0.113.10", 30),
    ("CUST-Bravo", "203.0.113.22", 20),
    ("WHS-Delta", "198.51.100.7", 25),
    ("对接线路", "192.0.2.44", 15),
    ("Retail-SIP", "198.51.100.90", 10),
];
const CALLEE_GWS: [(&str, &str, u32); 5] = [
    ("CM-Route-1", "100.64.1.10", 30),
    ("CT-Route-2", "100.64.2.10", 25),
    ("CU-Route-3", "100.64.3.10", 20),
    ("IntlCarrier-A", "100.64.9.1", 15),
    ("IntlCarrier-B", "100.64.9.2", 10),
];
const DESTINATIONS: [(&str, u32); 7] =
    [("86138", 35), ("86139", 25), ("8610", 10), ("1212", 10), ("44", 6), ("4420", 4), ("882", 10)];
const SCANNER_IP: &str = "185.220.101.33";

/// The incidents the generator can plant, on the last day it writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Incident {
    Outage,
    Pdd,
    RoutingHole,
    FalseAnswer,
    Scanner,
    Unbilled,
    Capacity,
    Change,
    /// A routing gateway at its busiest answering 486/503 in bursts (not in the demo: the
    /// demo has one incident of each kind, and `Capacity` is its capacity one).
    BusyBurst,
}

impl Incident {
    pub const ALL: [Incident; 9] = [
        Incident::Outage,
        Incident::Pdd,
        Incident::RoutingHole,
        Incident::FalseAnswer,
        Incident::Scanner,
        Incident::Unbilled,
        Incident::Capacity,
        Incident::Change,
        Incident::BusyBurst,
    ];

    fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A set of incidents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Incidents(u16);

impl Incidents {
    pub const NONE: Incidents = Incidents(0);

    /// The demo's incidents: one of each kind.
    pub fn all() -> Incidents {
        Incidents(Incident::ALL.iter().filter(|i| **i != Incident::BusyBurst).fold(0, |m, i| m | i.bit()))
    }

    pub fn only(i: Incident) -> Incidents {
        Incidents(i.bit())
    }

    pub fn has(self, i: Incident) -> bool {
        self.0 & i.bit() != 0
    }
}

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub rows: usize,
    pub days: i64,
    pub seed: u64,
    /// Write the two PDD fields (19 fields) or not (17).
    pub with_pdd: bool,
    /// Planted on the last day.
    pub incidents: Incidents,
}

impl Spec {
    pub fn demo() -> Spec {
        Spec { rows: DEMO_ROWS, days: 2, seed: SEED, with_pdd: true, incidents: Incidents::all() }
    }
}

/// The demo day as pipe text.
pub fn demo_bytes() -> Vec<u8> {
    let mut out = Vec::with_capacity(DEMO_ROWS * 190);
    // Writing to a Vec cannot fail.
    let _ = write(Spec::demo(), &mut out);
    out
}

fn pick<'a, T>(rng: &mut fastrand::Rng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut r = rng.u32(0..total.max(1));
    for (item, w) in items {
        if r < *w {
            return item;
        }
        r -= w;
    }
    &items[0].0
}

fn pick3<'a>(rng: &mut fastrand::Rng, items: &'a [(&'a str, &'a str, u32)]) -> (&'a str, &'a str) {
    let total: u32 = items.iter().map(|(_, _, w)| w).sum();
    let mut r = rng.u32(0..total.max(1));
    for (a, b, w) in items {
        if r < *w {
            return (a, b);
        }
        r -= w;
    }
    (items[0].0, items[0].1)
}

/// Calls per hour follow a working-day curve.
const HOUR_WEIGHT: [u32; 24] =
    [2, 1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 11, 9, 10, 12, 12, 11, 10, 8, 7, 6, 5, 4, 3];

fn fmt_time(out: &mut Vec<u8>, local_secs: i64) {
    let (y, m, d) = crate::cdr::record::time::civil_from_days(local_secs.div_euclid(86_400));
    let s = local_secs.rem_euclid(86_400);
    let _ = write!(out, "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
}

/// Writes `spec.rows` calls in the VOS3000 text form, ordered by stop time.
pub fn write(spec: Spec, out: &mut dyn Write) -> std::io::Result<()> {
    let mut rng = fastrand::Rng::with_seed(spec.seed);
    let day0 = crate::cdr::record::time::days_from_civil(DEMO_DATE.0, DEMO_DATE.1, DEMO_DATE.2) * 86_400;
    let total_w: u32 = HOUR_WEIGHT.iter().sum();
    let mut calls: Vec<(i64, Vec<u8>)> = Vec::with_capacity(spec.rows);
    let mut line = Vec::with_capacity(256);
    // Emit in slices so a large corpus is not held as one sorted vector.
    let per_day = spec.rows.div_ceil(spec.days.max(1) as usize);
    let mut written = 0;
    for day in 0..spec.days.max(1) {
        let n_today = per_day.min(spec.rows - written);
        written += n_today;
        calls.clear();
        for _ in 0..n_today {
            // Start second within the day, weighted by hour.
            let mut r = rng.u32(0..total_w);
            let mut hour = 0;
            while r >= HOUR_WEIGHT[hour] {
                r -= HOUR_WEIGHT[hour];
                hour += 1;
            }
            let today = day0 + day * 86_400;
            let mut start = today + hour as i64 * 3600 + i64::from(rng.u32(0..3600));
            let plan = if day == spec.days.max(1) - 1 { spec.incidents } else { Incidents::NONE };
            // The scanner: 4% of the day's calls, all between 03:00 and 03:20; the surge: 1.2%
            // moved into the last hour, all from one customer.
            let roll = rng.u32(0..1000);
            let scanner = plan.has(Incident::Scanner) && roll < 40;
            let surge = plan.has(Incident::Change) && (40..52).contains(&roll);
            if scanner {
                start = today + 3 * 3600 + i64::from(rng.u32(0..1200));
            } else if surge {
                start = today + 23 * 3600 + i64::from(rng.u32(0..3600));
            }
            line.clear();
            let call = Call { start, with_pdd: spec.with_pdd, plan, scanner, surge };
            let stop = one_call(&mut rng, &mut line, call);
            calls.push((stop, line.clone()));
        }
        calls.sort_by_key(|(stop, _)| *stop);
        for (_, l) in &calls {
            out.write_all(l)?;
        }
    }
    Ok(())
}

/// One call to write.
struct Call {
    start: i64,
    with_pdd: bool,
    plan: Incidents,
    scanner: bool,
    surge: bool,
}

/// Writes one call line; returns its stop time (local seconds).
fn one_call(rng: &mut fastrand::Rng, out: &mut Vec<u8>, call: Call) -> i64 {
    let Call { start, with_pdd, plan, scanner, surge } = call;
    let hour = start.rem_euclid(86_400) / 3600;
    let (in_gw, in_ip) = if scanner {
        ("", SCANNER_IP)
    } else if surge {
        (CALLER_GWS[1].0, CALLER_GWS[1].1)
    } else {
        pick3(rng, &CALLER_GWS)
    };
    let (mut out_gw, mut out_ip) = pick3(rng, &CALLEE_GWS);
    // The busy burst: CM-Route-1 takes most of the traffic at the busy hours and refuses part.
    let burst_hours = plan.has(Incident::BusyBurst) && (10..12).contains(&hour) && !scanner;
    if burst_hours && rng.u32(0..100) < 50 {
        (out_gw, out_ip) = (CALLEE_GWS[0].0, CALLEE_GWS[0].1);
    }
    let burst = burst_hours && out_gw == CALLEE_GWS[0].0 && rng.u32(0..100) < 30;
    let dest = *pick(rng, &DESTINATIONS);
    let callee = format!("{dest}{:08}", rng.u32(0..100_000_000));
    let caller = if scanner {
        const JUNK: [&str; 5] = ["100", "sipvicious", "\x1b[31mroot\x1b[0m", "1000\x07", "admin\r"];
        JUNK[rng.usize(0..JUNK.len())].to_string()
    } else {
        let base = match in_gw {
            "CUST-Alpha" => 8613800000000u64,
            "CUST-Bravo" => 8613900000000,
            "WHS-Delta" => 8675500000000,
            "对接线路" => 8602100000000,
            _ => 8601000000000,
        };
        (base + u64::from(rng.u32(0..5000))).to_string()
    };

    let bad_hour = plan.has(Incident::Outage) && out_gw == "CT-Route-2" && hour == 14;
    let slow = plan.has(Incident::Pdd) && out_gw == "IntlCarrier-A" && (9..11).contains(&hour);
    let hole = plan.has(Incident::RoutingHole) && dest == "4420" && hour >= 16;
    let false_answer = plan.has(Incident::FalseAnswer) && out_gw == "CU-Route-3" && (19..22).contains(&hour);
    let full = plan.has(Incident::Capacity) && in_gw == "CUST-Alpha" && (10..12).contains(&hour);
    let leak = plan.has(Incident::Unbilled) && in_gw == "WHS-Delta" && dest == "882" && hour >= 6;
    let mut pdd_in = 1500 + rng.u32(0..4000);
    let mut pdd_out = pdd_in.saturating_sub(300 + rng.u32(0..500));
    let mut billing: i32 = if in_gw == "Retail-SIP" { 0 } else { 1 };
    let mut hold_ms: u32 = 0;
    let dir;
    let reason: i32;
    let ring_s = i64::from(rng.u32(2..25));

    if slow {
        pdd_in *= 3;
        pdd_out = pdd_in.saturating_sub(300);
    }
    if scanner {
        out_gw = "";
        out_ip = "";
        const PROBES: [(i32, u32); 5] = [(-9, 50), (403, 15), (404, 15), (401, 10), (407, 10)];
        reason = *pick(rng, &PROBES);
        dir = 2;
        billing = -1;
        pdd_in = 0;
        pdd_out = 0;
    } else if hole || (full && rng.u32(0..100) < 30) {
        reason = if hole { -69 } else { -25 };
        dir = 2;
        out_gw = "";
        out_ip = "";
        pdd_out = 0;
    } else if burst {
        reason = if rng.bool() { 503 } else { 486 };
        dir = 1;
    } else if bad_hour && rng.u32(0..100) < 75 {
        reason = if rng.bool() { 503 } else { 408 };
        dir = 1;
        pdd_in = 8000 + rng.u32(0..12_000);
        pdd_out = pdd_in - 500;
    } else if rng.u32(0..1000) < 15 {
        reason = -69;
        dir = 2;
        out_gw = "";
        out_ip = "";
        pdd_out = 0;
    } else if in_gw == "Retail-SIP" && rng.u32(0..100) < 4 {
        reason = -2;
        dir = 2;
        out_gw = "";
        out_ip = "";
        pdd_out = 0;
    } else {
        let asr = match out_gw {
            "CM-Route-1" => 62,
            "CT-Route-2" => 58,
            "CU-Route-3" => 55,
            "IntlCarrier-A" => 48,
            _ => 44,
        };
        let asr = if false_answer { 85 } else { asr };
        if rng.u32(0..100) < asr {
            // Answered: talk time with a long tail; false answers hang up within seconds.
            let secs = -(f64::from(rng.u32(1..10_000)) / 10_000.0).ln() * 95.0;
            hold_ms = if false_answer && rng.u32(0..10) < 9 {
                rng.u32(1000..4000)
            } else {
                (secs * 1000.0) as u32 + 1000
            };
            reason = if rng.bool() { -7 } else { -8 };
            dir = if reason == -7 { 0 } else { 1 };
            if leak {
                billing = -1;
            }
        } else {
            const FAILS: [(i32, u32); 9] =
                [(486, 30), (480, 18), (487, 20), (408, 8), (404, 6), (503, 6), (-43, 6), (403, 3), (-61, 3)];
            reason = *pick(rng, &FAILS);
            dir = match reason {
                487 => 0,
                -43 | -61 => 2,
                _ => 1,
            };
        }
    }

    let stop = start + ring_s + i64::from(hold_ms / 1000);
    let start_text = if hold_ms == 0 { stop } else { start };
    let tech = if in_gw == "WHS-Delta" { "0099" } else { "" };
    let w = |out: &mut Vec<u8>, s: &str| {
        out.extend_from_slice(s.as_bytes());
        out.push(b'|');
    };
    w(out, &caller);
    w(out, &callee);
    fmt_time(out, start_text);
    out.push(b'|');
    fmt_time(out, stop);
    out.push(b'|');
    let _ = write!(out, "{hold_ms}|{reason}|{dir}|");
    w(out, in_gw);
    w(out, out_gw);
    w(out, in_ip);
    w(out, out_ip);
    w(out, &caller);
    w(out, &format!("{tech}{callee}"));
    w(out, &caller);
    w(out, &callee);
    let _ = write!(out, "0|{billing}");
    if with_pdd {
        let _ = write!(out, "|{pdd_in}|{pdd_out}");
    }
    out.push(b'\n');
    stop
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_sized() {
        let a = demo_bytes();
        let b = demo_bytes();
        assert_eq!(a, b);
        assert_eq!(a.iter().filter(|b| **b == b'\n').count(), DEMO_ROWS);
        let first = a.split(|b| *b == b'\n').next().expect("a line");
        assert_eq!(first.iter().filter(|b| **b == b'|').count(), 18);
        let clean = Spec { incidents: Incidents::NONE, ..Spec::demo() };
        let mut out = Vec::new();
        write(clean, &mut out).expect("write");
        assert_ne!(out, a);
        assert_eq!(out.iter().filter(|b| **b == b'\n').count(), DEMO_ROWS);
    }
}
