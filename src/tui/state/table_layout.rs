//! The calls table's columns: which are shown, how wide, which one the column cursor is on,
//! and how they share the screen. Widths come from the values on screen. When they do not
//! all fit, the columns an operator needs least in an incident give way first (numbers
//! before gateways, everything before the end reason and the time), down to a floor; past
//! that, columns leave at the right and are reached by scrolling sideways. A value cut to
//! fit always ends in `…` (see [`crate::text::fit`]).

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Col {
    Time,
    Caller,
    Callee,
    InGw,
    OutGw,
    Dur,
    Pdd,
    Reason,
    Hangup,
}

impl Col {
    pub const ALL: [Col; 9] = [
        Col::Time,
        Col::Caller,
        Col::Callee,
        Col::InGw,
        Col::OutGw,
        Col::Dur,
        Col::Pdd,
        Col::Reason,
        Col::Hangup,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Col::Time => "Time",
            Col::Caller => "Caller",
            Col::Callee => "Callee",
            Col::InGw => "In GW",
            Col::OutGw => "Out GW",
            Col::Dur => "Dur",
            Col::Pdd => "PDD",
            Col::Reason => "End reason",
            Col::Hangup => "Hangup",
        }
    }

    fn index(self) -> usize {
        Col::ALL.iter().position(|c| *c == self).unwrap_or(0)
    }

    /// Higher keeps its width longer when space is short.
    fn priority(self) -> u8 {
        match self {
            Col::Time => 10,
            Col::Reason => 9,
            Col::OutGw => 8,
            Col::InGw => 7,
            Col::Dur => 6,
            Col::Pdd | Col::Hangup => 5,
            Col::Callee => 4,
            Col::Caller => 3,
        }
    }

    /// How narrow fitting may squeeze it (the operator may narrow further). The time and the
    /// short figures are never squeezed: a time without its minutes is no time, and a cut
    /// duration reads as another duration.
    fn floor(self, want: u16) -> u16 {
        let f = match self {
            Col::Time | Col::Dur | Col::Pdd => want,
            Col::Caller | Col::Callee => 7,
            Col::InGw | Col::OutGw => 10,
            Col::Reason => 12,
            Col::Hangup => 1,
        };
        f.min(want)
    }

    pub fn right_aligned(self) -> bool {
        matches!(self, Col::Dur | Col::Pdd)
    }
}

/// A column on screen and its width.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    pub col: Col,
    pub width: u16,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Fitted {
    pub placed: Vec<Placed>,
    /// Columns scrolled off at the left (after the time, which stays).
    pub more_left: bool,
    /// Columns that did not fit at the right.
    pub more_right: bool,
}

/// Gap between columns.
pub const SPACING: u16 = 1;
/// Widest a column grows from its content alone (a few long values do not take the screen).
const NATURAL_MAX: u16 = 32;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    hidden: [bool; 9],
    /// The operator's widening (+) or narrowing (-) of each column, in cells.
    adjust: [i16; 9],
    /// The column the cursor is on (filtering from a cell, hiding, widening act on it).
    pub cursor: Col,
    /// Index into the scrollable columns (all shown but a leading time) of the first drawn.
    scroll: usize,
}

impl Default for Columns {
    fn default() -> Self {
        Columns { hidden: [false; 9], adjust: [0; 9], cursor: Col::Reason, scroll: 0 }
    }
}

impl Columns {
    pub fn visible(&self) -> Vec<Col> {
        Col::ALL.iter().copied().filter(|c| !self.hidden[c.index()]).collect()
    }

    pub fn hidden_count(&self) -> usize {
        self.hidden.iter().filter(|h| **h).count()
    }

    /// Moves the cursor to the next shown column left (`-1`) or right (`+1`).
    pub fn move_cursor(&mut self, delta: i32) {
        let vis = self.visible();
        let Some(at) = vis.iter().position(|c| *c == self.cursor) else {
            self.cursor = vis.first().copied().unwrap_or(Col::Time);
            return;
        };
        let next = if delta < 0 { at.saturating_sub(1) } else { (at + 1).min(vis.len().saturating_sub(1)) };
        self.cursor = vis[next];
    }

    /// Hides the cursor's column (never the last one shown). Returns what was hidden.
    pub fn hide(&mut self) -> Option<Col> {
        if self.visible().len() <= 1 {
            return None;
        }
        let col = self.cursor;
        self.hidden[col.index()] = true;
        let vis = self.visible();
        // The cursor goes to the column that took its place (or the one before, at the end).
        self.cursor =
            vis.iter().copied().find(|c| *c > col).or_else(|| vis.last().copied()).unwrap_or(Col::Time);
        Some(col)
    }

    /// Shows every column again at its natural width.
    pub fn reset(&mut self) {
        *self = Columns { cursor: self.cursor, ..Columns::default() };
    }

    /// Widens (positive) or narrows (negative) the cursor's column.
    pub fn adjust(&mut self, delta: i16) {
        let a = &mut self.adjust[self.cursor.index()];
        *a = a.saturating_add(delta).clamp(-60, 120);
    }

    /// The width the shown columns want from their content (and the operator's widening).
    pub fn wanted(&self, natural: &dyn Fn(Col) -> u16) -> u16 {
        let vis = self.visible();
        let sum: u32 = vis.iter().map(|&c| u32::from(self.want(natural, c))).sum();
        let gaps = u32::from(SPACING) * (vis.len().saturating_sub(1) as u32);
        u16::try_from(sum + gaps).unwrap_or(u16::MAX)
    }

    fn want(&self, natural: &dyn Fn(Col) -> u16, c: Col) -> u16 {
        want_of(natural, &self.adjust, c)
    }

    /// Places the shown columns in `avail` cells. `natural` gives a column's width from its
    /// content (header included). The cursor's column is always among those placed: the view
    /// scrolls sideways to it.
    pub fn fit(&mut self, natural: &dyn Fn(Col) -> u16, avail: u16) -> Fitted {
        let vis = self.visible();
        let adjust = self.adjust;
        let want = move |c: Col| -> u16 { want_of(natural, &adjust, c) };
        // A widened column is not squeezed back; a narrowed one goes as narrow as asked.
        let floor = |c: Col| -> u16 { if self.adjust[c.index()] > 0 { want(c) } else { c.floor(want(c)) } };
        let pinned: Vec<Col> = vis.iter().copied().take_while(|c| *c == Col::Time).collect();
        let rest: Vec<Col> = vis.iter().copied().skip(pinned.len()).collect();
        if let Some(at) = rest.iter().position(|c| *c == self.cursor) {
            self.scroll = self.scroll.min(at);
        }
        self.scroll = self.scroll.min(rest.len().saturating_sub(1));
        let place = |scroll: usize| -> (Vec<Placed>, bool, usize) {
            let cols: Vec<Col> = pinned.iter().chain(rest.iter().skip(scroll)).copied().collect();
            let placed = squeeze(&cols, &want, &floor, avail);
            let has_cursor = placed.iter().any(|p| p.col == self.cursor) || !rest.contains(&self.cursor);
            (placed, has_cursor, cols.len())
        };
        // Scrolled no further than the cursor needs: after a resize, columns come back.
        while self.scroll > 0 && place(self.scroll - 1).1 {
            self.scroll -= 1;
        }
        loop {
            let (placed, has_cursor, n) = place(self.scroll);
            if has_cursor || self.scroll + 1 >= rest.len() {
                let more_right = placed.len() < n;
                return Fitted { placed, more_left: self.scroll > 0, more_right };
            }
            self.scroll += 1;
        }
    }
}

/// A column's width from its content and the operator's adjustment.
fn want_of(natural: &dyn Fn(Col) -> u16, adjust: &[i16; 9], c: Col) -> u16 {
    let n = i32::from(natural(c).min(NATURAL_MAX));
    (n + i32::from(adjust[c.index()])).clamp(1, 200) as u16
}

/// Gives each column its wanted width, squeezes the least needed down to their floors while
/// the total is too wide, then leaves out columns at the right until the rest fit.
fn squeeze(cols: &[Col], want: &dyn Fn(Col) -> u16, floor: &dyn Fn(Col) -> u16, avail: u16) -> Vec<Placed> {
    let mut placed: Vec<Placed> = cols.iter().map(|&c| Placed { col: c, width: want(c) }).collect();
    let total = |p: &[Placed]| -> u32 {
        p.iter().map(|x| u32::from(x.width)).sum::<u32>()
            + u32::from(SPACING) * (p.len().saturating_sub(1) as u32)
    };
    let mut by_need: Vec<usize> = (0..placed.len()).collect();
    by_need.sort_by_key(|&i| (placed[i].col.priority(), std::cmp::Reverse(i)));
    for i in by_need {
        let over = total(&placed).saturating_sub(u32::from(avail));
        if over == 0 {
            break;
        }
        let room = placed[i].width.saturating_sub(floor(placed[i].col));
        let cut = u16::try_from(over).unwrap_or(u16::MAX).min(room);
        placed[i].width -= cut;
    }
    // Who hung up is a word or one letter; cells between are wasted.
    for p in placed.iter_mut().filter(|p| p.col == Col::Hangup && p.width < want(Col::Hangup)) {
        p.width = 1;
    }
    while placed.len() > 1 && total(&placed) > u32::from(avail) {
        placed.pop();
    }
    // Room left over goes back to the squeezed columns, the most needed first.
    let mut order: Vec<usize> = (0..placed.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(placed[i].col.priority()), i));
    for i in order {
        let spare = u32::from(avail).saturating_sub(total(&placed));
        if spare == 0 {
            break;
        }
        if placed[i].col == Col::Hangup {
            continue;
        }
        let short = want(placed[i].col).saturating_sub(placed[i].width);
        placed[i].width += u16::try_from(spare).unwrap_or(u16::MAX).min(short);
    }
    // A single column wider than the screen is cut to it.
    if let Some(p) = placed.first_mut() {
        p.width = p.width.min(avail.max(1));
    }
    placed
}

#[cfg(test)]
mod tests {
    use super::*;

    fn natural(c: Col) -> u16 {
        match c {
            Col::Time => 14,
            Col::Caller | Col::Callee => 13,
            Col::InGw | Col::OutGw => 13,
            Col::Dur => 5,
            Col::Pdd => 4,
            Col::Reason => 24,
            Col::Hangup => 6,
        }
    }

    fn widths(f: &Fitted) -> Vec<(Col, u16)> {
        f.placed.iter().map(|p| (p.col, p.width)).collect()
    }

    #[test]
    fn everything_fits_on_a_wide_screen() {
        let mut c = Columns::default();
        let f = c.fit(&natural, 200);
        assert_eq!(f.placed.len(), 9);
        assert!(f.placed.iter().all(|p| p.width == natural(p.col)));
        assert!(!f.more_left && !f.more_right);
    }

    #[test]
    fn numbers_give_way_before_gateways_and_the_time_never() {
        let mut c = Columns::default();
        let f = c.fit(&natural, 100);
        let w = widths(&f);
        assert_eq!(w[0], (Col::Time, 14));
        let of = |col: Col| w.iter().find(|x| x.0 == col).map(|x| x.1);
        assert_eq!(of(Col::Caller), Some(7));
        assert_eq!(of(Col::Reason), Some(24));
        assert_eq!(of(Col::OutGw), Some(13), "{w:?}");
        let used: u32 = w.iter().map(|x| u32::from(x.1)).sum::<u32>() + (w.len() as u32 - 1);
        assert!(used <= 100);
    }

    #[test]
    fn narrow_screens_scroll_sideways_to_the_cursor() {
        let mut c = Columns { cursor: Col::Hangup, ..Columns::default() };
        let f = c.fit(&natural, 60);
        assert_eq!(f.placed[0].col, Col::Time, "the time stays");
        assert!(f.placed.iter().any(|p| p.col == Col::Hangup));
        assert!(f.more_left);
        c.cursor = Col::Caller;
        let f = c.fit(&natural, 60);
        assert!(!f.more_left && f.more_right);
        assert_eq!(f.placed[1].col, Col::Caller);
    }

    #[test]
    fn hide_widen_narrow_and_reset() {
        let mut c = Columns { cursor: Col::Caller, ..Columns::default() };
        assert_eq!(c.hide(), Some(Col::Caller));
        assert_eq!(c.cursor, Col::Callee);
        assert!(!c.fit(&natural, 200).placed.iter().any(|p| p.col == Col::Caller));
        c.adjust(6);
        let f = c.fit(&natural, 200);
        assert_eq!(f.placed.iter().find(|p| p.col == Col::Callee).map(|p| p.width), Some(19));
        // Widened, it keeps its width when space runs short; others give way.
        let f = c.fit(&natural, 90);
        assert_eq!(f.placed.iter().find(|p| p.col == Col::Callee).map(|p| p.width), Some(19));
        c.adjust(-16);
        let f = c.fit(&natural, 200);
        assert_eq!(f.placed.iter().find(|p| p.col == Col::Callee).map(|p| p.width), Some(3));
        c.reset();
        assert_eq!(c.hidden_count(), 0);
        assert_eq!(c.fit(&natural, 200).placed.len(), 9);
        // The last column shown cannot be hidden.
        for _ in 0..9 {
            c.hide();
        }
        assert_eq!(c.visible().len(), 1);
    }
}
