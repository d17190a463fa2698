//! Redaction of what history stores and exports.

use super::{RecordedRequest, RecordedResponse, SENSITIVE_BODY_FIELDS, SENSITIVE_HEADERS};
use crate::logging::{scrub, Scrubber};
use crate::secret::REDACTED;
use serde_json::Value;
use std::borrow::Cow;

pub(super) fn is_sensitive_header(name: &str) -> bool {
    SENSITIVE_HEADERS.iter().any(|h| h.eq_ignore_ascii_case(name.trim()))
}

/// False only when no credential field name can occur in `body` as a JSON key: none of the names appears
/// in it (ignoring ASCII case), and it has no `\u` escape that could spell one.
fn may_name_a_sensitive_field(body: &str) -> bool {
    // One pass over the body for every name at once, ignoring ASCII case (what lower-casing the body and
    // searching each name did, at a tenth of the cost: an export checks two bodies per row).
    static NAMES: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> = std::sync::OnceLock::new();
    let names = NAMES.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(SENSITIVE_BODY_FIELDS.iter().copied().chain(["\\u"]))
            .ok()
    });
    match names {
        Some(names) => names.is_match(body),
        None => true, // cannot happen (fixed names); the slow path is always safe
    }
}

fn is_sensitive_field(name: &str) -> bool {
    SENSITIVE_BODY_FIELDS.iter().any(|h| h.eq_ignore_ascii_case(name.trim()))
}

fn redact_headers(headers: Vec<(String, String)>) -> Vec<(String, String)> {
    headers
        .into_iter()
        .map(|(name, value)| {
            let value = if is_sensitive_header(&name) { REDACTED.to_owned() } else { scrub(&value) };
            (name, value)
        })
        .collect()
}

fn redact_json(v: &mut Value) -> bool {
    match v {
        Value::Object(map) => {
            let mut changed = false;
            for (k, v) in map.iter_mut() {
                if is_sensitive_field(k) && !v.is_null() {
                    *v = Value::String(REDACTED.to_owned());
                    changed = true;
                } else {
                    changed |= redact_json(v);
                }
            }
            changed
        }
        Value::Array(items) => items.iter_mut().fold(false, |c, v| redact_json(v) | c),
        _ => false,
    }
}

/// Masks credential fields of a JSON or `application/x-www-form-urlencoded` body and scrubs registered
/// secrets. Other bodies are only scrubbed. A body without anything to mask is returned unchanged.
pub fn redact_body(body: &str) -> String {
    redact_body_with(&Scrubber::now(), body).into_owned()
}

/// [`redact_body`] with a snapshot of the registered secrets; borrowed when nothing changed.
pub(super) fn redact_body_with<'a>(scrubber: &Scrubber, body: &'a str) -> Cow<'a, str> {
    let trimmed = body.trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('[')) && !may_name_a_sensitive_field(body) {
        // Fast path (exports of large histories): no key can be a credential field, so there is nothing
        // to mask; parsing the JSON would only cost time.
        return scrubber.scrub(body);
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        if let Ok(mut v) = serde_json::from_str::<Value>(body) {
            if redact_json(&mut v) {
                return Cow::Owned(scrubber.scrub(&v.to_string()).into_owned());
            }
            return scrubber.scrub(body);
        }
    } else if !trimmed.is_empty()
        && !trimmed.contains(char::is_whitespace)
        && trimmed.contains('=')
        && trimmed.split('&').any(|pair| pair.split_once('=').is_some_and(|(k, _)| is_sensitive_field(k)))
    {
        let masked: Vec<String> = trimmed
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if is_sensitive_field(k) => format!("{k}={REDACTED}"),
                _ => pair.to_owned(),
            })
            .collect();
        return Cow::Owned(scrubber.scrub(&masked.join("&")).into_owned());
    }
    scrubber.scrub(body)
}

/// The request with signature headers masked, credential body fields masked and secrets scrubbed.
pub fn redact_request(r: RecordedRequest) -> RecordedRequest {
    RecordedRequest {
        method: r.method,
        url: scrub(&r.url),
        headers: redact_headers(r.headers),
        body: redact_body(&r.body),
    }
}

/// The response with signature headers masked, credential body fields masked and secrets scrubbed.
pub fn redact_response(r: RecordedResponse) -> RecordedResponse {
    RecordedResponse {
        status: r.status,
        headers: redact_headers(r.headers),
        body: redact_body(&r.body),
        elapsed_ms: r.elapsed_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_are_lower_case_as_the_fast_path_compares_them() {
        assert!(SENSITIVE_BODY_FIELDS.iter().all(|f| *f == f.to_ascii_lowercase()));
    }

    #[test]
    fn the_fast_path_never_skips_a_credential_field() {
        assert_eq!(redact_body(r#"{"count":3}"#), r#"{"count":3}"#);
        assert!(redact_body(r#"{"Client_Secret":"x"}"#).contains(REDACTED));
        assert!(redact_body(r#"{"a":{"sign":"abc"}}"#).contains(REDACTED));
        // A key spelled with a unicode escape still goes through the parser.
        assert!(redact_body(r#"{"\u0073ign":"abc"}"#).contains(REDACTED));
        assert!(!may_name_a_sensitive_field(r#"{"notifications":[{"serial":1}]}"#));
    }
}
