//! The keymap as data. Every action has a letter (F-keys are never the only way: many SSH
//! clients eat them); vim and arrow keys both move. Help is generated from this table, so it
//! cannot drift from what the keys do.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Quit,
    FilterPrompt,
    GatewayPicker,
    CodePicker,
    TimeMenu,
    ClearFilter,
    NextView,
    PrevView,
    Enter,
    Back,
    LookupPalette,
    Sort,
    SortReverse,
    Export,
    Help,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    ToggleDetail,
    DetailUp,
    DetailDown,
    SwitchTable,
    LoadReport,
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// Everywhere outside text input.
    Global,
    Calls,
    Stats,
}

pub struct Binding {
    pub keys: &'static [&'static str],
    pub action: Action,
    pub context: Context,
    pub help: &'static str,
}

/// Key names: a letter or symbol as typed, or Up, Down, PageUp, PageDown, Home, End, Enter,
/// Esc, Tab, BackTab.
pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &["/"],
        action: Action::FilterPrompt,
        context: Context::Global,
        help: "filter (gw: code: since: caller: ... see README)",
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
    Binding { keys: &["Esc"], action: Action::Back, context: Context::Global, help: "back / close" },
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
        keys: &["v"],
        action: Action::SwitchTable,
        context: Context::Stats,
        help: "switch table: callee gw, caller gw, codes",
    },
];

/// The name a key event has in [`BINDINGS`].
pub fn key_name(k: &KeyEvent) -> Option<String> {
    Some(match k.code {
        KeyCode::Char(_) if k.modifiers.contains(KeyModifiers::CONTROL) => return None,
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Up => "Up".into(),
        KeyCode::Down => "Down".into(),
        KeyCode::PageUp => "PageUp".into(),
        KeyCode::PageDown => "PageDown".into(),
        KeyCode::Home => "Home".into(),
        KeyCode::End => "End".into(),
        KeyCode::Enter => "Enter".into(),
        KeyCode::Esc => "Esc".into(),
        KeyCode::Tab => "Tab".into(),
        KeyCode::BackTab => "BackTab".into(),
        _ => return None,
    })
}

/// The action for a key in a context (the context's own bindings first).
pub fn action_for(k: &KeyEvent, ctx: Context) -> Option<Action> {
    if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') {
        return Some(Action::Quit);
    }
    let name = key_name(k)?;
    BINDINGS
        .iter()
        .filter(|b| b.context == ctx || b.context == Context::Global)
        .find(|b| b.keys.contains(&name.as_str()))
        .map(|b| b.action)
}

/// The keys of an action, for the footer.
pub fn keys_of(a: Action) -> &'static str {
    BINDINGS.iter().find(|b| b.action == a).and_then(|b| b.keys.first().copied()).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_a_letter_or_plain_key() {
        for b in BINDINGS {
            assert!(
                b.keys.iter().any(|k| !k.starts_with('F')),
                "{:?} needs a key that is not an F-key",
                b.action
            );
        }
        let k = KeyEvent::new(KeyCode::Char('/'), KeyModifiers::NONE);
        assert_eq!(action_for(&k, Context::Calls), Some(Action::FilterPrompt));
        let k = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::NONE);
        assert_eq!(action_for(&k, Context::Stats), None);
        assert_eq!(action_for(&k, Context::Calls), Some(Action::ToggleDetail));
    }
}
