//! The compact columnar store all queries and views read from.
//!
//! Per row it holds fixed-width columns (see [`Columns`]); text that repeats (gateways, IPs,
//! end reasons, extra columns) is interned once, phone numbers are packed (see
//! [`super::number`]). Measured footprint is reported by [`Store::heap_bytes`].

use std::fmt;

use crate::cdr::record::reason::Reason;
use crate::cdr::store::batch::{Batch, Tally};
use crate::cdr::store::columns::{Columns, NO_PDD, NO_SMALL};
use crate::cdr::store::pool::Pools;

use crate::cdr::record::reject::REJECT_SAMPLES;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HoldUnit {
    Ms,
    S,
}

impl HoldUnit {
    /// Raw holdTime times this is ms.
    pub fn factor(self) -> u32 {
        match self {
            HoldUnit::Ms => 1,
            HoldUnit::S => 1000,
        }
    }
}

/// Records that run `k` of `Store::runs` is source `src`'s.
fn index_run(runs_of: &mut Vec<Vec<usize>>, k: usize, src: usize) {
    if runs_of.len() <= src {
        runs_of.resize(src + 1, Vec::new());
    }
    runs_of[src].push(k);
}

/// A unit's place in `Store::hold_counts`.
fn hold_slot(u: Option<HoldUnit>) -> usize {
    match u {
        None => 0,
        Some(HoldUnit::Ms) => 1,
        Some(HoldUnit::S) => 2,
    }
}

impl fmt::Display for HoldUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HoldUnit::Ms => "ms",
            HoldUnit::S => "s",
        })
    }
}

/// What was learnt about one input while loading it.
#[derive(Debug, Clone)]
pub struct SourceInfo {
    pub name: String,
    /// Detected form, or why the input could not be read.
    pub form: Result<String, String>,
    /// How the input was packed (`gzip`, `xz`, ...; empty for plain).
    pub packing: &'static str,
    pub rows: usize,
    pub tally: Tally,
    pub hold_unit: Option<HoldUnit>,
    pub hold_unit_why: String,
    /// Read error that cut the input short.
    pub read_error: Option<String>,
    /// The whole source has been read (its hold unit applied, duplicates looked for).
    pub ended: bool,
    /// Calls of this source already read from earlier sources: (earlier source, calls).
    pub duplicate_of: Vec<(usize, u64)>,
    /// While followed: what the source is doing.
    pub live: Option<crate::cdr::store::source_state::LiveState>,
    /// The newest things that happened while following (rotations, reconnections).
    pub follow_notes: Vec<String>,
    /// A UDP feed's counts (datagrams, acknowledgements, repeats, malformed by sender).
    pub feed: Option<crate::cdr::store::source_state::FeedCounts>,
    /// A database table: where the whole record of one of its calls can be fetched (the
    /// store keeps only the columns it reads).
    pub db: Option<crate::cdr::address::db_url::TableRef>,
}

impl SourceInfo {
    /// Calls of this source left out as repeats of calls read before.
    pub fn duplicates(&self) -> u64 {
        self.duplicate_of.iter().map(|(_, n)| n).sum()
    }
}

impl SourceInfo {
    pub fn new(name: String) -> Self {
        SourceInfo {
            name,
            form: Err("not read".into()),
            packing: "",
            rows: 0,
            tally: Tally::default(),
            hold_unit: None,
            hold_unit_why: String::new(),
            read_error: None,
            ended: false,
            duplicate_of: Vec::new(),
            live: None,
            follow_notes: Vec::new(),
            feed: None,
            db: None,
        }
    }
}

/// A store is also its own snapshot: cloning shares the columns and pools (see
/// [`super::append_vec`]) and copies only the per-source bookkeeping.
#[derive(Debug, Default, Clone)]
pub struct Store {
    pub cols: Columns,
    pub pools: Pools,
    pub sources: Vec<SourceInfo>,
    /// Rejected lines kept for display: (source index, line, reason).
    pub rejects: Vec<(usize, crate::cdr::record::reject::Rejected)>,
    /// (first row, source index) for each run of rows from one source, in row order. A
    /// followed source's rows come in runs between other sources' rows.
    runs: Vec<(usize, usize)>,
    /// For each source, the indexes of its runs in `runs` (a load of 65,000 files asks for
    /// each one's rows as it ends: looking through every run each time was quadratic).
    runs_of: Vec<Vec<usize>>,
    /// Sources with rows, by holdTime unit: undecided, ms, s. Whether all agree follows
    /// from these, with no pass over every source when one changes.
    hold_counts: [usize; 3],
    /// The factor from raw holdTime to ms when every source with rows has the same unit.
    uniform_hold: Option<u32>,
    /// Bytes of input parsed so far (all sources), for sizing the columns.
    pub bytes_parsed: u64,
    /// Rows that repeat a call read from an earlier source, as a bit set (empty when none).
    dups: crate::cdr::store::append_vec::AppendVec<u64>,
    dup_count: usize,
    /// Readable names for gateways (raw -> alias) from the config file: shown and accepted
    /// in filters; exports and JSON keep the raw names.
    pub aliases: std::collections::HashMap<String, String>,
    /// Relative times count from the wall clock (a database source is loaded), not from the
    /// newest call (static files).
    pub wall_clock: bool,
    /// Rows dropped from the front by a follow's retention window (`--keep`): row `i` of this
    /// store is the `dropped + i`-th row received.
    pub dropped: u64,
    /// The retention window in force, for the header ("keeping 24h").
    pub keep_ms: Option<i64>,
}

/// A field's unusable values over a whole load.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldWarningAt {
    pub field: &'static str,
    pub count: u64,
    pub example: String,
    pub why: &'static str,
    /// `path:line` of the first one.
    pub first_at: String,
}

/// One row with its text resolved, for showing and exporting.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub start_ms: i64,
    pub stop_ms: Option<i64>,
    pub hold_ms: u32,
    pub caller: String,
    pub callee: String,
    pub reason: Reason,
    pub end_direction: Option<i8>,
    pub caller_gateway: String,
    pub callee_gateway: String,
    pub caller_ip: String,
    pub callee_ip: String,
    pub caller_access: String,
    pub callee_access: String,
    pub caller_to_gateway: String,
    pub callee_to_gateway: String,
    pub callee_billing: Option<i8>,
    pub billing_mode: Option<i8>,
    pub caller_pdd_ms: Option<u32>,
    pub callee_pdd_ms: Option<u32>,
    pub call_level: Option<i8>,
    pub flowno: Option<u64>,
    pub extras: Vec<(String, String)>,
    pub source: String,
    pub line: u32,
}

impl Store {
    pub fn len(&self) -> usize {
        self.cols.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cols.is_empty()
    }

    /// Merges a parsed batch (batches of one source arrive in order).
    pub fn append(&mut self, batch: Batch) {
        let map = self.pools.absorb(&batch.pools);
        let src = batch.source;
        self.bytes_parsed += batch.tally.bytes;
        if !batch.cols.is_empty() && self.runs.last().is_none_or(|&(_, s)| s != src) {
            self.runs.push((self.cols.len(), src));
            index_run(&mut self.runs_of, self.runs.len() - 1, src);
        }
        if let Some(info) = self.sources.get_mut(src) {
            if info.rows == 0 && !batch.cols.is_empty() {
                self.hold_counts[hold_slot(info.hold_unit)] += 1;
            }
            info.rows += batch.cols.len();
            info.tally.add(&batch.tally, REJECT_SAMPLES);
        }
        let room = REJECT_SAMPLES.saturating_sub(self.rejects.len());
        self.rejects.extend(batch.tally.samples.iter().take(room).map(|r| (src, r.clone())));
        self.cols.append_remapped(&batch.cols, &map);
        self.settle_hold_units();
    }

    /// Reserves room for about `rows` more rows, so the columns grow once instead of doubling
    /// (doubling would leave up to half of every column unused).
    pub fn reserve(&mut self, rows: usize) {
        self.cols.reserve(rows);
    }

    /// Sets the holdTime unit of a source. Rows keep their raw values: the unit is applied
    /// when they are read, so a unit decided (or changed) late never rewrites stored rows.
    pub fn set_hold_unit(&mut self, source: usize, unit: HoldUnit, why: String) {
        if let Some(info) = self.sources.get_mut(source) {
            if info.rows > 0 {
                let old = hold_slot(info.hold_unit);
                self.hold_counts[old] = self.hold_counts[old].saturating_sub(1);
                self.hold_counts[hold_slot(Some(unit))] += 1;
            }
            info.hold_unit = Some(unit);
            info.hold_unit_why = why;
        }
        self.settle_hold_units();
    }

    /// Whether every source with rows has the same unit, from the counts.
    fn settle_hold_units(&mut self) {
        self.uniform_hold = match self.hold_counts {
            [0, 0, 0] => Some(1),
            [0, _, 0] => Some(HoldUnit::Ms.factor()),
            [0, 0, _] => Some(HoldUnit::S.factor()),
            _ => None,
        };
    }

    /// Counts the units and indexes the runs afresh (after rows were dropped).
    fn recount(&mut self) {
        self.hold_counts = [0; 3];
        for info in self.sources.iter().filter(|s| s.rows > 0) {
            self.hold_counts[hold_slot(info.hold_unit)] += 1;
        }
        self.settle_hold_units();
        self.runs_of = vec![Vec::new(); self.sources.len()];
        for (k, &(_, src)) in self.runs.iter().enumerate() {
            index_run(&mut self.runs_of, k, src);
        }
    }

    /// Talk time of a row in ms: its raw holdTime in its source's unit.
    #[inline]
    pub fn hold_ms(&self, i: usize) -> u32 {
        let raw = self.cols.hold_raw[i];
        let factor = match self.uniform_hold {
            Some(f) => f,
            None => self.source_of(i).and_then(|s| s.hold_unit).map_or(1, HoldUnit::factor),
        };
        raw.saturating_mul(factor)
    }

    pub fn source_of(&self, row: usize) -> Option<&SourceInfo> {
        self.sources.get(self.source_index_of(row)?)
    }

    pub fn source_index_of(&self, row: usize) -> Option<usize> {
        if row >= self.len() {
            return None;
        }
        let idx = self.runs.partition_point(|(first, _)| *first <= row).checked_sub(1)?;
        Some(self.runs[idx].1)
    }

    /// The rows of a source, as ranges in row order.
    pub fn source_rows(&self, src: usize) -> Vec<std::ops::Range<usize>> {
        let runs = self.runs_of.get(src).map_or(&[][..], Vec::as_slice);
        runs.iter()
            .filter_map(|&k| {
                let &(first, _) = self.runs.get(k)?;
                Some(first..self.runs.get(k + 1).map_or(self.len(), |r| r.0))
            })
            .collect()
    }

    /// Drops the oldest `k` rows (retention while following). Sources keep their counts of
    /// lines read; `rows` counts the rows still held.
    pub fn drop_front(&mut self, k: usize) {
        let k = k.min(self.len());
        if k == 0 {
            return;
        }
        let len = self.len();
        let mut runs = Vec::new();
        for (n, &(first, src)) in self.runs.iter().enumerate() {
            let end = self.runs.get(n + 1).map_or(len, |r| r.0);
            let gone = end.min(k).saturating_sub(first);
            if let Some(info) = self.sources.get_mut(src) {
                info.rows = info.rows.saturating_sub(gone);
            }
            if end > k {
                runs.push((first.saturating_sub(k), src));
            }
        }
        self.runs = runs;
        self.recount();
        let dups: Vec<usize> = (k..len).filter(|&i| self.is_duplicate(i)).collect();
        self.dups = crate::cdr::store::append_vec::AppendVec::new();
        self.dup_count = 0;
        self.cols.drop_front(k);
        for i in dups {
            self.mark_duplicate(i - k);
        }
        self.dropped += k as u64;
        self.compact_pools();
    }

    /// Strings no kept row refers to any more (call ids, numbers of the calls dropped) leave
    /// the pools once they are a quarter of them, so a follow that runs for days holds the
    /// strings of the rows it keeps and no more. Ids change: readers that kept ids start
    /// over when `dropped` moves, as they do for row numbers.
    fn compact_pools(&mut self) {
        let mut used = crate::cdr::store::pool::Used::none(&self.pools);
        self.cols.mark_used(&mut used);
        let (unused, all) = used.unused();
        if unused < 1024 || unused.saturating_mul(4) < all {
            return;
        }
        let (pools, map) = self.pools.keep_only(&used);
        let mut cols = Columns::default();
        cols.reserve(self.cols.len());
        cols.append_remapped(&self.cols, &map);
        self.cols = cols;
        self.pools = pools;
    }

    /// A row repeats a call read from an earlier source and is left out of every query.
    pub fn is_duplicate(&self, row: usize) -> bool {
        self.dups.get(row / 64).is_some_and(|w| w & (1 << (row % 64)) != 0)
    }

    pub fn mark_duplicate(&mut self, row: usize) {
        if row >= self.len() || self.is_duplicate(row) {
            return;
        }
        if self.dups.len() <= row / 64 {
            self.dups.resize(self.len().div_ceil(64), 0);
        }
        if let Some(w) = self.dups.make_mut().get_mut(row / 64) {
            *w |= 1 << (row % 64);
        }
        self.dup_count += 1;
    }

    /// Rows left out as duplicates.
    pub fn duplicate_rows(&self) -> usize {
        self.dup_count
    }

    /// The name of source `i` ("a source" when there is none: an event about a source that
    /// a later snapshot no longer lists).
    pub fn source_name(&self, i: usize) -> &str {
        self.sources.get(i).map_or("a source", |s| s.name.as_str())
    }

    /// Whether any source is still being followed (a failed one leaves the others going).
    pub fn any_following(&self) -> bool {
        self.sources.iter().any(|s| s.live == Some(crate::cdr::store::source_state::LiveState::Following))
    }

    /// Calls loaded, duplicates not counted.
    pub fn calls(&self) -> usize {
        self.len() - self.dup_count
    }

    /// Earliest and latest plausible call start (implausible ones are warnings, never "newest").
    pub fn time_span(&self) -> Option<(i64, i64)> {
        let plausible = self.plausible_range();
        let mut span: Option<(i64, i64)> = None;
        for &t in self.cols.start_ms.iter().filter(|t| plausible.contains(t)) {
            span = Some(span.map_or((t, t), |(a, b)| (a.min(t), b.max(t))));
        }
        span
    }

    /// The name to show for a gateway: its alias when it has one.
    pub fn gateway_label<'a>(&'a self, raw: &'a str) -> &'a str {
        self.aliases.get(raw).map_or(raw, String::as_str)
    }

    /// The index of an extra column by its (canonical) name.
    pub fn extra_index(&self, name: &str) -> Option<usize> {
        self.cols.extras.iter().position(|e| e.name == name)
    }

    /// A row's pooled id in an extra column (0, the empty value, when the column or value is
    /// absent).
    pub fn extra_id(&self, col: Option<usize>, i: usize) -> u32 {
        col.and_then(|k| self.cols.extras.get(k)).map_or(0, |e| e.get(i))
    }

    /// A row's value in an extra column ("" when the column or value is absent).
    pub fn extra_value(&self, col: Option<usize>, i: usize) -> &str {
        self.pools.extra_values.resolve(self.extra_id(col, i))
    }

    /// The SIP Reason header of a row, parsed.
    pub fn reason_header(&self, i: usize) -> Option<crate::kb::reason_header::ReasonHeader> {
        let col = self.extra_index(crate::cdr::record::fields::extra::REASON_HEADER);
        crate::kb::reason_header::ReasonHeader::parse(self.extra_value(col, i))
    }

    /// Call times outside this range are implausible (kept, shown, left out of timelines).
    pub fn plausible_range(&self) -> std::ops::RangeInclusive<i64> {
        crate::cdr::record::time::plausible_range(crate::cdr::record::time::now_ms())
    }

    pub fn heap_bytes(&self) -> usize {
        self.cols.heap_bytes() + self.pools.heap_bytes()
    }

    /// Unusable values in kept calls, per field over every source, each with its first
    /// example and where it was (`path:line`).
    pub fn field_warnings(&self) -> Vec<FieldWarningAt> {
        let mut out: Vec<FieldWarningAt> = Vec::new();
        for src in &self.sources {
            for (field, w) in &src.tally.notes.warnings {
                match out.iter_mut().find(|o| o.field == *field) {
                    Some(o) => o.count += w.count,
                    None => out.push(FieldWarningAt {
                        field,
                        count: w.count,
                        example: w.example.clone(),
                        why: w.why,
                        first_at: format!("{}:{}", src.name, w.first_line),
                    }),
                }
            }
        }
        out.sort_by(|a, b| b.count.cmp(&a.count).then(a.field.cmp(b.field)));
        out
    }

    /// "Not measured" sentinels per field over every source.
    pub fn not_measured(&self) -> Vec<(&'static str, u64)> {
        let mut m: std::collections::BTreeMap<&'static str, u64> = std::collections::BTreeMap::new();
        for src in &self.sources {
            for (f, n) in &src.tally.notes.not_measured {
                *m.entry(f).or_default() += n;
            }
        }
        m.into_iter().collect()
    }

    pub fn rejected_lines(&self) -> u64 {
        self.sources.iter().map(|s| s.tally.rejected).sum()
    }

    pub fn pending_lines(&self) -> u64 {
        self.sources.iter().map(|s| s.tally.pending).sum()
    }

    pub fn caller(&self, i: usize) -> String {
        self.cols.caller[i].to_string(&self.pools.numbers)
    }

    pub fn callee(&self, i: usize) -> String {
        self.cols.callee[i].to_string(&self.pools.numbers)
    }

    /// The callee number as sent to the routing gateway (after its rewrite) when the call
    /// has one, else the callee number: what routing holes and `dest:` terms look at.
    pub fn dest_number(&self, i: usize, out: &mut String) {
        let c = &self.cols;
        if self.dest_is_callee(i) {
            c.callee[i].write(&self.pools.numbers, out);
        } else {
            let callee = self.callee(i);
            c.callee_to_gw[i].write(&callee, &self.pools.numbers, out);
        }
    }

    /// Whether [`Store::dest_number`] is the callee number itself (no routing gateway, or no
    /// rewrite): then the packed callee number can be read without decoding.
    pub fn dest_is_callee(&self, i: usize) -> bool {
        let c = &self.cols;
        let derived = c.callee_to_gw[i];
        c.callee_gw[i] == 0
            || derived == crate::cdr::store::number::DerivedNumber::SAME
            || derived == Default::default()
    }

    /// Whether [`Store::dest_number`] starts with `prefix` (a leading `+` on either side is
    /// ignored); digit prefixes on an unchanged callee number are checked without decoding it.
    pub fn dest_starts_with(&self, i: usize, prefix: &str, buf: &mut String) -> bool {
        let c = &self.cols;
        let p = prefix.trim_start_matches('+');
        if self.dest_is_callee(i)
            && !p.is_empty()
            && p.bytes().all(|b| b.is_ascii_digit())
            && c.callee[i].inline().is_some()
        {
            return c.callee[i].starts_with_digits(p.as_bytes(), &self.pools.numbers);
        }
        buf.clear();
        self.dest_number(i, buf);
        let d = buf.trim_start_matches('+');
        d.len() >= p.len() && d.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
    }

    pub fn caller_gateway(&self, i: usize) -> &str {
        self.pools.gateways.resolve(self.cols.caller_gw[i])
    }

    pub fn callee_gateway(&self, i: usize) -> &str {
        self.pools.gateways.resolve(self.cols.callee_gw[i])
    }

    pub fn reason(&self, i: usize) -> &Reason {
        self.pools.reasons.get(self.cols.reason[i])
    }

    /// PDD used for statistics and `pdd>` filters: the caller side (what the caller waited),
    /// else the callee side.
    pub fn pdd_ms(&self, i: usize) -> Option<u32> {
        let a = self.cols.caller_pdd_ms[i];
        let b = self.cols.callee_pdd_ms[i];
        if a != NO_PDD && a > 0 {
            Some(a)
        } else if b != NO_PDD && b > 0 {
            Some(b)
        } else {
            None
        }
    }

    pub fn record(&self, i: usize) -> Record {
        let c = &self.cols;
        let small = |v: i8| (v != NO_SMALL).then_some(v);
        let pdd = |v: u32| (v != NO_PDD).then_some(v);
        let caller = self.caller(i);
        let callee = self.callee(i);
        let derived = |d: crate::cdr::store::number::DerivedNumber, primary: &str| {
            let mut s = String::new();
            d.write(primary, &self.pools.numbers, &mut s);
            s
        };
        Record {
            start_ms: c.start_ms[i],
            stop_ms: c.stop_ms(i),
            hold_ms: self.hold_ms(i),
            caller_access: derived(c.caller_access[i], &caller),
            callee_access: derived(c.callee_access[i], &callee),
            caller_to_gateway: derived(c.caller_to_gw[i], &caller),
            callee_to_gateway: derived(c.callee_to_gw[i], &callee),
            caller,
            callee,
            reason: self.reason(i).clone(),
            end_direction: small(c.end_direction[i]),
            caller_gateway: self.caller_gateway(i).to_string(),
            callee_gateway: self.callee_gateway(i).to_string(),
            caller_ip: self.pools.ips.resolve(c.caller_ip[i]).to_string(),
            callee_ip: self.pools.ips.resolve(c.callee_ip[i]).to_string(),
            callee_billing: small(c.callee_billing[i]),
            billing_mode: small(c.billing_mode[i]),
            caller_pdd_ms: pdd(c.caller_pdd_ms[i]),
            callee_pdd_ms: pdd(c.callee_pdd_ms[i]),
            call_level: small(c.call_level[i]),
            flowno: c.flowno_of(i),
            extras: c
                .extras
                .iter()
                .map(|e| (e.name.clone(), self.pools.extra_values.resolve(e.get(i)).to_string()))
                .collect(),
            source: self.source_of(i).map(|s| s.name.clone()).unwrap_or_default(),
            line: c.line(i),
        }
    }
}
