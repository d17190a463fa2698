//! Runs the built `callback-desk-cli` for `preview` and `verify` against the vendor vectors.

use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_callback-desk-cli");

fn vectors() -> Value {
    serde_json::from_str(include_str!("fixtures/vectors.json")).unwrap()
}

fn file(content: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(content.as_bytes()).unwrap();
    f
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn preview(account: &Value, op: &str, params: &str, at: &str, extra: &[&str]) -> Value {
    let acct = file(&account.to_string());
    let mut args =
        vec!["preview", "--account", acct.path().to_str().unwrap(), "--operation", op, "--params", params, "--at", at];
    args.extend_from_slice(extra);
    let out = run(&args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.trim().lines().count(), 1, "one JSON object on one line");
    serde_json::from_str(&text).unwrap()
}

fn cybavo_account() -> Value {
    json!({"provider":"cybavo","base_url":"http://127.0.0.1:8889","wallet_id":55743,"api_code":"TESTAPICODE","api_secret":"TESTSECRET0123456789abcdef"})
}

fn ccpayment_account(v: &str) -> Value {
    json!({"provider":"ccpayment","base_url":format!("http://127.0.0.1:8889/ccpayment/{v}"),"api_version":v,
        "app_id":"202302010636261620672405236006912","app_secret":"TESTAPPSECRET1234567890abcdef"})
}

#[test]
fn cybavo_vector_a() {
    let p = preview(
        &cybavo_account(),
        "resend-withdrawal-callbacks",
        r#"{"notification_id":0}"#,
        "1700000000000",
        &["--nonce", "Ab3dE6gH"],
    );
    let ua = p["headers"]["User-Agent"].clone();
    assert_eq!(
        p,
        json!({
            "method": "POST",
            "url": "http://127.0.0.1:8889/v1/sofa/wallets/55743/sender/notifications/manual?t=1700000000&r=Ab3dE6gH",
            "headers": {
                "X-API-CODE": "TESTAPICODE",
                "X-CHECKSUM": "861bfbeafdb7c4c8d2e5bece994fc03d16bafddfd9ffa42cc6940bd2251e0226",
                "Content-Type": "application/json",
                "User-Agent": ua,
            },
            "body": "{\"notification_id\":0}",
        })
    );
    assert!(ua.as_str().unwrap().starts_with("callback-desk/"));
}

#[test]
fn cybavo_vector_b_and_batches() {
    let p = preview(
        &cybavo_account(),
        "query-callbacks",
        r#"{"ids":[90000000140,90000000139]}"#,
        "1700000000999",
        &["--nonce", "Ab3dE6gH"],
    );
    assert_eq!(p["url"], "http://127.0.0.1:8889/v1/sofa/wallets/55743/notifications/get_by_id?t=1700000000&r=Ab3dE6gH");
    assert_eq!(p["headers"]["X-CHECKSUM"], "4b87be0817ea14e5a1f09647f1a7dd31e31e141e6e8f5d9fdfa1dd3f82c5eaa1");
    assert_eq!(p["body"], "{\"ids\":[90000000140,90000000139]}");
    let ids: Vec<i64> = (1..=150).collect();
    let p = preview(&cybavo_account(), "query-callbacks", &json!({ "ids": ids }).to_string(), "1700000000000", &[]);
    let body: Value = serde_json::from_str(p["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["ids"].as_array().unwrap().len(), 100, "first call of the split");
    let r = p["url"].as_str().unwrap().split("&r=").nth(1).unwrap();
    assert_eq!(r.len(), 8);
    assert!(r.chars().all(|c| c.is_ascii_alphanumeric()));
}

#[test]
fn cybavo_get_params_become_the_query_in_order() {
    let p = preview(
        &cybavo_account(),
        "list-callbacks",
        r#"{"from_time":1561651200,"to_time":1562255999,"type":2}"#,
        "1629346605000",
        &["--nonce", "RANDOM_STRING"],
    );
    assert_eq!(p["method"], "GET");
    assert_eq!(p["url"], "http://127.0.0.1:8889/v1/sofa/wallets/55743/notifications?t=1629346605&r=RANDOM_STRING&from_time=1561651200&to_time=1562255999&type=2");
    assert_eq!(p["body"], Value::Null);
    assert!(p["headers"].get("Content-Type").is_none());
}

/// Part 2's CYBAVO vectors (computed with CYBAVO's own checksum code) of the operations whose id starts
/// with `prefix`, each through `preview` with its time and nonce.
fn cybavo_additions(prefix: &str, operation: &str, params: impl Fn(&Value) -> String, extra: &[(&str, &str)]) -> usize {
    let v: Value = serde_json::from_str(include_str!("fixtures/cybavo-sofa-additions.json")).unwrap();
    let mut n = 0;
    for case in v["vectors"].as_array().unwrap().iter().filter(|c| c["id"].as_str().unwrap().starts_with(prefix)) {
        let line = case["request_line"].as_str().unwrap();
        let wallet: i64 = line.split("/wallets/").nth(1).unwrap().split('/').next().unwrap().parse().unwrap_or(1);
        let mut account = json!({"provider":"cybavo","base_url":"http://127.0.0.1:8889","wallet_id":wallet,"api_code":"TESTAPICODE","api_secret":case["api_secret"]});
        for (k, val) in extra {
            account[*k] = json!(val);
        }
        let at = (case["t"].as_i64().unwrap() * 1000).to_string();
        let p = preview(&account, operation, &params(case), &at, &["--nonce", case["r"].as_str().unwrap()]);
        assert_eq!(
            format!("{} {}", p["method"].as_str().unwrap(), p["url"].as_str().unwrap()),
            line.replace("{base}", "http://127.0.0.1:8889"),
            "{}",
            case["id"]
        );
        assert_eq!(p["headers"]["X-CHECKSUM"], case["X-CHECKSUM"], "{}", case["id"]);
        let body = case["body_exact"].as_str().unwrap();
        assert_eq!(p["body"], if body.is_empty() { Value::Null } else { json!(body) }, "{}", case["id"]);
        n += 1;
    }
    n
}

#[test]
fn cybavo_inspect_callback_endpoint_vectors() {
    let n = cybavo_additions(
        "inspect-",
        "inspect-callback-endpoint",
        |c| c["body_exact"].as_str().unwrap().to_owned(),
        &[],
    );
    assert_eq!(n, 3);
}

#[test]
fn cybavo_list_readonly_wallets_vectors_with_a_readonly_or_any_account_file() {
    let none = |_: &Value| "{}".to_owned();
    assert_eq!(cybavo_additions("readonly-walletlist-1", "list-readonly-wallets", none, &[("access", "read_only")]), 1);
    assert_eq!(cybavo_additions("readonly-walletlist-2", "list-readonly-wallets", none, &[]), 1);
    // Saved without a wallet, a read-only account can preview the list.
    let acct = json!({"provider":"cybavo","base_url":"http://127.0.0.1:8889","access":"read_only","api_code":"RO","api_secret":"ROSECRETabcdef0123456789"});
    let p = preview(&acct, "list-readonly-wallets", "{}", "1700000000000", &["--nonce", "Ab3dE6gH"]);
    assert_eq!(p["headers"]["X-CHECKSUM"], "e6b51207134d50c33825a25d070d1f091196ac467a63f573ec5e3876a5cc5887");
}

#[test]
fn cybavo_readonly_account_files_are_not_offered_resends() {
    let acct = file(&json!({"provider":"cybavo","base_url":"http://127.0.0.1:8889","access":"read_only","wallet_id":55743,"api_code":"RO","api_secret":"S"}).to_string());
    let out = run(&[
        "preview",
        "--account",
        acct.path().to_str().unwrap(),
        "--operation",
        "resend-withdrawal-callbacks",
        "--params",
        r#"{"notification_id":0}"#,
        "--at",
        "0",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let e: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(e["error"]["code"], "input.unknown_operation");
}

#[test]
fn ceffu_vector_1() {
    let v = vectors();
    let key = include_str!("fixtures/ceffu_test_key.pem");
    let acct = json!({"provider":"ceffu","base_url":"http://127.0.0.1:8889","api_key":"TESTAPIKEY","private_key":key});
    let p = preview(&acct, "resend-webhooks", &v["ceffu"]["params"].to_string(), "1699256508000", &[]);
    assert_eq!(
        p,
        json!({
            "method": "POST",
            "url": "http://127.0.0.1:8889/open-api/entity/webhook/resend",
            "headers": {"open-apikey": "TESTAPIKEY", "signature": v["ceffu"]["signature"], "Content-Type": "application/json"},
            "body": v["ceffu"]["body"],
        })
    );
}

#[test]
fn ccpayment_v1_and_v2() {
    let v = vectors();
    for (ver, ct) in [("v1", "application/json; charset=utf-8"), ("v2", "application/json")] {
        let c = &v["ccpayment"][ver];
        let p = preview(&ccpayment_account(ver), "resend-webhooks", &c["params"].to_string(), "1700000000000", &[]);
        assert_eq!(
            p,
            json!({
                "method": "POST",
                "url": format!("http://127.0.0.1:8889/ccpayment/{ver}/webhook/resend"),
                "headers": {"Appid": "202302010636261620672405236006912", "Timestamp": "1700000000", "Sign": c["sign"], "Content-Type": ct},
                "body": c["body"],
            })
        );
    }
}

#[test]
fn avista_preview_shows_token_placeholder_or_given_token() {
    let cert = include_str!("fixtures/avista_test_cert.pem");
    let acct = json!({"provider":"avista","base_url":"http://127.0.0.1:8889","client_id":"cid","client_secret":"csecret","client_cert_pem":cert});
    let p = preview(&acct, "resend-webhook", r#"{"transaction_identifier":"PAG-2024-0001"}"#, "0", &[]);
    assert_eq!(p["headers"]["Authorization"], "Bearer <token>");
    assert_eq!(p["url"], "http://127.0.0.1:8889/api/resend-webhook/PAG-2024-0001");
    let p = preview(&acct, "resend-webhook", r#"{"transaction_identifier":"1"}"#, "0", &["--token", "abc"]);
    assert_eq!(p["headers"]["Authorization"], "Bearer abc");
    let p = preview(&acct, "get-token", "{}", "0", &[]);
    assert_eq!(p["headers"]["X-SSL-Client-Cert"].as_str().unwrap().len(), 627);
    assert_eq!(p["body"], r#"{"clientId":"cid","clientSecret":"csecret"}"#);
}

#[test]
fn preview_rejects_bad_input_with_a_json_error() {
    let acct = file(&cybavo_account().to_string());
    let out = run(&["preview", "--account", acct.path().to_str().unwrap(), "--operation", "nope", "--at", "0"]);
    assert_eq!(out.status.code(), Some(1));
    let e: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(e["error"]["code"], "input.unknown_operation");
}

fn verify(account: &Value, kind: &str, body: &str, headers: &[&str]) -> (i32, String) {
    let acct = file(&account.to_string());
    let body = file(body);
    let mut args = vec![
        "verify",
        "--account",
        acct.path().to_str().unwrap(),
        "--kind",
        kind,
        "--body-file",
        body.path().to_str().unwrap(),
    ];
    for h in headers {
        args.push("--header");
        args.push(h);
    }
    let out = run(&args);
    (out.status.code().unwrap(), String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[test]
fn verify_cybavo_response_checksum() {
    let ok = verify(
        &cybavo_account(),
        "response",
        "{\"count\":3}",
        &["X-CHECKSUM: A7RbYeXHEOHwzJIUmBMJpjYS4DJNfSrX-x7Ro3DeRo0="],
    );
    assert_eq!(ok, (0, "valid".to_owned()));
    let cb = verify(
        &cybavo_account(),
        "callback",
        "{\"count\":3}",
        &["x-checksum: A7RbYeXHEOHwzJIUmBMJpjYS4DJNfSrX-x7Ro3DeRo0="],
    );
    assert_eq!(cb.0, 0);
    let bad = verify(
        &cybavo_account(),
        "response",
        "{\"count\":4}",
        &["X-CHECKSUM: A7RbYeXHEOHwzJIUmBMJpjYS4DJNfSrX-x7Ro3DeRo0="],
    );
    assert_eq!(bad.0, 1);
    assert!(bad.1.starts_with("invalid"));
    let missing = verify(&cybavo_account(), "response", "{}", &[]);
    assert_eq!(missing.0, 1);
    assert!(missing.1.contains("X-CHECKSUM"));
}

#[test]
fn verify_ccpayment_v1_and_v2() {
    let v = vectors();
    for ver in ["v1", "v2"] {
        let c = &v["ccpayment"][ver];
        let sign = format!("Sign: {}", c["sign"].as_str().unwrap());
        let hs = ["Appid: 202302010636261620672405236006912", "Timestamp: 1700000000", sign.as_str()];
        assert_eq!(
            verify(&ccpayment_account(ver), "callback", c["body"].as_str().unwrap(), &hs),
            (0, "valid".to_owned()),
            "{ver}"
        );
        let hs_bad = ["Appid: 202302010636261620672405236006912", "Timestamp: 1700000001", sign.as_str()];
        assert_eq!(verify(&ccpayment_account(ver), "response", c["body"].as_str().unwrap(), &hs_bad).0, 1);
    }
}

#[test]
fn verify_says_when_a_provider_does_not_sign() {
    let cert = include_str!("fixtures/avista_test_cert.pem");
    let acct = json!({"provider":"avista","base_url":"http://127.0.0.1:8889","client_id":"cid","client_secret":"csecret","client_cert_pem":cert});
    let (code, text) = verify(&acct, "callback", "{}", &[]);
    assert_eq!(code, 1);
    assert_eq!(text, "invalid: avista does not sign callbacks");
}

#[test]
fn sandbox_rejects_unknown_arguments() {
    assert_eq!(run(&["sandbox", "--no-such-flag"]).status.code(), Some(2));
}
