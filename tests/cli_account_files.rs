//! Account files given to the command-line companion (`accounts add`, `preview`/`call --account`) are
//! bounded and checked before anything is parsed, stored or sent: an oversized file or field, or a
//! header-borne credential with a line break, fails at once with a field-level error. Runs without a
//! keyring: every case fails before the vault is needed.

#[allow(dead_code)] // only `cli` is used here
mod common;

use common::cli;
use serde_json::{json, Value};
use std::path::Path;

/// The `{"error": …}` object the CLI prints on standard error.
fn error_of(stderr: &str) -> Value {
    let line =
        stderr.lines().find(|l| l.starts_with("{\"error\"")).unwrap_or_else(|| panic!("no error line: {stderr}"));
    serde_json::from_str::<Value>(line).unwrap()["error"].clone()
}

fn field_error(stderr: &str) -> (String, String, Value) {
    let e = error_of(stderr);
    assert_eq!(e["code"], "input.invalid", "{e}");
    (
        e["params"]["field"].as_str().unwrap().to_owned(),
        e["params"]["reason"].as_str().unwrap().to_owned(),
        e["params"].clone(),
    )
}

fn cybavo(api_code: &str) -> Value {
    // Loopback, port 9 (nothing listens): a call that got through would go nowhere.
    json!({"provider":"cybavo","base_url":"http://127.0.0.1:9","wallet_id":55743,
           "api_code":api_code,"api_secret":"TESTSECRET0123456789abcdef"})
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_owned()
}

#[test]
fn oversized_account_files_and_fields_are_refused_by_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    // A file over 1 MiB (the padding is JSON whitespace, so the file itself is valid).
    let padded = format!("{}{}", cybavo("TESTAPICODE"), " ".repeat(1 << 20));
    let big_file = write(dir.path(), "big.json", &padded);
    // A file under 1 MiB whose API code is over 64 KiB.
    let big_code = write(dir.path(), "code.json", &cybavo(&"A".repeat(100 * 1024)).to_string());
    let preview = |file: &str| {
        cli(
            &data,
            &[
                "preview",
                "--account",
                file,
                "--operation",
                "resend-withdrawal-callbacks",
                "--params",
                r#"{"notification_id":0}"#,
                "--at",
                "1700000000000",
            ],
        )
    };
    for (file, field, max_kib) in [(&big_file, "account", 1024), (&big_code, "api_code", 64)] {
        let (code, _, err) = cli(&data, &["accounts", "add", "--account", file, "--label", "Too big"]);
        assert_eq!(code, 1, "{err}");
        let (f, reason, params) = field_error(&err);
        assert_eq!((f.as_str(), reason.as_str(), &params["max_kib"]), (field, "too_large", &json!(max_kib)));
        let (code, _, err) = preview(file);
        assert_eq!(code, 1, "{err}");
        assert_eq!(field_error(&err).0, field);
    }
    let (code, list, err) = cli(&data, &["accounts", "list"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(serde_json::from_str::<Value>(&list).unwrap(), json!([]), "nothing was stored");
}

#[test]
fn a_line_break_in_a_header_borne_credential_is_refused_when_the_file_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let crlf = write(dir.path(), "crlf.json", &cybavo("TESTAPICODE\r\nX-Injected: 1").to_string());
    let (code, _, err) = cli(&data, &["accounts", "add", "--account", &crlf, "--label", "Injected"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(field_error(&err).0, "api_code");
    assert_eq!(field_error(&err).1, "not_header_text");
    let (code, out, err) = cli(
        &data,
        &[
            "call",
            "--account",
            &crlf,
            "--operation",
            "resend-withdrawal-callbacks",
            "--params",
            r#"{"notification_id":0}"#,
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    let text = format!("{out}{err}");
    assert!(text.contains("\"api_code\"") && text.contains("not_header_text"), "{text}");
    assert!(!text.contains("TESTSECRET0123456789abcdef"), "{text}");
}
