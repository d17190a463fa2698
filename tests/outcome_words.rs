//! Outcomes in words: every sentence a provider describes a successful call with is in the window's three
//! catalogs (in every plural form the language has when it counts something, with the placeholders its
//! parameters fill), and a resend that matched nothing says so in neutral words rather than as a success.

use callback_desk::providers::{Account, ProviderId, Tone};
use serde_json::{json, Map, Value};

/// A catalog as `key → text`, nested keys joined with dots.
fn catalog(language: &str) -> Map<String, Value> {
    fn flatten(prefix: &str, v: &Value, out: &mut Map<String, Value>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    flatten(&if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") }, v, out);
                }
            }
            other => {
                out.insert(prefix.to_owned(), other.clone());
            }
        }
    }
    let path = format!("{}/ui/src/locales/{language}.json", env!("CARGO_MANIFEST_DIR"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = Map::new();
    flatten("", &v, &mut out);
    out
}

/// What providers answer a successful call with, in the shapes their `describe` reads.
fn sample_results() -> Vec<Value> {
    vec![
        json!({}),
        json!({"count": 0}),
        json!({"count": 1}),
        json!({"count": 7}),
        json!({"resend_count": 0}),
        json!({"resend_count": 3}),
        json!({"request_id": "r-1"}),
        json!({"statusCode": 200, "webhookLogId": 7, "sentAt": "2024-05-16T10:30:00Z"}),
    ]
}

/// Every phrase of every provider's demo accounts, for every operation, with the result it describes.
fn phrases() -> Vec<(String, Value, callback_desk::providers::Phrase)> {
    let mut out = Vec::new();
    for p in ProviderId::all() {
        for demo in p.get().simulator().demo_accounts("http://127.0.0.1:9") {
            let account = Account::from_json(&demo.account.to_string()).unwrap();
            for op in p.get().descriptor().operations {
                for result in sample_results() {
                    for phrase in account.inner().describe(&op.name, &result) {
                        out.push((format!("{}/{}", p.as_str(), op.name), result.clone(), phrase));
                    }
                }
            }
        }
    }
    out
}

#[test]
fn every_outcome_sentence_is_in_the_three_catalogs_with_its_plural_forms() {
    let all = phrases();
    assert!(all.len() > 10, "{}", all.len());
    // The plural forms each language has (i18next's suffixes; Chinese has one form).
    for (language, forms) in
        [("en", &["one", "other"][..]), ("pt-BR", &["one", "other"][..]), ("zh-CN", &["other"][..])]
    {
        let cat = catalog(language);
        for (op, result, phrase) in &all {
            let keys: Vec<String> = if phrase.params.contains_key("count") {
                forms.iter().map(|f| format!("{}_{f}", phrase.key)).collect()
            } else {
                vec![phrase.key.clone()]
            };
            for key in keys {
                let text = cat.get(&key).and_then(Value::as_str);
                let text = text.unwrap_or_else(|| panic!("{language}: no {key} (for {op} {result})"));
                for name in phrase.params.keys() {
                    assert!(
                        text.contains(&format!("{{{{{name}}}}}")),
                        "{language}: {key} does not name {{{{{name}}}}}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_resend_that_matched_nothing_reads_as_nothing_and_says_what_to_check() {
    let all = phrases();
    let mut zero_counts = 0;
    for (op, result, _) in &all {
        let zero = result.get("count") == Some(&json!(0)) || result.get("resend_count") == Some(&json!(0));
        if !zero {
            continue;
        }
        let said: Vec<_> = all.iter().filter(|(o, r, _)| o == op && r == result).map(|(_, _, p)| p).collect();
        let without: Vec<_> = all.iter().filter(|(o, r, _)| o == op && *r == json!({})).map(|(_, _, p)| p).collect();
        if said.is_empty() || said == without {
            // This provider's answer carries no count.
            continue;
        }
        zero_counts += 1;
        assert_eq!(said[0].tone, Tone::Nothing, "{op} {result}: {said:?}");
        assert!(said.iter().all(|p| p.tone != Tone::Done), "{op} {result}: nothing reads as done: {said:?}");
        assert!(said.iter().any(|p| p.tone == Tone::Note), "{op} {result}: no hint of what to check: {said:?}");
    }
    assert!(zero_counts >= 3, "the resends that count what they resent were described: {zero_counts}");
    // Something resent reads as done.
    for (op, result, p) in &all {
        if result.get("count").and_then(Value::as_i64).is_some_and(|n| n > 0) && p.params.contains_key("count") {
            assert_eq!(p.tone, Tone::Done, "{op} {result}");
        }
    }
}
