//! The keymap as data. Every action has a letter or a plain key (F-keys are never the only
//! way: many SSH clients eat them); vim and arrow keys both move. Help and footers are
//! generated from the keymap in force, and the config file's `[keys]` replaces an action's
//! keys by its name — in every context, text prompts and pickers included.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::config::KeySpec;

macro_rules! actions {
    ($($variant:ident => $name:literal),* $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $($variant),*
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            /// The name the config file uses (`snake_case`).
            pub fn name(self) -> &'static str {
                match self {
                    $(Action::$variant => $name),*
                }
            }
        }
    };
}

actions! {
    Quit => "quit",
    FilterPrompt => "filter_prompt",
    GatewayPicker => "gateway_picker",
    CodePicker => "code_picker",
    TimeMenu => "time_menu",
    ClearFilter => "clear_filter",
    NextView => "next_view",
    PrevView => "prev_view",
    Enter => "enter",
    Back => "back",
    LookupPalette => "lookup_palette",
    Sort => "sort",
    SortReverse => "sort_reverse",
    Export => "export",
    Help => "help",
    Up => "up",
    Down => "down",
    PageUp => "page_up",
    PageDown => "page_down",
    Top => "top",
    Bottom => "bottom",
    ToggleDetail => "toggle_detail",
    DetailUp => "detail_up",
    DetailDown => "detail_down",
    SwitchTable => "switch_table",
    ShowFindings => "show_findings",
    LoadReport => "load_report",
    PromptApply => "prompt_apply",
    PromptCancel => "prompt_cancel",
    HistoryPrev => "history_prev",
    HistoryNext => "history_next",
    DeleteBack => "delete_back",
    DeleteForward => "delete_forward",
    CursorLeft => "cursor_left",
    CursorRight => "cursor_right",
    LineStart => "line_start",
    LineEnd => "line_end",
    KillToStart => "kill_to_start",
    KillToEnd => "kill_to_end",
    DeleteWordBack => "delete_word_back",
    PickerToggle => "picker_toggle",
    PickerApply => "picker_apply",
    PickerCancel => "picker_cancel",
    PickerUp => "picker_up",
    PickerDown => "picker_down",
    MenuApply => "menu_apply",
    MenuCancel => "menu_cancel",
    MenuUp => "menu_up",
    MenuDown => "menu_down",
    PagerDown => "pager_down",
    PagerUp => "pager_up",
    PagerPageDown => "pager_page_down",
    PagerPageUp => "pager_page_up",
    PauseLive => "pause_live",
    NextLanguage => "next_language",
    Copy => "copy",
    CopyFilter => "copy_filter",
    ColumnLeft => "column_left",
    ColumnRight => "column_right",
    HideColumn => "hide_column",
    ResetColumns => "reset_columns",
    NarrowColumn => "narrow_column",
    WidenColumn => "widen_column",
    FilterToValue => "filter_to_value",
    FilterOutValue => "filter_out_value",
    Search => "search",
    SearchNext => "search_next",
    SearchPrev => "search_prev",
    CompleteWord => "complete",
    SaveFilter => "save_filter",
    SavedFilters => "saved_filters",
    WindowPrev => "window_prev",
    WindowNext => "window_next",
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// Everywhere outside text input and overlays.
    Global,
    Calls,
    Stats,
    /// A text prompt (filter, export, time, password): typed characters are text.
    Prompt,
    /// The gateway and code pickers: typed characters narrow the list.
    Picker,
    /// The time-window menu.
    Menu,
    /// The help screen and the load report: these keys scroll, any other closes.
    Pager,
}

impl Context {
    pub const ALL: [Context; 7] = [
        Context::Global,
        Context::Calls,
        Context::Stats,
        Context::Prompt,
        Context::Picker,
        Context::Menu,
        Context::Pager,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Context::Global => "Everywhere (except while typing text)",
            Context::Calls => "Calls view",
            Context::Stats => "Stats view",
            Context::Prompt => "Prompts (filter, export, time; typing edits the text)",
            Context::Picker => "Pickers (typing narrows the list)",
            Context::Menu => "Time menu",
            Context::Pager => "Help and load report (any other key closes)",
        }
    }

    /// Contexts where typed characters are text: only named keys and Ctrl- combinations
    /// may be bound there.
    fn types_text(self) -> bool {
        matches!(self, Context::Prompt | Context::Picker)
    }
}

/// A default binding.
pub struct Binding {
    pub keys: &'static [&'static str],
    pub action: Action,
    pub context: Context,
    pub help: &'static str,
}

/// Key names: a character as typed, or Up, Down, Left, Right, PageUp, PageDown, Home, End,
/// Enter, Esc, Tab, BackTab, Backspace, Delete, Space, Ctrl-X.
pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &["/"],
        action: Action::FilterPrompt,
        context: Context::Global,
        help: "filter (terms at the end of this help)",
    },
    Binding { keys: &["g"], action: Action::GatewayPicker, context: Context::Global, help: "pick gateways" },
    Binding {
        keys: &["c"],
        action: Action::CodePicker,
        context: Context::Global,
        help: "pick end-reason codes",
    },
    Binding { keys: &["t"], action: Action::TimeMenu, context: Context::Global, help: "time window" },
    Binding { keys: &["x"], action: Action::ClearFilter, context: Context::Global, help: "clear the filter" },
    Binding {
        keys: &["Tab"],
        action: Action::NextView,
        context: Context::Global,
        help: "next view (Calls, Stats, Lookup)",
    },
    Binding { keys: &["BackTab"], action: Action::PrevView, context: Context::Global, help: "previous view" },
    Binding {
        keys: &["l"],
        action: Action::LookupPalette,
        context: Context::Global,
        help: "look up a code, name or words",
    },
    Binding {
        keys: &["e"],
        action: Action::Export,
        context: Context::Global,
        help: "export what is shown to a file",
    },
    Binding { keys: &["?"], action: Action::Help, context: Context::Global, help: "this help" },
    Binding {
        keys: &["L"],
        action: Action::LoadReport,
        context: Context::Global,
        help: "load report: skipped files, warnings",
    },
    Binding { keys: &["q"], action: Action::Quit, context: Context::Global, help: "quit" },
    Binding {
        keys: &["p"],
        action: Action::PauseLive,
        context: Context::Global,
        help: "pause / resume the live display (reading goes on)",
    },
    Binding {
        keys: &["i"],
        action: Action::NextLanguage,
        context: Context::Global,
        help: "explanations in the next language: en, zh, es",
    },
    Binding {
        keys: &["y"],
        action: Action::Copy,
        context: Context::Global,
        help: "copy the selected call (or row) to your clipboard",
    },
    Binding { keys: &["Y"], action: Action::CopyFilter, context: Context::Global, help: "copy the filter" },
    Binding { keys: &["Esc"], action: Action::Back, context: Context::Global, help: "back / close" },
    Binding {
        keys: &["["],
        action: Action::WindowPrev,
        context: Context::Global,
        help: "the time window before (same length)",
    },
    Binding {
        keys: &["]"],
        action: Action::WindowNext,
        context: Context::Global,
        help: "the time window after (same length)",
    },
    Binding {
        keys: &["m"],
        action: Action::SaveFilter,
        context: Context::Global,
        help: "save the filter under a name (kept across runs)",
    },
    Binding {
        keys: &["'"],
        action: Action::SavedFilters,
        context: Context::Global,
        help: "saved filters and recent ones: pick one",
    },
    Binding { keys: &["j", "Down"], action: Action::Down, context: Context::Global, help: "down" },
    Binding { keys: &["k", "Up"], action: Action::Up, context: Context::Global, help: "up" },
    Binding {
        keys: &["PageDown", "f"],
        action: Action::PageDown,
        context: Context::Global,
        help: "page down",
    },
    Binding { keys: &["PageUp", "b"], action: Action::PageUp, context: Context::Global, help: "page up" },
    Binding { keys: &["Home", "<"], action: Action::Top, context: Context::Global, help: "first row" },
    Binding { keys: &["End", "G", ">"], action: Action::Bottom, context: Context::Global, help: "last row" },
    Binding { keys: &["Enter"], action: Action::Enter, context: Context::Global, help: "open / drill down" },
    Binding { keys: &["s"], action: Action::Sort, context: Context::Global, help: "sort by the next column" },
    Binding { keys: &["S"], action: Action::SortReverse, context: Context::Global, help: "reverse the sort" },
    Binding {
        keys: &["d"],
        action: Action::ToggleDetail,
        context: Context::Calls,
        help: "show / hide the explanation panel",
    },
    Binding {
        keys: &["J"],
        action: Action::DetailDown,
        context: Context::Calls,
        help: "scroll the panel down",
    },
    Binding { keys: &["K"], action: Action::DetailUp, context: Context::Calls, help: "scroll the panel up" },
    Binding {
        keys: &["Left", "h"],
        action: Action::ColumnLeft,
        context: Context::Calls,
        help: "column cursor left (scrolls sideways)",
    },
    Binding {
        keys: &["Right"],
        action: Action::ColumnRight,
        context: Context::Calls,
        help: "column cursor right (scrolls sideways)",
    },
    Binding {
        keys: &["H"],
        action: Action::HideColumn,
        context: Context::Calls,
        help: "hide the cursor's column",
    },
    Binding {
        keys: &["="],
        action: Action::ResetColumns,
        context: Context::Calls,
        help: "show every column at its own width",
    },
    Binding {
        keys: &["{"],
        action: Action::NarrowColumn,
        context: Context::Calls,
        help: "narrow the column",
    },
    Binding { keys: &["}"], action: Action::WidenColumn, context: Context::Calls, help: "widen the column" },
    Binding {
        keys: &["+"],
        action: Action::FilterToValue,
        context: Context::Calls,
        help: "filter to the selected call's value in the cursor's column",
    },
    Binding {
        keys: &["-"],
        action: Action::FilterOutValue,
        context: Context::Calls,
        help: "filter out the selected call's value in the cursor's column",
    },
    Binding {
        keys: &["*", "Ctrl-F"],
        action: Action::Search,
        context: Context::Calls,
        help: "search the shown calls (marks matches; not a filter)",
    },
    Binding { keys: &["n"], action: Action::SearchNext, context: Context::Calls, help: "next match" },
    Binding { keys: &["N"], action: Action::SearchPrev, context: Context::Calls, help: "previous match" },
    Binding {
        keys: &["v"],
        action: Action::SwitchTable,
        context: Context::Stats,
        help: "switch table: callee gw, caller gw, codes, findings",
    },
    Binding {
        keys: &["!"],
        action: Action::ShowFindings,
        context: Context::Global,
        help: "findings: what broke, where, since when",
    },
    Binding { keys: &["Enter"], action: Action::PromptApply, context: Context::Prompt, help: "apply" },
    Binding { keys: &["Esc"], action: Action::PromptCancel, context: Context::Prompt, help: "cancel" },
    Binding {
        keys: &["Up"],
        action: Action::HistoryPrev,
        context: Context::Prompt,
        help: "older filter from the history",
    },
    Binding {
        keys: &["Down"],
        action: Action::HistoryNext,
        context: Context::Prompt,
        help: "newer filter from the history",
    },
    Binding {
        keys: &["Backspace"],
        action: Action::DeleteBack,
        context: Context::Prompt,
        help: "delete the character before the cursor",
    },
    Binding {
        keys: &["Delete", "Ctrl-D"],
        action: Action::DeleteForward,
        context: Context::Prompt,
        help: "delete the character under the cursor",
    },
    Binding {
        keys: &["Left", "Ctrl-B"],
        action: Action::CursorLeft,
        context: Context::Prompt,
        help: "cursor left",
    },
    Binding {
        keys: &["Right", "Ctrl-F"],
        action: Action::CursorRight,
        context: Context::Prompt,
        help: "cursor right",
    },
    Binding {
        keys: &["Home", "Ctrl-A"],
        action: Action::LineStart,
        context: Context::Prompt,
        help: "to the start of the line",
    },
    Binding {
        keys: &["End", "Ctrl-E"],
        action: Action::LineEnd,
        context: Context::Prompt,
        help: "to the end",
    },
    Binding {
        keys: &["Ctrl-U"],
        action: Action::KillToStart,
        context: Context::Prompt,
        help: "delete to the start",
    },
    Binding {
        keys: &["Ctrl-K"],
        action: Action::KillToEnd,
        context: Context::Prompt,
        help: "delete to the end",
    },
    Binding {
        keys: &["Tab"],
        action: Action::CompleteWord,
        context: Context::Prompt,
        help: "complete a field name, gateway or code (again: the next one)",
    },
    Binding {
        keys: &["Ctrl-W"],
        action: Action::DeleteWordBack,
        context: Context::Prompt,
        help: "delete the word before the cursor",
    },
    Binding {
        keys: &["Space"],
        action: Action::PickerToggle,
        context: Context::Picker,
        help: "pick / unpick",
    },
    Binding {
        keys: &["Enter"],
        action: Action::PickerApply,
        context: Context::Picker,
        help: "apply (the picked ones, else the selected one)",
    },
    Binding { keys: &["Esc"], action: Action::PickerCancel, context: Context::Picker, help: "cancel" },
    Binding { keys: &["Up"], action: Action::PickerUp, context: Context::Picker, help: "up" },
    Binding { keys: &["Down"], action: Action::PickerDown, context: Context::Picker, help: "down" },
    Binding { keys: &["Enter"], action: Action::MenuApply, context: Context::Menu, help: "apply" },
    Binding { keys: &["Esc"], action: Action::MenuCancel, context: Context::Menu, help: "cancel" },
    Binding { keys: &["k", "Up"], action: Action::MenuUp, context: Context::Menu, help: "up" },
    Binding { keys: &["j", "Down"], action: Action::MenuDown, context: Context::Menu, help: "down" },
    Binding { keys: &["j", "Down"], action: Action::PagerDown, context: Context::Pager, help: "scroll down" },
    Binding { keys: &["k", "Up"], action: Action::PagerUp, context: Context::Pager, help: "scroll up" },
    Binding {
        keys: &["PageDown", "f"],
        action: Action::PagerPageDown,
        context: Context::Pager,
        help: "page down",
    },
    Binding { keys: &["PageUp", "b"], action: Action::PagerPageUp, context: Context::Pager, help: "page up" },
];

/// A binding in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    pub keys: Vec<String>,
    pub action: Action,
    pub context: Context,
    pub help: &'static str,
}

/// The keys in force: the defaults, with the config file's overrides applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    pub bindings: Vec<Bound>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap {
            bindings: BINDINGS
                .iter()
                .map(|b| Bound {
                    keys: b.keys.iter().map(|k| k.to_string()).collect(),
                    action: b.action,
                    context: b.context,
                    help: b.help,
                })
                .collect(),
        }
    }
}

impl Keymap {
    /// The defaults with `[keys]` applied: each named action gets exactly the keys given.
    /// Errors name the action: an unknown action, a key that is no key, a printable key in a
    /// context where typing is text, or a key that would then mean two things in one context.
    pub fn with_overrides(keys: &BTreeMap<String, KeySpec>) -> Result<Keymap, (String, String)> {
        let mut map = Keymap::default();
        for (name, spec) in keys {
            let Some(action) = Action::ALL.iter().copied().find(|a| a.name() == name) else {
                return Err((
                    name.clone(),
                    format!("no action named '{name}': `cdrscope config --keys` lists them"),
                ));
            };
            let wanted = spec.keys();
            if wanted.is_empty() {
                return Err((name.clone(), format!("{name}: give at least one key")));
            }
            for k in &wanted {
                let canonical = canonical_key(k).ok_or_else(|| {
                    (
                        name.clone(),
                        format!(
                            "'{k}' is not a key: a character, Up, Down, Left, Right, PageUp, PageDown, Home, End, Enter, Esc, Tab, BackTab, Backspace, Delete, Space or Ctrl-X"
                        ),
                    )
                })?;
                if canonical != *k {
                    return Err((name.clone(), format!("write '{k}' as '{canonical}'")));
                }
            }
            for b in map.bindings.iter_mut().filter(|b| b.action == action) {
                if b.context.types_text() && wanted.iter().any(|k| k.chars().count() == 1) {
                    return Err((
                        name.clone(),
                        format!(
                            "{name} is used while typing text: bind a named key or Ctrl-X, not a character"
                        ),
                    ));
                }
                b.keys = wanted.clone();
            }
        }
        // One key, one meaning per context; a view's keys and the global ones are one space
        // (a view's binding would silently hide a global one on the same key).
        for ctx in Context::ALL {
            let mut seen: BTreeMap<&str, Action> = BTreeMap::new();
            let shares_global = matches!(ctx, Context::Calls | Context::Stats);
            for b in map
                .bindings
                .iter()
                .filter(|b| b.context == ctx || (shares_global && b.context == Context::Global))
            {
                for k in &b.keys {
                    if let Some(other) = seen.insert(k.as_str(), b.action)
                        && other != b.action
                    {
                        return Err((
                            b.action.name().to_string(),
                            format!(
                                "'{k}' would mean both {} and {} ({})",
                                other.name(),
                                b.action.name(),
                                ctx.title()
                            ),
                        ));
                    }
                }
            }
        }
        Ok(map)
    }

    /// The action for a key in a context: the context's own bindings first, then (outside
    /// prompts, pickers, menus and pagers) the global ones. Ctrl-C always quits.
    pub fn action_for(&self, k: &KeyEvent, ctx: Context) -> Option<Action> {
        if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') {
            return Some(Action::Quit);
        }
        let name = key_name(k)?;
        let find = |c: Context| {
            self.bindings.iter().filter(|b| b.context == c).find(|b| b.keys.contains(&name)).map(|b| b.action)
        };
        match ctx {
            Context::Global | Context::Calls | Context::Stats => find(ctx).or_else(|| find(Context::Global)),
            _ => find(ctx),
        }
    }

    /// The first key of an action, for footers.
    pub fn keys_of(&self, a: Action) -> &str {
        self.bindings.iter().find(|b| b.action == a).and_then(|b| b.keys.first()).map_or("", String::as_str)
    }

    pub fn in_context(&self, ctx: Context) -> impl Iterator<Item = &Bound> {
        self.bindings.iter().filter(move |b| b.context == ctx)
    }
}

/// The name a key event has in the keymap.
pub fn key_name(k: &KeyEvent) -> Option<String> {
    let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
    Some(match k.code {
        KeyCode::Char(c) if ctrl => format!("Ctrl-{}", c.to_ascii_uppercase()),
        KeyCode::Char(' ') => "Space".into(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Up => "Up".into(),
        KeyCode::Down => "Down".into(),
        KeyCode::Left => "Left".into(),
        KeyCode::Right => "Right".into(),
        KeyCode::PageUp => "PageUp".into(),
        KeyCode::PageDown => "PageDown".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "BackTab".into(),
        KeyCode::Backspace => "Backspace".into(),
        KeyCode::Delete => "Delete".into(),
        _ => return None,
    })
}

const NAMED: [&str; 16] = [
    "Up",
    "Down",
    "Left",
    "Right",
    "PageUp",
    "PageDown",
    "Home",
    "End",
    "Enter",
    "Esc",
    "Tab",
    "BackTab",
    "Backspace",
    "Delete",
    "Space",
    "Ctrl-C",
];

/// The keymap's spelling of a key name as a user may write it, or `None` when it is no key.
fn canonical_key(k: &str) -> Option<String> {
    if k.chars().count() == 1 && !k.chars().any(char::is_control) {
        return Some(if k == " " { "Space".into() } else { k.to_string() });
    }
    if let Some(n) = NAMED.iter().find(|n| n.eq_ignore_ascii_case(k)) {
        return Some((*n).to_string());
    }
    let rest = k.get(..5).filter(|p| p.eq_ignore_ascii_case("ctrl-")).map(|_| &k[5..])?;
    let mut cs = rest.chars();
    match (cs.next(), cs.next()) {
        (Some(c), None) if c.is_ascii_alphabetic() => Some(format!("Ctrl-{}", c.to_ascii_uppercase())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn every_action_has_a_letter_or_plain_key() {
        let m = Keymap::default();
        for b in &m.bindings {
            assert!(
                b.keys.iter().any(|k| !(k.len() > 1
                    && k.starts_with('F')
                    && k[1..].bytes().all(|c| c.is_ascii_digit()))),
                "{:?} needs a key that is not an F-key",
                b.action
            );
        }
        for a in Action::ALL {
            assert!(m.bindings.iter().any(|b| b.action == *a), "{} has no binding", a.name());
        }
        assert_eq!(m.action_for(&key(KeyCode::Char('/')), Context::Calls), Some(Action::FilterPrompt));
        assert_eq!(m.action_for(&key(KeyCode::Char('d')), Context::Stats), None);
        assert_eq!(m.action_for(&key(KeyCode::Char('d')), Context::Calls), Some(Action::ToggleDetail));
        // Prompts see only their own keys: 'q' is text there.
        assert_eq!(m.action_for(&key(KeyCode::Char('q')), Context::Prompt), None);
        assert_eq!(m.action_for(&key(KeyCode::Enter), Context::Prompt), Some(Action::PromptApply));
        assert_eq!(m.action_for(&key(KeyCode::Char(' ')), Context::Picker), Some(Action::PickerToggle));
        let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(m.action_for(&ctrl_c, Context::Prompt), Some(Action::Quit));
    }

    #[test]
    fn overrides() {
        let mut o = BTreeMap::new();
        o.insert("filter_prompt".to_string(), KeySpec::Many(vec!["/".into(), "P".into()]));
        o.insert("prompt_apply".to_string(), KeySpec::One("Ctrl-J".into()));
        let m = Keymap::with_overrides(&o).expect("valid");
        assert_eq!(m.action_for(&key(KeyCode::Char('P')), Context::Calls), Some(Action::FilterPrompt));
        let ctrl_j = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL);
        assert_eq!(m.action_for(&ctrl_j, Context::Prompt), Some(Action::PromptApply));
        assert_eq!(m.action_for(&key(KeyCode::Enter), Context::Prompt), None);
        assert_eq!(m.keys_of(Action::PromptApply), "Ctrl-J");

        let bad = |k: &str, v: &str| {
            let mut o = BTreeMap::new();
            o.insert(k.to_string(), KeySpec::One(v.into()));
            Keymap::with_overrides(&o).expect_err("bad").1
        };
        assert!(bad("filter_promt", "/").contains("no action named"));
        assert!(bad("quit", "Ctrl-Q-Z").contains("not a key"));
        assert!(bad("prompt_apply", "a").contains("typing text"));
        assert!(bad("quit", "g").contains("would mean both"));
        // A global action on a key a view uses is refused too, not hidden by the view.
        assert!(bad("filter_prompt", "d").contains("would mean both"), "{}", bad("filter_prompt", "d"));
        assert!(bad("quit", "enter").contains("write 'enter' as 'Enter'"));
    }
}
