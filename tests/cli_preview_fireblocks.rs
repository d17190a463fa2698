//! Runs the built `callback-desk-cli` for Fireblocks `preview` and `verify` against the published
//! vectors (`fixtures/fireblocks_jwt_vectors.json`, made by running Fireblocks' own implementations):
//! the Rust example's three tokens byte for byte (Callback Desk signs as it does: `{"typ":"JWT",...}`,
//! `exp` = `iat` + 30), and for the current SDKs' requests the same method, URL, body bytes, `uri` and
//! `bodyHash`; and a webhook's v1 and v2 signatures checked by `verify --kind callback`.

use base64::Engine as _;
use serde_json::{json, Value};
use std::io::Write;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_callback-desk-cli");
const NONCE: &str = "6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b";
const AT_MS: &str = "1700000000123";

fn vectors() -> Vec<Value> {
    let v: Value = serde_json::from_str(include_str!("fixtures/fireblocks_jwt_vectors.json")).unwrap();
    v["vectors"].as_array().unwrap().clone()
}

fn vector(id: &str) -> Value {
    vectors().into_iter().find(|v| v["id"] == id).unwrap()
}

fn file(content: &[u8]) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(content).unwrap();
    f
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn account() -> Value {
    json!({"provider": "fireblocks", "base_url": "https://sandbox-api.fireblocks.io/v1",
        "api_key": "11111111-2222-4333-8444-555555555555",
        "private_key": include_str!("fixtures/fireblocks_test_key.pem"),
        "webhook_id": "44fcead0-7053-4831-a53a-df7fb90d440f",
        "webhook_public_key": include_str!("fixtures/fireblocks_test_pub.pem")})
}

fn preview(op: &str, params: &Value) -> Value {
    preview_at(op, params, AT_MS)
}

fn preview_at(op: &str, params: &Value, at_ms: &str) -> Value {
    let acct = file(account().to_string().as_bytes());
    let out = run(&[
        "preview",
        "--account",
        acct.path().to_str().unwrap(),
        "--operation",
        op,
        "--params",
        &params.to_string(),
        "--at",
        at_ms,
        "--nonce",
        NONCE,
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn payload(authorization: &str) -> Value {
    let jwt = authorization.strip_prefix("Bearer ").unwrap();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    serde_json::from_slice(&b64.decode(jwt.split('.').nth(1).unwrap()).unwrap()).unwrap()
}

#[test]
fn the_rust_examples_tokens_byte_for_byte() {
    let cases = [
        ("rust_example:get_tx", "get-transaction", json!({"txId": "cfe5be48-9307-4aa3-8ead-b959fca35dd6"})),
        (
            "rust_example:resend_tx",
            "resend-transaction-webhooks-v1",
            json!({"txId": "cfe5be48-9307-4aa3-8ead-b959fca35dd6", "resendCreated": true, "resendStatusUpdated": true}),
        ),
        ("rust_example:resend_all_nobody", "resend-failed-webhooks-v1", json!({})),
    ];
    for (id, op, params) in cases {
        let v = vector(id);
        let p = preview(op, &params);
        assert_eq!(p["method"], v["request"]["method"], "{id}");
        assert_eq!(p["url"], v["request"]["url"], "{id}");
        assert_eq!(p["body"].as_str().unwrap_or_default(), v["request"]["body_exact"], "{id}");
        assert_eq!(p["headers"]["Authorization"], v["authorization"], "{id}");
        assert_eq!(p["headers"]["X-API-Key"], "11111111-2222-4333-8444-555555555555");
    }
}

#[test]
fn the_current_sdks_requests_with_their_uri_and_body_hash() {
    let cases = [
        ("js_ts:get_tx_external_special", "get-transaction-by-external-id", json!({"externalTxId": "order/2024 #17"})),
        (
            "js_ts:v2_list_notifications",
            "list-notifications",
            json!({"pageSize": 10, "statuses": ["FAILED"], "resourceId": "cfe5be48-9307-4aa3-8ead-b959fca35dd6"}),
        ),
        (
            "js_ts:v2_attempts",
            "get-notification-attempts",
            json!({"notificationId": "7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e", "pageSize": 10}),
        ),
        (
            "js_ts:v2_resend_by_id",
            "resend-notification",
            json!({"notificationId": "7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d0e"}),
        ),
        (
            "js_ts:v2_resend_by_resource",
            "resend-by-resource",
            json!({"resourceId": "cfe5be48-9307-4aa3-8ead-b959fca35dd6", "excludeStatuses": []}),
        ),
        ("js_ts:v2_resend_job_status", "get-resend-job", json!({"jobId": "123e4567-e89b-12d3-a456-426614174000"})),
    ];
    for (id, op, params) in cases {
        let v = vector(id);
        let p = preview(op, &params);
        assert_eq!((&p["method"], &p["url"]), (&v["request"]["method"], &v["request"]["url"]), "{id}");
        assert_eq!(p["body"].as_str().unwrap_or_default(), v["request"]["body_exact"], "{id}");
        let ours = payload(p["headers"]["Authorization"].as_str().unwrap());
        let theirs: Value = serde_json::from_str(v["jwt_payload_json"].as_str().unwrap()).unwrap();
        for claim in ["uri", "nonce", "iat", "sub", "bodyHash"] {
            assert_eq!(ours[claim], theirs[claim], "{id}: {claim}");
        }
        assert_eq!(ours["exp"], 1_700_000_030, "{id}");
    }
    // The resend of failed notifications: the SDK's body, signed exactly 24 hours after its start.
    let v = vector("js_ts:v2_resend_failed");
    let params = json!({"startTime": 1699913600000i64, "events": ["transaction.status.updated"]});
    let p = preview_at("resend-failed-notifications", &params, "1700000000000");
    assert_eq!((&p["url"], &p["body"]), (&v["request"]["url"], &v["request"]["body_exact"]));
    assert_eq!(payload(p["headers"]["Authorization"].as_str().unwrap())["bodyHash"], v["sha256_of_sent_body"]);
}

#[test]
fn a_start_beyond_24_hours_is_refused_before_anything_is_signed() {
    let acct = file(account().to_string().as_bytes());
    let out = run(&[
        "preview",
        "--account",
        acct.path().to_str().unwrap(),
        "--operation",
        "resend-failed-notifications",
        "--params",
        r#"{"startTime":1699913600000}"#,
        "--at",
        "1700000000001",
    ]);
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("too_far_back") && text.contains("startTime"), "{text}");
}

fn verify(account: &Value, body: &[u8], headers: &[String]) -> (i32, String) {
    let acct = file(account.to_string().as_bytes());
    let body = file(body);
    let mut args = vec![
        "verify".to_owned(),
        "--account".into(),
        acct.path().to_str().unwrap().into(),
        "--kind".into(),
        "callback".into(),
        "--body-file".into(),
        body.path().to_str().unwrap().into(),
    ];
    for h in headers {
        args.extend(["--header".to_owned(), h.clone()]);
    }
    let out = Command::new(BIN).args(&args).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

#[test]
fn verify_checks_both_webhook_signatures_over_the_raw_body() {
    use rsa::pkcs8::DecodePrivateKey;
    use rsa::signature::{SignatureEncoding, Signer};
    use rsa::traits::PublicKeyParts;
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(include_str!("fixtures/fireblocks_test_key.pem")).unwrap();
    let signer = rsa::pkcs1v15::SigningKey::<sha2::Sha512>::new(key.clone());
    let body =
        br#"{"type":"TRANSACTION_STATUS_UPDATED","tenantId":"t","timestamp":1700000000000,"data":{"id":"cfe5"}}"#;
    let v1 = base64::engine::general_purpose::STANDARD.encode(signer.sign(body).to_bytes());
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let protected = b64.encode(r#"{"alg":"RS512","kid":"k1"}"#);
    let v2 = format!(
        "{protected}..{}",
        b64.encode(signer.sign(format!("{protected}.{}", b64.encode(body)).as_bytes()).to_bytes())
    );
    let jwks = json!({"keys": [{"kty": "RSA", "kid": "k1", "n": b64.encode(key.n().to_bytes_be()), "e": b64.encode(key.e().to_bytes_be())}]});
    let mut with_jwks = account();
    with_jwks["webhook_jwks"] = json!(jwks.to_string());
    let v1_header = format!("Fireblocks-Signature: {v1}");
    let v2_header = format!("Fireblocks-Webhook-Signature: {v2}");
    assert_eq!(verify(&with_jwks, body, &[v1_header.clone(), v2_header.clone()]), (0, "valid".to_owned()));
    assert_eq!(verify(&account(), body, std::slice::from_ref(&v1_header)), (0, "valid".to_owned()));
    assert_eq!(verify(&with_jwks, body, std::slice::from_ref(&v2_header)), (0, "valid".to_owned()));
    // One byte changed, a v2 signature without the JWKS, or no signature at all.
    let (code, text) = verify(&with_jwks, &body[..body.len() - 1], &[v1_header.clone(), v2_header.clone()]);
    assert_eq!(code, 1, "{text}");
    let (code, text) = verify(&account(), body, &[v2_header]);
    assert_eq!(code, 1);
    assert!(text.contains("webhook_jwks"), "{text}");
    let (code, text) = verify(&account(), body, &[]);
    assert_eq!(code, 1);
    assert!(text.contains("Fireblocks-Signature"), "{text}");
    // An account of Fireblocks' sandbox without its own key checks with Fireblocks' published one.
    let mut published = account();
    published.as_object_mut().unwrap().remove("webhook_public_key");
    let (code, text) = verify(&published, body, &[v1_header]);
    assert_eq!(code, 1, "the test key is not Fireblocks' sandbox key: {text}");
}
