//! The keymap: the default table (`table.rs`, data) with the config file's overrides. Every action has a letter or a plain key (F-keys are never the only
//! way: many SSH clients eat them); vim and arrow keys both move. Help and footers are
//! generated from the keymap in force, and the config file's `[keys]` replaces an action's
//! keys by its name — in every context, text prompts and pickers included.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub mod action;
pub mod table;

use serde::Deserialize;

pub use action::{Action, Binding, Context};
pub use table::BINDINGS;

/// A key, or several, for one action (`filter_prompt = "/"` or `["/", "F"]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum KeySpec {
    One(String),
    Many(Vec<String>),
}

impl KeySpec {
    pub fn keys(&self) -> Vec<String> {
        match self {
            KeySpec::One(k) => vec![k.clone()],
            KeySpec::Many(v) => v.clone(),
        }
    }
}

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
