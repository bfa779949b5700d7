//! What a key can do: every action by its config name, the contexts keys apply in, and the
//! shape of one default binding.

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
    pub(crate) fn types_text(self) -> bool {
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
