//! Stored requests and responses as the export reads them: the exact JSON shape the app writes is read
//! directly, borrowing from the stored text (most of an export's time otherwise goes to the JSON parser);
//! anything else goes to serde_json. Both ways give the same result (tests compare them).

use serde::Deserialize;
use std::borrow::Cow;

/// A stored request as the export reads it: borrowing from the stored JSON where it can. Accepts
/// exactly what [`RecordedRequest`] accepts.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(super) struct StoredRequest<'a> {
    #[serde(borrow)]
    pub method: Cow<'a, str>,
    #[serde(borrow)]
    pub url: Cow<'a, str>,
    #[serde(borrow)]
    pub headers: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    #[serde(borrow)]
    pub body: Cow<'a, str>,
}

/// A stored response as the export reads it; accepts exactly what [`RecordedResponse`] accepts.
#[derive(Deserialize)]
#[cfg_attr(test, derive(Debug, PartialEq))]
pub(super) struct StoredResponse<'a> {
    pub status: u16,
    #[serde(borrow)]
    pub headers: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    #[serde(borrow)]
    pub body: Cow<'a, str>,
    #[allow(dead_code)] // required, as in `RecordedResponse`, but not exported
    pub elapsed_ms: i64,
}

impl<'a> StoredRequest<'a> {
    /// Parses a stored request: the exact shape `serde_json::to_string(&RecordedRequest)` writes is read
    /// directly (most of an export's time otherwise goes to the JSON parser); anything else goes to
    /// serde_json. Same result either way; `None` when the JSON is not a request.
    pub fn parse(json: &'a str) -> Option<StoredRequest<'a>> {
        Self::parse_fast(json).or_else(|| serde_json::from_str(json).ok())
    }

    fn parse_fast(json: &'a str) -> Option<StoredRequest<'a>> {
        let rest = json.strip_prefix("{\"method\":")?;
        let (method, rest) = json_string(rest)?;
        let (url, rest) = json_string(rest.strip_prefix(",\"url\":")?)?;
        let (headers, rest) = json_pairs(rest.strip_prefix(",\"headers\":")?)?;
        let (body, rest) = json_string(rest.strip_prefix(",\"body\":")?)?;
        (rest == "}").then_some(StoredRequest { method, url, headers, body })
    }
}

impl<'a> StoredResponse<'a> {
    /// Like [`StoredRequest::parse`], for `RecordedResponse`.
    pub fn parse(json: &'a str) -> Option<StoredResponse<'a>> {
        Self::parse_fast(json).or_else(|| serde_json::from_str(json).ok())
    }

    fn parse_fast(json: &'a str) -> Option<StoredResponse<'a>> {
        let rest = json.strip_prefix("{\"status\":")?;
        let (status, rest) = json_integer(rest)?;
        let (headers, rest) = json_pairs(rest.strip_prefix(",\"headers\":")?)?;
        let (body, rest) = json_string(rest.strip_prefix(",\"body\":")?)?;
        let (elapsed_ms, rest) = json_integer(rest.strip_prefix(",\"elapsed_ms\":")?)?;
        (rest == "}").then_some(StoredResponse { status: u16::try_from(status).ok()?, headers, body, elapsed_ms })
    }
}

/// A JSON string at the start of `s` and what follows it. Borrowed when it has no escape; escapes are
/// decoded by serde_json. `None` for anything unusual (the caller then lets serde_json read it all).
fn json_string(s: &str) -> Option<(Cow<'_, str>, &str)> {
    let bytes = s.as_bytes();
    if bytes.first() != Some(&b'"') {
        return None;
    }
    let (mut i, mut escaped) = (1, false);
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let value = if escaped { Cow::Owned(json_unescape(&s[1..i])?) } else { Cow::Borrowed(&s[1..i]) };
                return Some((value, &s[i + 1..]));
            }
            b'\\' => {
                escaped = true;
                i += 2;
                continue;
            }
            c if c < 0x20 => return None, // not allowed raw in a JSON string
            _ => {}
        }
        i += 1;
    }
    None
}

/// The text of a JSON string's inside with its escapes decoded; `\\u` escapes are left to serde_json.
fn json_unescape(inside: &str) -> Option<String> {
    let mut out = String::with_capacity(inside.len());
    let mut parts = inside.split('\\');
    out.push_str(parts.next()?);
    let mut pending_backslash = false;
    for part in parts {
        if pending_backslash {
            // The previous part ended an escaped backslash: this part is plain text after it.
            out.push_str(part);
            pending_backslash = false;
            continue;
        }
        let mut chars = part.chars();
        match chars.next() {
            None => {
                // `\\`: an escaped backslash (the split left an empty part between the two).
                out.push('\\');
                pending_backslash = true;
            }
            Some(c) => {
                out.push(match c {
                    '"' => '"',
                    '/' => '/',
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    'b' => '\u{8}',
                    'f' => '\u{c}',
                    _ => return serde_json::from_str::<String>(&format!("\"{inside}\"")).ok(),
                });
                out.push_str(chars.as_str());
            }
        }
    }
    Some(out)
}

/// A JSON integer (`-?(0|[1-9][0-9]*)`, fitting an `i64`) at the start of `s` and what follows it.
fn json_integer(s: &str) -> Option<(i64, &str)> {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let n = digits.bytes().take_while(u8::is_ascii_digit).count();
    // No leading zero; no "-0" either (serde_json reads it as a float, which is not an integer).
    if n == 0 || (n > 1 && digits.starts_with('0')) || (digits.len() < s.len() && digits.starts_with('0')) {
        return None;
    }
    let end = s.len() - digits.len() + n;
    Some((s[..end].parse().ok()?, &s[end..]))
}

/// A JSON array of two-string arrays (`[["a","b"],["c","d"]]`) at the start of `s`.
#[allow(clippy::type_complexity)]
fn json_pairs(s: &str) -> Option<(Vec<(Cow<'_, str>, Cow<'_, str>)>, &str)> {
    let mut rest = s.strip_prefix('[')?;
    let mut pairs = Vec::new();
    if let Some(r) = rest.strip_prefix(']') {
        return Some((pairs, r));
    }
    loop {
        let (a, r) = json_string(rest.strip_prefix('[')?)?;
        let (b, r) = json_string(r.strip_prefix(',')?)?;
        pairs.push((a, b));
        let r = r.strip_prefix(']')?;
        if let Some(r) = r.strip_prefix(']') {
            return Some((pairs, r));
        }
        rest = r.strip_prefix(',')?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{RecordedRequest, RecordedResponse};

    #[test]
    fn stored_payloads_read_fast_exactly_as_serde_json_reads_them() {
        let texts = [
            "",
            "plain",
            "a \"quoted\" \\ back\\slash",
            "line\nbreak\ttab\r\u{1}\u{1f}",
            "unicode 东京 é 🙂 \u{2028}",
            "{\"serial\":90000000001,\"txid\":\"0xabc\"}",
            "<redacted>",
            "slash / and \u{7f}",
            "ends with a backslash \\",
            "\\\"\\\\n\u{8}\u{c}/",
        ];
        let mut docs: Vec<String> = Vec::new();
        for (i, a) in texts.iter().enumerate() {
            let b = texts[(i + 3) % texts.len()];
            let request = RecordedRequest {
                method: a.to_string(),
                url: b.to_string(),
                headers: (0..i % 4).map(|k| (texts[k].to_string(), a.to_string())).collect(),
                body: b.to_string(),
            };
            let doc = serde_json::to_string(&request).unwrap();
            assert!(StoredRequest::parse_fast(&doc).is_some(), "the app's own shape is read directly: {doc}");
            docs.push(doc);
            let response = RecordedResponse {
                status: [0, 200, 403, 65535][i % 4],
                headers: request.headers.clone(),
                body: a.to_string(),
                elapsed_ms: [0, 7, -3, i64::MAX][i % 4],
            };
            let doc = serde_json::to_string(&response).unwrap();
            assert!(StoredResponse::parse_fast(&doc).is_some(), "the app's own shape is read directly: {doc}");
            docs.push(doc);
        }
        // Shapes the app does not write: serde_json decides.
        docs.extend(
            [
                r#"{"method":"POST","url":"u","headers":[],"body":"b","extra":1}"#,
                r#"{"url":"u","method":"POST","headers":[],"body":"b"}"#,
                r#"{ "method":"POST","url":"u","headers":[],"body":"b"}"#,
                r#"{"method":"POST","url":"u","headers":[],"body":"b"} "#,
                r#"{"method":"POST","url":"u","headers":[["a"]],"body":"b"}"#,
                r#"{"method":"POST","url":"u","headers":[["a","b","c"]],"body":"b"}"#,
                r#"{"method":"POST","url":"u","headers":[],"body":"b"}x"#,
                r#"{"method":"POST","url":"u","headers":[],"body":"\u0041\ud83d\ude00"}"#,
                r#"{"method":"POST","url":"u","headers":[],"body":"\x"}"#,
                r#"{"method":"POST","url":"u","headers":[],"body":"unterminated}"#,
                r#"{"method":"POST","url":"u","headers":[],"body":null}"#,
                "{\"method\":\"POST\",\"url\":\"u\",\"headers\":[],\"body\":\"raw\ttab\"}",
                r#"{"status":70000,"headers":[],"body":"","elapsed_ms":1}"#,
                r#"{"status":-1,"headers":[],"body":"","elapsed_ms":1}"#,
                r#"{"status":007,"headers":[],"body":"","elapsed_ms":1}"#,
                r#"{"status":200,"headers":[],"body":"","elapsed_ms":1.5}"#,
                r#"{"status":200,"headers":[],"body":"","elapsed_ms":-0}"#,
                r#"{"status":200,"headers":[],"body":"","elapsed_ms":99999999999999999999}"#,
                r#"{"status":200,"headers":[],"body":""}"#,
                r#"{"status":2e2,"headers":[],"body":"","elapsed_ms":1}"#,
                "not json",
                "",
            ]
            .map(String::from),
        );
        for doc in &docs {
            assert_eq!(StoredRequest::parse(doc), serde_json::from_str::<StoredRequest>(doc).ok(), "{doc}");
            assert_eq!(StoredResponse::parse(doc), serde_json::from_str::<StoredResponse>(doc).ok(), "{doc}");
        }
    }
}
