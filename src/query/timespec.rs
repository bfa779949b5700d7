//! Times in `since:`/`until:`: absolute (`2026-11-20 14:00`, `2026-11-20T14:00`, a date),
//! a time of day (`14:00`: in files the latest loaded day whose calls span it, else today),
//! or relative to the newest CDR (`-2h`, `-30m`, `-1d`).

use crate::cdr::record::time::parse_datetime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeSpec {
    /// Local wall-clock seconds (counted as if UTC).
    Local(i64),
    /// Seconds after local midnight.
    TimeOfDay(i64),
    /// Milliseconds relative to the newest call start (negative = earlier).
    Relative(i64),
}

pub fn parse_time_spec(s: &str) -> Result<TimeSpec, String> {
    let t = s.trim();
    if let Some(rest) = t.strip_prefix('-').or_else(|| t.strip_prefix('+')) {
        let ms = parse_duration_ms(rest).map_err(|e| if e.contains("too long") { e } else { bad_time(s) })?;
        return Ok(TimeSpec::Relative(if t.starts_with('-') { -ms } else { ms }));
    }
    let b = t.as_bytes();
    // HH:MM[:SS]
    if (b.len() == 5 || b.len() == 8) && b[2] == b':' {
        let num = |r: std::ops::Range<usize>| t.get(r).and_then(|x| x.parse::<i64>().ok());
        let (h, m) = (num(0..2), num(3..5));
        let sec = if b.len() == 8 { if b[5] != b':' { None } else { num(6..8) } } else { Some(0) };
        if let (Some(h), Some(m), Some(sec)) = (h, m, sec)
            && h < 24
            && m < 60
            && sec < 60
        {
            return Ok(TimeSpec::TimeOfDay(h * 3600 + m * 60 + sec));
        }
        return Err(bad_time(s));
    }
    // YYYY-MM-DD alone means its midnight.
    let full = if b.len() == 10 { format!("{t} 00:00") } else { t.to_string() };
    parse_datetime(full.as_bytes()).map(|(secs, _)| TimeSpec::Local(secs)).ok_or_else(|| bad_time(s))
}

fn bad_time(s: &str) -> String {
    format!(
        "'{s}' is not a time: use 2026-11-20 14:00 (quoted when it has a space), 2026-11-20T14:00, 14:00 or -2h"
    )
}

/// `30s`, `5m`, `2h`, `1d`, `500ms`; a bare number is seconds.
pub fn parse_duration_ms(s: &str) -> Result<i64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let v: f64 = num.parse().map_err(|_| format!("'{s}' is not a duration: use 30s, 500ms, 5m, 2h or 1d"))?;
    if !v.is_finite() {
        return Err(format!("'{s}' is not a duration: use 30s, 500ms, 5m, 2h or 1d"));
    }
    let mult = match unit {
        "" | "s" => 1000.0,
        "ms" => 1.0,
        "m" | "min" => 60_000.0,
        "h" => 3_600_000.0,
        "d" => 86_400_000.0,
        _ => return Err(format!("'{s}' has an unknown unit '{unit}': use ms, s, m, h or d")),
    };
    let ms = (v * mult).round();
    if ms > MAX_DURATION_MS as f64 {
        return Err(format!("'{s}' is too long: at most 36500d (100 years)"));
    }
    Ok(ms as i64)
}

/// The longest duration a filter or option takes: 100 years, far past any CDR and far from
/// overflowing when added to a time.
pub const MAX_DURATION_MS: i64 = 36_500 * 86_400_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(parse_time_spec("-2h"), Ok(TimeSpec::Relative(-7_200_000)));
        assert_eq!(parse_time_spec("14:00"), Ok(TimeSpec::TimeOfDay(50_400)));
        assert!(matches!(parse_time_spec("2026-11-20 14:00"), Ok(TimeSpec::Local(_))));
        assert_eq!(parse_time_spec("2026-11-20T14:00"), parse_time_spec("2026-11-20 14:00"));
        assert!(matches!(parse_time_spec("2026-11-20"), Ok(TimeSpec::Local(_))));
        assert!(parse_time_spec("25:00").is_err());
        assert!(parse_time_spec("tomorrow").is_err());
        assert_eq!(parse_duration_ms("1.5s"), Ok(1500));
        assert_eq!(parse_duration_ms("2m"), Ok(120_000));
        assert!(parse_duration_ms("5y").is_err());
        // Bounded: no overflow anywhere on user input.
        assert!(parse_time_spec("+99999999999999999d").expect_err("too long").contains("too long"));
        assert!(parse_duration_ms("1e400s").is_err());
        assert_eq!(parse_duration_ms("36500d"), Ok(MAX_DURATION_MS));
    }
}
