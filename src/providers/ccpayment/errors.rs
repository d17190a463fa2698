//! CCPayment's answer codes (v2 appendix; v1 shares 10000 and the 11xxx family) mapped to stable error
//! codes, with what the window shows beside them: the quota of a rate or daily limit, the clock skew.

use super::account::{CcpaymentAccount, CcpaymentVersion};
use super::ops::MAX_WINDOW_SECONDS;
use crate::error::{Error, ErrorCode};
use crate::providers::util;
use crate::providers::RawResponse;

/// v1 resend quota, documented on the resend page: "once per minute, with a daily limit of 25 calls".
pub const V1_RESEND_PER_MINUTE: i64 = 1;
pub const V1_RESEND_PER_DAY: i64 = 25;

/// The number in a message such as `Rate limit exceeded (1 calls/minute)` or `… (25 calls/day)`.
fn limit_in(msg: Option<&str>, unit: &str) -> Option<i64> {
    let msg = msg?;
    let at = msg.find(&format!(" calls/{unit}"))?;
    let digits: String =
        msg[..at].chars().rev().take_while(char::is_ascii_digit).collect::<Vec<_>>().into_iter().rev().collect();
    digits.parse().ok()
}

/// Adds what the UI shows with a code: the quota for 11004/11009 (from the provider's message, else the
/// documented v1 quota) and the local clock skew for 11006 (from the response `Date`).
pub(super) fn with_context(acct: &CcpaymentAccount, e: Error, code: i64, msg: Option<&str>, resp: &RawResponse) -> Error {
    let v1 = acct.api_version == CcpaymentVersion::V1;
    match code {
        11004 => {
            let limit = limit_in(msg, "minute").or(v1.then_some(V1_RESEND_PER_MINUTE));
            let e = e.with("per", "minute");
            match limit {
                Some(l) => e.with("limit", l),
                None => e,
            }
        }
        11009 => {
            let limit = limit_in(msg, "day").or(v1.then_some(V1_RESEND_PER_DAY));
            let e = e.with("per", "day");
            match limit {
                Some(l) => e.with("limit", l),
                None => e,
            }
        }
        11006 => match util::skew_seconds(resp.header("Date"), resp.received_at_ms) {
            Some(skew) => e.with("skew_seconds", skew),
            None => e,
        },
        _ => e,
    }
}

/// CCPayment's documented codes (v2 appendix; v1 shares 10000 and the 11xxx family).
///
/// 11001 is "header invalid". The engine always sends `Appid`, `Timestamp` and `Sign`, and a bad
/// timestamp or signature has its own code (11006, 11005), so 11001 means the `Appid` was not accepted.
pub fn map_code(code: i64) -> Error {
    match code {
        10001 => Error::new(ErrorCode::ProviderBusinessError),
        11000 | 11010 => Error::new(ErrorCode::ProviderInvalidParameter),
        11001 => Error::new(ErrorCode::AuthInvalidApiKey),
        11002 | 224066 => Error::new(ErrorCode::ProviderServerError),
        11003 => Error::new(ErrorCode::ProviderNotFound),
        11004 => Error::new(ErrorCode::ProviderRateLimited),
        11005 => Error::new(ErrorCode::AuthSignatureRejected),
        11006 => Error::new(ErrorCode::AuthClockSkew).with("window_seconds", 120),
        11007 => Error::new(ErrorCode::AuthReplayRejected),
        11008 => Error::new(ErrorCode::InputWindowTooLarge).with("max_seconds", MAX_WINDOW_SECONDS),
        11009 => Error::new(ErrorCode::ProviderDailyLimit),
        11013 => Error::new(ErrorCode::ProviderVersionUnsupported),
        11014 => Error::new(ErrorCode::AuthIpNotAllowed).with("blocked_days", 5),
        12002 => Error::new(ErrorCode::AuthIpNotAllowed),
        12003 => Error::new(ErrorCode::AuthPermissionDenied),
        _ => Error::new(ErrorCode::ProviderBusinessError),
    }
}
