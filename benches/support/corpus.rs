//! The benchmark corpus: generated once, cached under target/bench-corpus.

use std::path::{Path, PathBuf};

use cdrscope::cdr::sources::demo::{Incidents, Spec, write};

/// Seven days of generated traffic with every incident planted on the last day.
pub fn corpus(rows: usize) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-corpus");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{rows}.txt"));
    if !path.exists() {
        eprintln!("generating {rows} rows into {} ...", path.display());
        let tmp = path.with_extension("part");
        let f = std::fs::File::create(&tmp).expect("create corpus");
        let mut w = std::io::BufWriter::new(f);
        write(Spec { rows, days: 7, seed: 42, with_pdd: true, incidents: Incidents::all() }, &mut w)
            .expect("write corpus");
        drop(w);
        std::fs::rename(&tmp, &path).expect("rename corpus");
    }
    path
}
