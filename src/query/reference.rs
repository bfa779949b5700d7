//! The filter language in brief, for the console's help screen (the README has the long
//! form). One line a term: what to type, what it matches.

/// (what to type, what it matches).
pub const TERMS: &[(&str, &str)] = &[
    ("gw:A,B  ingw:A  outgw:A", "gateway: either side / caller / callee side; * ? wildcards"),
    ("outgw:none  gw:none", "calls with no routing / any gateway (refused before routing)"),
    ("code:503 code:-69 code:5xx", "end reason: exact, SIP class (5xx), or a name"),
    ("since:14:00  until:-2h", "call start: 14:00, \"2026-11-20 14:00\", or -30m -2h -1d"),
    ("caller:8613  callee:*0001", "number prefix, or a pattern with *"),
    ("ip:185.220.  inip:  outip:", "IP prefix: either side / caller / callee"),
    ("dest:4420", "callee number as sent to the routing gateway, by prefix"),
    ("reason:34  reason:sip:503", "cause in the SIP Reason header"),
    ("account:NAME", "customer account or its name"),
    ("dir:caller,callee,server", "who hung up"),
    ("answered:yes  answered:no", "talk time above zero, or none"),
    ("billing:0  flowno:4179123", "billing mode; the switch's flow numbers"),
    ("dur>30s  pdd>5s  dur<=5m", "talk time or PDD compared (ms s m h d)"),
    ("word", "a gateway name or a number containing it"),
    ("-term  a,b  \"a b\"", "not; either value; a value with spaces. Terms are ANDed"),
];
