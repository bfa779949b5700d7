//! The whole record of the explained call, fetched from its database on demand: the store
//! keeps only the columns cdrscope reads (a VOS3000 table has about 70), so the detail panel
//! asks the table for the rest of the one call on screen, by its `flowno`.

use crate::tui::state::app::{App, View};
use crate::tui::worker::Request;

impl App {
    /// Asks for the whole record when the explained call came from a database and is not the
    /// one asked for last (called once per turn of the event loop).
    pub fn want_whole_record(&mut self) {
        let shown = if self.wide { self.detail } else { self.popup };
        if !shown || self.view != View::Calls {
            return;
        }
        let Some(&row) = self.rows.get(self.selected) else { return };
        let Some(store) = self.shown.as_ref() else { return };
        let i = row as usize;
        let Some(flowno) = store.cols.flowno_of(i) else { return };
        let Some((url, table)) = store.source_of(i).and_then(|s| s.db.clone()) else { return };
        if self.whole_record.as_ref().is_some_and(|(f, _)| *f == flowno) {
            return;
        }
        self.whole_record = Some((flowno, None));
        self.outbox.push(Request::Record { url, table, flowno });
    }
}
