//! What each key's action does to the console's state (outside prompts, pickers and pagers,
//! which `prompt_keys`, `picker_keys` and `app` handle): the one place an action is carried out.

use std::sync::Arc;

use crate::keys::Action;
use crate::tui::state::app::{App, Overlay, PickerKind, Prompt, PromptKind, StatsTable, View};

impl App {
    pub fn act(&mut self, a: Action) {
        self.status = None;
        match a {
            Action::Quit => self.quit = true,
            Action::FilterPrompt => {
                self.overlay = Some(Overlay::Prompt(Prompt::new(PromptKind::Filter, &self.filter)))
            }
            Action::GatewayPicker => self.open_picker(PickerKind::Gateway),
            Action::CodePicker => self.open_picker(PickerKind::Code),
            // Opens on the window in force.
            Action::TimeMenu => {
                self.overlay = Some(Overlay::TimeMenu(crate::tui::state::window::active(&self.filter)))
            }
            Action::ClearFilter => {
                self.filter.clear();
                self.requery();
            }
            Action::NextView | Action::PrevView => {
                let order = View::ALL;
                let i = order.iter().position(|v| *v == self.view).unwrap_or(0);
                let step = if a == Action::NextView { 1 } else { order.len() - 1 };
                self.show_view(order[(i + step) % order.len()]);
            }
            Action::Enter => match self.view {
                View::Calls => {
                    if self.wide {
                        self.detail = true;
                    } else {
                        self.popup = true;
                    }
                }
                View::Stats if self.stats_table == StatsTable::Findings => self.drill_into_finding(),
                View::Stats => {
                    if let Some((label, value)) = self.stats_rows().get(self.stats_selected).cloned() {
                        let key = match self.stats_table {
                            StatsTable::Now if label == "caller" => "ingw",
                            StatsTable::CalleeGateways | StatsTable::Matrix | StatsTable::Now => "outgw",
                            StatsTable::CallerGateways => "ingw",
                            StatsTable::Codes | StatsTable::Findings => "code",
                        };
                        // The "(none)" row: calls with no gateway on that side.
                        let value =
                            if value.is_empty() && key != "code" { "none".to_string() } else { value };
                        self.push_back();
                        self.set_term(key, &[value]);
                        self.view = View::Calls;
                        self.selected = 0;
                        self.say_drilled("the row's calls");
                    }
                }
                View::Lookup => {
                    self.calls_of_entry();
                }
            },
            Action::Back => {
                if self.view != View::Calls {
                    self.view = View::Calls;
                } else if self.popup {
                    self.popup = false;
                } else if self.go_back() {
                    // Back to where the last drill started.
                } else if self.detail {
                    self.detail = false;
                }
            }
            Action::LookupPalette => {
                self.lookup.cursor = self.lookup.input.len();
                self.refresh_lookup();
                self.overlay = Some(Overlay::Lookup);
            }
            Action::Sort => match self.view {
                View::Calls => {
                    self.sort.key = self.sort.key.next();
                    self.status = Some((format!("sorted by {}", self.sort.key.label()), false));
                    self.requery();
                }
                View::Stats => self.sort_stats(),
                View::Lookup => {}
            },
            // In Stats it reverses the table shown, not the calls' order behind it.
            Action::SortReverse if self.view == View::Stats => {
                if let Some(s) = &self.summary {
                    let mut s = (**s).clone();
                    match self.stats_table {
                        StatsTable::CalleeGateways | StatsTable::Matrix => s.by_callee_gateway.reverse(),
                        StatsTable::CallerGateways => s.by_caller_gateway.reverse(),
                        StatsTable::Codes => s.by_code.reverse(),
                        StatsTable::Findings => s.findings.reverse(),
                        StatsTable::Now => self.reverse_board(),
                    }
                    self.summary = Some(Arc::new(s));
                    self.stats_selected = 0;
                    self.status = Some(("table reversed".into(), false));
                    self.request_timeline();
                }
            }
            Action::SortReverse => {
                self.sort.descending = !self.sort.descending;
                let way = if self.sort.descending { "descending" } else { "ascending" };
                self.status = Some((format!("sorted by {}, {way}", self.sort.key.label()), false));
                self.requery();
            }
            Action::Export => {
                // Stats exports the table shown; the other views the calls.
                let what = if self.view == View::Stats { "stats" } else { "export" };
                let name = format!("cdrscope-{what}-{}.csv", self.zone_now_stamp());
                self.overlay = Some(Overlay::Prompt(Prompt::new(PromptKind::Export, &name)));
            }
            Action::Help => self.overlay = Some(Overlay::Help(0)),
            Action::Copy => self.copy_selected(),
            Action::CopyFilter => {
                let f = self.effective_filter();
                self.copy_text(&f, if f.is_empty() { "the filter (empty)" } else { "the filter" });
            }
            Action::NextLanguage => {
                let next = self.kb.lang.next();
                match self.kb.in_lang(next) {
                    Ok(kb) => {
                        self.kb = Arc::new(kb);
                        self.refresh_lookup();
                        self.detail_scroll = 0;
                        let name = match next {
                            crate::kb::Lang::En => "English",
                            crate::kb::Lang::Zh => "中文",
                            crate::kb::Lang::Es => "español",
                        };
                        self.status = Some((format!("explanations in {name} (i: next language)"), false));
                    }
                    Err(e) => self.status = Some((format!("cannot switch language: {e}"), true)),
                }
            }
            Action::LoadReport => self.overlay = Some(Overlay::Report(0)),
            Action::ColumnLeft => self.columns.move_cursor(-1),
            Action::ColumnRight => self.columns.move_cursor(1),
            Action::HideColumn => self.hide_column(),
            Action::ResetColumns => {
                self.columns.reset();
                self.status = Some(("every column shown at its own width".into(), false));
            }
            Action::NarrowColumn => self.columns.adjust(-2),
            Action::WidenColumn => self.columns.adjust(2),
            Action::FilterToValue => self.filter_from_cell(false),
            Action::FilterOutValue => self.filter_from_cell(true),
            Action::Search => self.overlay = Some(Overlay::Prompt(Prompt::new(PromptKind::Search, ""))),
            Action::SearchNext => self.search_step(true),
            Action::SearchPrev => self.search_step(false),
            Action::SaveFilter if self.filter.trim().is_empty() => {
                self.status = Some(("no filter to save: type one with /".into(), false));
            }
            Action::SaveFilter => self.overlay = Some(Overlay::Prompt(Prompt::new(PromptKind::SaveName, ""))),
            Action::SavedFilters => self.open_picker(PickerKind::Filters),
            Action::WindowPrev => self.step_window(false),
            Action::WindowNext => self.step_window(true),
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-(self.page.max(1) as isize)),
            Action::PageDown => self.move_by(self.page.max(1) as isize),
            Action::Top => self.move_by(-(self.list_len() as isize)),
            Action::PauseLive => self.toggle_pause(),
            Action::Bottom => self.move_by(self.list_len() as isize),
            Action::ToggleDetail => {
                if self.wide {
                    self.detail = !self.detail;
                } else {
                    self.popup = !self.popup;
                }
                self.detail_scroll = 0;
            }
            Action::DetailUp => self.detail_scroll = self.detail_scroll.saturating_sub(3),
            Action::DetailDown => self.detail_scroll = self.detail_scroll.saturating_add(3),
            Action::ShowFindings => {
                self.view = View::Stats;
                self.stats_table = StatsTable::Findings;
                self.stats_selected = 0;
            }
            Action::SwitchTable => {
                self.stats_table = match self.stats_table {
                    StatsTable::Now => StatsTable::CalleeGateways,
                    StatsTable::CalleeGateways => StatsTable::CallerGateways,
                    StatsTable::CallerGateways => StatsTable::Codes,
                    StatsTable::Codes => StatsTable::Matrix,
                    StatsTable::Matrix => StatsTable::Findings,
                    // The board is in the cycle while following.
                    StatsTable::Findings if self.live.is_some() && !self.is_static() => StatsTable::Now,
                    StatsTable::Findings => StatsTable::CalleeGateways,
                };
                self.stats_selected = 0;
                self.request_timeline();
            }
            // Keys of prompts, pickers, menus and pagers: handled by their overlays.
            Action::PromptApply
            | Action::PromptCancel
            | Action::HistoryPrev
            | Action::HistoryNext
            | Action::DeleteBack
            | Action::DeleteForward
            | Action::CursorLeft
            | Action::CursorRight
            | Action::LineStart
            | Action::LineEnd
            | Action::KillToStart
            | Action::KillToEnd
            | Action::DeleteWordBack
            | Action::PickerToggle
            | Action::PickerApply
            | Action::PickerCancel
            | Action::PickerUp
            | Action::PickerDown
            | Action::MenuApply
            | Action::MenuCancel
            | Action::MenuUp
            | Action::MenuDown
            | Action::PagerDown
            | Action::PagerUp
            | Action::PagerPageDown
            | Action::PagerPageUp
            | Action::CompleteWord => {}
        }
    }
}
