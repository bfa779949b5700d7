//! What an unanswered call's end reason says about who ended it: the end-reason classes
//! behind NER (network effectiveness ratio, GSMA IR.42 / ITU-T E.425):
//! NER = (answered + user busy + no answer + rejected by the called user) / calls.
//! A route is judged by the failures that are its own (`network`), not by called users who
//! are busy or away, callers who hang up, wrong numbers or the switch's own rules.
//!
//! The classes are data: one table per code space (VOS3000's own codes, SIP responses, Q.850
//! causes), read by [`of_code`] (names without a code: [`crate::cdr::Reason::outcome`]). A code in no table is `unknown` (and lowers NER, as a
//! failure nobody can place would).

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Answered,
    UserBusy,
    NoAnswer,
    /// The called user (or their terminal) declined.
    UserRejected,
    /// The caller gave up before answer.
    CallerAbandon,
    /// The number dialled cannot be reached as written.
    DialingError,
    /// The network or a carrier failed the call: the route's fault.
    Network,
    /// Refused by the switch's own rules: balance, limits, blacklists, authorisation.
    SwitchPolicy,
    Unknown,
}

impl Outcome {
    pub const ALL: [Outcome; 9] = [
        Outcome::Answered,
        Outcome::UserBusy,
        Outcome::NoAnswer,
        Outcome::UserRejected,
        Outcome::CallerAbandon,
        Outcome::DialingError,
        Outcome::Network,
        Outcome::SwitchPolicy,
        Outcome::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::UserBusy => "user_busy",
            Outcome::NoAnswer => "no_answer",
            Outcome::UserRejected => "user_rejected",
            Outcome::CallerAbandon => "caller_abandon",
            Outcome::DialingError => "dialing_error",
            Outcome::Network => "network",
            Outcome::SwitchPolicy => "switch_policy",
            Outcome::Unknown => "unknown",
        }
    }

    /// Counted as effective in NER: the network delivered the call to the called user.
    pub fn in_ner(self) -> bool {
        matches!(self, Outcome::Answered | Outcome::UserBusy | Outcome::NoAnswer | Outcome::UserRejected)
    }
}

use Outcome::{
    CallerAbandon as Abandon, DialingError as Dialing, Network as Net, NoAnswer, SwitchPolicy as Policy,
    UserBusy as Busy, UserRejected as Rejected,
};

/// VOS3000's own end reasons (the vendor's code table), those that place a failure.
/// Hang-ups (-7, -8) are for unanswered calls here: an answered call is `answered` whatever
/// its end reason.
const VOS: &[(i32, Outcome)] = &[
    (-1, Policy),    // UnauthorizedCalling
    (-2, Policy),    // InsufficientBalance
    (-3, Policy),    // AccountNotExist
    (-5, Policy),    // RateNotExist
    (-6, Policy),    // CallAuthenticationFailure
    (-7, Abandon),   // CallerHangup, before answer
    (-8, Rejected),  // CalleeHangup, before answer
    (-9, Policy),    // IllegalCall
    (-10, Abandon),  // CallerClosedConnection
    (-11, Net),      // CalleeClosedConnection
    (-12, Rejected), // CalleeDoNotDisturb
    (-14, Net),      // CalleeForwardingLoop
    (-15, NoAnswer), // CalleeForwardingNoReply
    (-16, Busy),     // CallForwardingOnBusy
    (-18, Dialing),  // ForwardNumberNotExist
    (-20, Busy),     // CalledPhoneBusy
    (-21, NoAnswer), // CalleeOffLine
    (-22, Policy),   // AccountSignedOff
    (-23, Policy),   // ForcedHangup
    (-24, Policy),   // OverAuthorizedCapacity
    (-25, Policy),   // OverCapacity
    (-26, Policy),   // AccountExpired
    (-27, Net),      // CallSetupTimeout
    (-28, Policy),   // CallerLocked
    (-29, Policy),   // CalleePrefixRestricted
    (-30, Policy),   // CalleeLocked
    (-32, Policy),   // CallerPrefixRestricted
    (-33, Dialing),  // CalledNumberIncorrect
    (-34, Net),      // ProcessTimeout
    (-35, Policy),   // NumberLengthRestricted
    (-36, Policy),   // CallingNumberRestricted
    (-37, Net),      // SessionTimeout
    (-38, Policy),   // AccountLocked
    (-39, Busy),     // UserBusy
    (-41, Net),      // ConnectionTimeout
    (-42, Policy),   // ProtocolRestrict
    (-43, NoAnswer), // NoAnswer
    (-44, Policy),   // NoExchangeRate
    (-45, Net),      // AudioCodecsNotMatch
    (-48, Policy),   // CallerRestrict
    (-49, Policy),   // CalleeRestrict
    (-50, Policy),   // CalleeAccountLocked
    (-51, Policy),   // CalleeAccountSignedOff
    (-52, Policy),   // CalleeAccountExpired
    (-53, Policy),   // CalleeAccountInsufficient
    (-55, Net),      // NoAudioDataTimeout
    (-56, Policy),   // AccountArrears
    (-58, Policy),   // NoAccessNumberRate
    (-59, Policy),   // NoAccessNumberAuthorization
    (-60, Policy),   // CallDurationLimited
    (-61, Net),      // RoutingGatewayAbnormal
    (-62, Policy),   // RoutingGatewayNoClearingAccount
    (-63, Policy),   // ClearingAccountInsufficient
    (-64, Policy),   // ClearingAccountSignedOff
    (-65, Policy),   // ClearingAccountExpired
    (-66, Policy),   // ClearingAccountLocked
    (-67, Policy),   // DomesticBusinessRestricted
    (-69, Net),      // NoAvailableRouter: no route carried the call
    (-70, Policy),   // RestrictedNumber
    (-71, Net),      // CallHoldFailed
    (-72, Net),      // SMAPReserveTimeout
    (-73, Net),      // SMAPReserveFailed
    (-74, Net),      // LackOfVoicePorts
    (-75, Net),      // SystemReadOnly
    (-76, Policy),   // RateLimited
    (-77, Policy),   // a per-minute price limit
];

/// SIP final responses (RFC 3261 and later registries) that place a failure. 487 is the
/// caller's CANCEL; 480 a called user who is away or does not answer (RFC 3261 21.4.18).
const SIP: &[(i32, Outcome)] = &[
    (401, Policy),
    (402, Policy),
    (403, Policy),
    (404, Dialing),
    (407, Policy),
    (408, Net),
    (410, Dialing),
    (480, NoAnswer),
    (484, Dialing),
    (485, Dialing),
    (486, Busy),
    (487, Abandon),
    (488, Net),
    (500, Net),
    (502, Net),
    (503, Net),
    (504, Net),
    (600, Busy),
    (603, Rejected),
    (604, Dialing),
    (606, Net),
];

/// Q.850 causes (ITU-T Q.850 Table 1) that place a failure.
const Q850: &[(i32, Outcome)] = &[
    (1, Dialing),   // unallocated number
    (2, Net),       // no route to specified transit network
    (3, Net),       // no route to destination
    (17, Busy),     // user busy
    (18, NoAnswer), // no user responding
    (19, NoAnswer), // no answer from user (user alerted)
    (20, NoAnswer), // subscriber absent
    (21, Rejected), // call rejected
    (22, Dialing),  // number changed
    (27, Net),      // destination out of order
    (28, Dialing),  // invalid number format
    (34, Net),      // no circuit/channel available
    (38, Net),      // network out of order
    (41, Net),      // temporary failure
    (42, Net),      // switching equipment congestion
    (44, Net),      // requested circuit/channel not available
    (47, Net),      // resource unavailable, unspecified
    (52, Policy),   // outgoing calls barred
    (54, Policy),   // incoming calls barred
    (57, Policy),   // bearer capability not authorized
    (102, Net),     // recovery on timer expiry
    (127, Net),     // interworking, unspecified
];

/// The class of an unanswered call's integer end reason: VOS3000's own (negative), a Q.850
/// cause (1..=128) or a SIP response (129..=699), as the rest of cdrscope splits them.
pub fn of_code(code: i32) -> Outcome {
    let table = match code {
        c if c < 0 => VOS,
        1..=128 => Q850,
        129..=699 => SIP,
        _ => return Outcome::Unknown,
    };
    table.iter().find(|(c, _)| *c == code).map_or(Outcome::Unknown, |(_, o)| *o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_of_each_code_space() {
        // Called users: busy, away, declining.
        for (code, want) in
            [(486, Busy), (-20, Busy), (17, Busy), (480, NoAnswer), (-43, NoAnswer), (19, NoAnswer)]
        {
            assert_eq!(of_code(code), want, "{code}");
        }
        assert_eq!(of_code(603), Rejected);
        assert_eq!(of_code(21), Rejected);
        // The route's own failures.
        for code in [503, 408, 502, -61, -69, 34, 38, 42] {
            assert_eq!(of_code(code), Net, "{code}");
        }
        assert_eq!(of_code(487), Abandon);
        assert_eq!(of_code(-7), Abandon);
        for code in [404, 484, 1, 28, -33] {
            assert_eq!(of_code(code), Dialing, "{code}");
        }
        for code in [-2, -9, -25, 403] {
            assert_eq!(of_code(code), Policy, "{code}");
        }
        assert_eq!(of_code(299), Outcome::Unknown);
        assert_eq!(of_code(-97), Outcome::Unknown);
        // NER counts what reached the called user.
        let ner: Vec<&str> = Outcome::ALL.iter().filter(|o| o.in_ner()).map(|o| o.as_str()).collect();
        assert_eq!(ner, ["answered", "user_busy", "no_answer", "user_rejected"]);
    }
}
