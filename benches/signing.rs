//! Signing cost per provider (build + sign one request, and the bare signature primitives).

use callback_desk::providers::{self, Account, BuildCtx};
use callback_desk::secret::Secret;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use serde_json::{json, Map, Value};

fn account(v: Value) -> Account {
    Account::from_map(v.as_object().unwrap()).unwrap()
}

fn params(v: Value) -> Map<String, Value> {
    v.as_object().unwrap().clone()
}

fn bench(c: &mut Criterion) {
    let cybavo = account(
        json!({"provider":"cybavo","base_url":"https://sofa.example","wallet_id":55743,"api_code":"CODE","api_secret":"TESTSECRET0123456789abcdef"}),
    );
    let ceffu = account(json!({"provider":"ceffu","base_url":"https://open-api.ceffu.com","api_key":"KEY",
        "private_key": include_str!("../tests/fixtures/ceffu_test_key.pem")}));
    let avista = account(
        json!({"provider":"avista","base_url":"https://api.avista.global","client_id":"cid","client_secret":"csecret",
        "client_cert_pem": include_str!("../tests/fixtures/avista_test_cert.pem")}),
    );
    let v1 = account(
        json!({"provider":"ccpayment","base_url":"https://admin.ccpayment.com/ccpayment/v1","api_version":"v1","app_id":"202302010636261620672405236006912","app_secret":"TESTAPPSECRET1234567890abcdef"}),
    );
    let v2 = account(
        json!({"provider":"ccpayment","base_url":"https://ccpayment.com/ccpayment/v2","api_version":"v2","app_id":"202302010636261620672405236006912","app_secret":"TESTAPPSECRET1234567890abcdef"}),
    );
    let fireblocks = account(json!({"provider":"fireblocks","base_url":"https://api.fireblocks.io/v1",
        "api_key":"11111111-2222-4333-8444-555555555555","webhook_id":"44fcead0-7053-4831-a53a-df7fb90d440f",
        "private_key": include_str!("../tests/fixtures/fireblocks_test_key.pem")}));
    let fireblocks_2048 = account(json!({"provider":"fireblocks","base_url":"https://api.fireblocks.io/v1",
        "api_key":"11111111-2222-4333-8444-555555555555","webhook_id":"44fcead0-7053-4831-a53a-df7fb90d440f",
        "private_key": include_str!("../tests/fixtures/ceffu_test_key.pem")}));
    let ctx = BuildCtx { now_ms: 1_700_000_000_000, nonce: Some("Ab3dE6gH".into()), token: None };
    let cases: Vec<(&str, &Account, &str, Map<String, Value>)> = vec![
        (
            "cybavo/resend-withdrawal-callbacks",
            &cybavo,
            "resend-withdrawal-callbacks",
            params(json!({"notification_id":0})),
        ),
        (
            "cybavo/query-callbacks-100",
            &cybavo,
            "query-callbacks",
            params(json!({"ids": (90000000000i64..90000000100).collect::<Vec<_>>()})),
        ),
        (
            "ceffu/resend-webhooks (RSA-2048 SHA-512)",
            &ceffu,
            "resend-webhooks",
            params(json!({"webhookId":"1721442311151521794","eventType":"1","resendFromDateTime":1699256508000i64})),
        ),
        ("avista/get-token", &avista, "get-token", Map::new()),
        (
            "ccpayment/v1 resend-webhooks",
            &v1,
            "resend-webhooks",
            params(
                json!({"start_timestamp":1699996400,"end_timestamp":1700000000,"webhook_result":"Failed","transaction_type":"All Type"}),
            ),
        ),
        (
            "ccpayment/v2 resend-webhooks",
            &v2,
            "resend-webhooks",
            params(
                json!({"startTimestamp":1699996400,"endTimestamp":1700000000,"webhookResult":"Failed","transactionType":"AllType"}),
            ),
        ),
        (
            "fireblocks/resend-failed-notifications (JWT RS256, RSA-4096)",
            &fireblocks,
            "resend-failed-notifications",
            params(json!({"startTime":1699913600000i64,"events":["transaction.status.updated"]})),
        ),
        (
            "fireblocks/get-transaction (JWT RS256, RSA-4096)",
            &fireblocks,
            "get-transaction",
            params(json!({"txId":"cfe5be48-9307-4aa3-8ead-b959fca35dd6"})),
        ),
        (
            "fireblocks/get-transaction (JWT RS256, RSA-2048)",
            &fireblocks_2048,
            "get-transaction",
            params(json!({"txId":"cfe5be48-9307-4aa3-8ead-b959fca35dd6"})),
        ),
    ];
    for (name, acct, op, p) in &cases {
        c.bench_function(name, |b| b.iter(|| providers::build_request(acct, op, black_box(p), &ctx).unwrap()));
    }
    let secret = Secret::new("TESTSECRET0123456789abcdef");
    c.bench_function("cybavo/response checksum verify", |b| {
        b.iter(|| {
            providers::cybavo::sign::verify_body_checksum(
                black_box(b"{\"count\":3}"),
                "A7RbYeXHEOHwzJIUmBMJpjYS4DJNfSrX-x7Ro3DeRo0=",
                &secret,
            )
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
