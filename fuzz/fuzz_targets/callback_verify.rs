//! Callback and response signature verifiers: `providers::verify_signature` (what `callback-desk-cli
//! verify` runs), i.e. CYBAVO `verify_body_checksum` and CCPayment `verify_signed` (v1 and v2).
//!
//! Input: the response format of the other targets (the status line is ignored). Properties: a signature
//! is accepted exactly when it equals the one computed over the raw body (so random input is rejected);
//! a freshly computed signature is accepted (round trip, also in upper case for CCPayment's hex); the same
//! signature over a body with one bit changed is rejected; Ceffu and Avista sign nothing.
#![no_main]

use callback_desk::providers::ccpayment::sign as cc;
use callback_desk::providers::cybavo::sign as cy;
use callback_desk::providers::ccpayment::account::{CcpaymentAccount, CcpaymentVersion};
use callback_desk::providers;
use callback_desk_fuzz as f;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(resp) = f::response(data) else { return };
    let (headers, body) = (&resp.headers, &resp.body);
    let mut flipped = body.clone();
    if let Some(last) = flipped.last_mut() {
        *last ^= 1;
    } else {
        flipped.push(b' ');
    }

    for key in ["ceffu", "avista"] {
        assert!(providers::verify_signature(f::account(key), headers, body).is_none(), "{key} signs nothing");
    }

    let cybavo = f::account("cybavo");
    let a = cybavo.downcast::<callback_desk::providers::cybavo::account::CybavoAccount>().expect("a CYBAVO account");
    let valid = cy::body_checksum(body, &a.api_secret);
    let given = f::header(headers, "X-CHECKSUM");
    let verdict = providers::verify_signature(cybavo, headers, body).expect("CYBAVO signs");
    assert_eq!(verdict.is_ok(), given.map(str::trim) == Some(valid.as_str()), "{verdict:?}");
    assert_eq!(cy::verify_body_checksum(body, given.unwrap_or(""), &a.api_secret), verdict.is_ok());
    assert!(cy::verify_body_checksum(body, &valid, &a.api_secret), "round trip");
    assert!(cy::verify_body_checksum(body, &format!(" {valid}\t"), &a.api_secret), "surrounding blanks");
    assert!(!cy::verify_body_checksum(&flipped, &valid, &a.api_secret), "a changed body");
    assert!(!cy::verify_body_checksum(body, valid.trim_end_matches('='), &a.api_secret), "padding is required");
    let mut signed = headers.clone();
    f::set_header(&mut signed, "X-CHECKSUM", &valid);
    assert_eq!(providers::verify_signature(cybavo, &signed, body), Some(Ok(())));
    assert!(providers::verify_signature(cybavo, &signed, &flipped).unwrap().is_err());

    for key in ["ccpayment-v1", "ccpayment-v2"] {
        let account = f::account(key);
        let a = account.downcast::<CcpaymentAccount>().expect("a CCPayment account");
        let sign = |ts: &str, body: &[u8]| match a.api_version {
            CcpaymentVersion::V1 => cc::sign_v1(&a.app_id, &a.app_secret, ts, body),
            CcpaymentVersion::V2 => cc::sign_v2(&a.app_id, &a.app_secret, ts, body),
        };
        let verdict = providers::verify_signature(account, headers, body).expect("CCPayment signs");
        let genuine = match (f::header(headers, "Appid"), f::header(headers, "Timestamp"), f::header(headers, "Sign")) {
            (Some(app), Some(ts), Some(s)) => {
                app.trim() == a.app_id && s.trim().to_ascii_lowercase() == sign(ts.trim(), body)
            }
            _ => false,
        };
        assert_eq!(verdict.is_ok(), genuine, "{key}: {verdict:?}");

        let ts = f::header(headers, "Timestamp").unwrap_or("1700000000").trim().to_owned();
        let good = sign(&ts, body);
        let mut signed = headers.clone();
        f::set_header(&mut signed, "Appid", &a.app_id);
        f::set_header(&mut signed, "Timestamp", &ts);
        f::set_header(&mut signed, "Sign", &good);
        assert_eq!(providers::verify_signature(account, &signed, body), Some(Ok(())), "{key} round trip");
        f::set_header(&mut signed, "Sign", &good.to_ascii_uppercase());
        assert_eq!(providers::verify_signature(account, &signed, body), Some(Ok(())), "{key} upper-case hex");
        assert!(providers::verify_signature(account, &signed, &flipped).unwrap().is_err(), "{key} changed body");
        f::set_header(&mut signed, "Timestamp", &format!("{ts}0"));
        assert!(providers::verify_signature(account, &signed, body).unwrap().is_err(), "{key} changed timestamp");
    }
});
