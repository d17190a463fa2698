//! `callback-desk-cli sandbox` as a separate process: its first stdout line holds the demo accounts,
//! which `callback-desk-cli call` then uses for one operation per provider; a CYBAVO re-delivery is
//! checked with `callback-desk-cli verify --kind callback`.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_callback-desk-cli");

type Requests = Arc<Mutex<Vec<(Vec<(String, String)>, Vec<u8>)>>>;

/// A minimal HTTP receiver on 127.0.0.1 that records each request and answers 200.
fn receiver() -> (String, Requests) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let seen: Requests = Arc::default();
    let s2 = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut headers = Vec::new();
            let mut line = String::new();
            let _ = reader.read_line(&mut line); // request line
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((k, v)) = line.trim_end().split_once(':') {
                    headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
                }
            }
            let len = headers
                .iter()
                .find(|(k, _)| k == "content-length")
                .and_then(|(_, v)| v.parse::<usize>().ok())
                .unwrap_or(0);
            let mut body = vec![0u8; len];
            let _ = reader.read_exact(&mut body);
            s2.lock().unwrap().push((headers, body));
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        }
    });
    (url, seen)
}

struct SandboxProcess {
    child: Child,
    accounts: Value,
    stderr: Arc<Mutex<String>>,
}

impl SandboxProcess {
    fn start(extra: &[&str]) -> SandboxProcess {
        let mut child = Command::new(BIN)
            .arg("sandbox")
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
        let accounts: Value = serde_json::from_str(&first).expect("first stdout line is JSON");
        let stderr = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&stderr);
        let mut err = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        SandboxProcess { child, accounts, stderr }
    }

    fn account_file(&self, key: &str) -> tempfile::NamedTempFile {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(self.accounts[key].to_string().as_bytes()).unwrap();
        f
    }

    /// SIGTERM (Unix) and wait; returns the exit status.
    fn stop(mut self) -> (std::process::ExitStatus, String) {
        #[cfg(unix)]
        {
            let pid = self.child.id().to_string();
            assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        }
        #[cfg(not(unix))]
        {
            let _ = self.child.kill();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                break s;
            }
            assert!(Instant::now() < deadline, "sandbox did not stop on SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        };
        std::thread::sleep(Duration::from_millis(100));
        let text = self.stderr.lock().unwrap().clone();
        (status, text)
    }
}

impl Drop for SandboxProcess {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn call(account: &tempfile::NamedTempFile, op: &str, params: Value) -> Value {
    let out = Command::new(BIN)
        .args(["call", "--account", account.path().to_str().unwrap(), "--operation", op, "--params"])
        .arg(params.to_string())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{op}: exit {:?}\n{text}\n{}", out.status, String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(v["outcome"], "ok", "{v}");
    v
}

fn now_s() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

#[test]
fn first_line_is_the_demo_accounts_and_each_provider_answers() {
    let (hook, received) = receiver();
    let sb = SandboxProcess::start(&["--port", "0", "--callback-url", &hook]);
    let keys: Vec<&str> = sb.accounts.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["cybavo", "ceffu", "avista", "ccpayment-v1", "ccpayment-v2", "fireblocks"]);
    let base = sb.accounts["cybavo"]["base_url"].as_str().unwrap().to_owned();
    assert!(base.starts_with("http://127.0.0.1:"));
    for (k, v) in sb.accounts.as_object().unwrap() {
        let provider = v["provider"].as_str().unwrap();
        assert!(k.starts_with(provider), "{k}");
        assert!(v["base_url"].as_str().unwrap().starts_with(&base));
    }

    let cybavo = sb.account_file("cybavo");
    let v = call(&cybavo, "query-callbacks", json!({"ids": [90_000_000_001i64, 90_000_000_002i64]}));
    assert_eq!(v["result"]["notifications"].as_array().unwrap().len(), 2);
    let v = call(&cybavo, "resend-withdrawal-callbacks", json!({"notification_id": 90_000_000_002i64}));
    assert_eq!(v["result"]["count"], 1);
    assert!(!v.to_string().contains(sb.accounts["cybavo"]["api_secret"].as_str().unwrap()));

    let ceffu = sb.account_file("ceffu");
    let v = call(
        &ceffu,
        "resend-webhooks",
        json!({"webhookId": "1721442311151521794", "eventType": "1", "resendFromDateTime": (now_s() - 30 * 86_400) * 1000}),
    );
    assert_eq!(v["result"]["data"], true);

    let avista = sb.account_file("avista");
    let v = call(&avista, "resend-webhook", json!({"transaction_identifier": "PAG-2024-0001"}));
    assert_eq!(v["result"]["statusCode"], 200);
    let ops: Vec<&str> = v["calls"].as_array().unwrap().iter().map(|c| c["operation"].as_str().unwrap()).collect();
    assert_eq!(ops, ["get-token", "resend-webhook"]);

    let v1 = sb.account_file("ccpayment-v1");
    let v = call(&v1, "resend-webhooks", json!({"start_timestamp": now_s() - 3_600, "end_timestamp": now_s()}));
    assert_eq!(v["result"]["code"], 10000);
    let v2 = sb.account_file("ccpayment-v2");
    let v = call(&v2, "resend-webhooks", json!({"startTimestamp": now_s() - 3_600, "endTimestamp": now_s()}));
    assert_eq!(v["result"]["code"], 10000);

    let fireblocks = sb.account_file("fireblocks");
    let v = call(&fireblocks, "resend-failed-notifications", json!({}));
    let job = v["result"]["jobId"].as_str().expect("a job of Fireblocks").to_owned();
    let v = call(&fireblocks, "get-resend-job", json!({"jobId": job}));
    assert_eq!(v["result"]["status"], "QUEUED");
    assert!(!v.to_string().contains(sb.accounts["fireblocks"]["api_key"].as_str().unwrap()));

    // The CYBAVO re-delivery of serial 90000000002 verifies with the account file.
    let deadline = Instant::now() + Duration::from_secs(10);
    let delivery = loop {
        let found = received
            .lock()
            .unwrap()
            .iter()
            .find(|(_, b)| String::from_utf8_lossy(b).contains("\"serial\":90000000002"))
            .cloned();
        if let Some(d) = found {
            break d;
        }
        assert!(Instant::now() < deadline, "no CYBAVO re-delivery arrived");
        std::thread::sleep(Duration::from_millis(50));
    };
    let (headers, body) = delivery;
    let checksum = headers.iter().find(|(k, _)| k == "x-checksum").map(|(_, v)| v.clone()).unwrap();
    let mut body_file = tempfile::NamedTempFile::new().unwrap();
    body_file.write_all(&body).unwrap();
    let verify = |sum: &str| {
        Command::new(BIN)
            .args(["verify", "--account", cybavo.path().to_str().unwrap(), "--kind", "callback", "--body-file"])
            .arg(body_file.path())
            .args(["--header", &format!("X-CHECKSUM: {sum}")])
            .output()
            .unwrap()
    };
    let out = verify(&checksum);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "valid");
    let out = verify("A7RbYeXHEOHwzJIUmBMJpjYS4DJNfSrX-x7Ro3DeRo0=");
    assert_eq!(out.status.code(), Some(1));

    let (status, stderr) = sb.stop();
    assert!(status.success(), "exit {status:?}\n{stderr}");
    assert!(stderr.contains(&format!("sandbox listening on {base}")), "{stderr}");
    assert!(stderr.contains("sandbox stopped"), "{stderr}");
}

#[test]
fn fixed_port_and_state_endpoint() {
    // Find a free port, then ask for it explicitly.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let sb = SandboxProcess::start(&["--port", &port.to_string()]);
    let base = format!("http://127.0.0.1:{port}");
    assert_eq!(sb.accounts["ccpayment-v2"]["base_url"], format!("{base}/ccpayment/v2"));
    assert_eq!(sb.accounts["ccpayment-v1"]["api_version"], "v1");
    // The control endpoint answers on the same port.
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(b"GET /__sandbox/state HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains("\"calls\""));
    let (status, _) = sb.stop();
    assert!(status.success());
}
