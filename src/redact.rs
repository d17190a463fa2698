//! The redaction engine: the one place that knows how to hide what must never be shown, stored or exported
//! from a request or a response. It masks the values of credential headers, of credential fields of JSON
//! bodies at any depth and of form bodies (`a=1&client_secret=…`), and scrubs every secret registered with
//! [`register_secret`](crate::logging::register_secret) from everything else (URL, other header values,
//! bodies).
//!
//! Which names are credentials is not decided here: the generic HTTP ones come from [`crate::secret`], each
//! provider declares its own ([`Provider::credential_headers`](crate::providers::Provider::credential_headers),
//! [`credential_fields`](crate::providers::Provider::credential_fields)), and
//! [`providers::redactor`](crate::providers::redactor) is this engine with all of them, the one every
//! caller uses: previews, call records and results, history rows when written and when exported, and a
//! signed request's `Debug`. (The engine takes its names as values so that it imports no provider: the
//! providers use it.)
//!
//! A body without anything to mask is kept byte for byte; a JSON body with a masked field is written again
//! with its keys in their order. The CSV export redacts every stored body once more, so
//! [`Redactor::body`] first asks whether a credential name can occur in a JSON body at all (one pass over
//! the text for every name at once) before parsing it; the answer is the same either way (tests compare).

use crate::logging::Scrubber;
use crate::secret::{HTTP_CREDENTIAL_FIELDS, HTTP_CREDENTIAL_HEADERS, REDACTED};
use crate::wire::{RawResponse, RedactedRequest, RedactedResponse, SignedRequest};
use serde_json::Value;
use std::borrow::Cow;

/// Masks credentials by name and scrubs registered secrets (see the module documentation).
pub struct Redactor {
    /// Header names masked, lower-case.
    headers: Vec<String>,
    /// Body field names masked, lower-case.
    fields: Vec<String>,
    /// Every field name and `\u` (an escape could spell a name), found ignoring ASCII case in one pass.
    field_names: aho_corasick::AhoCorasick,
}

impl Redactor {
    /// An engine masking the generic HTTP credential names of [`crate::secret`] and these.
    pub fn new<'a>(headers: impl IntoIterator<Item = &'a str>, fields: impl IntoIterator<Item = &'a str>) -> Redactor {
        fn names<'a>(generic: &[&'a str], more: impl IntoIterator<Item = &'a str>) -> Vec<String> {
            let mut out: Vec<String> = Vec::new();
            for name in generic.iter().copied().chain(more) {
                let name = name.trim().to_ascii_lowercase();
                if !name.is_empty() && !out.contains(&name) {
                    out.push(name);
                }
            }
            out
        }
        let headers = names(HTTP_CREDENTIAL_HEADERS, headers);
        let fields = names(HTTP_CREDENTIAL_FIELDS, fields);
        let field_names = aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(fields.iter().map(String::as_str).chain(["\\u"]))
            .expect("plain names always build");
        Redactor { headers, fields, field_names }
    }

    /// Whether the value of header `name` is masked (ASCII case and surrounding spaces ignored).
    pub fn masks_header(&self, name: &str) -> bool {
        let name = name.trim();
        self.headers.iter().any(|h| h.eq_ignore_ascii_case(name))
    }

    /// Whether the value of body field `name` is masked (ASCII case and surrounding spaces ignored).
    pub fn masks_field(&self, name: &str) -> bool {
        let name = name.trim();
        self.fields.iter().any(|f| f.eq_ignore_ascii_case(name))
    }

    /// The header names masked, lower-case.
    pub fn header_names(&self) -> &[String] {
        &self.headers
    }

    /// The body field names masked, lower-case.
    pub fn field_names(&self) -> &[String] {
        &self.fields
    }

    /// One header's value as shown: [`REDACTED`] for a credential header, else scrubbed.
    pub fn header_value<'a>(&self, scrubber: &Scrubber, name: &str, value: &'a str) -> Cow<'a, str> {
        if self.masks_header(name) {
            Cow::Borrowed(REDACTED)
        } else {
            scrubber.scrub(value)
        }
    }

    /// Headers in their order, names as they were, values as [`Redactor::header_value`] shows them.
    pub fn headers(&self, scrubber: &Scrubber, headers: &[(String, String)]) -> Vec<(String, String)> {
        headers.iter().map(|(k, v)| (k.clone(), self.header_value(scrubber, k, v).into_owned())).collect()
    }

    /// A body with the values of credential fields masked (JSON at any depth, or a form body) and
    /// registered secrets scrubbed; borrowed when nothing changed. Other bodies are only scrubbed.
    pub fn body<'a>(&self, scrubber: &Scrubber, body: &'a str) -> Cow<'a, str> {
        if looks_like_json(body) && !self.field_names.is_match(body) {
            // No key can be a credential field (none of the names occurs, and no escape could spell one),
            // so there is nothing to mask: parsing would only cost time (an export reads a million bodies).
            return scrubber.scrub(body);
        }
        self.body_parsed(scrubber, body)
    }

    /// [`Redactor::body`] without its shortcut.
    fn body_parsed<'a>(&self, scrubber: &Scrubber, body: &'a str) -> Cow<'a, str> {
        if looks_like_json(body) {
            if let Ok(mut v) = serde_json::from_str::<Value>(body) {
                if self.mask_json(&mut v) {
                    return Cow::Owned(scrubber.scrub(&v.to_string()).into_owned());
                }
            }
        } else if let Some(masked) = self.mask_form(body) {
            return Cow::Owned(scrubber.scrub(&masked).into_owned());
        }
        scrubber.scrub(body)
    }

    /// [`Redactor::body`] of raw bytes (read as UTF-8, invalid sequences replaced).
    pub fn body_bytes(&self, scrubber: &Scrubber, body: &[u8]) -> String {
        let text = String::from_utf8_lossy(body);
        self.body(scrubber, &text).into_owned()
    }

    /// Masks credential fields at any depth; true when something was masked. A `null` hides nothing and
    /// stays.
    fn mask_json(&self, v: &mut Value) -> bool {
        match v {
            Value::Object(map) => {
                let mut changed = false;
                for (k, v) in map.iter_mut() {
                    if self.masks_field(k) && !v.is_null() {
                        *v = Value::String(REDACTED.to_owned());
                        changed = true;
                    } else {
                        changed |= self.mask_json(v);
                    }
                }
                changed
            }
            Value::Array(items) => items.iter_mut().fold(false, |c, v| self.mask_json(v) | c),
            _ => false,
        }
    }

    /// An `application/x-www-form-urlencoded` body (`a=1&client_secret=…`, no spaces inside) with the value
    /// of every credential field masked; `None` when it is not one or has none. A key is read
    /// percent-decoded, and `a[client_secret]` names the field in brackets too.
    fn mask_form(&self, body: &str) -> Option<String> {
        let trimmed = body.trim();
        if trimmed.is_empty() || trimmed.contains(char::is_whitespace) || !trimmed.contains('=') {
            return None;
        }
        let mut changed = false;
        let pairs: Vec<Cow<'_, str>> = trimmed
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _)) if self.masks_form_key(k) => {
                    changed = true;
                    Cow::Owned(format!("{k}={REDACTED}"))
                }
                _ => Cow::Borrowed(pair),
            })
            .collect();
        if !changed {
            return None;
        }
        let start = body.len() - body.trim_start().len();
        let end = body.trim_end().len();
        Some(format!("{}{}{}", &body[..start], pairs.join("&"), &body[end..]))
    }

    fn masks_form_key(&self, key: &str) -> bool {
        let key = key.replace('+', " ");
        let key = percent_encoding::percent_decode_str(&key).decode_utf8_lossy();
        key.split(['[', ']']).any(|part| self.masks_field(part))
    }

    /// A signed request as previews, call records and history show it.
    pub fn request(&self, req: &SignedRequest) -> RedactedRequest {
        let scrubber = Scrubber::now();
        RedactedRequest {
            method: req.method.as_str().to_owned(),
            url: scrubber.scrub(&req.url).into_owned(),
            headers: self.headers(&scrubber, &req.headers),
            body: req.body.as_deref().map(|b| self.body_bytes(&scrubber, b)),
        }
    }

    /// An answer as call records and history show it.
    pub fn response(&self, resp: &RawResponse) -> RedactedResponse {
        let scrubber = Scrubber::now();
        RedactedResponse {
            status: resp.status,
            headers: self.headers(&scrubber, &resp.headers),
            body: self.body_bytes(&scrubber, &resp.body),
            elapsed_ms: resp.elapsed_ms,
        }
    }
}

fn looks_like_json(body: &str) -> bool {
    let t = body.trim_start();
    t.starts_with('{') || t.starts_with('[')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::HttpMethod;

    fn engine() -> Redactor {
        Redactor::new(["x-sig"], ["app_secret", "x-checksum", "sign", "clientSecret", "private_key"])
    }

    fn body(r: &Redactor, text: &str) -> String {
        r.body(&Scrubber::now(), text).into_owned()
    }

    #[test]
    fn generic_and_given_names_are_masked_ignoring_case() {
        let r = engine();
        for h in ["Authorization", "proxy-authorization", "COOKIE", "Set-Cookie", "X-Sig", " x-sig "] {
            assert!(r.masks_header(h), "{h}");
        }
        assert!(!r.masks_header("Content-Type") && !r.masks_header("x-sign"));
        for f in ["access_token", "Client_Secret", "password", "APP_SECRET", "x-checksum"] {
            assert!(r.masks_field(f), "{f}");
        }
        assert!(!r.masks_field("serial") && !r.masks_field("app_secrets"));
        assert!(r.header_names().iter().chain(r.field_names()).all(|n| *n == n.to_ascii_lowercase()));
    }

    #[test]
    fn json_bodies_are_masked_at_any_depth_and_otherwise_kept_byte_for_byte() {
        let r = engine();
        assert_eq!(
            body(&r, r#"{"a":1,"list":[{"deep":{"App_Secret":"s-1","n":2}}],"password":{"x":1},"secret":null}"#),
            r#"{"a":1,"list":[{"deep":{"App_Secret":"<redacted>","n":2}}],"password":"<redacted>","secret":null}"#
        );
        assert_eq!(body(&r, "{ \"count\" : 3 }"), "{ \"count\" : 3 }");
        assert_eq!(body(&r, r#"{"\u0070assword":"p-1"}"#), r#"{"password":"<redacted>"}"#);
        assert_eq!(body(&r, r#"{"password": "unterminated"#), r#"{"password": "unterminated"#);
    }

    #[test]
    fn form_bodies_are_masked_by_field_name() {
        let r = engine();
        assert_eq!(body(&r, "a=1&client_secret=s-1&b=2"), "a=1&client_secret=<redacted>&b=2");
        assert_eq!(body(&r, "grant_type=x&CLIENT_SECRET=s-1\n"), "grant_type=x&CLIENT_SECRET=<redacted>\n");
        assert_eq!(
            body(&r, "client%5Fsecret=s-1&app%5bapp_secret%5d=s-2"),
            "client%5Fsecret=<redacted>&app%5bapp_secret%5d=<redacted>"
        );
        assert_eq!(body(&r, "creds[password]=p-1&x=y"), "creds[password]=<redacted>&x=y");
        assert_eq!(body(&r, "a=1&b=2"), "a=1&b=2");
        assert_eq!(body(&r, "password = p-1"), "password = p-1", "text, not a form");
    }

    #[test]
    fn requests_and_responses_mask_headers_and_bodies() {
        let r = engine();
        let req = SignedRequest {
            method: HttpMethod::Post,
            url: "https://x.example/token".into(),
            headers: vec![
                ("X-Sig".into(), "abc".into()),
                ("Content-Type".into(), "application/x-www-form-urlencoded".into()),
            ],
            body: Some(b"client_id=id-1&client_secret=SUPER-SECRET".to_vec()),
        };
        let out = r.request(&req);
        assert_eq!(
            out.headers,
            [
                ("X-Sig".to_owned(), REDACTED.to_owned()),
                ("Content-Type".to_owned(), "application/x-www-form-urlencoded".to_owned())
            ]
        );
        assert_eq!(out.body.as_deref(), Some("client_id=id-1&client_secret=<redacted>"));
        let resp = RawResponse::new(200, &[("Set-Cookie", "sid=1")], r#"{"access_token":"eyJ.x","expires_in":1800}"#);
        let out = r.response(&resp);
        assert_eq!(out.headers[0].1, REDACTED);
        assert_eq!(out.body, r#"{"access_token":"<redacted>","expires_in":1800}"#);
    }

    #[test]
    fn the_shortcut_never_skips_a_credential_field() {
        let r = &engine();
        assert_eq!(body(r, r#"{"count":3}"#), r#"{"count":3}"#);
        assert!(body(r, r#"{"Client_Secret":"x"}"#).contains(REDACTED));
        assert!(body(r, r#"{"a":{"sign":"abc"}}"#).contains(REDACTED));
        // A key spelled with a unicode escape still goes through the parser.
        assert!(body(r, r#"{"\u0073ign":"abc"}"#).contains(REDACTED));
        assert!(!r.field_names.is_match(r#"{"notifications":[{"serial":1}]}"#));
    }

    /// The shortcut of [`Redactor::body`] (no name occurs: only scrub) gives exactly what parsing gives,
    /// for bodies with and without names, in any case, nested, escaped, malformed.
    #[test]
    fn the_shortcut_gives_what_parsing_gives() {
        let r = engine();
        let scrubber = Scrubber::now();
        let mut keys: Vec<String> = r.field_names().iter().flat_map(|n| [n.clone(), n.to_ascii_uppercase()]).collect();
        keys.extend(["serial", "signs", "xsign", "se\\u0063ret", "\\u0041", "a\"b", "id"].map(String::from));
        let mut bodies = vec![String::new(), "[]".into(), "{}".into(), " [1,2]".into(), "{\"a\":".into()];
        for (i, k) in keys.iter().enumerate() {
            let other = &keys[(i * 7 + 3) % keys.len()];
            for v in ["\"v-1\"", "null", "12", "{\"n\":\"v-2\"}", "[\"v-3\"]"] {
                bodies.push(format!("{{\"{k}\":{v}}}"));
                bodies.push(format!("[{{\"x\":[{{\"{other}\":1,\"{k}\":{v}}}]}}]"));
                bodies.push(format!(" {{\"{k}\":{v}"));
            }
        }
        for b in &bodies {
            assert_eq!(r.body(&scrubber, b), r.body_parsed(&scrubber, b), "{b}");
        }
        assert!(!r.field_names.is_match(r#"{"notifications":[{"serial":1}]}"#));
    }
}
