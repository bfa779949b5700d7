//! Reading and writing call times.
//!
//! VOS3000 writes times two ways: the text files carry `YYYY-MM-DD HH:MM:SS` in the server's
//! local time, the database carries epoch milliseconds in UTC. Some exports carry epoch seconds.
//! Everything is held internally as epoch milliseconds UTC; the [`Zone`] turns local wall-clock
//! times into UTC and back. Zone lookups go through a per-hour cache because chrono-tz lookups
//! are far too slow to do for every one of millions of rows.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;

use chrono::{FixedOffset, Local, NaiveDate, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;

/// The time zone used to read local times and to show times.
#[derive(Clone, Debug)]
pub enum Zone {
    /// The machine's own zone (TZ variable or /etc/localtime).
    Local,
    Fixed(FixedOffset),
    Named(Tz),
}

impl Zone {
    /// Parses `--tz`: `local`, `UTC`, `+08:00` / `-0530`, or an IANA name such as `Asia/Dhaka`.
    pub fn parse(s: &str) -> Result<Zone, String> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("local") {
            return Ok(Zone::Local);
        }
        if t.eq_ignore_ascii_case("utc") || t.eq_ignore_ascii_case("z") {
            return Ok(Zone::Fixed(FixedOffset::east_opt(0).expect("zero offset is valid")));
        }
        if let Some(off) = parse_offset(t) {
            return Ok(Zone::Fixed(off));
        }
        t.parse::<Tz>().map(Zone::Named).map_err(|_| {
            format!(
                "unknown time zone '{s}': use an IANA name such as Asia/Shanghai, UTC, an offset such as +08:00, or local"
            )
        })
    }

    /// Seconds east of UTC in force at a local wall-clock time (earliest reading when ambiguous,
    /// the offset before the change when the time falls in a gap).
    fn offset_at_local(&self, naive: &NaiveDateTime) -> i32 {
        fn pick<T: TimeZone>(tz: &T, naive: &NaiveDateTime) -> i32 {
            match tz.offset_from_local_datetime(naive).earliest() {
                Some(o) => o.fix().local_minus_utc(),
                None => {
                    let before = *naive - chrono::Duration::hours(2);
                    tz.offset_from_utc_datetime(&before).fix().local_minus_utc()
                }
            }
        }
        match self {
            Zone::Local => pick(&Local, naive),
            Zone::Fixed(f) => f.local_minus_utc(),
            Zone::Named(tz) => pick(tz, naive),
        }
    }

    /// Seconds east of UTC in force at a UTC instant.
    fn offset_at_utc(&self, utc_secs: i64) -> i32 {
        let Some(dt) = chrono::DateTime::from_timestamp(utc_secs, 0) else {
            return 0;
        };
        let naive = dt.naive_utc();
        match self {
            Zone::Local => Local.offset_from_utc_datetime(&naive).fix().local_minus_utc(),
            Zone::Fixed(f) => f.local_minus_utc(),
            Zone::Named(tz) => tz.offset_from_utc_datetime(&naive).fix().local_minus_utc(),
        }
    }

    pub fn name(&self) -> String {
        match self {
            Zone::Local => match iana_local_name() {
                Some(n) => format!("local ({n})"),
                None => "local".to_string(),
            },
            Zone::Fixed(f) if f.local_minus_utc() == 0 => "UTC".to_string(),
            Zone::Fixed(f) => f.to_string(),
            Zone::Named(tz) => tz.name().to_string(),
        }
    }
}

fn iana_local_name() -> Option<String> {
    if let Ok(tz) = std::env::var("TZ")
        && !tz.is_empty()
    {
        return Some(tz.trim_start_matches(':').to_string());
    }
    let link = std::fs::read_link("/etc/localtime").ok()?;
    let s = link.to_string_lossy();
    s.split("zoneinfo/").nth(1).map(str::to_string)
}

fn parse_offset(t: &str) -> Option<FixedOffset> {
    let (sign, rest) = match t.as_bytes().first()? {
        b'+' => (1, &t[1..]),
        b'-' => (-1, &t[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || digits.len() > 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m) = if digits.len() <= 2 {
        (digits.parse::<i32>().ok()?, 0)
    } else {
        let split = digits.len() - 2;
        (digits[..split].parse::<i32>().ok()?, digits[split..].parse::<i32>().ok()?)
    };
    if h > 14 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// The earliest plausible call time: 2000-01-01 00:00 UTC (see the conventions).
pub const PLAUSIBLE_FROM_MS: i64 = 946_684_800_000;
/// How far past "now" a call time may lie and still be plausible (clocks drift, zones differ).
pub const PLAUSIBLE_AHEAD_MS: i64 = 2 * 86_400_000;

/// The present moment in epoch ms: `CDRSCOPE_TEST_NOW` (epoch ms) when set, for tests,
/// else the system clock. `CDRSCOPE_TEST_NOW=MS+` starts the test clock at MS and lets it
/// run on (a follow crossing midnight).
pub fn now_ms() -> i64 {
    if let Ok(v) = std::env::var("CDRSCOPE_TEST_NOW") {
        let v = v.trim();
        let (base, running) = match v.strip_suffix('+') {
            Some(b) => (b, true),
            None => (v, false),
        };
        if let Ok(t) = base.parse::<i64>() {
            if !running {
                return t;
            }
            static STARTED: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
            let elapsed = STARTED.get_or_init(std::time::Instant::now).elapsed();
            return t.saturating_add(i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX));
        }
    }
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// The plausible range of call times at `now`: 2000-01-01 to now + 2 days.
pub fn plausible_range(now: i64) -> std::ops::RangeInclusive<i64> {
    PLAUSIBLE_FROM_MS..=now.saturating_add(PLAUSIBLE_AHEAD_MS)
}

/// How a time value was written, for `check`'s report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TimeForm {
    /// `YYYY-MM-DD HH:MM:SS` in the zone's local time.
    LocalDateTime,
    EpochMillis,
    EpochSeconds,
}

impl fmt::Display for TimeForm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeForm::LocalDateTime => "local date-time",
            TimeForm::EpochMillis => "epoch ms (UTC)",
            TimeForm::EpochSeconds => "epoch s (UTC)",
        })
    }
}

/// A parsed time value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeValue {
    /// Empty, `0` or `NULL`: no time recorded.
    Absent,
    At(i64, TimeForm),
}

/// Turns time text into epoch milliseconds, caching zone offsets per local hour.
/// One per worker thread; cheap to create.
pub struct TimeReader {
    zone: Zone,
    cache: RefCell<HashMap<i64, i32>>,
    /// The last hour looked up: consecutive CDRs nearly always share it.
    last: std::cell::Cell<(i64, i32)>,
    /// The last date part (`YYYY-MM-DD`) parsed, with its day number.
    last_date: std::cell::Cell<([u8; 10], i64)>,
}

/// Epoch values below this are taken as seconds, at or above as milliseconds:
/// 10^11 seconds is the year 5138, 10^11 ms is 1973.
const MILLIS_THRESHOLD: u64 = 100_000_000_000;

impl TimeReader {
    pub fn new(zone: Zone) -> Self {
        TimeReader {
            zone,
            cache: RefCell::new(HashMap::new()),
            last: std::cell::Cell::new((i64::MIN, 0)),
            last_date: std::cell::Cell::new(([0; 10], 0)),
        }
    }

    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    /// Parses one time field. Returns `None` when the text is not a time at all.
    pub fn parse(&self, raw: &[u8]) -> Option<TimeValue> {
        let s = trim_ascii(raw);
        if s.is_empty() || s == b"0" || s.eq_ignore_ascii_case(b"null") || s == b"\\N" {
            return Some(TimeValue::Absent);
        }
        if s.iter().all(u8::is_ascii_digit) {
            if s.len() > 16 {
                return None;
            }
            let v = parse_u64(s)?;
            return Some(if v >= MILLIS_THRESHOLD {
                TimeValue::At(v as i64, TimeForm::EpochMillis)
            } else {
                TimeValue::At(v as i64 * 1000, TimeForm::EpochSeconds)
            });
        }
        let (local_secs, millis) = self.parse_datetime_cached(s)?;
        Some(TimeValue::At(
            (local_secs - i64::from(self.offset_for_local(local_secs))) * 1000 + millis,
            TimeForm::LocalDateTime,
        ))
    }

    /// [`parse_datetime`], reusing the day number when the date part repeats.
    fn parse_datetime_cached(&self, s: &[u8]) -> Option<(i64, i64)> {
        let (date, days) = self.last_date.get();
        if s.len() >= 16 && s[..10] == date && (s[10] == b' ' || s[10] == b'T') && s[13] == b':' {
            let h = digits(s, 11, 2)?;
            let mi = digits(s, 14, 2)?;
            let (sec, millis) = parse_seconds(&s[16..])?;
            if h > 23 || mi > 59 || sec > 60 {
                return None;
            }
            return Some((days * 86_400 + h * 3600 + mi * 60 + sec, millis));
        }
        let (secs, millis) = parse_datetime(s)?;
        let mut key = [0u8; 10];
        key.copy_from_slice(&s[..10]);
        self.last_date.set((key, secs.div_euclid(86_400)));
        Some((secs, millis))
    }

    /// Converts seconds of a local wall clock (counted as if it were UTC) to the zone offset.
    pub fn offset_for_local(&self, local_secs: i64) -> i32 {
        let hour = local_secs.div_euclid(3600);
        let (last_hour, last_off) = self.last.get();
        if last_hour == hour {
            return last_off;
        }
        if let Some(o) = self.cache.borrow().get(&hour) {
            self.last.set((hour, *o));
            return *o;
        }
        let naive = chrono::DateTime::from_timestamp(hour * 3600 + 1800, 0)
            .map(|d| d.naive_utc())
            .unwrap_or_default();
        let off = self.zone.offset_at_local(&naive);
        self.cache.borrow_mut().insert(hour, off);
        self.last.set((hour, off));
        off
    }
}

/// Writes epoch milliseconds as local `YYYY-MM-DD HH:MM:SS`, caching offsets per UTC hour.
pub struct TimeWriter {
    zone: Zone,
    cache: RefCell<HashMap<i64, i32>>,
}

impl TimeWriter {
    pub fn new(zone: Zone) -> Self {
        TimeWriter { zone, cache: RefCell::new(HashMap::new()) }
    }

    pub fn zone(&self) -> &Zone {
        &self.zone
    }

    /// Offset in seconds east of UTC at this instant.
    pub fn offset_at(&self, epoch_ms: i64) -> i32 {
        let secs = epoch_ms.div_euclid(1000);
        let hour = secs.div_euclid(3600);
        if let Some(o) = self.cache.borrow().get(&hour) {
            return *o;
        }
        let off = self.zone.offset_at_utc(hour * 3600);
        self.cache.borrow_mut().insert(hour, off);
        off
    }

    /// Local wall-clock seconds (counted as if UTC) for an instant.
    pub fn local_secs(&self, epoch_ms: i64) -> i64 {
        epoch_ms.div_euclid(1000) + i64::from(self.offset_at(epoch_ms))
    }

    pub fn format(&self, epoch_ms: i64) -> String {
        let mut s = String::with_capacity(19);
        self.write(epoch_ms, &mut s);
        s
    }

    pub fn write(&self, epoch_ms: i64, out: &mut String) {
        use std::fmt::Write;
        let local = self.local_secs(epoch_ms);
        let (y, mo, d) = civil_from_days(local.div_euclid(86_400));
        let sod = local.rem_euclid(86_400);
        let _ = write!(out, "{y:04}-{mo:02}-{d:02} {:02}:{:02}:{:02}", sod / 3600, (sod / 60) % 60, sod % 60);
    }

    /// As [`TimeWriter::format`], with `.mmm` milliseconds when there are any: what exports
    /// write, so times read back exactly.
    pub fn format_exact(&self, epoch_ms: i64) -> String {
        let mut s = self.format(epoch_ms);
        let ms = epoch_ms.rem_euclid(1000);
        if ms != 0 {
            use std::fmt::Write;
            let _ = write!(s, ".{ms:03}");
        }
        s
    }

    /// Local midnight (as epoch ms) of the local day containing `epoch_ms`.
    pub fn local_day_start(&self, epoch_ms: i64) -> i64 {
        let local = self.local_secs(epoch_ms);
        let midnight_local = local - local.rem_euclid(86_400);
        let reader = TimeReader::new(self.zone.clone());
        (midnight_local - i64::from(reader.offset_for_local(midnight_local))) * 1000
    }
}

fn trim_ascii(s: &[u8]) -> &[u8] {
    s.trim_ascii()
}

fn parse_u64(s: &[u8]) -> Option<u64> {
    let mut v: u64 = 0;
    for &b in s {
        if !b.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(v)
}

fn digits(s: &[u8], at: usize, n: usize) -> Option<i64> {
    let part = s.get(at..at + n)?;
    parse_u64(part).map(|v| v as i64)
}

/// Parses `YYYY-MM-DD HH:MM[:SS[.fff]]` (also `T` or `/` separators) into local seconds
/// (counted as if UTC) and the millisecond part.
pub fn parse_datetime(s: &[u8]) -> Option<(i64, i64)> {
    if s.len() < 16 {
        return None;
    }
    let y = digits(s, 0, 4)?;
    let sep = s[4];
    if !(sep == b'-' || sep == b'/') || s[7] != sep {
        return None;
    }
    let mo = digits(s, 5, 2)?;
    let d = digits(s, 8, 2)?;
    if !(s[10] == b' ' || s[10] == b'T') || s[13] != b':' {
        return None;
    }
    let h = digits(s, 11, 2)?;
    let mi = digits(s, 14, 2)?;
    let (sec, millis) = parse_seconds(&s[16..])?;
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60 {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    Some((days * 86_400 + h * 3600 + mi * 60 + sec, millis))
}

/// The `[:SS[.fff]]` tail of a date-time: (seconds, milliseconds).
fn parse_seconds(rest: &[u8]) -> Option<(i64, i64)> {
    let Some(r) = rest.strip_prefix(b":") else {
        return rest.is_empty().then_some((0, 0));
    };
    let sec = digits(r, 0, 2)?;
    let rest = &r[2..];
    let Some(frac) = rest.strip_prefix(b".") else {
        return rest.is_empty().then_some((sec, 0));
    };
    let n = frac.iter().take_while(|b| b.is_ascii_digit()).count();
    if n == 0 || n != frac.len() {
        return None;
    }
    let mut v = digits(frac, 0, n.min(3))?;
    for _ in n.min(3)..3 {
        v *= 10;
    }
    Some((sec, v))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Inverse of [`days_from_civil`].
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Local seconds (counted as if UTC) of a calendar date and hour.
pub fn local_secs_of(date: NaiveDate, hour: u32) -> i64 {
    use chrono::Datelike;
    days_from_civil(i64::from(date.year()), i64::from(date.month()), i64::from(date.day())) * 86_400
        + i64::from(hour) * 3600
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc() -> Zone {
        Zone::parse("UTC").expect("utc")
    }

    #[test]
    fn civil_round_trip() {
        for z in [-800_000, -1, 0, 1, 18_000, 20_000, 2_000_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(days_from_civil(2021, 4, 29), 18_746);
    }

    #[test]
    fn parses_epoch_forms() {
        let r = TimeReader::new(utc());
        assert_eq!(r.parse(b"1619696157000"), Some(TimeValue::At(1_619_696_157_000, TimeForm::EpochMillis)));
        assert_eq!(r.parse(b"1619696157"), Some(TimeValue::At(1_619_696_157_000, TimeForm::EpochSeconds)));
        assert_eq!(r.parse(b"0"), Some(TimeValue::Absent));
        assert_eq!(r.parse(b""), Some(TimeValue::Absent));
        assert_eq!(r.parse(b"NULL"), Some(TimeValue::Absent));
        assert_eq!(r.parse(b"yesterday"), None);
        assert_eq!(r.parse(b"2021-02-30 00:00:00"), None);
    }

    #[test]
    fn local_datetime_uses_zone() {
        let r = TimeReader::new(Zone::parse("+08:00").expect("zone"));
        let Some(TimeValue::At(ms, TimeForm::LocalDateTime)) = r.parse(b"2021-04-29 19:35:57") else {
            panic!("not parsed");
        };
        assert_eq!(ms, 1_619_696_157_000);
        let w = TimeWriter::new(Zone::parse("+08:00").expect("zone"));
        assert_eq!(w.format(ms), "2021-04-29 19:35:57");
        assert_eq!(
            r.parse(b"2021-04-29T19:35:57.250"),
            Some(TimeValue::At(ms + 250, TimeForm::LocalDateTime))
        );
    }

    #[test]
    fn named_zone_handles_dst() {
        let z = Zone::parse("Europe/Berlin").expect("zone");
        let r = TimeReader::new(z.clone());
        // Summer (UTC+2) and winter (UTC+1).
        let Some(TimeValue::At(summer, _)) = r.parse(b"2026-07-01 12:00:00") else { panic!() };
        let Some(TimeValue::At(winter, _)) = r.parse(b"2026-01-01 12:00:00") else { panic!() };
        assert_eq!(summer % 86_400_000, 10 * 3_600_000);
        assert_eq!(winter % 86_400_000, 11 * 3_600_000);
        let w = TimeWriter::new(z);
        assert_eq!(w.format(summer), "2026-07-01 12:00:00");
    }

    #[test]
    fn zone_parse_errors_say_what_to_do() {
        let e = Zone::parse("Mars/Olympus").expect_err("bad zone");
        assert!(e.contains("IANA"));
        assert!(Zone::parse("-05:30").is_ok());
        assert!(Zone::parse("+0800").is_ok());
    }
}
