//! Colours: the 16 basic terminal colours only (safe over any SSH client and tmux), none at
//! all when NO_COLOR is set. No colour queries are ever sent to the terminal.

use ratatui::style::{Color, Modifier, Style};

use crate::kb::Severity;

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub fn from_env() -> Theme {
        Theme { color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) }
    }

    fn fg(self, c: Color) -> Style {
        if self.color { Style::default().fg(c) } else { Style::default() }
    }

    pub fn severity(self, s: Severity) -> Style {
        match s {
            Severity::Info => self.fg(Color::Green),
            Severity::Low => self.fg(Color::Cyan),
            Severity::Medium => self.fg(Color::Yellow),
            Severity::High => self.fg(Color::LightRed),
            Severity::Critical => self.fg(Color::Red).add_modifier(Modifier::BOLD),
        }
    }

    pub fn verdict(self, v: crate::stats::health::Verdict) -> Style {
        use crate::stats::health::Verdict;
        match v {
            Verdict::Healthy => self.fg(Color::Green),
            Verdict::Warning => self.fg(Color::Yellow),
            Verdict::Degraded => self.fg(Color::LightRed).add_modifier(Modifier::BOLD),
        }
    }

    pub fn title(self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    pub fn dim(self) -> Style {
        if self.color { Style::default().fg(Color::DarkGray) } else { Style::default() }
    }

    pub fn key(self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn error(self) -> Style {
        self.fg(Color::LightRed).add_modifier(Modifier::BOLD)
    }

    /// The highlighted row: reverse video works with or without colours.
    pub fn selected(self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    /// The character under a prompt's cursor.
    pub fn cursor(self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    /// The column the cursor is on: its header, and its cell in the selected row (which is
    /// shown un-reversed inside the reversed row).
    pub fn column_cursor(self) -> Style {
        Style::default().add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
    }

    /// A search match (`n`/`N`): marked with or without colours.
    pub fn search_match(self) -> Style {
        if self.color {
            Style::default().fg(Color::Black).bg(Color::Yellow)
        } else {
            Style::default().add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
        }
    }

    pub fn bar(self) -> Style {
        self.fg(Color::Blue)
    }

    pub fn bar_alt(self) -> Style {
        self.fg(Color::LightRed)
    }
}
