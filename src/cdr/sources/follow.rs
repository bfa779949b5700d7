//! Following sources after they were read: each followed source is a [`Follow`] that the
//! ingest thread polls (about once a second for files, more often for the UDP feed). A
//! poll returns what arrived since the last one as parsed batches; the checkpoint says where
//! the source stands, so a failure or restart resumes instead of reading again.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::cdr::formats::detect::{Layout, detect};
use crate::cdr::formats::parse::{Block, parse_block};
use crate::cdr::record::reject::MAX_RECORD_BYTES;
use crate::cdr::record::time::TimeReader;
use crate::cdr::store::batch::Batch;
use crate::cdr::store::source_state::LiveState;

/// Where a followed source stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Checkpoint {
    /// A text file: the file (by inode) and the byte after the last complete line read.
    File { path: PathBuf, inode: u64, offset: u64 },
    /// A database table: the newest `stoptime` polled (epoch ms) and how many recent
    /// `flowno`s are remembered to drop repeats of the overlap.
    Db { table: String, stoptime_ms: i64, recent: usize },
    /// A datagram feed has no position: what was not received is the sender's to resend.
    Feed,
}

/// What one poll brought.
#[derive(Debug, Default)]
pub struct Polled {
    pub batches: Vec<Batch>,
    /// Things worth telling the operator ("rotated: reading the new file from the start").
    pub notes: Vec<String>,
    /// A change of state, if any.
    pub state: Option<LiveState>,
    /// A feed's counts, when they changed.
    pub feed: Option<crate::cdr::store::source_state::FeedCounts>,
    /// Sources this poll began (a new day's table): (store index, name, the table when it
    /// is one), in index order.
    pub new_sources: Vec<(usize, String, Option<crate::cdr::address::db_url::TableRef>)>,
    /// The form told from the first lines of a file that was empty when first read.
    pub form: Option<String>,
}

/// A source that goes on after its first reading.
pub trait Follow: Send {
    /// The store's index of the source.
    fn source(&self) -> usize;
    /// Reads what arrived since the last poll. Never blocks for long.
    fn poll(&mut self, times: &TimeReader) -> Polled;
    fn checkpoint(&self) -> Checkpoint;
    /// The store index a source this follower begins would get (a new day's table).
    fn wants_source(&mut self, _index: usize) {}
}

/// The most bytes read from a file in one poll, so a file that grew by gigabytes while the
/// console was suspended is caught up in steps, with the screen live in between.
const POLL_BYTES: u64 = 32 << 20;

/// A growing text file: appended whole lines are read (a partial last line waits), a
/// rotated file is finished and the new one read from its start, a truncated one is read
/// again from its start.
pub struct FileFollow {
    source: usize,
    path: PathBuf,
    file: Option<File>,
    inode: u64,
    offset: u64,
    next_line: u64,
    layout: Option<Arc<Layout>>,
    /// The file's first bytes as last seen: a file truncated and written again to the same
    /// length (or longer) is told by these changing.
    head: Vec<u8>,
}

/// Bytes compared to tell a rewritten file from a grown one.
const HEAD_BYTES: usize = 256;

fn read_head(file: &mut File) -> Vec<u8> {
    let mut head = Vec::new();
    let _ = file
        .seek(SeekFrom::Start(0))
        .and_then(|_| file.by_ref().take(HEAD_BYTES as u64).read_to_end(&mut head));
    head
}

impl FileFollow {
    /// Follows `path` from `offset` (the byte after the last complete line already read),
    /// whose next line is `next_line`. With no layout yet, the form is told from the first
    /// lines that arrive.
    pub fn new(source: usize, path: &Path, offset: u64, next_line: u64, layout: Option<Arc<Layout>>) -> Self {
        let mut file = File::open(path).ok();
        let inode = file.as_ref().and_then(|f| f.metadata().ok()).map_or(0, |m| m.ino());
        let head = file.as_mut().map(read_head).unwrap_or_default();
        FileFollow { source, path: path.to_path_buf(), file, inode, offset, next_line, layout, head }
    }

    /// Reads complete lines from the open file after `offset` into a batch.
    fn read_new(&mut self, times: &TimeReader, out: &mut Polled) {
        let Some(file) = self.file.as_mut() else { return };
        let len = match file.metadata() {
            Ok(m) => m.len(),
            Err(e) => {
                out.state = Some(LiveState::Retrying(format!("cannot read {}: {e}", self.path.display())));
                return;
            }
        };
        let head = read_head(file);
        let rewritten = head.get(..self.head.len()) != Some(&self.head[..]);
        if len < self.offset || (rewritten && self.offset > 0) {
            out.notes.push(format!("{} was truncated: reading it again from the start", self.path.display()));
            self.offset = 0;
            self.next_line = 1;
        }
        self.head = head;
        if len == self.offset {
            return;
        }
        let want = (len - self.offset).min(POLL_BYTES);
        let mut data = Vec::new();
        let read = file
            .seek(SeekFrom::Start(self.offset))
            .and_then(|_| file.by_ref().take(want).read_to_end(&mut data));
        if let Err(e) = read {
            out.state = Some(LiveState::Retrying(format!("cannot read {}: {e}", self.path.display())));
            return;
        }
        let Some(last_nl) = memchr::memrchr(b'\n', &data) else {
            // A partial line: it waits for its newline, unless it can never be a record.
            if data.len() as u64 >= MAX_RECORD_BYTES as u64 {
                out.notes.push(format!(
                    "{}:{}: a line of over {} MiB without an end, skipped",
                    self.path.display(),
                    self.next_line,
                    MAX_RECORD_BYTES >> 20
                ));
                self.offset += data.len() as u64;
            }
            return;
        };
        data.truncate(last_nl + 1);
        let first_block = self.offset == 0;
        if self.layout.is_none() {
            match detect(&data) {
                Ok(l) => {
                    out.form = Some(l.to_string());
                    self.layout = Some(Arc::new(l));
                }
                Err(e) => {
                    out.state = Some(LiveState::Failed(e.0));
                    return;
                }
            }
        }
        let Some(layout) = self.layout.clone() else { return };
        let lines = memchr::memchr_iter(b'\n', &data).count() as u64;
        let block = Block {
            source: self.source,
            seq: 0,
            first_line: self.next_line,
            skip_header: first_block && layout.has_header(),
            data,
            rows: Default::default(),
            ends_source: false,
            tail_is_pending: false,
            too_long: None,
            lines,
        };
        self.offset += block.data.len() as u64;
        self.next_line += lines;
        out.batches.push(parse_block(&block, &layout, times));
    }
}

impl Follow for FileFollow {
    fn source(&self) -> usize {
        self.source
    }

    fn poll(&mut self, times: &TimeReader) -> Polled {
        let mut out = Polled::default();
        if self.file.is_none() {
            // Gone (rotated away and not yet recreated): look for it again.
            if !self.reopen() {
                return out;
            }
            out.state = Some(LiveState::Following);
        }
        self.read_new(times, &mut out);
        // Rotated: the path now names another file (or none). The old one is finished
        // above; the new one is read from its start on the next poll.
        let now = std::fs::metadata(&self.path).map(|m| m.ino()).ok();
        if now != Some(self.inode) && out.batches.iter().all(|b| b.cols.is_empty()) {
            out.notes.push(match now {
                Some(_) => {
                    format!("{} was rotated: reading the new file from the start", self.path.display())
                }
                None => format!("{} was moved away: waiting for it to appear again", self.path.display()),
            });
            self.file = None;
            if now.is_some() && self.reopen() {
                self.read_new(times, &mut out);
            }
        }
        out
    }

    fn checkpoint(&self) -> Checkpoint {
        Checkpoint::File { path: self.path.clone(), inode: self.inode, offset: self.offset }
    }
}

impl FileFollow {
    /// Opens the file now under the path, to be read from its start.
    fn reopen(&mut self) -> bool {
        let Ok(f) = File::open(&self.path) else { return false };
        self.inode = f.metadata().map_or(0, |m| m.ino());
        self.file = Some(f);
        self.offset = 0;
        self.next_line = 1;
        self.head.clear();
        true
    }
}

/// How often a followed directory is listed for new files.
const DIR_SCAN_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

/// A followed directory: a CDR file that appears in it (the next hourly file) becomes a
/// source of its own and is followed from its start. The files found when it was first read
/// are followed by their own [`FileFollow`].
pub struct DirFollow {
    dir: PathBuf,
    known: std::collections::HashSet<PathBuf>,
    files: Vec<FileFollow>,
    next_source: Option<usize>,
    last_scan: Option<std::time::Instant>,
}

impl DirFollow {
    pub fn new(dir: &Path, known: impl IntoIterator<Item = PathBuf>) -> DirFollow {
        DirFollow {
            dir: dir.to_path_buf(),
            known: known.into_iter().collect(),
            files: Vec::new(),
            next_source: None,
            last_scan: None,
        }
    }

    /// CDR files in the directory now, as the first reading would find them.
    fn listed(&self, times: &TimeReader) -> Vec<PathBuf> {
        let spec = [crate::cdr::sources::spec::SourceSpec::Path(self.dir.clone())];
        let db = crate::cdr::sources::spec::DbAccess::default();
        match crate::cdr::sources::spec::discover(
            &spec,
            crate::cdr::sources::spec::Window::default(),
            &db,
            times,
        ) {
            Ok((inputs, _)) => inputs
                .into_iter()
                .filter_map(|i| i.source.growing_file().map(std::path::Path::to_path_buf))
                .collect(),
            Err(_) => Vec::new(),
        }
    }
}

impl Follow for DirFollow {
    fn source(&self) -> usize {
        self.files.last().map_or(0, |f| f.source)
    }

    fn poll(&mut self, times: &TimeReader) -> Polled {
        let mut out = Polled::default();
        for f in &mut self.files {
            let p = f.poll(times);
            out.batches.extend(p.batches);
            out.notes.extend(p.notes);
        }
        if self.last_scan.is_some_and(|t| t.elapsed() < DIR_SCAN_EVERY) {
            return out;
        }
        self.last_scan = Some(std::time::Instant::now());
        let Some(index) = self.next_source else { return out };
        // One new file a poll: each takes the store index the ingest thread offered.
        if let Some(path) = self.listed(times).into_iter().find(|p| !self.known.contains(p)) {
            self.known.insert(path.clone());
            self.next_source = None;
            out.new_sources.push((index, path.display().to_string(), None));
            out.notes.push(format!("new file {}: following it", path.display()));
            let mut f = FileFollow::new(index, &path, 0, 1, None);
            let p = f.poll(times);
            out.batches.extend(p.batches);
            self.files.push(f);
            // Look again at once: several files may have appeared.
            self.last_scan = None;
        }
        out
    }

    fn checkpoint(&self) -> Checkpoint {
        self.files.last().map_or(Checkpoint::Feed, |f| f.checkpoint())
    }

    fn wants_source(&mut self, index: usize) {
        self.next_source = Some(index);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn line(n: u32) -> String {
        let mut f = vec![String::new(); 60];
        f[2] = format!("8613{n:07}");
        f[3] = "4420".into();
        f[14] = "1700000000000".into();
        f[15] = "1700000030000".into();
        f[16] = "-9".into();
        f.join("|") + "\n"
    }

    #[test]
    fn appended_partial_truncated_and_rotated() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("cdr.txt");
        std::fs::write(&path, line(1)).expect("write");
        let times = TimeReader::new(crate::cdr::record::time::Zone::Local);
        let layout = detect(line(1).as_bytes()).ok().map(Arc::new);
        let len = std::fs::metadata(&path).expect("meta").len();
        let mut f = FileFollow::new(0, &path, len, 2, layout);
        let rows = |p: &Polled| p.batches.iter().map(|b| b.cols.len()).sum::<usize>();
        assert_eq!(rows(&f.poll(&times)), 0);
        let mut w = std::fs::OpenOptions::new().append(true).open(&path).expect("open");
        let two = line(2);
        w.write_all(&two.as_bytes()[..50]).expect("write");
        assert_eq!(rows(&f.poll(&times)), 0, "a partial line waits");
        w.write_all(&two.as_bytes()[50..]).expect("write");
        w.write_all(line(3).as_bytes()).expect("write");
        assert_eq!(rows(&f.poll(&times)), 2);
        // Truncated and rewritten: read again from the start.
        std::fs::write(&path, line(4)).expect("write");
        let p = f.poll(&times);
        assert_eq!(rows(&p), 1);
        assert!(p.notes.iter().any(|n| n.contains("truncated")), "{:?}", p.notes);
        // Rotated: the old file is renamed, a new one takes its name.
        std::fs::rename(&path, dir.path().join("cdr.txt.1")).expect("rename");
        std::fs::write(&path, line(5) + &line(6)).expect("write");
        let p = f.poll(&times);
        assert!(p.notes.iter().any(|n| n.contains("rotated")), "{:?}", p.notes);
        assert_eq!(rows(&p), 2);
        assert_eq!(rows(&f.poll(&times)), 0);
    }
}
