//! Account-file parsers: `Account::from_json` (what the CLI's `--account FILE` loads), and
//! `AccountInput::from_account_file` + `accounts::validate_input` (what `accounts add` and the sandbox demo
//! accounts go through before anything is saved), in each environment.
//!
//! Every free-text secret of the file (API code/secret, API key, client secret, app secret) is replaced by
//! a canary first, so the parse behaves the same and any place it leaks to shows: the canary must never
//! appear in an account's `Debug`, in an error, or in the public fields that are stored unencrypted.
//! Errors are field-level (`input.invalid` / `input.missing` naming the field).
//!
//! Oversized input: one text field of the file (picked by the input's length) is made one byte longer
//! than its limit; the CLI's loader must then refuse the file, and when its error names that field the
//! reason is `too_large`. The stored-account path never stores it.
#![no_main]

use callback_desk::accounts::{self, AccountInput, Environment};
use callback_desk::error::{Error, ErrorCode};
use callback_desk::providers::{self, input_limits, Account, ProviderId};
use callback_desk_fuzz as f;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const CANARY: &str = "q7Zt";
/// Secrets whose content the parser does not read (keys and certificates are parsed, so they stay as
/// given); each is replaced only in a file of a provider that has it.
const FREE_TEXT_SECRETS: &[&str] = &["api_code", "api_secret", "api_key", "client_secret", "app_secret"];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if text.contains(CANARY) {
        return;
    }
    let mut value: Option<Value> = serde_json::from_str(text).ok();
    let mut canaries = false;
    if let Some(Value::Object(map)) = &mut value {
        let provider = map.get("provider").and_then(Value::as_str).and_then(|p| ProviderId::parse(p).ok());
        let secrets: Vec<String> = provider
            .map(|p| providers::descriptor(p).account_fields.into_iter().filter(|a| a.secret).map(|a| a.name).collect())
            .unwrap_or_default();
        for (k, v) in map.iter_mut() {
            if let Value::String(s) = v {
                if FREE_TEXT_SECRETS.contains(&k.as_str()) && secrets.contains(k) && !s.trim().is_empty() {
                    *s = format!("CANARY-{k}-{CANARY}");
                    canaries = true;
                }
            }
        }
    }
    let text = match (&value, canaries) {
        (Some(v), true) => serde_json::to_string(v).unwrap(),
        _ => text.to_owned(),
    };
    let no_canary = |what: &str, s: &str| assert!(!s.contains(CANARY), "a secret leaked into {what}: {s}");

    // The CLI's loader.
    match Account::from_json(&text) {
        Ok(a) => {
            no_canary("Debug", &format!("{a:?}"));
            assert_eq!(value.as_ref().and_then(|v| v["provider"].as_str()), Some(a.provider().as_str()));
        }
        Err(e) => check_field_error(&e, &no_canary),
    }

    // Oversized input.
    if let Some(Value::Object(map)) = &value {
        check_oversized_field(map, data.len(), &no_canary);
    }

    // The stored-account path.
    let Some(Value::Object(map)) = &value else { return };
    for env in [None, Some(Environment::Sandbox), Some(Environment::Custom), Some(Environment::Production)] {
        let input = match AccountInput::from_account_file(map, "Fuzzed account".into(), env, String::new()) {
            Ok(i) => i,
            Err(e) => {
                check_field_error(&e, &no_canary);
                return;
            }
        };
        assert_eq!(Some(input.provider.as_str()), map.get("provider").and_then(Value::as_str));
        let secret_names: Vec<String> = providers::descriptor(input.provider)
            .account_fields
            .into_iter()
            .filter(|a| a.secret)
            .map(|a| a.name)
            .collect();
        for k in input.secrets.keys() {
            assert!(secret_names.contains(k), "{k} is not a secret of {}", input.provider);
        }
        for k in input.fields.keys() {
            assert!(!secret_names.contains(k) && k != "provider" && k != "base_url", "{k} among public fields");
        }
        no_canary("public fields", &Value::Object(input.fields.clone()).to_string());
        match accounts::validate_input(&input, &mut |_| None) {
            Ok((base_url, public)) => {
                no_canary("stored fields", &Value::Object(public.clone()).to_string());
                no_canary("stored base URL", &base_url);
                if input.environment == Environment::Sandbox {
                    assert_eq!(base_url, accounts::SANDBOX_BASE_URL);
                } else {
                    providers::account::validate_base_url(&base_url).expect("a stored base URL is valid");
                }
                if input.provider == ProviderId::parse("cybavo").unwrap() {
                    assert!(public.contains_key("wallet_id"));
                }
            }
            Err(e) => check_field_error(&e, &no_canary),
        }
    }
});

/// One text field of `map` (the `pick`-th) made longer than its limit.
fn check_oversized_field(map: &serde_json::Map<String, Value>, pick: usize, no_canary: &dyn Fn(&str, &str)) {
    let texts: Vec<&String> = map.iter().filter(|(_, v)| v.is_string()).map(|(k, _)| k).collect();
    if texts.is_empty() {
        return;
    }
    let field = texts[pick % texts.len()].clone();
    let mut big = map.clone();
    big.insert(field.clone(), Value::String("A".repeat(input_limits::max_bytes(&field) + 1)));
    // The provider is read first, so an oversized provider name is an unknown provider.
    let named_reason = |e: &Error| {
        if e.params.get("field").and_then(Value::as_str) == Some(field.as_str()) && field != "provider" {
            assert_eq!(e.params.get("reason").and_then(Value::as_str), Some("too_large"), "{e}");
        }
    };
    match Account::from_map(&big) {
        Ok(_) => panic!("an account with an oversized {field} was accepted"),
        Err(e) => {
            check_field_error(&e, no_canary);
            named_reason(&e);
        }
    }
    let Ok(input) = AccountInput::from_account_file(&big, "Fuzzed account".into(), None, String::new()) else { return };
    match accounts::validate_input(&input, &mut |_| None) {
        Ok((base_url, public)) => {
            // Only what is not kept can be oversized: nothing stored may be.
            assert!(base_url.len() <= input_limits::MAX_FIELD_BYTES, "an oversized base URL would be stored");
            for (k, v) in &public {
                assert!(v.as_str().is_none_or(|s| s.len() <= input_limits::max_bytes(k)), "oversized {k} would be stored");
            }
        }
        Err(e) => {
            check_field_error(&e, no_canary);
            if e.params.get("reason").and_then(Value::as_str) != Some("unknown_field") {
                named_reason(&e);
            }
        }
    }
}

/// Account errors name the field to correct, and never carry a secret.
fn check_field_error(e: &Error, no_canary: &dyn Fn(&str, &str)) {
    f::check_error(e);
    assert!(matches!(e.code, ErrorCode::InputInvalid | ErrorCode::InputMissing), "unexpected code {e}");
    assert!(e.params.get("field").is_some_and(Value::is_string), "{e} names no field");
    no_canary("an error", &serde_json::to_string(e).unwrap());
}
