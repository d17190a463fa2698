//! Reading a callback pasted by a person: its headers and its body as two texts, or a whole raw HTTP
//! request (request line, headers, an empty line, the body). Every input is bounded in size, header count
//! and line length, and read in one pass; a mistake is a field error naming the field and saying the fix.

use crate::error::{Error, Result};

/// The most a pasted callback may weigh, headers and body together.
pub const MAX_PASTE_BYTES: usize = 1024 * 1024;
/// The most headers a pasted callback may have.
pub const MAX_HEADERS: usize = 200;
/// The longest header line.
pub const MAX_HEADER_LINE_BYTES: usize = 16 * 1024;

/// The field names errors use (translated as `fields.<name>`).
pub const HEADERS_FIELD: &str = "callback_headers";
pub const BODY_FIELD: &str = "callback_body";
pub const REQUEST_FIELD: &str = "callback_request";

/// A callback as pasted: its headers in order and its body's exact bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastedCallback {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// How the person pasted it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum Pasted {
    /// The headers (one `Name: value` a line) and the body, each in its own box.
    Parts { headers: String, body: String },
    /// A whole raw HTTP request.
    Request { text: String },
}

impl Pasted {
    pub fn read(&self) -> Result<PastedCallback> {
        match self {
            Pasted::Parts { headers, body } => {
                check_total(
                    headers.len() + body.len(),
                    if body.len() >= headers.len() { BODY_FIELD } else { HEADERS_FIELD },
                )?;
                if body.is_empty() {
                    return Err(Error::missing_field(BODY_FIELD));
                }
                Ok(PastedCallback { headers: read_headers(HEADERS_FIELD, headers, 0)?, body: body.as_bytes().to_vec() })
            }
            Pasted::Request { text } => read_request(text),
        }
    }
}

fn check_total(len: usize, field: &str) -> Result<()> {
    if len > MAX_PASTE_BYTES {
        return Err(Error::invalid_field(field, "too_large").with("max_kib", MAX_PASTE_BYTES / 1024));
    }
    Ok(())
}

/// Header lines (`Name: value`; blank lines ignored). `first_line` numbers the lines as the person sees
/// them in the box.
fn read_headers(field: &str, text: &str, first_line: usize) -> Result<Vec<(String, String)>> {
    let mut headers = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_no = first_line + i + 1;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        headers.push(header_line(field, line, line_no)?);
        if headers.len() > MAX_HEADERS {
            return Err(Error::invalid_field(field, "too_many_headers").with("max", MAX_HEADERS));
        }
    }
    Ok(headers)
}

fn header_line(field: &str, line: &str, line_no: usize) -> Result<(String, String)> {
    if line.len() > MAX_HEADER_LINE_BYTES {
        return Err(Error::invalid_field(field, "header_line_too_long")
            .with("line", line_no)
            .with("max_kib", MAX_HEADER_LINE_BYTES / 1024));
    }
    let not_header = || Error::invalid_field(field, "not_header_line").with("line", line_no);
    let (name, value) = line.split_once(':').ok_or_else(not_header)?;
    let name = name.trim();
    let token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    if name.is_empty() || !name.bytes().all(token) {
        return Err(not_header());
    }
    Ok((name.to_owned(), value.trim().to_owned()))
}

/// A raw HTTP/1.x request: the request line, headers, an empty line and the body. A `Content-Length`
/// longer than what was pasted is refused (part of the body is missing); one shorter cuts what a log added
/// after the body. A chunked body is decoded.
fn read_request(text: &str) -> Result<PastedCallback> {
    const F: &str = REQUEST_FIELD;
    check_total(text.len(), F)?;
    let start = text.len() - text.trim_start().len();
    let text = &text[start..];
    if text.is_empty() {
        return Err(Error::missing_field(F));
    }
    let (head, body) = match (text.find("\r\n\r\n"), text.find("\n\n")) {
        (Some(a), Some(b)) if b < a => (&text[..b], &text[b + 2..]),
        (Some(a), _) => (&text[..a], &text[a + 4..]),
        (None, Some(b)) => (&text[..b], &text[b + 2..]),
        (None, None) => return Err(Error::invalid_field(F, "no_blank_line")),
    };
    let mut lines = head.lines();
    let request_line = lines.next().unwrap_or_default().trim_end_matches('\r');
    if !is_request_line(request_line) {
        return Err(Error::invalid_field(F, "not_http_request"));
    }
    let headers = read_headers(F, &lines.collect::<Vec<_>>().join("\n"), 1)?;
    let get = |n: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(n)).map(|(_, v)| v.as_str());
    let mut body = body.as_bytes().to_vec();
    if get("Transfer-Encoding").is_some_and(|v| v.to_ascii_lowercase().contains("chunked")) {
        body = dechunk(&body).ok_or_else(|| Error::invalid_field(F, "bad_chunks"))?;
    } else if let Some(length) = get("Content-Length") {
        let length: usize = length.trim().parse().map_err(|_| Error::invalid_field(F, "bad_content_length"))?;
        if body.len() < length {
            return Err(Error::invalid_field(F, "body_shorter").with("length", length).with("got", body.len()));
        }
        body.truncate(length);
    }
    if body.is_empty() {
        return Err(Error::invalid_field(F, "no_body"));
    }
    Ok(PastedCallback { headers, body })
}

/// `METHOD target HTTP/1.x` (or HTTP/2 as logged by some servers).
fn is_request_line(line: &str) -> bool {
    let parts: Vec<&str> = line.split(' ').filter(|p| !p.is_empty()).collect();
    matches!(parts.as_slice(), [method, _, version]
        if !method.is_empty() && method.bytes().all(|b| b.is_ascii_uppercase()) && version.starts_with("HTTP/"))
}

/// A chunked body (`size CRLF data CRLF … 0 CRLF CRLF`, LF alone accepted), or `None` when it cannot be
/// read. Never longer than its input.
fn dechunk(mut rest: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = rest.iter().position(|b| *b == b'\n')?;
        let size_line = std::str::from_utf8(&rest[..eol]).ok()?.trim_end_matches('\r');
        let size = usize::from_str_radix(size_line.split(';').next()?.trim(), 16).ok()?;
        rest = &rest[eol + 1..];
        if size == 0 {
            return Some(out);
        }
        if rest.len() < size {
            return None;
        }
        out.extend_from_slice(&rest[..size]);
        rest = &rest[size..];
        rest = rest.strip_prefix(b"\r\n").or_else(|| rest.strip_prefix(b"\n"))?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(e: Error) -> (String, String) {
        (
            e.params["field"].as_str().unwrap_or_default().to_owned(),
            e.params["reason"].as_str().unwrap_or_default().to_owned(),
        )
    }

    #[test]
    fn headers_and_body_are_read_as_pasted() {
        let p = Pasted::Parts {
            headers: "X-CHECKSUM: abc=\r\n\nContent-Type:application/json\n".into(),
            body: "{\"a\":1}\n".into(),
        };
        let c = p.read().unwrap();
        assert_eq!(
            c.headers,
            vec![("X-CHECKSUM".into(), "abc=".into()), ("Content-Type".into(), "application/json".into())]
        );
        assert_eq!(c.body, b"{\"a\":1}\n");
        let bad = Pasted::Parts { headers: "X-CHECKSUM abc".into(), body: "{}".into() };
        assert_eq!(reason(bad.read().unwrap_err()), (HEADERS_FIELD.into(), "not_header_line".into()));
        let empty = Pasted::Parts { headers: String::new(), body: String::new() };
        assert_eq!(empty.read().unwrap_err().params["field"], BODY_FIELD);
    }

    #[test]
    fn a_raw_request_gives_its_headers_and_exact_body() {
        let text =
            "POST /callback HTTP/1.1\r\nHost: example.com\r\nX-CHECKSUM: abc=\r\nContent-Length: 7\r\n\r\n{\"a\":1}\n";
        let c = Pasted::Request { text: text.into() }.read().unwrap();
        assert_eq!(c.headers.len(), 3);
        assert_eq!(c.body, b"{\"a\":1}", "Content-Length cuts what the log added after the body");
        let lf = "  POST /cb HTTP/2\nSign: x\n\n{\"b\":2}";
        assert_eq!(Pasted::Request { text: lf.into() }.read().unwrap().body, b"{\"b\":2}");
        let chunked = "POST /cb HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\n\r\n";
        assert_eq!(Pasted::Request { text: chunked.into() }.read().unwrap().body, b"{\"a\":1}");
    }

    #[test]
    fn a_request_that_cannot_be_read_names_the_field_and_why() {
        let cases = [
            ("{\"a\":1}", "no_blank_line"),
            ("X-CHECKSUM: a\n\n{}", "not_http_request"),
            ("POST /cb HTTP/1.1\nContent-Length: 50\n\n{}", "body_shorter"),
            ("POST /cb HTTP/1.1\nContent-Length: many\n\n{}", "bad_content_length"),
            ("POST /cb HTTP/1.1\nTransfer-Encoding: chunked\n\nzz\n{}", "bad_chunks"),
            ("POST /cb HTTP/1.1\nno colon here\n\n{}", "not_header_line"),
            ("POST /cb HTTP/1.1\nA: b\n\n", "no_body"),
        ];
        for (text, why) in cases {
            assert_eq!(
                reason(Pasted::Request { text: text.into() }.read().unwrap_err()),
                (REQUEST_FIELD.into(), why.into()),
                "{text}"
            );
        }
        let line = Pasted::Request { text: "POST /cb HTTP/1.1\nA: b\nbad\n\n{}".into() }.read().unwrap_err();
        assert_eq!(line.params["line"], 3, "lines are numbered as the person sees them");
    }

    #[test]
    fn every_input_is_bounded() {
        let big = "x".repeat(MAX_PASTE_BYTES + 1);
        let e = Pasted::Parts { headers: String::new(), body: big.clone() }.read().unwrap_err();
        assert_eq!(reason(e), (BODY_FIELD.into(), "too_large".into()));
        let e = Pasted::Request { text: big }.read().unwrap_err();
        assert_eq!(reason(e), (REQUEST_FIELD.into(), "too_large".into()));
        let many = (0..=MAX_HEADERS).map(|i| format!("H{i}: v\n")).collect::<String>();
        let e = Pasted::Parts { headers: many, body: "{}".into() }.read().unwrap_err();
        assert_eq!(reason(e), (HEADERS_FIELD.into(), "too_many_headers".into()));
        let long = format!("H: {}", "v".repeat(MAX_HEADER_LINE_BYTES));
        let e = Pasted::Parts { headers: long, body: "{}".into() }.read().unwrap_err();
        assert_eq!(reason(e), (HEADERS_FIELD.into(), "header_line_too_long".into()));
        // A chunk size larger than what follows is refused, not allocated.
        let e = Pasted::Request { text: "POST /cb HTTP/1.1\nTransfer-Encoding: chunked\n\nffffffff\n{}".into() }
            .read()
            .unwrap_err();
        assert_eq!(reason(e), (REQUEST_FIELD.into(), "bad_chunks".into()));
    }
}
