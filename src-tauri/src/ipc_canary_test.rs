//! The IPC canary test: every command of `commands.list`, called through Tauri's own IPC (its mock
//! runtime, with the app's real handler, capability and state), with stored accounts of every provider:
//! the built-in sandbox's demo accounts, and accounts whose secrets are random canary strings pointed at a
//! loopback server that echoes every request it gets back in its answer. No answer may contain a secret
//! (a canary, a demo secret, a bearer token, a piece of a private key or certificate), nor may the files
//! the exports write. A command added to the list without being called here fails the test.

use crate::clipboard::Clipboard;
use crate::state::AppState;
use callback_desk::accounts::{AccountInput, Environment};
use callback_desk::vault::MemoryStore;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindow;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The window's side of the IPC: calls a command as the page's `invoke` does and keeps every answer.
struct Window {
    webview: WebviewWindow<MockRuntime>,
    called: BTreeSet<String>,
    /// (command, the answer or error as JSON text)
    answers: Vec<(String, String)>,
}

impl Window {
    fn call(&mut self, cmd: &str, args: Value) -> Result<Value, Value> {
        let request = InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("app URL"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        };
        let answer = tauri::test::get_ipc_response(&self.webview, request)
            .map(|body| body.deserialize::<Value>().expect("a JSON answer"));
        self.called.insert(cmd.to_owned());
        let text = match &answer {
            Ok(v) | Err(v) => v.to_string(),
        };
        self.answers.push((cmd.to_owned(), text));
        answer
    }

    /// A call that must succeed (the failure names only the error code: its text may hold a leak).
    fn ok(&mut self, cmd: &str, args: Value) -> Value {
        self.call(cmd, args).unwrap_or_else(|e| panic!("{cmd} failed: {}", e.get("code").unwrap_or(&e)))
    }

    /// A call that must fail with `code`.
    fn refused(&mut self, cmd: &str, args: Value, code: &str) {
        match self.call(cmd, args) {
            Ok(_) => panic!("{cmd} succeeded; expected {code}"),
            Err(e) => assert_eq!(e["code"], code, "{cmd}"),
        }
    }
}

fn random_hex() -> String {
    use rand::RngCore;
    let mut b = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A loopback server that answers every request with the request itself (method, path, headers, body) as
/// JSON, except Avista's token call, which gets `token`. Returns its root URL.
async fn echo_server(token: String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let root = format!("http://{}", listener.local_addr().expect("address"));
    tauri::async_runtime::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let token = token.clone();
            tauri::async_runtime::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                let head_end = loop {
                    let Ok(n) = socket.read(&mut chunk).await else { return };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
                let length = head
                    .lines()
                    .filter_map(|l| l.split_once(':'))
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.trim().parse::<usize>().ok())
                    .unwrap_or(0);
                while buf.len() < head_end + length {
                    let Ok(n) = socket.read(&mut chunk).await else { return };
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let body = String::from_utf8_lossy(&buf[head_end..]).into_owned();
                let request_line = head.lines().next().unwrap_or_default().to_owned();
                let answer = if request_line.contains("/api/auth/token") {
                    json!({"access_token": token, "token_type": "Bearer", "expires_in": 1800})
                } else {
                    let headers: Vec<&str> = head.lines().skip(1).filter(|l| !l.is_empty()).collect();
                    json!({"code": 0, "msg": "echo", "data": {"request": request_line, "headers": headers, "body": body}})
                }
                .to_string();
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                    answer.len()
                );
                let _ = socket.write_all(response.as_bytes()).await;
                let _ = socket.shutdown().await;
            });
        }
    });
    root
}

/// A resend (and its params) for each provider, as the Resend screen sends it.
fn resend_of(provider: &str, fields: &Value, now_s: i64) -> (&'static str, Value) {
    match provider {
        "cybavo" => ("resend-withdrawal-callbacks", json!({"notification_id": 90_000_000_002i64})),
        "ceffu" => (
            "resend-webhooks",
            json!({"webhookId": "1721442311151521794", "eventType": "1", "resendFromDateTime": (now_s - 3600) * 1000}),
        ),
        "avista" => ("resend-webhook", json!({"transaction_identifier": "PAG-2024-0001"})),
        "fireblocks" => ("resend-by-resource", json!({"resourceId": "cfe5be48-9307-4aa3-8ead-b959fca35dd6"})),
        _ if fields["api_version"] == "v2" => (
            "resend-webhooks",
            json!({"startTimestamp": now_s - 3600, "endTimestamp": now_s - 60, "webhookResult": "Failed", "transactionType": "AllType"}),
        ),
        _ => (
            "resend-webhooks",
            json!({"start_timestamp": now_s - 3600, "end_timestamp": now_s - 60, "webhook_result": "Failed", "transaction_type": "All Type"}),
        ),
    }
}

/// The secret field values of an account file, with pieces of the multi-line ones (keys, certificates):
/// a leak of a line of them is a leak too.
fn secrets_of(input: &AccountInput) -> Vec<String> {
    let mut out = Vec::new();
    for value in input.secrets.values().map(|v| v.expose()) {
        out.push(value.to_owned());
        let body: String = value.lines().filter(|l| !l.starts_with("-----")).collect();
        if body.len() >= 120 {
            out.extend([&body[40..80], &body[body.len() - 80..body.len() - 40]].map(str::to_owned));
        }
    }
    out
}

fn input_json(input: &AccountInput, base_url: Option<&str>) -> Value {
    json!({
        "provider": input.provider,
        "label": input.label,
        "environment": input.environment,
        "base_url": base_url,
        "fields": input.fields,
        "secrets": input.secrets.iter().map(|(k, v)| (k.clone(), json!(v.expose()))).collect::<Map<_, _>>(),
        "notes": "",
    })
}

#[test]
fn no_command_answers_with_a_secret() {
    let data = tempfile::tempdir().expect("temp dir");
    let exports = data.path().join("exports");
    std::env::set_var("CALLBACK_DESK_DATA_DIR", data.path().join("data"));
    std::env::set_var("CALLBACK_DESK_EXPORT_DIR", &exports);

    let copied = Arc::new(Mutex::new(Vec::new()));
    let state = AppState::with(Arc::new(MemoryStore::default()), Clipboard::Memory(copied.clone()));
    let app = tauri::test::mock_builder()
        .plugin(tauri_plugin_store::Builder::default().build())
        .manage(state.clone())
        .invoke_handler(crate::commands::handler())
        .build(tauri::generate_context!("../tauri.conf.json"))
        .expect("the app");
    let webview = tauri::WebviewWindowBuilder::new(&app, "main", Default::default()).build().expect("window");
    let mut w = Window { webview, called: BTreeSet::new(), answers: Vec::new() };
    let now_s = chrono::Utc::now().timestamp();

    // Secrets: the demo accounts' and, for every provider, an account whose secrets are canaries, pointed
    // at the echo server (Avista's bearer token there is a canary too).
    let avista_token = format!("CANARYavistatoken{}", random_hex());
    let echo = tauri::async_runtime::block_on(echo_server(avista_token.clone()));
    let sandbox_root = tauri::async_runtime::block_on(state.sandbox_root()).expect("sandbox");
    let demo = callback_desk::sandbox::demo_accounts(&sandbox_root);
    let mut secrets = vec![avista_token.clone()];
    let mut canary_inputs = Vec::new();
    for (key, file) in demo.as_object().expect("demo accounts") {
        let file = file.as_object().expect("account file");
        let demo_input =
            AccountInput::from_account_file(file, key.clone(), Some(Environment::Sandbox), String::new()).unwrap();
        secrets.extend(secrets_of(&demo_input));
        let mut canary = demo_input;
        canary.label = format!("Canary {key}");
        canary.environment = Environment::Custom;
        for (name, value) in canary.secrets.iter_mut() {
            // Keys and certificates must parse: the demo ones (already secrets above) stay.
            if !name.ends_with("_pem") && name != "private_key" {
                *value = format!("CANARY{}{}", name.replace('_', ""), random_hex()).into();
            }
        }
        secrets.extend(secrets_of(&canary));
        let base_url = file["base_url"].as_str().unwrap_or_default().replacen(&sandbox_root, &echo, 1);
        canary_inputs.push((canary, base_url));
    }

    // The window's first calls.
    w.ok("app_info", json!({}));
    w.ok("ui_ready", json!({"marks": null}));
    w.ok("provider_descriptors", json!({}));
    w.ok("get_preferences", json!({}));
    w.ok("set_preferences", json!({"preferences": {"language": "en", "time_zone": "UTC"}}));
    // The time zone dates are typed and shown in is kept with the other preferences.
    assert_eq!(w.ok("get_preferences", json!({}))["time_zone"], "UTC");
    // The theme: a choice wins over the desktop's (not read here).
    assert_eq!(w.ok("current_theme", json!({})), json!("light"));
    w.ok("set_preferences", json!({"preferences": {"language": "en", "time_zone": "UTC", "theme": "dark"}}));
    assert_eq!(w.ok("current_theme", json!({})), json!("dark"));
    assert_eq!(w.ok("get_preferences", json!({}))["theme"], "dark");
    w.ok("set_history_retention", json!({"days": null}));

    // Accounts: the sandbox's, the canary ones, a refused one, one updated and one deleted.
    w.ok("create_sandbox_accounts", json!({}));
    for (input, base_url) in &canary_inputs {
        w.ok("create_account", json!({"input": input_json(input, Some(base_url))}));
    }
    let (ceffu, ceffu_url) = canary_inputs.iter().find(|(i, _)| i.provider.as_str() == "ceffu").expect("ceffu");
    let mut broken = input_json(ceffu, Some(ceffu_url));
    broken["label"] = json!("Canary refused");
    let bad_key = format!("CANARYbadprivatekey{}", random_hex());
    broken["secrets"]["private_key"] = json!(bad_key);
    secrets.push(bad_key);
    assert!(w.call("create_account", json!({"input": broken})).is_err(), "a private key that is not one");
    let mut extra = input_json(ceffu, Some(ceffu_url));
    extra["label"] = json!("Canary extra");
    let extra_id = w.ok("create_account", json!({"input": extra.clone()}))["id"].clone();
    let new_key = format!("CANARYreplacedapikey{}", random_hex());
    extra["secrets"] = json!({"api_key": new_key});
    secrets.push(new_key);
    w.ok("update_account", json!({"id": extra_id, "input": extra}));
    // A delete is held for undo: undone, the account is listed again; asked again, it is gone from the list.
    w.ok("delete_account", json!({"id": extra_id}));
    assert_eq!(w.ok("undo_delete_account", json!({"id": extra_id})), json!(true));
    assert!(w.ok("list_accounts", json!({})).as_array().expect("accounts").iter().any(|a| a["id"] == extra_id));
    w.ok("delete_account", json!({"id": extra_id}));
    // A sandbox account whose delete is held comes back with "Try it with simulated providers": the held
    // delete happens first, so it is not taken for one already there.
    let listed = w.ok("list_accounts", json!({}));
    let first_sandbox =
        listed.as_array().expect("accounts").iter().find(|a| a["environment"] == "sandbox").expect("sandbox");
    let sandbox = first_sandbox["label"].clone();
    w.ok("delete_account", json!({"id": first_sandbox["id"]}));
    w.ok("create_sandbox_accounts", json!({}));
    let accounts = w.ok("list_accounts", json!({}));
    assert!(accounts.as_array().expect("accounts").iter().any(|a| a["label"] == sandbox), "{sandbox} not added again");
    let accounts = accounts.as_array().expect("accounts").clone();
    assert_eq!(accounts.len(), 2 * demo.as_object().map_or(0, Map::len));

    // Every account: test, preview, copy with secrets (and the refusals), run.
    for account in &accounts {
        let id = account["id"].clone();
        let (operation, params) =
            resend_of(account["provider"].as_str().unwrap_or_default(), &account["fields"], now_s);
        let request = json!({"account_id": id, "operation": operation, "params": params});
        w.call("test_account", json!({"id": id})).ok();
        w.ok("preview_action", json!({"request": request}));
        let ticket = w.ok("prepare_copy_with_secrets", json!({"request": request}))["ticket"].clone();
        let other = json!({"account_id": id, "operation": "another", "params": params});
        w.refused("copy_with_secrets", json!({"ticket": ticket, "request": other}), "copy.confirmation_mismatch");
        w.ok("copy_with_secrets", json!({"ticket": ticket, "request": request}));
        w.refused("copy_with_secrets", json!({"ticket": ticket, "request": request}), "copy.confirmation_used");
        w.refused("copy_with_secrets", json!({"ticket": "", "request": request}), "copy.confirmation_missing");
        w.call("run_action", json!({"request": request})).ok();
    }
    let commands: Vec<String> = copied.lock().unwrap().clone();
    assert_eq!(commands.len(), accounts.len(), "one command copied per account");
    // The copies held the real credentials (so the answers above had them to leak); their bearer tokens
    // (the sandbox's) are secrets too.
    assert!(commands.iter().any(|c| c.contains(&avista_token)), "the canary Avista account's token was copied");
    for canary in canary_inputs.iter().flat_map(|(i, _)| i.secrets.iter()).filter(|(n, _)| *n == "api_code") {
        assert!(commands.iter().any(|c| c.contains(canary.1.expose())), "the CYBAVO canary code was copied");
    }
    for c in &commands {
        if let Some(rest) = c.split("Authorization: Bearer ").nth(1) {
            secrets.push(rest.split('\'').next().unwrap_or_default().to_owned());
        }
    }

    // A look-up's results, and a bulk look-up job with every job command.
    let demo_cybavo =
        accounts.iter().find(|a| a["label"] == "Sandbox · CYBAVO SOFA").expect("demo CYBAVO")["id"].clone();
    let lookup = json!({"account_id": demo_cybavo, "operation": "query-callbacks", "params": {"ids": [90_000_000_001i64, 90_000_000_002i64]}});
    let run = w.ok("run_action", json!({"request": lookup}));
    w.ok("action_results", json!({"historyId": run["history_id"]}));
    let saved = w.ok("save_action_results", json!({"historyId": run["history_id"], "language": "zh-CN"}));
    assert!(saved["path"].as_str().is_some_and(|p| p.ends_with(".csv")), "{saved}");
    // "Show in folder" shows only what this window saved: any other path is refused (the saved file is not
    // shown here, which would open a file manager on a desktop running the tests).
    w.refused("show_in_folder", json!({"path": "/etc/passwd"}), "input.invalid");
    w.ok("budget_status", json!({"accountId": demo_cybavo, "operation": "query-callbacks"}));
    for account in [&demo_cybavo, &accounts.iter().find(|a| a["label"] == "Canary cybavo").expect("canary")["id"]] {
        let job = json!({"account_id": account, "operation": "query-callbacks", "params": {"ids": [90_000_000_001i64, 90_000_000_002i64]}});
        w.ok("plan_job", json!({"request": job}));
        let id = w.ok("start_job", json!({"request": job}));
        w.call("pause_job", json!({"id": id})).ok();
        w.call("cancel_job", json!({"id": id})).ok();
        wait_until_stopped(&mut w, &state, &id);
        w.call("resume_job", json!({"id": id})).ok();
        wait_until_stopped(&mut w, &state, &id);
        w.ok("job_results", json!({"id": id, "limit": 100}));
        w.ok("job_failures", json!({"id": id}));
        w.ok("save_job_results", json!({"id": id}));
    }

    // The sandbox inbox: what the demo accounts' resends delivered to the built-in receiver (the demo
    // Avista account's webhook carries the secret header configured on its webhook: masked too).
    secrets.push(callback_desk::providers::avista::sandbox::demo::WEBHOOK_SECRET.to_owned());
    let inbox = w.ok("sandbox_inbox", json!({"limit": null}));
    assert_eq!((&inbox["available"], &inbox["running"]), (&json!(true), &json!(true)));
    let entries = inbox["entries"].as_array().expect("entries").clone();
    assert!(entries.iter().any(|e| e["api"] == "avista"), "the demo Avista resend is in the inbox");
    assert!(inbox["receivers"].as_array().is_some_and(|r| r.iter().any(|r| r["api"] == "avista")));

    // "Check a callback": each delivery checked by its inbox id with a sandbox account of its provider (the
    // answer says the verdict and the fields, never a header value), a pasted callback with every account,
    // and a delivery that is not in the inbox.
    for entry in &entries {
        let account = accounts
            .iter()
            .find(|a| a["provider"] == entry["provider"] && a["environment"] == "sandbox")
            .expect("a sandbox account of the delivery's provider");
        let check =
            w.ok("check_callback", json!({"accountId": account["id"], "pasted": null, "delivery": entry["id"]}));
        assert!(check["signature"]["verdict"].is_string(), "{check}");
    }
    let pasted = json!({"kind": "request",
        "text": "POST /cb HTTP/1.1\nX-CHECKSUM: x\nAppid: a\nTimestamp: 1\nSign: s\n\n{\"type\":1,\"serial\":5}"});
    for account in &accounts {
        w.ok("check_callback", json!({"accountId": account["id"], "pasted": pasted, "delivery": null}));
    }
    w.refused(
        "check_callback",
        json!({"accountId": accounts[0]["id"], "pasted": null, "delivery": 999_999}),
        "input.invalid",
    );

    // Training in Settings: a fault waits for a provider, a wrong signature only where answers are signed,
    // faults removed, and a reset empties the inbox.
    let training = w.ok("sandbox_training", json!({}));
    assert_eq!((&training["available"], &training["pending"]), (&json!(true), &json!([])));
    let training = w.ok("inject_sandbox_fault", json!({"provider": "cybavo", "fault": "down", "count": 2}));
    assert_eq!(training["pending"], json!([{"provider": "cybavo", "api": "cybavo", "fault": "down", "count": 2}]));
    let refused = w.call("inject_sandbox_fault", json!({"provider": "ceffu", "fault": "wrong_signature", "count": 1}));
    assert!(refused.is_err(), "Ceffu's answers are not signed");
    assert_eq!(w.ok("clear_sandbox_faults", json!({}))["pending"], json!([]));
    w.ok("reset_sandbox", json!({}));
    let inbox = w.ok("sandbox_inbox", json!({"limit": null}));
    assert_eq!((&inbox["running"], &inbox["entries"]), (&json!(true), &json!([])), "the reset emptied the inbox");

    // History: every page, every row, the export.
    let count = w.ok("history_count", json!({"filter": {}}));
    assert!(count.as_u64().unwrap_or_default() > accounts.len() as u64, "history holds the runs");
    let mut cursor = Value::Null;
    loop {
        let page = w.ok("history_page", json!({"filter": {}, "cursor": cursor, "limit": 5}));
        for row in page["rows"].as_array().expect("rows") {
            w.ok("history_get", json!({"id": row["id"]}));
        }
        cursor = page["next_cursor"].clone();
        if cursor.is_null() {
            break;
        }
    }
    for (readable, language) in [(true, "pt-BR"), (false, "en")] {
        let options = json!({"readable": readable, "language": language, "zone": "utc"});
        w.ok("history_export_csv", json!({"filter": {}, "options": options}));
    }

    // The team workspace, from a solo installation: it says it is solo; the rest needs a workspace, and an
    // invitation code that is not one opens nothing (tests/e2e/test_team.py drives them in a workspace).
    assert_eq!(w.ok("team_status", json!({}))["workspace"], Value::Null);
    w.refused("team_members", json!({}), "team.not_joined");
    assert_eq!(w.ok("team_jobs", json!({})), json!([]), "a solo installation has no team jobs");
    w.refused("team_take_over_job", json!({"teamJobId": 1}), "team.not_joined");
    w.refused("team_invite", json!({"member": "bob", "role": "operator"}), "team.not_joined");
    w.refused("team_join", json!({"invite": "cbd-invite-1.bm90IGEgY29kZQ"}), "team.invite_invalid");
    // A client certificate's private key given with a join is never answered back, even when refused.
    let join_key = include_str!("../../tests/fixtures/ceffu_test_key.pem");
    secrets.push(join_key.lines().nth(1).unwrap_or_default().to_owned());
    let tls = json!({"client_cert": include_str!("../../tests/fixtures/avista_mtls_test_cert.pem"),
                     "client_key": join_key, "ca_cert": ""});
    w.refused("team_join", json!({"invite": "cbd-invite-1.bm90IGEgY29kZQ", "tls": tls}), "input.invalid");
    w.refused("team_share", json!({"accountId": 1, "member": "bob"}), "team.not_joined");
    w.refused("team_shares", json!({"accountId": 1}), "team.not_joined");
    w.refused("team_unshare", json!({"accountId": 1, "member": "bob"}), "team.not_joined");
    w.refused("team_remove", json!({"member": "bob"}), "team.not_joined");
    // The rules of an account of this installation's own: not a shared one.
    w.refused("team_account_rules", json!({"accountId": 1}), "input.invalid");
    w.refused("team_set_account_policy", json!({"accountId": 1, "everyResend": true, "waive": []}), "input.invalid");
    w.refused(
        "team_set_account_policy",
        json!({"accountId": 1, "everyResend": false, "waive": ["sometimes"]}),
        "input.invalid",
    );
    w.refused("team_set_account_role", json!({"accountId": 1, "member": "bob", "role": "viewer"}), "input.invalid");
    w.refused("team_set_account_role", json!({"accountId": 1, "member": "bob", "role": "root"}), "input.invalid");
    w.refused(
        "team_trail_page",
        json!({"filter": {}, "member": null, "beforeId": null, "limit": 100}),
        "team.not_joined",
    );
    w.refused(
        "team_trail_page",
        json!({"filter": {"job_id": 1}, "member": "bob", "beforeId": null, "limit": 100}),
        "input.invalid",
    );
    w.refused("approvals_list", json!({}), "team.not_joined");
    w.refused("approve_request", json!({"id": 1}), "team.not_joined");
    w.refused("reject_request", json!({"id": 1, "reason": "no"}), "team.not_joined");
    w.refused("run_approved", json!({"id": 1}), "team.not_joined");

    // Closing the window while jobs run: an answer that is not one of the three is refused; "keep running in
    // the background" hides the window behind the tray (minimizes it where no tray can be made).
    assert!(w.call("close_window", json!({"choice": "quit_now"})).is_err());
    w.ok("close_window", json!({"choice": "background"}));

    // Every command was called, and no answer (nor exported file) holds a secret.
    let declared: BTreeSet<String> = crate::commands::NAMES.iter().map(|n| n.to_string()).collect();
    let not_called: Vec<_> = declared.difference(&w.called).collect();
    assert!(not_called.is_empty(), "commands of commands.list this test does not call: {not_called:?}");
    secrets.retain(|s| s.len() >= 8);
    for (cmd, answer) in &w.answers {
        for (i, secret) in secrets.iter().enumerate() {
            assert!(!answer.contains(secret.as_str()), "the answer of {cmd} holds secret #{i}");
        }
    }
    let files: Vec<_> = std::fs::read_dir(&exports).expect("exports").flatten().map(|e| e.path()).collect();
    assert_eq!(files.len(), 5, "history (readable and technical), one look-up and two jobs exported");
    for file in files {
        let text = std::fs::read_to_string(&file).expect("export");
        for (i, secret) in secrets.iter().enumerate() {
            assert!(!text.contains(secret.as_str()), "{} holds secret #{i}", file.display());
        }
    }
}

/// Waits (a bounded number of times) until the job runs nowhere: not in this process, not claimed.
fn wait_until_stopped(w: &mut Window, state: &AppState, id: &Value) {
    let id_num = id.as_i64().expect("job id");
    for _ in 0..600 {
        let running_here = state.controls.lock().unwrap().contains_key(&id_num);
        let jobs = w.ok("list_jobs", json!({}));
        let job = jobs.as_array().and_then(|j| j.iter().find(|j| j["id"] == *id).cloned()).expect("the job");
        if !running_here && job["state"] != "running" && job["runner_pid"].is_null() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("job {id} did not stop");
}
