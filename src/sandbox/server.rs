//! The sandbox's HTTP server: its own accept loop (so a fault can reset a connection without answering),
//! and the dispatch of each request: control endpoints, else the simulated API whose prefix the path
//! starts with, with the queued faults applied around the simulation's answer, which is signed last.

use super::apis::ApiKey;
use super::faults::FaultKind;
use super::Inner;
use crate::simulator::{http_date, ProviderResponse, SbRequest, SignWith};
use axum::body::Body;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use std::convert::Infallible;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify};

/// Largest request body the sandbox reads.
const MAX_BODY: usize = 4 << 20;

pub(super) async fn accept_loop(listener: TcpListener, inner: Arc<Inner>, mut shutdown: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(serve_connection(stream, Arc::clone(&inner), shutdown.clone()));
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            },
        }
    }
}

/// Per-connection control: lets a request handler reset its own connection.
#[derive(Clone)]
struct ConnCtl {
    stream: Arc<TcpStream>,
    kill: Arc<Notify>,
}

impl ConnCtl {
    /// Arms SO_LINGER 0 and asks the connection task to drop the socket (the peer sees a reset).
    fn reset(&self) {
        let _ = self.stream.set_zero_linger();
        self.kill.notify_one();
    }
}

async fn serve_connection(stream: TcpStream, inner: Arc<Inner>, mut shutdown: watch::Receiver<bool>) {
    let _ = stream.set_nodelay(true);
    let stream = Arc::new(stream);
    let kill = Arc::new(Notify::new());
    let ctl = ConnCtl { stream: Arc::clone(&stream), kill: Arc::clone(&kill) };
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let inner = Arc::clone(&inner);
        let ctl = ctl.clone();
        async move { Ok::<_, Infallible>(dispatch(inner, ctl, req).await) }
    });
    let conn = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(SharedStream(Arc::clone(&stream))), service);
    tokio::select! {
        _ = conn => {}
        _ = kill.notified() => {}
        _ = shutdown.changed() => {}
    }
    drop(stream);
}

/// A TCP stream shared between hyper and the connection task (which may need to reset it).
struct SharedStream(Arc<TcpStream>);

impl AsyncRead for SharedStream {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        loop {
            match self.0.poll_read_ready(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(())) => {}
            }
            let unfilled = buf.initialize_unfilled();
            match self.0.try_read(unfilled) {
                Ok(n) => {
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl AsyncWrite for SharedStream {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        loop {
            match self.0.poll_write_ready(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(())) => {}
            }
            match self.0.try_write(buf) {
                Ok(n) => return Poll::Ready(Ok(n)),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // The socket closes when the last reference is dropped.
        Poll::Ready(Ok(()))
    }
}

/// A JSON answer of the sandbox itself (control endpoints, unknown paths).
pub(super) fn json_response(status: u16, value: &Value) -> Response<Body> {
    let mut resp = Response::new(Body::from(serde_json::to_vec(value).unwrap_or_default()));
    *resp.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    resp.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

async fn dispatch(inner: Arc<Inner>, ctl: ConnCtl, req: Request<Incoming>) -> Response<Body> {
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(Body::new(body), MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return json_response(413, &json!({"error": "request body too large or unreadable"})),
    };
    let path = parts.uri.path().to_owned();
    let raw_query = parts.uri.query().unwrap_or("").to_owned();
    let req = SbRequest { method: parts.method, path, raw_query, headers: parts.headers, body };
    if req.path.starts_with("/__sandbox/") {
        return super::control::control(&inner, &req);
    }
    let Some(route) = inner.route(&req.path) else {
        return json_response(404, &json!({"error": "Not Found", "path": req.path}));
    };
    let api = ApiKey::of(route.api.key);
    inner.count(api, |c| c.calls += 1);

    let faults = inner.faults.take(api, &req.path);
    if !faults.is_empty() {
        inner.count(api, |c| c.faults_applied += faults.len() as u64);
    }
    for f in &faults {
        if let FaultKind::Delay { ms } = f {
            tokio::time::sleep(Duration::from_millis(*ms)).await;
        }
    }
    if faults.contains(&FaultKind::Reset) {
        ctl.reset();
        // The connection task drops this future together with the socket.
        std::future::pending::<()>().await;
    }
    let simulation = &route.simulation;
    let short_circuit = faults.iter().find_map(|f| match f {
        // 429 is a rate limit: the provider's own answer to one.
        FaultKind::Status { status: 429 } | FaultKind::RateLimit => Some(simulation.rate_limited(api.as_str())),
        FaultKind::Status { status } => Some(simulation.status_fault(api.as_str(), *status).rejected()),
        _ => None,
    });
    let mut resp = match short_circuit {
        Some(r) => r,
        None => simulation.handle(api.as_str(), &req, &inner.env).await,
    };
    if resp.rejected {
        inner.count(api, |c| c.rejections += 1);
    }
    if faults.contains(&FaultKind::MalformedBody) {
        let keep = (resp.body.len() / 2).max(2);
        resp.body = if resp.body.len() > keep { resp.body[..keep].to_vec() } else { b"{\"".to_vec() };
    }
    let sign_with =
        if faults.contains(&FaultKind::WrongSignature) { SignWith::AWrongSecret } else { SignWith::TheSecret };
    finish(resp, sign_with, inner.env.now_ms())
}

/// Adds the signature headers over the final body and builds the HTTP response. `Date` comes from the
/// sandbox clock, so a client's skew is measured against the simulated provider's time.
fn finish(resp: ProviderResponse, sign_with: SignWith, now_ms: i64) -> Response<Body> {
    let mut headers = resp.headers;
    headers.push(("Date".to_owned(), http_date(now_ms)));
    if let Some(signer) = resp.signer {
        headers.extend(signer(&resp.body, sign_with));
    }
    let mut out = Response::new(Body::from(resp.body));
    *out.status_mut() = StatusCode::from_u16(resp.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    out.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    for (k, v) in headers {
        if let (Ok(name), Ok(value)) = (hyper::header::HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_str(&v))
        {
            out.headers_mut().append(name, value);
        }
    }
    out
}
