//! Helpers shared by the providers: param readers with field-level errors, encodings, unit conversion.

use crate::error::{Error, Result};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use rand::Rng;
use serde_json::{Map, Value};

/// JavaScript `encodeURIComponent`: everything but `A-Z a-z 0-9 - _ . ! ~ * ' ( )` is percent-encoded
/// (so `/`, `+`, `=`, space and newline are). Used for Avista's `X-SSL-Client-Cert` header and for path
/// segments built from user input.
pub const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

pub fn encode_uri_component(s: &str) -> String {
    utf8_percent_encode(s, URI_COMPONENT).to_string()
}

/// A random string of `len` characters from `[A-Za-z0-9]` (CYBAVO's `r`).
pub fn random_alnum(len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..len).map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char).collect()
}

/// Joins `base` (no trailing slash needed) and `path` (starting with `/`).
pub fn join_url(base: &url::Url, path: &str) -> String {
    format!("{}{}", base.as_str().trim_end_matches('/'), path)
}

/// Rejects params that no form field knows (a typo would otherwise be silently dropped).
pub fn reject_unknown(params: &Map<String, Value>, known: &[&str]) -> Result<()> {
    match params.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) => Err(Error::invalid_field(k, "unknown_field")),
        None => Ok(()),
    }
}

fn present<'a>(params: &'a Map<String, Value>, field: &str) -> Option<&'a Value> {
    match params.get(field) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(v) => Some(v),
    }
}

/// An integer param (JSON integer or digit string). `None` when absent, null or empty.
pub fn opt_i64(params: &Map<String, Value>, field: &str) -> Result<Option<i64>> {
    match present(params, field) {
        None => Ok(None),
        Some(Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| Error::invalid_field(field, "not_integer")),
        Some(Value::String(s)) => {
            s.trim().parse::<i64>().map(Some).map_err(|_| Error::invalid_field(field, "not_integer"))
        }
        Some(_) => Err(Error::invalid_field(field, "not_integer")),
    }
}

pub fn req_i64(params: &Map<String, Value>, field: &str) -> Result<i64> {
    opt_i64(params, field)?.ok_or_else(|| Error::missing_field(field))
}

/// A string param; a JSON number is accepted and kept as its exact decimal text (large ids).
pub fn opt_string(params: &Map<String, Value>, field: &str) -> Result<Option<String>> {
    match present(params, field) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(Error::invalid_field(field, "not_text")),
    }
}

pub fn req_string(params: &Map<String, Value>, field: &str) -> Result<String> {
    opt_string(params, field)?.ok_or_else(|| Error::missing_field(field))
}

/// A string param restricted to `choices`.
pub fn opt_choice(params: &Map<String, Value>, field: &str, choices: &[&str]) -> Result<Option<String>> {
    match opt_string(params, field)? {
        None => Ok(None),
        Some(s) if choices.contains(&s.as_str()) => Ok(Some(s)),
        Some(s) => Err(Error::invalid_field(field, "not_allowed").with("allowed", choices.to_vec()).detail(s)),
    }
}

fn list_items(params: &Map<String, Value>, field: &str) -> Result<Option<Vec<Value>>> {
    match present(params, field) {
        None => Ok(None),
        Some(Value::Array(a)) if a.is_empty() => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a.clone())),
        Some(Value::String(s)) => Ok(Some(
            s.split(|c: char| c == ',' || c.is_whitespace())
                .filter(|t| !t.is_empty())
                .map(|t| Value::String(t.to_owned()))
                .collect(),
        )),
        Some(v @ Value::Number(_)) => Ok(Some(vec![v.clone()])),
        Some(_) => Err(Error::invalid_field(field, "not_list")),
    }
}

/// A list of integers: a JSON array of integers/digit strings, or text separated by commas/whitespace.
pub fn opt_i64_list(params: &Map<String, Value>, field: &str) -> Result<Option<Vec<i64>>> {
    let Some(items) = list_items(params, field)? else { return Ok(None) };
    items
        .iter()
        .map(|v| match v {
            Value::Number(n) => n.as_i64().ok_or_else(|| Error::invalid_field(field, "not_integer")),
            Value::String(s) => s.trim().parse::<i64>().map_err(|_| Error::invalid_field(field, "not_integer")),
            _ => Err(Error::invalid_field(field, "not_integer")),
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// A list of strings (numbers are kept as their exact text).
pub fn opt_string_list(params: &Map<String, Value>, field: &str) -> Result<Option<Vec<String>>> {
    let Some(items) = list_items(params, field)? else { return Ok(None) };
    items
        .iter()
        .map(|v| match v {
            Value::String(s) => Ok(s.trim().to_owned()),
            Value::Number(n) => Ok(n.to_string()),
            _ => Err(Error::invalid_field(field, "not_text")),
        })
        .collect::<Result<Vec<_>>>()
        .map(Some)
}

/// A list of some of `choices` (JSON array, or text separated by commas/whitespace), each at most once,
/// in the order given; an empty list is `Some(vec![])` (a choice of none), an absent field `None`.
pub fn opt_choice_list(params: &Map<String, Value>, field: &str, choices: &[&str]) -> Result<Option<Vec<String>>> {
    if let Some(Value::Array(a)) = params.get(field) {
        if a.is_empty() {
            return Ok(Some(Vec::new()));
        }
    }
    let Some(list) = opt_string_list(params, field)? else { return Ok(None) };
    let mut out: Vec<String> = Vec::new();
    for item in list {
        if !choices.contains(&item.as_str()) {
            return Err(Error::invalid_field(field, "not_allowed").with("allowed", choices.to_vec()).detail(item));
        }
        if !out.contains(&item) {
            out.push(item);
        }
    }
    Ok(Some(out))
}

/// Smallest-unit integer text → decimal text with `decimals` places, trailing zeros trimmed
/// (`"24447"`, 6 → `"0.024447"`; `"1500000"`, 6 → `"1.5"`). `None` if `amount` is not a digit string.
pub fn units(amount: &str, decimals: u32) -> Option<String> {
    let (neg, digits) = match amount.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, amount),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let d = decimals as usize;
    let padded =
        if digits.len() <= d { format!("{}{}", "0".repeat(d + 1 - digits.len()), digits) } else { digits.to_owned() };
    let (int, frac) = padded.split_at(padded.len() - d);
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let frac = frac.trim_end_matches('0');
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push_str(int);
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    Some(out)
}

/// Seconds the local clock is ahead of the server (`received_at_ms - Date`), from an RFC 7231 `Date`
/// header. Positive = local clock fast.
pub fn skew_seconds(date_header: Option<&str>, received_at_ms: i64) -> Option<i64> {
    let date = chrono::DateTime::parse_from_rfc2822(date_header?.trim()).ok()?;
    Some((received_at_ms - date.timestamp_millis()).div_euclid(1000))
}

/// How long an answer asks the client to wait before the next request, from its `Retry-After` header
/// (RFC 9110: a number of seconds, or an HTTP date, read against `received_at_ms`), in whole seconds
/// rounded up; `None` without a readable header. A date in the past is 0.
pub fn retry_after_seconds(header: Option<&str>, received_at_ms: i64) -> Option<i64> {
    let h = header?.trim();
    if !h.is_empty() && h.bytes().all(|b| b.is_ascii_digit()) {
        return Some(h.parse::<i64>().unwrap_or(i64::MAX).min(MAX_RETRY_AFTER_SECONDS));
    }
    let date = chrono::DateTime::parse_from_rfc2822(h).ok()?;
    let ms = date.timestamp_millis().saturating_sub(received_at_ms).max(0);
    Some((ms.saturating_add(999) / 1000).min(MAX_RETRY_AFTER_SECONDS))
}

/// The longest `Retry-After` taken as asked: a day (a larger value is read as a day).
pub const MAX_RETRY_AFTER_SECONDS: i64 = 86_400;

/// The response body as text for error `detail`: redacted (credential fields masked, registered secrets
/// scrubbed), trimmed, at most 500 characters.
pub fn body_detail(body: &[u8]) -> String {
    let text = super::redactor().body_bytes(&crate::logging::Scrubber::now(), body);
    let t = text.trim();
    if t.chars().count() > 500 {
        format!("{}…", t.chars().take(500).collect::<String>())
    } else {
        t.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn units_insert_the_decimal_point() {
        assert_eq!(units("24447", 6).as_deref(), Some("0.024447"));
        assert_eq!(units("55497180", 6).as_deref(), Some("55.49718"));
        assert_eq!(units("1500000", 6).as_deref(), Some("1.5"));
        assert_eq!(units("0", 18).as_deref(), Some("0"));
        assert_eq!(units("123", 0).as_deref(), Some("123"));
        assert_eq!(units("12a", 2), None);
    }

    #[test]
    fn encode_uri_component_matches_javascript() {
        assert_eq!(encode_uri_component("a/b+c=d e\n(x)!*'~"), "a%2Fb%2Bc%3Dd%20e%0A(x)!*'~");
    }

    #[test]
    fn param_readers_accept_digit_strings_and_lists() {
        let p = json!({"a": "12", "b": [1, "2"], "c": "3, 4 5", "d": "", "e": 1.5});
        let p = p.as_object().unwrap();
        assert_eq!(req_i64(p, "a").unwrap(), 12);
        assert_eq!(opt_i64_list(p, "b").unwrap(), Some(vec![1, 2]));
        assert_eq!(opt_i64_list(p, "c").unwrap(), Some(vec![3, 4, 5]));
        assert_eq!(opt_i64(p, "d").unwrap(), None);
        assert_eq!(req_i64(p, "d").unwrap_err().code, crate::error::ErrorCode::InputMissing);
        assert_eq!(req_i64(p, "e").unwrap_err().params["reason"], "not_integer");
    }

    #[test]
    fn a_choice_list_holds_some_of_its_choices_once_each() {
        let c = ["FAILED", "ON_HOLD", "COMPLETED"];
        let read = |v: Value| opt_choice_list(json!({ "s": v }).as_object().unwrap(), "s", &c);
        assert_eq!(
            read(json!(["ON_HOLD", "FAILED", "ON_HOLD"])).unwrap(),
            Some(vec!["ON_HOLD".into(), "FAILED".into()])
        );
        assert_eq!(read(json!("FAILED, COMPLETED")).unwrap(), Some(vec!["FAILED".into(), "COMPLETED".into()]));
        assert_eq!(read(json!([])).unwrap(), Some(vec![]));
        assert_eq!(read(Value::Null).unwrap(), None);
        assert_eq!(read(json!(["LOST"])).unwrap_err().params["reason"], "not_allowed");
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(retry_after_seconds(Some("120"), 0), Some(120));
        assert_eq!(retry_after_seconds(Some(" 0 "), 0), Some(0));
        assert_eq!(retry_after_seconds(Some("99999999999999999999999"), 0), Some(MAX_RETRY_AFTER_SECONDS));
        // 784111777 = Sun, 06 Nov 1994 08:49:37 GMT; asked 1.5 s before it: 2 s (rounded up).
        assert_eq!(retry_after_seconds(Some("Sun, 06 Nov 1994 08:49:37 GMT"), 784_111_775_500), Some(2));
        assert_eq!(retry_after_seconds(Some("Sun, 06 Nov 1994 08:49:37 GMT"), 784_111_800_000), Some(0));
        assert_eq!(retry_after_seconds(Some("-5"), 0), None);
        assert_eq!(retry_after_seconds(Some("soon"), 0), None);
        assert_eq!(retry_after_seconds(None, 0), None);
    }

    #[test]
    fn skew_from_date_header() {
        // Sun, 06 Nov 1994 08:49:37 GMT = 784111777
        assert_eq!(skew_seconds(Some("Sun, 06 Nov 1994 08:49:37 GMT"), 784_111_777_000 + 42_000), Some(42));
        assert_eq!(skew_seconds(None, 0), None);
    }
}
