//! The control endpoints under `/__sandbox/` (see the module documentation of [`super`]), including the
//! built-in receiver that records deliveries in the inbox.

use super::apis::ApiKey;
use super::faults::Fault;
use super::inbox::Received;
use super::server::json_response;
use super::Inner;
use crate::simulator::{check_loopback_url, SbRequest, RECEIVER_PATH};
use axum::body::Body;
use hyper::Response;
use serde_json::{json, Value};

pub(super) fn control(inner: &Inner, req: &SbRequest) -> Response<Body> {
    if let Some(api) = req.path.strip_prefix(RECEIVER_PATH).and_then(|rest| rest.strip_prefix('/')) {
        return receive(inner, api, req);
    }
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/__sandbox/state") => json_response(200, &inner.state_json()),
        ("GET", "/__sandbox/faults") => json_response(200, &json!(inner.faults.list())),
        ("DELETE", "/__sandbox/faults") => {
            inner.faults.clear();
            json_response(200, &json!({"pending_faults": []}))
        }
        ("POST", "/__sandbox/faults") => {
            let parsed: std::result::Result<Vec<Fault>, _> = match serde_json::from_slice::<Value>(&req.body) {
                Ok(Value::Array(items)) => items.into_iter().map(serde_json::from_value).collect(),
                Ok(v) => serde_json::from_value(v).map(|f| vec![f]),
                Err(e) => Err(e),
            };
            match parsed {
                Ok(list) => {
                    inner.faults.push(list);
                    json_response(200, &json!({"pending_faults": inner.faults.list()}))
                }
                Err(e) => json_response(400, &json!({"error": format!("invalid fault: {e}")})),
            }
        }
        ("GET", "/__sandbox/deliveries") => json_response(200, &json!(inner.deliveries())),
        ("GET", "/__sandbox/inbox") => json_response(200, &json!(inner.inbox.newest_first())),
        ("DELETE", "/__sandbox/inbox") => {
            inner.inbox.clear();
            json_response(200, &json!({"entries": 0}))
        }
        ("GET", "/__sandbox/accounts") => json_response(200, &super::demo_accounts(&inner.base_url)),
        ("PUT", "/__sandbox/callback-url") => {
            let url = serde_json::from_slice::<Value>(&req.body)
                .ok()
                .and_then(|v| v.get("url").cloned())
                .unwrap_or(Value::Null);
            match url {
                Value::Null => {
                    inner.outbox.set_url(None);
                    json_response(200, &json!({"callback_url": null}))
                }
                Value::String(u) if check_loopback_url(&u).is_ok() => {
                    inner.outbox.set_url(Some(u.clone()));
                    json_response(200, &json!({"callback_url": u}))
                }
                _ => json_response(400, &json!({"error": "url must be an http(s) URL on 127.0.0.1/localhost"})),
            }
        }
        _ => json_response(404, &json!({"error": "unknown sandbox control endpoint"})),
    }
}

/// The built-in receiver: a delivery of the API named in the path, checked by that API's simulation and
/// kept in the inbox. Answers 200 like a merchant's endpoint that took it.
fn receive(inner: &Inner, api: &str, req: &SbRequest) -> Response<Body> {
    let Some(route) = ApiKey::parse(api).and_then(|key| inner.routes.iter().find(|r| r.api.key == key.as_str())) else {
        return json_response(404, &json!({"error": "no simulated API is named so", "api": api}));
    };
    if req.method != hyper::Method::POST {
        return json_response(405, &json!({"error": "the receiver takes POST requests"}));
    }
    let headers: Vec<(String, String)> = req
        .headers
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
        .collect();
    let key = ApiKey::of(route.api.key);
    let signature = route.simulation.verify_delivery(route.api.key, &headers, &req.body);
    let query = if req.raw_query.is_empty() { String::new() } else { format!("?{}", req.raw_query) };
    let received = Received {
        api: key,
        at_ms: inner.env.now_ms(),
        url: format!("{}{}{query}", inner.base_url, req.path),
        headers,
        body: req.body.to_vec(),
    };
    let entry = inner.inbox.record(received, signature);
    json_response(200, &json!({"received": entry.id}))
}
