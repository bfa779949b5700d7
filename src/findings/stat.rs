//! The tests findings pass before they are reported. Normal approximations, used only with
//! enough calls (each detector sets its minimum), and strict thresholds (4 to 5 standard
//! deviations by default) because every entity and window is tested: with hundreds of tests
//! a day, a looser test would cry wolf on clean traffic.

/// Two-proportion z: how far `k1/n1` sits above `k0/n0`, in standard errors of the pooled
/// rate. Positive when the first rate is higher; 0 when either side is empty.
pub fn two_prop_z(k1: u64, n1: u64, k0: u64, n0: u64) -> f64 {
    if n1 == 0 || n0 == 0 {
        return 0.0;
    }
    let (k1, n1, k0, n0) = (k1 as f64, n1 as f64, k0 as f64, n0 as f64);
    let p = (k1 + k0) / (n1 + n0);
    let se = (p * (1.0 - p) * (1.0 / n1 + 1.0 / n0)).sqrt();
    if se <= 0.0 {
        return 0.0;
    }
    (k1 / n1 - k0 / n0) / se
}

/// Binomial z: how far `k` of `n` sits above the expected rate `p`.
pub fn binom_z(k: u64, n: u64, p: f64) -> f64 {
    let n_f = n as f64;
    let sd = (n_f * p * (1.0 - p)).sqrt();
    if n == 0 || sd <= 0.0 {
        return 0.0;
    }
    (k as f64 - n_f * p) / sd
}

/// Two counts over windows of the same length (Poisson): how far `a` sits above `b`, in
/// standard deviations of their difference.
pub fn count_z(a: u64, b: u64) -> f64 {
    if a + b == 0 {
        return 0.0;
    }
    (a as f64 - b as f64) / ((a + b) as f64).sqrt()
}

pub fn ratio(k: u64, n: u64) -> f64 {
    if n == 0 { 0.0 } else { k as f64 / n as f64 }
}

/// Merges flagged buckets into runs `(first, last)`, bridging gaps of up to `gap` buckets.
pub fn runs(flags: &[bool], gap: usize) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (k, _) in flags.iter().enumerate().filter(|(_, f)| **f) {
        match out.last_mut() {
            Some(run) if k - run.1 <= gap + 1 => run.1 = k,
            _ => out.push((k, k)),
        }
    }
    out
}

/// The median of some values (the upper one of an even count); `None` when empty.
pub fn median(v: &mut [u32]) -> Option<u32> {
    percentile(v, 0.5)
}

pub fn percentile(v: &mut [u32], q: f64) -> Option<u32> {
    if v.is_empty() {
        return None;
    }
    let k = ((v.len() as f64 * q) as usize).min(v.len() - 1);
    Some(*v.select_nth_unstable(k).1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_and_runs() {
        assert!(two_prop_z(18, 150, 2000, 3700) < -8.0);
        assert!(two_prop_z(50, 100, 500, 1000).abs() < 1e-9);
        assert_eq!(two_prop_z(1, 0, 1, 10), 0.0);
        assert!((binom_z(60, 100, 0.5) - 2.0).abs() < 1e-9);
        assert!(count_z(200, 50) > 9.0);
        assert_eq!(runs(&[false, true, false, true, false, false, true], 1), vec![(1, 3), (6, 6)]);
        assert_eq!(runs(&[true, true], 0), vec![(0, 1)]);
        assert_eq!(median(&mut [5, 1, 3]), Some(3));
        assert_eq!(median(&mut []), None);
    }
}
