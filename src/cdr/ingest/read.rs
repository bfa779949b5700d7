//! The reader thread's side of a load: each input opened (file, zip member, standard input,
//! workbook, database table), its packing undone, its form told, and its bytes cut at
//! record boundaries into blocks for the workers.

use crate::cdr::formats::detect::{Delimiter, Layout, detect};
use crate::cdr::formats::parse::Block;
use crate::cdr::ingest::progress::{Counting, Progress};
use crate::cdr::record::reject::MAX_RECORD_BYTES;
use crate::cdr::sources::decompress::Packing;
use crate::cdr::sources::source::Opened;
use crate::cdr::sources::spec::Input;
use crate::cdr::store::table::SourceInfo;
use std::io::{BufRead, BufReader, Read};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

/// Bytes per block handed to a worker.
pub const BLOCK_BYTES: usize = 1 << 20;

pub(crate) struct Job {
    pub(crate) block: Block,
    pub(crate) layout: Arc<Layout>,
}

/// What the reader thread learns about a source.
#[derive(Debug, Clone)]
pub(crate) struct ReaderNote {
    pub(crate) form: Result<String, String>,
    pub(crate) packing: &'static str,
    pub(crate) read_error: Option<String>,
    pub(crate) layout: Option<Arc<Layout>>,
    /// A better name found while reading (a workbook's sheet: `book.xlsx!Sheet1`).
    pub(crate) rename: Option<String>,
    /// Plain text: bytes up to the end of the last complete record sent.
    pub(crate) offset: Option<u64>,
    pub(crate) next_line: u64,
}

impl Default for ReaderNote {
    fn default() -> Self {
        ReaderNote {
            form: Err("not read".into()),
            packing: "",
            read_error: None,
            layout: None,
            rename: None,
            offset: None,
            next_line: 1,
        }
    }
}

impl ReaderNote {
    pub(crate) fn apply(&self, info: &mut SourceInfo) {
        info.form = self.form.clone();
        info.packing = self.packing;
        info.read_error = self.read_error.clone();
        if let Some(n) = &self.rename {
            info.name = n.clone();
        }
    }
}

/// Where the reader thread sends one source's blocks.
pub(crate) struct Feed<'a> {
    pub(crate) n: usize,
    pub(crate) tx: &'a crossbeam_channel::Sender<Job>,
    pub(crate) seq: &'a mut u64,
    pub(crate) notes: &'a Mutex<Vec<ReaderNote>>,
    pub(crate) progress: &'a Arc<Progress>,
}

impl Feed<'_> {
    pub(crate) fn set(&self, f: &dyn Fn(&mut ReaderNote)) {
        if let Ok(mut all) = self.notes.lock()
            && let Some(note) = all.get_mut(self.n)
        {
            f(note);
        }
    }

    pub(crate) fn cancelled(&self) -> bool {
        self.progress.cancel.load(Ordering::Relaxed)
    }

    /// Sends split rows (database, spreadsheet, JSON records) numbered from `first`.
    pub(crate) fn rows(
        &mut self,
        rows: crate::cdr::record::rows::FieldRows,
        first: u64,
        layout: &Arc<Layout>,
        ends: bool,
    ) -> bool {
        let job = Job {
            block: Block {
                source: self.n,
                seq: *self.seq,
                first_line: first,
                data: Vec::new(),
                rows,
                skip_header: false,
                ends_source: ends,
                tail_is_pending: false,
                too_long: None,
                lines: 0,
            },
            layout: layout.clone(),
        };
        *self.seq += 1;
        self.tx.send(job).is_ok()
    }

    /// Closes the source so the merger finishes it.
    pub(crate) fn close(&mut self) {
        let layout = Arc::new(Layout::positional_pipe());
        self.rows(Default::default(), 0, &layout, true);
    }
}

pub(crate) fn read_input(
    n: usize,
    input: &Input,
    newest: bool,
    tx: &crossbeam_channel::Sender<Job>,
    seq: &mut u64,
    notes: &Mutex<Vec<ReaderNote>>,
    progress: &Arc<Progress>,
) {
    let mut feed = Feed { n, tx, seq, notes, progress };
    let opened = input.source.open(&mut |opened| match opened {
        Opened::Bytes { reader, grows } => read_stream(reader, newest && grows, &mut feed),
        Opened::Sheet(path) => read_xlsx(path, &input.name, &mut feed),
        Opened::Table(table) => read_table(table, &mut feed),
    });
    if let Err(why) = opened {
        feed.set(&|i| i.form = Err(why.clone()));
    }
}

/// Reads one byte stream: unpacks it (by its magic bytes), tells its form from its first
/// block, and cuts it into blocks at record boundaries.
pub(crate) fn read_stream(raw: impl Read, pending_rule: bool, feed: &mut Feed<'_>) {
    let mut buffered = BufReader::with_capacity(
        256 << 10,
        Counting { inner: raw, progress: feed.progress.clone(), decoded: false },
    );
    let packing = loop {
        match buffered.fill_buf() {
            Ok(head) => break Packing::detect(head),
            // A quiet pipe: wait on for its first bytes.
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut && !feed.cancelled() => continue,
            Err(e) => {
                feed.set(&|i| i.form = Err(format!("cannot read: {e}")));
                return;
            }
        }
    };
    feed.set(&|i| i.packing = packing.label());
    let mut reader: Box<dyn Read + '_> = match packing.decoder(buffered) {
        Ok(r) if packing == Packing::Plain => r,
        Ok(r) => Box::new(Counting { inner: r, progress: feed.progress.clone(), decoded: true }),
        Err(e) => {
            feed.set(&|i| i.form = Err(e.to_string()));
            return;
        }
    };
    let mut buf: Vec<u8> = Vec::with_capacity(BLOCK_BYTES + (64 << 10));
    let mut eof = false;
    // The form is told from whole lines: a trickling pipe is read until it has one.
    while !eof && buf.len() < BLOCK_BYTES && !buf.contains(&b'\n') {
        if feed.cancelled() {
            return;
        }
        eof = fill(&mut reader, &mut buf, BLOCK_BYTES).unwrap_or_else(|e| {
            feed.set(&|i| i.read_error = Some(read_error(packing, &e)));
            true
        });
    }
    if crate::cdr::sources::decompress::is_tar(&buf) {
        feed.set(&|i| {
            i.form =
                Err("a tar archive: unpack it first (tar xf FILE) and point cdrscope at the files".into())
        });
        return;
    }
    if buf.starts_with(&[0xff, 0xfe]) || buf.starts_with(&[0xfe, 0xff]) || looks_like_utf16(&buf) {
        feed.set(&|i| {
            i.form =
                Err("UTF-16 text: convert it to UTF-8 first, e.g. iconv -f UTF-16 -t UTF-8 FILE > FILE.utf8"
                    .into())
        });
        return;
    }
    // A UTF-8 byte order mark is not part of the first field.
    let mut consumed = 0u64;
    if buf.starts_with(b"\xEF\xBB\xBF") {
        buf.drain(..3);
        consumed = 3;
    }
    if let Some(form) = crate::cdr::formats::record_form(&buf) {
        let head = std::mem::take(&mut buf);
        read_records(form, &mut std::io::Cursor::new(head).chain(reader), packing, feed);
        return;
    }
    // Old Mac line endings: lines end with CR alone. Read them as lines.
    if !buf.contains(&b'\n') && buf.contains(&b'\r') {
        for b in buf.iter_mut() {
            if *b == b'\r' {
                *b = b'\n';
            }
        }
        reader = Box::new(CrToLf { inner: reader });
    }
    let layout = match detect(&buf) {
        Ok(l) => Arc::new(l),
        Err(e) => {
            // An empty plain file (the hour's file just created) is followed from its start.
            let empty = buf.is_empty() && eof && packing == Packing::Plain;
            feed.set(&|i| {
                i.form = Err(e.0.clone());
                if empty {
                    i.offset = Some(consumed);
                }
            });
            return;
        }
    };
    let desc = match packing.label() {
        "" => layout.to_string(),
        p => format!("{layout} ({p})"),
    };
    feed.set(&|i| {
        i.form = Ok(desc.clone());
        i.layout = Some(layout.clone());
    });
    // `mysql -B` does not quote: a stray `"` in a value is just a character.
    let quoted = layout.delimiter != Delimiter::Pipe && !layout.mysql_escapes;
    let pending_rule = pending_rule && layout.delimiter == Delimiter::Pipe && packing == Packing::Plain;
    let mut first_line = 1u64;
    let mut first_block = true;
    loop {
        let cut = if eof { buf.len() } else { record_boundary(&buf, quoted).unwrap_or(0) };
        if cut == 0 && !eof {
            if buf.len() >= MAX_RECORD_BYTES {
                // One record bigger than any real CDR: skip to its end and count it once.
                let (skipped, rest, at_eof) = skip_line(&mut reader, std::mem::take(&mut buf));
                if !send_too_long(feed, &mut first_line, skipped, &mut first_block, &layout) {
                    return;
                }
                buf = rest;
                eof = at_eof;
                continue;
            }
            if feed.cancelled() {
                return;
            }
            let target = buf.len() + BLOCK_BYTES;
            eof = fill(&mut reader, &mut buf, target).unwrap_or_else(|e| {
                feed.set(&|i| i.read_error = Some(read_error(packing, &e)));
                true
            });
            continue;
        }
        let rest = buf.split_off(cut);
        let data = std::mem::replace(&mut buf, rest);
        consumed += data.len() as u64;
        // A followed file goes on after the last complete line (a pending one is read again).
        let tail = if eof && pending_rule && !data.ends_with(b"\n") {
            data.len() - memchr::memrchr(b'\n', &data).map_or(0, |i| i + 1)
        } else {
            0
        };
        let plain = packing == Packing::Plain;
        if !send(feed, &mut first_line, data, &mut first_block, &layout, eof, pending_rule) {
            return;
        }
        if eof {
            let (offset, next) = (consumed - tail as u64, first_line);
            feed.set(&|i| {
                i.offset = plain.then_some(offset);
                i.next_line = next;
            });
            return;
        }
        if feed.cancelled() {
            let _ = send(feed, &mut first_line, Vec::new(), &mut first_block, &layout, true, false);
            return;
        }
        let target = buf.len() + BLOCK_BYTES;
        eof = fill(&mut reader, &mut buf, target).unwrap_or_else(|e| {
            feed.set(&|i| i.read_error = Some(read_error(packing, &e)));
            true
        });
    }
}

/// UTF-16 without a byte order mark: every other byte NUL in the first few hundred bytes.
pub(crate) fn looks_like_utf16(head: &[u8]) -> bool {
    let h = &head[..head.len().min(512)];
    h.len() >= 16 && h.iter().filter(|b| **b == 0).count() * 3 >= h.len()
}

/// Turns CR line endings into LF as the bytes stream by.
pub(crate) struct CrToLf<'a> {
    pub(crate) inner: Box<dyn Read + 'a>,
}

impl Read for CrToLf<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        for b in &mut buf[..n] {
            if *b == b'\r' {
                *b = b'\n';
            }
        }
        Ok(n)
    }
}

/// Reads past the end of an over-long line. Returns how many bytes it had, what follows its
/// newline, and whether the input ended.
pub(crate) fn skip_line(reader: &mut dyn Read, buf: Vec<u8>) -> (u64, Vec<u8>, bool) {
    let mut skipped = buf.len() as u64;
    let mut chunk = vec![0u8; BLOCK_BYTES];
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) | Err(_) => return (skipped, Vec::new(), true),
            Ok(n) => n,
        };
        match memchr::memchr(b'\n', &chunk[..n]) {
            Some(i) => {
                skipped += i as u64;
                return (skipped, chunk[i + 1..n].to_vec(), false);
            }
            None => skipped += n as u64,
        }
    }
}

/// Counts one rejected line for an over-long record.
pub(crate) fn send_too_long(
    feed: &mut Feed<'_>,
    first_line: &mut u64,
    bytes: u64,
    first_block: &mut bool,
    layout: &Arc<Layout>,
) -> bool {
    let block = Block {
        source: feed.n,
        seq: *feed.seq,
        first_line: *first_line,
        data: Vec::new(),
        rows: Default::default(),
        skip_header: false,
        ends_source: false,
        tail_is_pending: false,
        too_long: Some(bytes),
        lines: 1,
    };
    *feed.seq += 1;
    *first_line += 1;
    *first_block = false;
    feed.tx.send(Job { block, layout: layout.clone() }).is_ok()
}

/// A read error, saying which decoder failed (a corrupt or truncated archive).
pub(crate) fn read_error(packing: Packing, e: &std::io::Error) -> String {
    match packing.label() {
        "" => e.to_string(),
        p => format!("{p} data is corrupt or cut short: {e}"),
    }
}

/// A form read as whole records (the web API's JSON).
pub(crate) fn read_records(
    form: &dyn crate::cdr::formats::Format,
    reader: &mut dyn Read,
    packing: Packing,
    feed: &mut Feed<'_>,
) {
    let desc = match packing.label() {
        "" => form.name().to_string(),
        p => format!("{} ({p})", form.name()),
    };
    feed.set(&|i| i.form = Ok(desc.clone()));
    let result = {
        let mut emit = |layout: Layout, rows: crate::cdr::record::rows::FieldRows, first: u64| {
            !feed.cancelled() && feed.rows(rows, first, &Arc::new(layout), false)
        };
        form.read_records(reader, &mut emit)
    };
    if let Err(e) = result {
        feed.set(&|i| {
            // Not this form after all (JSON of another shape): the source is not CDRs.
            if i.form.is_ok() && e.contains("another shape") {
                i.form = Err(e.clone());
            } else {
                i.read_error = Some(e.clone());
            }
        });
    }
    feed.close();
}

/// The first sheet of a workbook.
pub(crate) fn read_xlsx(path: &std::path::Path, name: &str, feed: &mut Feed<'_>) {
    feed.set(&|i| i.form = Ok("spreadsheet (xlsx), first sheet, header row".into()));
    let result = {
        let mut emit = |layout: Layout, rows: crate::cdr::record::rows::FieldRows, first: u64| {
            !feed.cancelled() && feed.rows(rows, first, &Arc::new(layout), false)
        };
        crate::cdr::formats::xlsx::read_xlsx(path, &mut emit)
    };
    match result {
        Ok(sheet) => feed.set(&|i| i.rename = Some(format!("{name}!{sheet}"))),
        Err(e) => feed.set(&|i| i.form = Err(e.clone())),
    }
    feed.close();
}

/// Rows per job for database sources.
pub(crate) const DB_CHUNK_ROWS: usize = 8192;

/// Streams one database table to the workers.
pub(crate) fn read_table(table: &crate::cdr::sources::mysql::DbTable, feed: &mut Feed<'_>) {
    let layout = Arc::new(table.layout());
    feed.set(&|note| {
        note.form = Ok(layout.to_string());
        note.layout = Some(layout.clone());
    });
    let mut next_row = 1u64;
    let result = crate::cdr::sources::mysql::stream(table, DB_CHUNK_ROWS, |rows| {
        let count = rows.len() as u64;
        let ok = !feed.cancelled() && feed.rows(rows, next_row, &layout, false);
        next_row += count;
        ok
    });
    if let Err(e) = result {
        feed.set(&|note| note.read_error = Some(e.clone()));
    }
    feed.close();
}

pub(crate) fn send(
    feed: &mut Feed<'_>,
    first_line: &mut u64,
    data: Vec<u8>,
    first_block: &mut bool,
    layout: &Arc<Layout>,
    ends_source: bool,
    tail_is_pending: bool,
) -> bool {
    let lines = memchr::memchr_iter(b'\n', &data).count() as u64;
    let block = Block {
        source: feed.n,
        seq: *feed.seq,
        first_line: *first_line,
        data,
        rows: Default::default(),
        skip_header: *first_block && layout.has_header(),
        ends_source,
        tail_is_pending,
        too_long: None,
        lines,
    };
    *feed.seq += 1;
    *first_line += lines;
    *first_block = false;
    feed.tx.send(Job { block, layout: layout.clone() }).is_ok()
}

/// Reads until `buf` holds `target` bytes or the input ends; returns true at end of input.
/// Reads into the vector's spare room without zeroing it first (a 1 MiB memset per small
/// file made 65,000 files take minutes).
/// A reader that runs dry for a moment ([`Trickle`]) ends the fill early with what it has.
pub(crate) fn fill(r: &mut dyn Read, buf: &mut Vec<u8>, target: usize) -> std::io::Result<bool> {
    let want = target.saturating_sub(buf.len()) as u64;
    if want == 0 {
        return Ok(false);
    }
    match r.take(want).read_to_end(buf) {
        Ok(n) => Ok((n as u64) < want),
        // `read_to_end` keeps what it read before the pause.
        Err(e) if e.kind() == std::io::ErrorKind::TimedOut => Ok(false),
        Err(e) => Err(e),
    }
}

/// Index just past the last complete record in `buf`: the last newline, or for quoted forms
/// the last newline outside quotes. `None` when there is none.
pub fn record_boundary(buf: &[u8], quoted: bool) -> Option<usize> {
    if !quoted {
        return memchr::memrchr(b'\n', buf).map(|i| i + 1);
    }
    let mut in_quote = false;
    let mut last = None;
    for i in memchr::memchr2_iter(b'"', b'\n', buf) {
        if buf[i] == b'"' {
            in_quote = !in_quote;
        } else if !in_quote {
            last = Some(i + 1);
        }
    }
    last
}
