//! Evaluating a query over the store. Text conditions are resolved once against the pools
//! (a gateway term becomes a yes/no table over gateway ids), so the per-row work is a few
//! array lookups and integer compares. Rows are split across threads.

use wildmatch::WildMatch;

use super::parse::{CodeMatch, Measure, Op, Query, Side, TermKind};
use super::timespec::TimeSpec;
use crate::cdr::Store;
use crate::cdr::record::fields::extra;
use crate::cdr::record::reason::Reason;
use crate::cdr::record::time::{TimeReader, TimeWriter, Zone};
use crate::cdr::store::columns::NO_SMALL;
use crate::cdr::store::pool::Pool;
use crate::kb::reason_header::ReasonHeader;

/// Row indices, ascending.
pub type Selection = Vec<u32>;

/// What a query needs besides the rows: the zone and the present moment, for times.
pub struct Context<'a> {
    pub store: &'a Store,
    pub zone: Zone,
    pub now_ms: i64,
}

impl<'a> Context<'a> {
    pub fn new(store: &'a Store, zone: Zone) -> Self {
        let now_ms = crate::cdr::record::time::now_ms();
        Context { store, zone, now_ms }
    }

    /// Resolves a time term to epoch ms.
    pub fn resolve_time(&self, spec: &TimeSpec) -> i64 {
        let reader = TimeReader::new(self.zone.clone());
        let writer = TimeWriter::new(self.zone.clone());
        let to_utc = |local: i64| (local - i64::from(reader.offset_for_local(local))) * 1000;
        let span = self.store.time_span();
        match spec {
            TimeSpec::Local(secs) => to_utc(*secs),
            // Databases (and followed sources) count from the wall clock; static files from
            // their newest plausible call.
            TimeSpec::Relative(ms) => {
                let base = if self.store.wall_clock {
                    self.now_ms
                } else {
                    span.map_or(self.now_ms, |(_, last)| last)
                };
                base.saturating_add(*ms)
            }
            // The day an operator means: today by the wall clock for databases and followed
            // sources; for files, the latest loaded day whose calls span that time (one call
            // just after midnight does not make "14:00" the next day's), else the last day.
            TimeSpec::TimeOfDay(secs) => {
                let day_of = |ms: i64| writer.local_secs(ms).div_euclid(86_400);
                let day = match span {
                    _ if self.store.wall_clock => day_of(self.now_ms),
                    Some((first, last)) => {
                        let (first_local, last_local) = (writer.local_secs(first), writer.local_secs(last));
                        let last_day = day_of(last);
                        (day_of(first)..=last_day)
                            .rev()
                            .find(|d| (first_local..=last_local).contains(&(d * 86_400 + secs)))
                            .unwrap_or(last_day)
                    }
                    None => day_of(self.now_ms),
                };
                to_utc(day * 86_400 + secs)
            }
        }
    }
}

enum Pred {
    Gateway {
        side: Side,
        ids: Vec<bool>,
    },
    Reason(Vec<bool>),
    StartAtLeast(i64),
    StartBefore(i64),
    Number {
        side: Side,
        prefixes: Vec<Vec<u8>>,
        globs: Vec<WildMatch>,
    },
    Ip(Side, Vec<bool>),
    Dest(Vec<String>),
    /// Extra columns (by index) and which of their pooled values match.
    Extra {
        cols: Vec<usize>,
        values: Vec<bool>,
    },
    Small {
        col: SmallCol,
        values: Box<[bool; 256]>,
    },
    Answered(bool),
    Flowno(std::collections::HashSet<u64>),
    Compare(Measure, Op, i64),
    Word {
        gateways: Vec<bool>,
        needle: String,
    },
}

#[derive(Clone, Copy)]
enum SmallCol {
    Billing,
    Direction,
}

struct Compiled {
    preds: Vec<(bool, Pred)>,
}

fn pool_mask(pool: &Pool, pred: impl Fn(&str) -> bool) -> Vec<bool> {
    let mut mask = vec![false; pool.len()];
    for (id, s) in pool.iter() {
        mask[id as usize] = pred(s);
    }
    mask
}

/// A value with `*` or `?` is a whole-value pattern; without, a prefix (numbers, IPs) or an
/// exact name (gateways); all case-insensitive.
fn text_matcher(v: &str, prefix: bool) -> Box<dyn Fn(&str) -> bool + Send + Sync> {
    if v.contains(['*', '?']) {
        let w = WildMatch::new_case_insensitive(v);
        Box::new(move |s| w.matches(s))
    } else if prefix {
        let v = v.to_lowercase();
        Box::new(move |s| s.to_lowercase().starts_with(&v))
    } else {
        let v = v.to_lowercase();
        Box::new(move |s| s.to_lowercase() == v)
    }
}

fn compile(q: &Query, ctx: &Context<'_>) -> Compiled {
    let st = ctx.store;
    let mut preds = Vec::new();
    for t in &q.terms {
        let pred = match &t.kind {
            TermKind::Gateway(side, vals) => {
                let ms: Vec<_> = vals.iter().map(|v| text_matcher(v, false)).collect();
                // The raw name or its alias from the config file; `none` is no gateway.
                let none = vals.iter().any(|v| v.eq_ignore_ascii_case("none"));
                let hit = |g: &str| (none && g.is_empty()) || ms.iter().any(|m| gateway_answers(st, g, m));
                Pred::Gateway { side: *side, ids: pool_mask(&st.pools.gateways, hit) }
            }
            TermKind::Code(codes) => Pred::Reason(st.pools.reasons.mask(|r| {
                codes.iter().any(|c| match (c, r) {
                    (CodeMatch::Exact(want), Reason::Code(have)) => want == have,
                    (CodeMatch::Class(k), r) => r.sip_class() == Some(*k),
                    (CodeMatch::Name(n), Reason::Name(have)) => n.eq_ignore_ascii_case(have),
                    _ => false,
                })
            })),
            TermKind::Since(spec) => Pred::StartAtLeast(ctx.resolve_time(spec)),
            TermKind::Until(spec) => Pred::StartBefore(ctx.resolve_time(spec)),
            TermKind::Number(side, vals) => {
                let mut prefixes = Vec::new();
                let mut globs = Vec::new();
                for v in vals {
                    if v.contains(['*', '?']) {
                        globs.push(WildMatch::new_case_insensitive(v));
                    } else {
                        prefixes.push(v.as_bytes().to_vec());
                    }
                }
                Pred::Number { side: *side, prefixes, globs }
            }
            TermKind::Ip(side, vals) => {
                let ms: Vec<_> = vals.iter().map(|v| text_matcher(v, true)).collect();
                Pred::Ip(*side, pool_mask(&st.pools.ips, |ip| !ip.is_empty() && ms.iter().any(|m| m(ip))))
            }
            TermKind::Dest(vals) => Pred::Dest(vals.clone()),
            TermKind::ReasonHeader(want) => Pred::Extra {
                cols: st.extra_index(extra::REASON_HEADER).into_iter().collect(),
                values: pool_mask(&st.pools.extra_values, |v| {
                    ReasonHeader::parse(v).is_some_and(|h| want.iter().any(|w| h.matches(w)))
                }),
            },
            TermKind::Account(vals) => {
                let ms: Vec<_> = vals.iter().map(|v| text_matcher(v, false)).collect();
                Pred::Extra {
                    cols: [extra::ACCOUNT, extra::ACCOUNT_NAME]
                        .iter()
                        .filter_map(|n| st.extra_index(n))
                        .collect(),
                    values: pool_mask(&st.pools.extra_values, |v| !v.is_empty() && ms.iter().any(|m| m(v))),
                }
            }
            TermKind::Billing(vs) => Pred::Small { col: SmallCol::Billing, values: small_set(vs) },
            TermKind::Direction(vs) => Pred::Small { col: SmallCol::Direction, values: small_set(vs) },
            TermKind::Answered(b) => Pred::Answered(*b),
            TermKind::Flowno(vs) => Pred::Flowno(vs.iter().copied().collect()),
            TermKind::Compare(m, op, ms) => Pred::Compare(*m, *op, *ms),
            TermKind::Word(w) => {
                let needle = w.to_lowercase();
                Pred::Word {
                    gateways: pool_mask(&st.pools.gateways, |g| {
                        !g.is_empty() && g.to_lowercase().contains(&needle)
                    }),
                    needle,
                }
            }
        };
        preds.push((t.negate, pred));
    }
    Compiled { preds }
}

fn small_set(vs: &[i8]) -> Box<[bool; 256]> {
    let mut set = Box::new([false; 256]);
    for v in vs {
        set[(*v as u8) as usize] = true;
    }
    set
}

impl Compiled {
    fn matches(&self, st: &Store, i: usize, buf: &mut String) -> bool {
        let c = &st.cols;
        self.preds.iter().all(|(negate, p)| {
            let hit = match p {
                Pred::Gateway { side, ids } => side.matches(|callee| {
                    let gw = if callee { c.callee_gw[i] } else { c.caller_gw[i] };
                    ids.get(gw as usize).copied().unwrap_or(false)
                }),
                Pred::Reason(mask) => mask.get(c.reason[i] as usize).copied().unwrap_or(false),
                Pred::StartAtLeast(t) => c.start_ms[i] >= *t,
                Pred::StartBefore(t) => c.start_ms[i] < *t,
                Pred::Number { side, prefixes, globs } => {
                    let test = |n: crate::cdr::store::number::PackedNumber, buf: &mut String| {
                        if prefixes.iter().any(|p| starts_with(n, p, &st.pools.numbers)) {
                            return true;
                        }
                        if globs.is_empty() {
                            return false;
                        }
                        buf.clear();
                        n.write(&st.pools.numbers, buf);
                        globs.iter().any(|g| g.matches(buf))
                    };
                    side.matches(|callee| test(if callee { c.callee[i] } else { c.caller[i] }, buf))
                }
                Pred::Ip(side, mask) => side.matches(|callee| {
                    let ip = if callee { c.callee_ip[i] } else { c.caller_ip[i] };
                    mask.get(ip as usize).copied().unwrap_or(false)
                }),
                Pred::Dest(prefixes) => prefixes.iter().any(|p| st.dest_starts_with(i, p, buf)),
                Pred::Extra { cols, values } => cols.iter().any(|&k| {
                    c.extras.get(k).is_some_and(|e| values.get(e.get(i) as usize).copied().unwrap_or(false))
                }),
                Pred::Small { col, values } => {
                    let v = match col {
                        SmallCol::Billing => c.billing_mode[i],
                        SmallCol::Direction => c.end_direction[i],
                    };
                    v != NO_SMALL && values[(v as u8) as usize]
                }
                Pred::Answered(want) => (st.hold_ms(i) > 0) == *want,
                Pred::Flowno(set) => c.flowno_of(i).is_some_and(|f| set.contains(&f)),
                Pred::Compare(m, op, ms) => match m {
                    Measure::Duration => op.test(i64::from(st.hold_ms(i)), *ms),
                    Measure::Pdd => st.pdd_ms(i).is_some_and(|p| op.test(i64::from(p), *ms)),
                },
                Pred::Word { gateways, needle } => {
                    gateways.get(c.caller_gw[i] as usize).copied().unwrap_or(false)
                        || gateways.get(c.callee_gw[i] as usize).copied().unwrap_or(false)
                        || {
                            buf.clear();
                            c.caller[i].write(&st.pools.numbers, buf);
                            buf.to_lowercase().contains(needle.as_str())
                        }
                        || {
                            buf.clear();
                            c.callee[i].write(&st.pools.numbers, buf);
                            buf.to_lowercase().contains(needle.as_str())
                        }
                }
            };
            hit != *negate
        })
    }
}

fn starts_with(n: crate::cdr::store::number::PackedNumber, prefix: &[u8], pool: &Pool) -> bool {
    if prefix.iter().all(u8::is_ascii_digit) {
        n.starts_with_digits(prefix, pool)
    } else {
        let mut s = String::new();
        n.write(pool, &mut s);
        s.to_lowercase().starts_with(&String::from_utf8_lossy(prefix).to_lowercase())
    }
}

/// Rows matching the query, in row order.
/// Whether gateway `g` (its raw name) answers to a filter value's matcher: by the raw name or by
/// its alias from the config file. The filter and the "why nothing matched" hints share it.
fn gateway_answers(st: &Store, g: &str, m: &dyn Fn(&str) -> bool) -> bool {
    m(g) || st.aliases.get(g).is_some_and(|a| m(a))
}

/// Whether any loaded gateway answers to `value` as a gateway term would match it.
pub fn gateway_exists(st: &Store, value: &str) -> bool {
    let m = text_matcher(value, false);
    st.pools.gateways.iter().any(|(_, g)| gateway_answers(st, g, &m))
}

pub fn evaluate(q: &Query, ctx: &Context<'_>) -> Selection {
    evaluate_range(q, ctx, 0..ctx.store.len())
}

/// Rows of `range` matching the query, in row order: what a follow checks as rows arrive.
pub fn evaluate_range(q: &Query, ctx: &Context<'_>, range: std::ops::Range<usize>) -> Selection {
    let st = ctx.store;
    let (first, end) = (range.start.min(st.len()), range.end.min(st.len()));
    let n = end - first;
    let dups = st.duplicate_rows() > 0;
    if q.is_empty() {
        return (first..end).filter(|&i| !dups || !st.is_duplicate(i)).map(|i| i as u32).collect();
    }
    let compiled = compile(q, ctx);
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).min(8);
    if n < 50_000 || threads == 1 {
        let mut buf = String::new();
        return (first..end)
            .filter(|&i| (!dups || !st.is_duplicate(i)) && compiled.matches(st, i, &mut buf))
            .map(|i| i as u32)
            .collect();
    }
    let chunk = n.div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let compiled = &compiled;
                s.spawn(move || {
                    let mut buf = String::new();
                    let range = (first + t * chunk).min(end)..(first + (t + 1) * chunk).min(end);
                    range
                        .filter(|&i| (!dups || !st.is_duplicate(i)) && compiled.matches(st, i, &mut buf))
                        .map(|i| i as u32)
                        .collect::<Vec<u32>>()
                })
            })
            .collect();
        let mut out = Vec::new();
        for h in handles {
            // A panic in an evaluation thread is a bug: pass it on rather than lose rows.
            out.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        out
    })
}
