//! A merchant's callback endpoint for the sandbox to deliver to (tests/curl_sandbox.rs and
//! tests/bulk_sandbox.rs include this file): answers every POST to `/hook` with "ok".

/// Starts the endpoint on a free loopback port; returns its URL.
pub async fn receiver() -> String {
    let app = axum::Router::new().route("/hook", axum::routing::post(|| async { "ok" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}
