//! One HTTP client for every provider call: timeouts, raw-bytes send, response capture. What it sends and
//! receives is shown only through the redaction engine ([`crate::redact`]).
//!
//! The transport sends a [`SignedRequest`]'s body buffer unchanged (the bytes that were signed), and
//! returns the status, headers and **raw** body bytes so signatures can be verified over exactly what
//! arrived. Failures say whether the request may have reached the provider (`outcome_unknown`): a
//! timeout or reset after the request was written means a resend may or may not have happened.

use crate::error::{Error, ErrorCode};
use crate::secret::Secret;
use crate::wire::{ClientIdentity, HttpMethod, RawResponse, SignedRequest};
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

/// The `User-Agent` every request carries.
pub const USER_AGENT: &str = concat!("callback-desk/", env!("CARGO_PKG_VERSION"));

/// Largest response body read (8 MiB). Provider answers are a few kilobytes (a CYBAVO look-up of 100
/// callbacks is well under 1 MiB); anything larger is cut off rather than held in memory and stored in
/// history.
pub const MAX_RESPONSE_BYTES: usize = 8 << 20;

/// Why a call did not produce a response.
#[derive(Debug, Clone, PartialEq)]
pub struct TransportError {
    pub error: Error,
    /// True when the request may have reached the provider (timeout or reset after sending).
    pub outcome_unknown: bool,
}

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<RawResponse, TransportError>> + Send + 'a>>;

/// Something that sends signed requests (the real client, or a fake in tests).
pub trait Transport: Send + Sync {
    fn send<'a>(&'a self, request: &'a SignedRequest, identity: Option<&'a ClientIdentity>) -> SendFuture<'a>;
}

/// Timeouts of the real client.
#[derive(Debug, Clone, Copy)]
pub struct TransportConfig {
    pub connect_timeout: Duration,
    /// Whole request, including reading the body.
    pub timeout: Duration,
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig { connect_timeout: Duration::from_secs(10), timeout: Duration::from_secs(30) }
    }
}

/// The reqwest-based transport (rustls).
pub struct HttpTransport {
    client: reqwest::Client,
    config: TransportConfig,
}

/// Makes `ring` the process's TLS crypto provider (reqwest is built without one; see Cargo.toml). Every
/// HTTP client in the app, the CLI, the sandbox and the tests is built after this; calling it again is harmless.
pub fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // Err only when a provider is installed already, which is as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

impl HttpTransport {
    pub fn new(config: TransportConfig) -> Result<Self, Error> {
        Ok(HttpTransport { client: Self::builder(config).build().map_err(|e| Error::internal(e.to_string()))?, config })
    }

    fn builder(config: TransportConfig) -> reqwest::ClientBuilder {
        install_crypto_provider();
        reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT)
    }

    async fn send_inner(
        &self,
        req: &SignedRequest,
        identity: Option<&ClientIdentity>,
    ) -> Result<RawResponse, TransportError> {
        let owned;
        let client = match identity {
            None => &self.client,
            Some(id) => {
                let ident = reqwest::Identity::from_pem(id.pem().expose().as_bytes()).map_err(|e| TransportError {
                    error: Error::invalid_field("client_key_pem", "invalid_client_key").detail(e.to_string()),
                    outcome_unknown: false,
                })?;
                owned = Self::builder(self.config)
                    .identity(ident)
                    .build()
                    .map_err(|e| TransportError { error: Error::internal(e.to_string()), outcome_unknown: false })?;
                &owned
            }
        };
        let method = match req.method {
            HttpMethod::Get => reqwest::Method::GET,
            HttpMethod::Post => reqwest::Method::POST,
        };
        let mut rb = client.request(method, &req.url);
        for (k, v) in &req.headers {
            rb = rb.header(k.as_str(), v.as_str());
        }
        if let Some(b) = &req.body {
            rb = rb.body(b.clone());
        }
        let started = Instant::now();
        let mut resp = rb.send().await.map_err(classify)?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        // The body is read chunk by chunk and reading stops at MAX_RESPONSE_BYTES (at once when the
        // announced length is already larger). The request was sent and the provider answered, but an
        // answer that cannot be read cannot be verified or parsed either, so nobody can tell whether a
        // resend was carried out: like a body cut off by a reset, this is `outcome_unknown` (recorded
        // `unknown` in history, "check before resending"), not `failed` (which would tell staff the
        // provider did nothing and invite a duplicate resend).
        let too_large = || TransportError {
            error: Error::new(ErrorCode::ProviderResponseTooLarge)
                .with("max_mib", MAX_RESPONSE_BYTES >> 20)
                .with("status", status)
                .detail(format!(
                    "HTTP {status}: the answer is larger than {MAX_RESPONSE_BYTES} bytes; it was not read"
                )),
            outcome_unknown: true,
        };
        if resp.content_length().is_some_and(|n| n > MAX_RESPONSE_BYTES as u64) {
            return Err(too_large());
        }
        let mut body = Vec::with_capacity(resp.content_length().unwrap_or(0) as usize);
        loop {
            let chunk = resp.chunk().await.map_err(|e| {
                let mut t = classify(e);
                t.outcome_unknown = true;
                t
            })?;
            let Some(chunk) = chunk else { break };
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        Ok(RawResponse {
            status,
            headers,
            body,
            elapsed_ms: started.elapsed().as_millis() as u64,
            received_at_ms: chrono::Utc::now().timestamp_millis(),
        })
    }
}

impl Transport for HttpTransport {
    fn send<'a>(&'a self, request: &'a SignedRequest, identity: Option<&'a ClientIdentity>) -> SendFuture<'a> {
        Box::pin(self.send_inner(request, identity))
    }
}

/// Maps a reqwest error to a network error code and whether the request may have reached the peer.
fn classify(e: reqwest::Error) -> TransportError {
    let chain = error_chain(&e);
    let detail = chain.clone();
    if e.is_timeout() {
        // A connect timeout means nothing was sent; any later timeout leaves the outcome unknown.
        let unknown = !e.is_connect();
        return TransportError { error: Error::new(ErrorCode::NetworkTimeout).detail(chain), outcome_unknown: unknown };
    }
    if e.is_connect() {
        return TransportError {
            error: Error::new(ErrorCode::NetworkConnectionFailed).detail(chain),
            outcome_unknown: false,
        };
    }
    if e.is_builder() {
        return TransportError { error: Error::new(ErrorCode::InputInvalid).detail(detail), outcome_unknown: false };
    }
    TransportError { error: Error::new(ErrorCode::NetworkConnectionReset).detail(chain), outcome_unknown: true }
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        parts.push(s.to_string());
        cur = s.source();
    }
    crate::logging::scrub(&parts.join(": "))
}

/// The request as a cURL command for a POSIX shell that sends the same bytes the transport sends: the
/// method, the URL untouched (`--globoff --path-as-is`: no globbing, no dot-segment folding), every
/// header in order, the app's `User-Agent`, and the body byte for byte (`--data-raw`; no `Content-Type`
/// added when the request has none). It holds the request's real credentials and signature, hence a
/// [`Secret`]: never log it, never store it.
pub fn curl_command(req: &SignedRequest) -> Result<Secret, Error> {
    let body = match &req.body {
        Some(b) => Some(
            std::str::from_utf8(b)
                .map_err(|_| Error::new(ErrorCode::InputCurlUnavailable).with("reason", "binary_body"))?,
        ),
        None => None,
    };
    // One buffer, sized up front so it never moves (a reallocation would leave a copy of the secrets
    // behind); it becomes the `Secret`, which wipes it on drop.
    let size = req.url.len() + req.headers.iter().map(|(k, v)| k.len() + v.len() + 16).sum::<usize>();
    let mut out = String::with_capacity(4 * (size + body.map_or(0, str::len)) + 256);
    let quoted = |out: &mut String, s: &str| {
        out.push('\'');
        for (i, part) in s.split('\'').enumerate() {
            if i > 0 {
                out.push_str("'\\''");
            }
            out.push_str(part);
        }
        out.push('\'');
    };
    out.push_str("curl --globoff --path-as-is -X ");
    out.push_str(req.method.as_str());
    out.push(' ');
    quoted(&mut out, &req.url);
    let has = |name: &str| req.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
    let header = |out: &mut String, name: &str, value: &str| {
        out.push_str(" \\\n  -H '");
        out.push_str(&name.replace('\'', "'\\''"));
        // `Name;` is cURL's way of sending a header with an empty value (`Name:` would remove it).
        if value.is_empty() {
            out.push(';');
        } else {
            out.push_str(": ");
            for (i, part) in value.split('\'').enumerate() {
                if i > 0 {
                    out.push_str("'\\''");
                }
                out.push_str(part);
            }
        }
        out.push('\'');
    };
    for (name, value) in &req.headers {
        header(&mut out, name, value);
    }
    if !has("user-agent") {
        header(&mut out, "User-Agent", USER_AGENT);
    }
    if let Some(body) = body {
        if !has("content-type") {
            out.push_str(" \\\n  -H 'Content-Type:'");
        }
        out.push_str(" \\\n  --data-raw ");
        quoted(&mut out, body);
    }
    Ok(Secret::new(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curl_command_quotes_every_byte_for_the_shell() {
        let req = SignedRequest {
            method: HttpMethod::Post,
            url: "https://x.example/a b?q='1'&r=[2]{3}".into(),
            headers: vec![
                ("X-Sig".into(), "it's \"quoted\" $HOME `x` \\ ok".into()),
                ("X-Empty".into(), String::new()),
            ],
            body: Some("{\"a\":\"it's\",\n\"b\":\"$(echo no)\"}".as_bytes().to_vec()),
        };
        let command = curl_command(&req).unwrap();
        // The shell's own reading of the command: each argument as curl would get it.
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(command.expose().replacen("curl ", "printf '%s\\0' ", 1))
            .output()
            .unwrap();
        let args: Vec<String> =
            String::from_utf8(out.stdout).unwrap().split('\0').filter(|a| !a.is_empty()).map(str::to_owned).collect();
        let user_agent = format!("User-Agent: {USER_AGENT}");
        let expected = [
            "--globoff",
            "--path-as-is",
            "-X",
            "POST",
            "https://x.example/a b?q='1'&r=[2]{3}",
            "-H",
            "X-Sig: it's \"quoted\" $HOME `x` \\ ok",
            "-H",
            "X-Empty;",
            "-H",
            &user_agent,
            "-H",
            "Content-Type:",
            "--data-raw",
            "{\"a\":\"it's\",\n\"b\":\"$(echo no)\"}",
        ];
        assert_eq!(args, expected);
        assert_eq!(format!("{command:?}"), "<redacted>");
    }

    #[test]
    fn curl_command_keeps_the_request_s_own_content_type_and_refuses_binary_bodies() {
        let mut req = SignedRequest {
            method: HttpMethod::Get,
            url: "https://x.example/".into(),
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: None,
        };
        let text = curl_command(&req).unwrap().expose().to_owned();
        assert!(!text.contains("--data-raw") && !text.contains("'Content-Type:'"), "{text}");
        req.body = Some(vec![0xff, 0xfe]);
        assert_eq!(curl_command(&req).unwrap_err().code, ErrorCode::InputCurlUnavailable);
    }

    #[tokio::test]
    async fn oversized_response_is_cut_at_the_cap_and_unknown() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            // Two answers larger than the cap: one announcing its length, one chunked (no length).
            for chunked in [false, true] {
                let (mut c, _) = listener.accept().await.unwrap();
                let mut buf = [0u8; 4096];
                let _ = c.read(&mut buf).await;
                let size = MAX_RESPONSE_BYTES + 1;
                let head = if chunked {
                    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_owned()
                } else {
                    format!("HTTP/1.1 200 OK\r\nContent-Length: {size}\r\n\r\n")
                };
                if c.write_all(head.as_bytes()).await.is_err() {
                    continue;
                }
                let block = vec![b'x'; 64 * 1024];
                let mut sent = 0;
                while sent < size {
                    let n = block.len().min(size - sent);
                    let ok = if chunked {
                        c.write_all(format!("{n:x}\r\n").as_bytes()).await.is_ok()
                            && c.write_all(&block[..n]).await.is_ok()
                            && c.write_all(b"\r\n").await.is_ok()
                    } else {
                        c.write_all(&block[..n]).await.is_ok()
                    };
                    if !ok {
                        break;
                    }
                    sent += n;
                }
                let _ = c.write_all(b"0\r\n\r\n").await;
            }
        });
        let t = HttpTransport::new(TransportConfig::default()).unwrap();
        let req = SignedRequest {
            method: HttpMethod::Post,
            url: format!("http://127.0.0.1:{port}/x"),
            headers: vec![],
            body: Some(b"{}".to_vec()),
        };
        for _ in 0..2 {
            let e = t.send(&req, None).await.unwrap_err();
            assert_eq!(e.error.code.as_str(), "provider.response_too_large", "{e:?}");
            assert_eq!(e.error.params["max_mib"], 8);
            assert!(e.outcome_unknown, "the request was sent: its outcome is unknown");
        }
    }

    #[tokio::test]
    async fn connection_refused_is_a_known_failure() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let t = HttpTransport::new(TransportConfig::default()).unwrap();
        let req = SignedRequest {
            method: HttpMethod::Get,
            url: format!("http://127.0.0.1:{port}/x"),
            headers: vec![],
            body: None,
        };
        let e = t.send(&req, None).await.unwrap_err();
        assert_eq!(e.error.code, ErrorCode::NetworkConnectionFailed);
        assert!(!e.outcome_unknown);
    }

    #[tokio::test]
    async fn timeout_after_sending_is_unknown_and_reset_is_unknown() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            // First connection: read the request, never answer. Second: read, then close abruptly.
            let (mut a, _) = listener.accept().await.unwrap();
            let mut buf = [0u8; 1024];
            let _ = a.read(&mut buf).await;
            let (mut b, _) = listener.accept().await.unwrap();
            let _ = b.read(&mut buf).await;
            let _ = b.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial").await;
            drop(b);
            tokio::time::sleep(Duration::from_secs(5)).await;
            drop(a);
        });
        let t = HttpTransport::new(TransportConfig {
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_millis(300),
        })
        .unwrap();
        let req = SignedRequest {
            method: HttpMethod::Post,
            url: format!("http://127.0.0.1:{port}/x"),
            headers: vec![],
            body: Some(b"{}".to_vec()),
        };
        let e = t.send(&req, None).await.unwrap_err();
        assert_eq!(e.error.code, ErrorCode::NetworkTimeout);
        assert!(e.outcome_unknown);
        let e = t.send(&req, None).await.unwrap_err();
        assert!(matches!(e.error.code, ErrorCode::NetworkConnectionReset | ErrorCode::NetworkTimeout), "{e:?}");
        assert!(e.outcome_unknown);
    }
}
