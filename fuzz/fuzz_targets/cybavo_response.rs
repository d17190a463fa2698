//! CYBAVO SOFA response parser (`providers::parse_response` → `cybavo::ops::parse`), every operation.
//!
//! Each input is parsed twice: as it came (a 200 whose `X-CHECKSUM` is not the body's checksum must be
//! rejected as `provider.signature_invalid`), and with the correct checksum put in (then it must be
//! accepted exactly when the body has the operation's documented shape, and the decoded callbacks must keep
//! every original field and convert amounts exactly).
#![no_main]

use callback_desk::error::ErrorCode;
use callback_desk::providers::cybavo::{ops, sign};
use callback_desk::providers;
use callback_desk_fuzz as f;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fuzz_target!(|data: &[u8]| {
    let Some(resp) = f::response(data) else { return };
    let account = f::account("cybavo");
    let acct = account.downcast::<callback_desk::providers::cybavo::account::CybavoAccount>().expect("a CYBAVO account");
    let valid = sign::body_checksum(&resp.body, &acct.api_secret);
    let genuine = f::header(&resp.headers, "X-CHECKSUM").map(str::trim) == Some(valid.as_str());
    let mut signed = resp.clone();
    f::set_header(&mut signed.headers, "X-CHECKSUM", &valid);
    let body = f::json(&resp.body);

    for op in f::operations(account) {
        let as_received = providers::parse_response(account, &op, &resp);
        f::check_parse(&as_received);
        if resp.status != 200 {
            let e = as_received.as_ref().expect_err("only 200 is success");
            assert_ne!(e.code, ErrorCode::ProviderSignatureInvalid, "error answers are not verified");
        } else if !genuine {
            assert_eq!(f::code(&as_received), Some(ErrorCode::ProviderSignatureInvalid), "unverified body accepted");
        }

        let result = providers::parse_response(account, &op, &signed);
        f::check_parse(&result);
        if resp.status != 200 {
            continue;
        }
        let shaped = body.as_ref().is_some_and(|v| match op.as_str() {
            ops::RESEND_WITHDRAWAL | ops::RESEND_DEPOSIT => v.get("count").and_then(Value::as_i64).is_some(),
            ops::QUERY_CALLBACKS | ops::LIST_CALLBACKS => v.get("notifications").is_some_and(Value::is_array),
            ops::LOOKUP_DEPOSIT | ops::LOOKUP_WITHDRAWAL => v.get("notification").is_some_and(Value::is_object),
            ops::INSPECT_CALLBACK_ENDPOINT => v.get("notification_endpoint").is_some_and(Value::is_object),
            ops::LIST_READONLY_WALLETS => v.get("wallets").is_some_and(Value::is_array),
            other => panic!("operation {other} has no property here"),
        });
        match &result {
            Ok(o) => {
                assert!(shaped, "{op} accepted a body without its documented shape");
                let v = body.as_ref().unwrap();
                match op.as_str() {
                    ops::RESEND_WITHDRAWAL | ops::RESEND_DEPOSIT => assert_eq!(o.result["count"], v["count"]),
                    ops::QUERY_CALLBACKS | ops::LIST_CALLBACKS => {
                        let given = v["notifications"].as_array().unwrap();
                        let decoded = o.result["notifications"].as_array().expect("notifications stay a list");
                        assert_eq!(given.len(), decoded.len());
                        for (g, d) in given.iter().zip(decoded) {
                            check_callback(g, d);
                        }
                    }
                    ops::LIST_READONLY_WALLETS => assert_eq!(&o.result, v, "the wallet list is kept as it is"),
                    ops::INSPECT_CALLBACK_ENDPOINT => {
                        // Every field kept; only the URL and the body as text added to the endpoints.
                        for (k, given) in v.as_object().unwrap() {
                            match (given, &o.result[k]) {
                                (Value::Object(g), Value::Object(d)) => {
                                    for (kk, vv) in g {
                                        assert_eq!(d.get(kk), Some(vv), "{k}.{kk} changed");
                                    }
                                    assert!(d.keys().all(|kk| g.contains_key(kk) || kk == "url_text" || kk == "response_text"));
                                }
                                (g, d) => assert_eq!(g, d, "{k} changed"),
                            }
                        }
                        let words = account.inner().describe(&op, &o.result);
                        assert!(!words.is_empty(), "an endpoint test is always worded");
                    }
                    _ => check_callback(&v["notification"], &o.result["notification"]),
                }
            }
            Err(e) => {
                assert!(!shaped, "{op} rejected a well-formed body: {e}");
                assert_eq!(e.code, ErrorCode::ProviderMalformedResponse);
            }
        }
    }
});

const ADDED: &[&str] = &[
    "type_label",
    "state_label",
    "processing_state_label",
    "amount_units",
    "fees_units",
    "outcome",
    "time",
    "transaction",
    "resend_operation",
];

/// A decoded callback keeps every original field, adds only the documented ones, and its unit amounts are
/// exact.
fn check_callback(given: &Value, decoded: &Value) {
    let Some(g) = given.as_object() else {
        assert_eq!(given, decoded, "a non-object callback is passed through");
        return;
    };
    let d = decoded.as_object().expect("an object stays an object");
    for (k, v) in g {
        if !ADDED.contains(&k.as_str()) {
            assert_eq!(d.get(k), Some(v), "field {k} changed");
        }
    }
    for k in d.keys() {
        assert!(g.contains_key(k) || ADDED.contains(&k.as_str()), "unexpected field {k}");
    }
    assert!(matches!(d["outcome"].as_str(), Some("succeeded" | "failed" | "pending")));
    let int = |v: Option<&Value>| v.and_then(Value::as_i64);
    if let (Some(a), Some(dec)) = (g.get("amount").and_then(Value::as_str), int(g.get("decimal"))) {
        check_units(a, dec, d.get("amount_units"));
    }
    let fee_dec = int(g.get("addon").and_then(|a| a.get("fee_decimal")));
    if let (Some(fee), Some(dec)) = (g.get("fees").and_then(Value::as_str), fee_dec) {
        check_units(fee, dec, d.get("fees_units"));
    }
}

/// `units` is `amount / 10^decimals` written exactly: putting the digits back gives the amount again. A
/// digit string (optionally negative) is always converted; anything else never is.
fn check_units(amount: &str, decimals: i64, units: Option<&Value>) {
    let (neg, digits) = match amount.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, amount),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return; // not converted (a field of the same name in the input may be passed through)
    }
    let u = units.and_then(Value::as_str).unwrap_or_else(|| panic!("{amount} was not converted"));
    let d = decimals.clamp(0, 77) as usize;
    let (u_neg, u_abs) = match u.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, u),
    };
    assert_eq!(neg, u_neg, "sign of {amount} → {u}");
    let (int, frac) = u_abs.split_once('.').unwrap_or((u_abs, ""));
    assert!(frac.len() <= d && !frac.ends_with('0'), "{amount} / 10^{d} → {u}");
    assert!(!int.is_empty() && int.bytes().all(|b| b.is_ascii_digit()), "{amount} / 10^{d} → {u}");
    assert!(frac.bytes().all(|b| b.is_ascii_digit()), "{amount} / 10^{d} → {u}");
    assert!(int == "0" || !int.starts_with('0'), "{amount} / 10^{d} → {u}");
    let back = format!("{int}{frac}{}", "0".repeat(d - frac.len()));
    assert_eq!(back.trim_start_matches('0'), digits.trim_start_matches('0'), "{amount} / 10^{d} → {u}");
}
