//! The checker per provider, on the vendors' published vectors (tests/fixtures, copied from the provider
//! reference): a signed body is valid, a changed one is not this account's, a missing header is said, a
//! provider that signs nothing says why.

use super::paste::{Pasted, PastedCallback};
use super::*;
use crate::providers::Account;
use serde_json::{json, Value};

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn account(file: Value) -> Account {
    Account::from_map(file.as_object().unwrap()).unwrap()
}

fn pasted(headers: &[(&str, &str)], body: &str) -> PastedCallback {
    PastedCallback {
        headers: headers.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect(),
        body: body.as_bytes().to_vec(),
    }
}

fn verdict(a: &Account, c: &PastedCallback) -> (Verdict, Option<String>) {
    let s = check(1, a, c).signature;
    (s.verdict, s.reason.map(|r| r.key))
}

/// The body with its first digit changed (an amount or an id edited).
fn tampered(body: &str) -> String {
    let i = body.find(|c: char| c.is_ascii_digit()).unwrap();
    let digit = if &body[i..=i] == "9" { "1" } else { "9" };
    format!("{}{digit}{}", &body[..i], &body[i + 1..])
}

#[test]
fn cybavo_the_vendors_callback_checksum_is_valid_and_a_changed_body_is_not() {
    let v = fixture("vectors.json")["cybavo"].clone();
    let a = account(json!({"provider": "cybavo", "base_url": "https://sofa.example.com", "wallet_id": v["wallet_id"],
        "api_code": v["api_code"], "api_secret": v["api_secret"]}));
    let (body, sum) = (v["response"]["body"].as_str().unwrap(), v["response"]["checksum"].as_str().unwrap());
    assert_eq!(verdict(&a, &pasted(&[("x-checksum", sum)], body)), (Verdict::Valid, None));
    let changed = tampered(body);
    assert_eq!(
        verdict(&a, &pasted(&[("X-CHECKSUM", sum)], &changed)),
        (Verdict::Mismatch, Some("checker.reason.mismatch".into()))
    );
    assert_eq!(verdict(&a, &pasted(&[], body)), (Verdict::Missing, Some("checker.reason.header_missing".into())));
    // A line break a log added after the body: valid, and said.
    let check = check(1, &a, &pasted(&[("X-CHECKSUM", sum)], &format!("{body}\r\n")));
    assert_eq!(check.signature.verdict, Verdict::Valid);
    assert_eq!(check.signature.note.unwrap().key, "checker.note.final_line_break");
    // The same text pasted as a whole raw request.
    let raw = format!("POST /callback HTTP/1.1\r\nHost: merchant.example\r\nX-CHECKSUM: {sum}\r\n\r\n{body}");
    let c = Pasted::Request { text: raw }.read().unwrap();
    assert_eq!(verdict(&a, &c).0, Verdict::Valid);
}

#[test]
fn ccpayment_v1_and_v2_vendor_signatures_are_valid_and_another_app_id_is_not_this_account() {
    let v = fixture("vectors.json")["ccpayment"].clone();
    let (app, secret, ts) =
        (v["app_id"].as_str().unwrap(), v["app_secret"].as_str().unwrap(), v["timestamp"].to_string());
    for version in ["v1", "v2"] {
        let a =
            account(json!({"provider": "ccpayment", "base_url": format!("https://ccpayment.com/ccpayment/{version}"),
            "api_version": version, "app_id": app, "app_secret": secret}));
        let (body, sign) = (v[version]["body"].as_str().unwrap(), v[version]["sign"].as_str().unwrap());
        let headers = [("Appid", app), ("Timestamp", ts.as_str()), ("Sign", sign)];
        assert_eq!(verdict(&a, &pasted(&headers, body)), (Verdict::Valid, None), "{version}");
        assert_eq!(verdict(&a, &pasted(&headers, &tampered(body))).0, Verdict::Mismatch, "{version}");
        let other = [("Appid", "999"), ("Timestamp", ts.as_str()), ("Sign", sign)];
        assert_eq!(verdict(&a, &pasted(&other, body)), (Verdict::Mismatch, Some("checker.reason.other_app".into())));
        assert_eq!(verdict(&a, &pasted(&headers[..2], body)).0, Verdict::Missing);
    }
    // Part 2's v2 vectors, from the official SDKs.
    let a =
        account(json!({"provider": "ccpayment", "base_url": "https://ccpayment.com/ccpayment/v2", "api_version": "v2",
        "app_id": app, "app_secret": secret}));
    for case in fixture("ccpayment-v2-additions.json")["vectors"].as_array().unwrap() {
        let headers = [
            ("Appid", case["Appid"].as_str().unwrap()),
            ("Timestamp", case["Timestamp"].as_str().unwrap()),
            ("Sign", case["Sign"].as_str().unwrap()),
        ];
        assert_eq!(
            verdict(&a, &pasted(&headers, case["body_exact"].as_str().unwrap())).0,
            Verdict::Valid,
            "{}",
            case["id"]
        );
    }
}

#[test]
fn fireblocks_a_webhook_signed_with_the_accounts_key_is_valid_and_without_a_key_it_cannot_be_checked() {
    use base64::Engine as _;
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::signature::{SignatureEncoding, Signer};
    let pem = include_str!("../../tests/fixtures/fireblocks_test_key.pem");
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(pem).unwrap();
    let public =
        std::fs::read_to_string(format!("{}/tests/fixtures/fireblocks_test_pub.pem", env!("CARGO_MANIFEST_DIR")))
            .unwrap();
    let body = r#"{"type":"TRANSACTION_STATUS_UPDATED","timestamp":1700000000000,"data":{"id":"cfe5be48-9307-4aa3-8ead-b959fca35dd6","status":"COMPLETED","assetId":"ETH","amount":0.3}}"#;
    let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha512>::new(key);
    let sig = base64::engine::general_purpose::STANDARD.encode(signer.sign(body.as_bytes()).to_bytes());
    let file = |base: &str, webhook_key: Option<&str>| {
        let mut f = json!({"provider": "fireblocks", "base_url": base, "api_key": "11111111-2222-4333-8444-555555555555",
            "private_key": pem});
        if let Some(k) = webhook_key {
            f["webhook_public_key"] = json!(k);
        }
        account(f)
    };
    let with_key = file("https://api.fireblocks.io/v1", Some(&public));
    assert_eq!(verdict(&with_key, &pasted(&[("Fireblocks-Signature", &sig)], body)), (Verdict::Valid, None));
    assert_eq!(verdict(&with_key, &pasted(&[("Fireblocks-Signature", &sig)], &tampered(body))).0, Verdict::Mismatch);
    // The published production key (the default for api.fireblocks.io) did not sign it.
    let published = file("https://api.fireblocks.io/v1", None);
    assert_eq!(verdict(&published, &pasted(&[("Fireblocks-Signature", &sig)], body)).0, Verdict::Mismatch);
    // An environment whose key Callback Desk does not hold: said, with the field to fill.
    let eu = file("https://eu-api.fireblocks.io/v1", None);
    let c = check(1, &eu, &pasted(&[("Fireblocks-Signature", &sig)], body));
    assert_eq!(c.signature.verdict, Verdict::Unverifiable);
    assert_eq!(c.signature.reason.unwrap().params["field"], "webhook_public_key");
    assert_eq!(verdict(&with_key, &pasted(&[], body)).0, Verdict::Missing);
    // Its fields, and the operations this account is offered.
    let d = check(1, &with_key, &pasted(&[], body)).description.unwrap();
    assert_eq!(d.lookup.unwrap().operation, "get-transaction");
}

#[test]
fn ceffu_and_avista_do_not_sign_and_say_so_while_their_fields_are_read() {
    let ceffu_key = include_str!("../../tests/fixtures/ceffu_test_key.pem");
    let ceffu = account(
        json!({"provider": "ceffu", "base_url": "https://open-api.ceffu.com", "api_key": "K", "private_key": ceffu_key}),
    );
    let body = r#"{"eventType":"1","webhookId":"1721442311151521794","data":{"amount":"5.5","coinSymbol":"USDT","time":1700000000000}}"#;
    let c = check(1, &ceffu, &pasted(&[], body));
    assert_eq!(
        (c.signature.verdict, c.signature.reason.unwrap().key.as_str()),
        (Verdict::NotSigned, "callbacks.ceffu.unsigned")
    );
    assert_eq!(c.description.unwrap().resend.unwrap().operation, "resend-webhooks");
    let cert = include_str!("../../tests/fixtures/avista_test_cert.pem");
    let avista = account(json!({"provider": "avista", "base_url": "https://api.avista.global", "client_id": "c",
        "client_secret": "s", "client_cert_pem": cert}));
    let body = r#"{"type":"cash_out","data":{"transactionId":"t1","amount":"10.00","currency":"BRL"}}"#;
    let c = check(1, &avista, &pasted(&[("X-Webhook-Secret", "whatever")], body));
    assert_eq!(c.signature.verdict, Verdict::NotSigned);
    assert_eq!(c.header_names, vec!["X-Webhook-Secret".to_owned()], "names only, never values");
    assert!(!serde_json::to_string(&c).unwrap().contains("whatever"));
}

#[test]
fn an_operation_the_account_is_not_offered_is_not_offered_by_the_checker() {
    // A read-only CYBAVO code looks callbacks up but never resends them.
    let v = fixture("vectors.json")["cybavo"].clone();
    let a = account(json!({"provider": "cybavo", "base_url": "https://sofa.example.com", "access": "read_only",
        "wallet_id": 55743, "api_code": "RO", "api_secret": v["api_secret"]}));
    let body = r#"{"type":1,"serial":42,"amount":"100","decimal":2,"currency":"USDT","state":3,"processing_state":2}"#;
    let d = check(1, &a, &pasted(&[], body)).description.unwrap();
    assert_eq!(d.lookup.unwrap().params["ids"], json!([42]));
    assert_eq!(d.resend, None);
    assert_eq!(d.fields.iter().find(|f| f.label_key == "query.col.amount").unwrap().value, "1");
}

/// Every translation key the checker and the providers' describers name (`checker.*`, `callbacks.*`, and the
/// field labels of the describers) is in the three catalogs the window reads.
#[test]
fn every_key_the_checker_names_is_in_every_catalog() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut sources = vec![format!("{root}/src/checker/mod.rs"), format!("{root}/src/providers/callback.rs")];
    for dir in std::fs::read_dir(format!("{root}/src/providers")).unwrap() {
        let dir = dir.unwrap().path();
        for file in ["callback.rs", "mod.rs", "webhooks.rs", "ops/mod.rs"] {
            let path = dir.join(file);
            if path.is_file() {
                sources.push(path.display().to_string());
            }
        }
    }
    let mut keys = std::collections::BTreeSet::new();
    for path in &sources {
        let text = std::fs::read_to_string(path).unwrap();
        let describer = path.ends_with("callback.rs");
        for literal in text.split('"').skip(1).step_by(2) {
            let named = literal.starts_with("checker.") || literal.starts_with("callbacks.");
            let label = describer && (literal.starts_with("query.col.") || literal.starts_with("checker.field."));
            if (named || label)
                && !literal.ends_with('.')
                && literal.bytes().all(|b| b.is_ascii_alphanumeric() || b"._".contains(&b))
            {
                keys.insert(literal.to_owned());
            }
        }
    }
    assert!(keys.len() > 20, "{keys:?}");
    for language in ["en", "zh-CN", "pt-BR"] {
        let catalog: Value =
            serde_json::from_str(&std::fs::read_to_string(format!("{root}/ui/src/locales/{language}.json")).unwrap())
                .unwrap();
        for key in &keys {
            let found = key.split('.').try_fold(&catalog, |v, part| v.get(part)).is_some_and(Value::is_string);
            assert!(found, "{language}: {key}");
        }
    }
}
