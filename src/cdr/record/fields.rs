//! The CDR fields cdrscope understands, and how column names in every known layout map to them.

/// A field with a fixed meaning. Columns that are none of these are kept as extra columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    CallerE164,
    CalleeE164,
    StartTime,
    StopTime,
    HoldTime,
    EndReason,
    EndDirection,
    CallerGateway,
    CalleeGateway,
    CallerIp,
    CalleeIp,
    CallerAccessE164,
    CalleeAccessE164,
    CallerToGatewayE164,
    CalleeToGatewayE164,
    CalleeBilling,
    BillingMode,
    CallerPdd,
    CalleePdd,
    /// Old (41-column) layout: both PDDs packed into one integer.
    PackedPdd,
    CallLevel,
    FlowNo,
}

/// The 19 fields of the VOS3000 text file, in file order (manual §4.4 as quoted by seed 003).
/// Older versions write only the first 17.
pub const PIPE_FIELDS: [Field; 19] = [
    Field::CallerE164,
    Field::CalleeE164,
    Field::StartTime,
    Field::StopTime,
    Field::HoldTime,
    Field::EndReason,
    Field::EndDirection,
    Field::CallerGateway,
    Field::CalleeGateway,
    Field::CallerIp,
    Field::CalleeIp,
    Field::CallerAccessE164,
    Field::CalleeAccessE164,
    Field::CallerToGatewayE164,
    Field::CalleeToGatewayE164,
    Field::CalleeBilling,
    Field::BillingMode,
    Field::CallerPdd,
    Field::CalleePdd,
];

/// The real-time forwarded CDR (`SERVER_CDR_REAL_TIME_REPORT_SERVER`): one call per datagram
/// or line, comma-separated, strings quoted, no header, in this order (46 fields on the
/// versions seen; older senders may send fewer, newer ones more).
pub const FORWARDED_COLUMNS: [&str; 46] = [
    "callere164",
    "calleraccesse164",
    "calleee164",
    "calleeaccesse164",
    "callerip",
    "callergatewayid",
    "callerproductid",
    "callertogatewaye164",
    "callertype",
    "calleeip",
    "calleegatewayid",
    "calleeproductid",
    "calleetogatewaye164",
    "calleetype",
    "billingmode",
    "calllevel",
    "agentfeetime",
    "starttime",
    "stoptime",
    "callerpdd",
    "calleepdd",
    "holdtime",
    "callerareacode",
    "feetime",
    "fee",
    "suitefee",
    "suitefeetime",
    "incomefee",
    "customeraccount",
    "customername",
    "calleeareacode",
    "agentfee",
    "agentsuitefee",
    "agentsuitefeetime",
    "agentaccount",
    "agentname",
    "flowno",
    "softswitchname",
    "softswitchcallid",
    "callercallid",
    "calleecallid",
    "enddirection",
    "endreason",
    "calleebilling",
    "cdrlevel",
    "agentcdr_id",
];
/// Index of `starttime` in [`FORWARDED_COLUMNS`]; `stoptime` follows it.
pub const FORWARDED_START: usize = 17;
/// Fewest fields a forwarded CDR may have: through `holdtime`.
pub const FORWARDED_MIN_FIELDS: usize = 22;

/// Fewest fields a positional text line may have.
pub const PIPE_MIN_FIELDS: usize = 17;

impl Field {
    /// The name used in the VOS3000 text-file header, also used for export headers.
    pub fn pipe_name(self) -> &'static str {
        match self {
            Field::CallerE164 => "callerE164",
            Field::CalleeE164 => "calleeE164",
            Field::StartTime => "startTime",
            Field::StopTime => "stopTime",
            Field::HoldTime => "holdTime",
            Field::EndReason => "endReason",
            Field::EndDirection => "endDirection",
            Field::CallerGateway => "callerGatewayId",
            Field::CalleeGateway => "calleeGatewayId",
            Field::CallerIp => "callerIp",
            Field::CalleeIp => "calleeIp",
            Field::CallerAccessE164 => "callerAccessE164",
            Field::CalleeAccessE164 => "calleeAccessE164",
            Field::CallerToGatewayE164 => "callerToGatewayE164",
            Field::CalleeToGatewayE164 => "calleeToGatewayE164",
            Field::CalleeBilling => "calleeBilling",
            Field::BillingMode => "billingMode",
            Field::CallerPdd => "callerPdd",
            Field::CalleePdd => "calleePdd",
            Field::PackedPdd => "pdd",
            Field::CallLevel => "callLevel",
            Field::FlowNo => "flowno",
        }
    }

    /// Maps a column name from any known layout (text header, `e_cdr` old or current, site
    /// CSVs) to a field. Case, `_`, `-` and spaces are ignored.
    /// Also the web API's camelCase names (`start`, `stop`, `flowNo`) and the labels of the
    /// vendor's client and portal, in Chinese and English (主叫号码 / Calling Number, ...).
    pub fn from_column_name(name: &str) -> Option<Field> {
        let key = column_key(name);
        Some(match key.as_str() {
            "callere164" | "caller" | "callingnumber" | "主叫号码" => Field::CallerE164,
            "calleee164" | "callee" | "callednumber" | "被叫号码" => Field::CalleeE164,
            "starttime" | "begintime" | "start" | "起始时间" | "开始时间" => Field::StartTime,
            "stoptime" | "endtime" | "stop" | "终止时间" | "结束时间" => Field::StopTime,
            "holdtime" | "conversationtime" | "通话时长" => Field::HoldTime,
            "endreason" | "terminationreason" | "终止原因" => Field::EndReason,
            "enddirection" | "hangupside" | "挂断方" => Field::EndDirection,
            "callergatewayid" | "callergatewayh323id" | "callergateway" | "对接网关" => {
                Field::CallerGateway
            }
            "calleegatewayid" | "calleegatewayh323id" | "calleegateway" | "落地网关" => {
                Field::CalleeGateway
            }
            "callerip" | "主叫ip" => Field::CallerIp,
            "calleeip" | "被叫ip" => Field::CalleeIp,
            "calleraccesse164" => Field::CallerAccessE164,
            "calleeaccesse164" => Field::CalleeAccessE164,
            "callertogatewaye164" | "calleroute164" => Field::CallerToGatewayE164,
            "calleetogatewaye164" | "calleeoute164" => Field::CalleeToGatewayE164,
            "calleebilling" => Field::CalleeBilling,
            "billingmode" | "计费模式" => Field::BillingMode,
            "callerpdd" => Field::CallerPdd,
            "calleepdd" => Field::CalleePdd,
            "pdd" => Field::PackedPdd,
            "calllevel" => Field::CallLevel,
            "flowno" => Field::FlowNo,
            _ => return None,
        })
    }
}

/// What one column of a source holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Column {
    Known(Field),
    /// Any other column, kept under its own name.
    Extra(String),
}

/// A header maps to CDRs when it names a time and a number or end reason.
pub fn header_is_cdr(columns: &[Column]) -> bool {
    let has = |f: Field| columns.contains(&Column::Known(f));
    (has(Field::StartTime) || has(Field::StopTime))
        && (has(Field::CallerE164) || has(Field::CalleeE164) || has(Field::EndReason) || has(Field::HoldTime))
}

/// A column name folded for matching: no quotes, case, `_`, `-` or spaces.
fn column_key(name: &str) -> String {
    name.trim()
        .trim_matches('"')
        .chars()
        .filter(|c| !matches!(c, '_' | '-' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Extra columns cdrscope reads by name (Reason header, account, softswitch), under one name
/// whatever the form calls them.
pub mod extra {
    pub const REASON_HEADER: &str = "sipreasonheader";
    pub const ACCOUNT: &str = "customeraccount";
    pub const ACCOUNT_NAME: &str = "customername";
    pub const SOFTSWITCH: &str = "softswitchname";
}

/// The one name of a well-known extra column, or the name as written.
pub fn canonical_extra(name: &str) -> String {
    match column_key(name).as_str() {
        "sipreasonheader" | "reasonheader" => extra::REASON_HEADER.into(),
        "customeraccount" | "account" | "账户" | "账号" => extra::ACCOUNT.into(),
        "customername" | "accountname" | "账户名称" => extra::ACCOUNT_NAME.into(),
        "softswitchname" => extra::SOFTSWITCH.into(),
        _ => name.trim().trim_matches('"').to_string(),
    }
}

pub fn columns_from_header<'a>(names: impl Iterator<Item = &'a str>) -> Vec<Column> {
    let mut cols: Vec<Column> = names
        .map(|n| match Field::from_column_name(n) {
            Some(f) => Column::Known(f),
            None => Column::Extra(canonical_extra(n)),
        })
        .collect();
    // A header written with a comma after every name (the portal's writer) ends in an empty one.
    while cols.len() > 1 && cols.last() == Some(&Column::Extra(String::new())) {
        cols.pop();
    }
    cols
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_every_layouts_names() {
        assert_eq!(Field::from_column_name("callergatewayh323id"), Some(Field::CallerGateway));
        assert_eq!(Field::from_column_name("CalleeGatewayId"), Some(Field::CalleeGateway));
        assert_eq!(Field::from_column_name("caller_e164"), Some(Field::CallerE164));
        assert_eq!(Field::from_column_name(" STOPTIME "), Some(Field::StopTime));
        assert_eq!(Field::from_column_name("fee"), None);
        assert_eq!(Field::from_column_name("主叫号码"), Some(Field::CallerE164));
        assert_eq!(Field::from_column_name("落地网关"), Some(Field::CalleeGateway));
        assert_eq!(Field::from_column_name("主叫IP"), Some(Field::CallerIp));
        assert_eq!(Field::from_column_name("flowNo"), Some(Field::FlowNo));
        assert_eq!(Field::from_column_name("start"), Some(Field::StartTime));
        assert_eq!(canonical_extra("account"), extra::ACCOUNT);
        assert_eq!(canonical_extra("账户"), extra::ACCOUNT);
        assert_eq!(canonical_extra("accountName"), extra::ACCOUNT_NAME);
        assert_eq!(canonical_extra("fee"), "fee");
        let cols = columns_from_header(["startTime", "callerE164", "fee", ""].into_iter());
        assert_eq!(cols.len(), 3);
        for f in PIPE_FIELDS {
            assert_eq!(Field::from_column_name(f.pipe_name()), Some(f));
        }
    }
}
