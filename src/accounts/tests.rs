use super::*;
use crate::clock::FixedClock;
use crate::db::Db;
use crate::vault::{MemoryStore, SecretStore};

const CEFFU_KEY: &str = include_str!("../../tests/fixtures/ceffu_test_key.pem");

fn accounts() -> (Accounts, Arc<dyn SecretStore>) {
    let store: Arc<dyn SecretStore> = Arc::new(MemoryStore::default());
    let vault = Arc::new(Vault::new(store.clone(), Db::open_in_memory().unwrap()));
    (Accounts::new(vault, Arc::new(FixedClock::at_ms(1_700_000_000_000))), store)
}

fn cybavo_input() -> AccountInput {
    AccountInput {
        provider: ProviderId::parse("cybavo").unwrap(),
        label: "Store A".into(),
        environment: Environment::Custom,
        base_url: Some("https://sofa.example.com".into()),
        fields: serde_json::json!({"wallet_id": 55743}).as_object().unwrap().clone(),
        secrets: [("api_code".to_string(), "code-123".into()), ("api_secret".to_string(), "canary-S3CRET-xyz".into())]
            .into(),
        notes: String::new(),
    }
}

#[test]
fn create_list_update_delete_without_exposing_secrets() {
    let (acc, _) = accounts();
    let a = acc.create(&cybavo_input()).unwrap();
    assert_eq!(a.fields["wallet_id"], 55743);
    assert!(a.secrets.iter().all(|s| s.set));
    let json = serde_json::to_string(&acc.list().unwrap()).unwrap();
    assert!(!json.contains("canary-S3CRET-xyz"), "{json}");

    // Update without secrets keeps them; a replaced one changes.
    let mut input = cybavo_input();
    input.secrets.clear();
    input.label = "Store A (renamed)".into();
    let b = acc.update(a.id, &input, None).unwrap();
    assert_eq!(b.label, "Store A (renamed)");
    let (_, account) = acc.signing_account(a.id, None).unwrap();
    assert_eq!(
        account.downcast::<crate::providers::cybavo::account::CybavoAccount>().unwrap().api_secret.expose(),
        "canary-S3CRET-xyz"
    );
    input.secrets.insert("api_secret".into(), "new-secret-value".into());
    acc.update(a.id, &input, None).unwrap();
    assert_eq!(
        acc.signing_account(a.id, None)
            .unwrap()
            .1
            .downcast::<crate::providers::cybavo::account::CybavoAccount>()
            .unwrap()
            .api_secret
            .expose(),
        "new-secret-value"
    );
    acc.delete(a.id).unwrap();
    assert!(acc.list().unwrap().is_empty());
    let n: i64 = acc.vault().db().conn().query_row("SELECT count(*) FROM account_secrets", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 0, "secrets are deleted with the account");
}

#[test]
fn secrets_whose_master_key_is_gone_are_listed_as_needing_reentry_and_saved_again_in_full() {
    let (acc, store) = accounts();
    let a = acc.create(&cybavo_input()).unwrap();
    let mut other = cybavo_input();
    other.label = "Store B".into();
    let b = acc.create(&other).unwrap();
    store.delete(crate::vault::MASTER_KEY_ENTRY).unwrap();
    // Another process (or the next start) opens the same data folder without the key.
    let acc = Accounts::new(Arc::new(Vault::new(store.clone(), acc.vault().db().clone())), acc.clock.clone());
    let listed = acc.list().unwrap();
    assert!(listed.iter().all(|v| v.secrets_need_reentry), "{listed:?}");
    assert!(listed[0].secrets.iter().all(|s| !s.set && s.needs_reentry));
    assert_eq!(acc.signing_account(a.id, None).unwrap_err().code, ErrorCode::VaultMasterKeyLost);
    // No new key behind the user's back: a new account is refused, and nothing was created by reading.
    let mut third = cybavo_input();
    third.label = "Store C".into();
    assert_eq!(acc.create(&third).unwrap_err().code, ErrorCode::VaultMasterKeyLost);
    assert!(store.get(crate::vault::MASTER_KEY_ENTRY).unwrap().is_none());
    // Entering only some of an account's secrets again is refused, naming the rest.
    let mut partial = cybavo_input();
    partial.secrets.remove("api_code");
    let e = acc.update(a.id, &partial, None).unwrap_err();
    assert_eq!(e.code, ErrorCode::VaultMasterKeyLost);
    assert_eq!(
        (e.params["field"].as_str(), e.params["fields"].clone()),
        (Some("api_code"), serde_json::json!(["api_code"]))
    );
    // All of them: saved under a new key; the other account still needs re-entry.
    let mut full = cybavo_input();
    full.secrets.insert("api_secret".into(), "entered-again-secret".into());
    let v = acc.update(a.id, &full, None).unwrap();
    assert!(!v.secrets_need_reentry && v.secrets.iter().all(|s| s.set && !s.needs_reentry));
    assert_eq!(
        acc.signing_account(a.id, None)
            .unwrap()
            .1
            .downcast::<crate::providers::cybavo::account::CybavoAccount>()
            .unwrap()
            .api_secret
            .expose(),
        "entered-again-secret"
    );
    assert!(acc.get(b.id).unwrap().secrets_need_reentry);
    assert_eq!(acc.signing_account(b.id, None).unwrap_err().code, ErrorCode::VaultMasterKeyLost);
    // With a key in the keyring again, new accounts are saved as usual.
    acc.create(&third).unwrap();
}

#[test]
fn debug_of_an_input_names_secrets_but_never_shows_them() {
    let input = cybavo_input();
    let text = format!("{input:?}");
    assert!(!text.contains("canary-S3CRET-xyz") && !text.contains("code-123"), "{text}");
    assert!(text.contains("api_secret") && text.contains("api_code") && text.contains("Store A"), "{text}");
    let mut misplaced = cybavo_input();
    misplaced.fields.insert("api_secret".into(), "misplaced-canary-1".into());
    assert!(!format!("{misplaced:?}").contains("misplaced-canary-1"));
}

/// What the window sends is read straight into `Secret`s: never printed, a pasted line break dropped.
#[test]
fn an_input_from_the_window_holds_its_secrets_as_secrets() {
    let input: AccountInput = serde_json::from_value(serde_json::json!({
        "provider": "cybavo", "label": "Store A", "environment": "custom",
        "base_url": "https://sofa.example.com", "fields": {"wallet_id": 1},
        "secrets": {"api_code": "ipc-canary-code\r\n", "api_secret": "  "},
    }))
    .unwrap();
    assert!(!format!("{input:?}").contains("ipc-canary"), "{input:?}");
    assert_eq!(input.entered_secret("api_code").unwrap().expose(), "ipc-canary-code");
    assert!(input.entered_secret("api_secret").is_none(), "blank: the stored one is kept");
    assert!(serde_json::from_value::<AccountInput>(serde_json::json!({
        "provider": "cybavo", "label": "x", "environment": "custom", "fields": {}, "secrets": {"api_code": 5},
    }))
    .is_err());
}

#[test]
fn a_new_host_or_environment_needs_every_secret_again() {
    let (acc, _) = accounts();
    let a = acc.create(&cybavo_input()).unwrap();
    let mut input = cybavo_input();
    input.secrets.clear();

    // Same origin, another path: the stored secrets are kept.
    input.base_url = Some("https://sofa.example.com/api".into());
    acc.update(a.id, &input, None).unwrap();
    // Another host, another port, another scheme: refused, naming every stored secret.
    for url in ["https://attacker.example.net", "https://sofa.example.com:8443", "http://127.0.0.1:9"] {
        input.base_url = Some(url.into());
        let e = acc.update(a.id, &input, None).unwrap_err();
        assert_eq!(e.code.as_str(), "accounts.secrets_required_for_new_host", "{url}");
        assert_eq!(e.params["fields"], serde_json::json!(["api_code", "api_secret"]), "{url}");
        assert_eq!(e.params["field"], "api_code");
        assert_eq!(acc.get(a.id).unwrap().base_url, "https://sofa.example.com/api", "nothing changed");
    }
    // One secret re-entered is not enough.
    input.base_url = Some("https://sofa2.example.com".into());
    input.secrets.insert("api_secret".into(), "fresh-secret-1".into());
    let e = acc.update(a.id, &input, None).unwrap_err();
    assert_eq!(e.params["fields"], serde_json::json!(["api_code"]));
    // Both re-entered: saved.
    input.secrets.insert("api_code".into(), "fresh-code-1".into());
    let v = acc.update(a.id, &input, None).unwrap();
    assert_eq!(v.base_url, "https://sofa2.example.com");
    assert_eq!(
        acc.signing_account(a.id, None)
            .unwrap()
            .1
            .downcast::<crate::providers::cybavo::account::CybavoAccount>()
            .unwrap()
            .api_secret
            .expose(),
        "fresh-secret-1"
    );

    // Changing the environment (here to the sandbox) also needs them.
    let mut sandbox = cybavo_input();
    sandbox.secrets.clear();
    sandbox.environment = Environment::Sandbox;
    let e = acc.update(a.id, &sandbox, None).unwrap_err();
    assert_eq!(e.code.as_str(), "accounts.secrets_required_for_new_host");
    // And back from the sandbox to a real host.
    let mut sb = cybavo_input();
    sb.environment = Environment::Sandbox;
    let s = acc.create(&sb).unwrap();
    let mut real = cybavo_input();
    real.secrets.clear();
    let e = acc.update(s.id, &real, None).unwrap_err();
    assert_eq!(e.code.as_str(), "accounts.secrets_required_for_new_host");
}

#[test]
fn field_level_validation() {
    let (acc, _) = accounts();
    let mut bad = cybavo_input();
    bad.fields.insert("wallet_id".into(), "55a".into());
    let e = acc.create(&bad).unwrap_err();
    assert_eq!((e.code, e.params["field"].as_str()), (ErrorCode::InputInvalid, Some("wallet_id")));

    let mut http = cybavo_input();
    http.base_url = Some("http://sofa.example.com".into());
    let e = acc.create(&http).unwrap_err();
    assert_eq!(e.params["field"], "base_url");
    assert_eq!(e.params["reason"], "https_required");

    let mut missing = cybavo_input();
    missing.secrets.remove("api_secret");
    let e = acc.create(&missing).unwrap_err();
    assert_eq!((e.code, e.params["field"].as_str()), (ErrorCode::InputMissing, Some("api_secret")));

    let mut label = cybavo_input();
    label.label = "  ".into();
    assert_eq!(acc.create(&label).unwrap_err().params["field"], "label");

    let ceffu = |private_key: &str| AccountInput {
        provider: ProviderId::parse("ceffu").unwrap(),
        label: "Ceffu".into(),
        environment: Environment::Production,
        base_url: None,
        fields: Map::new(),
        secrets: [("api_key".to_string(), "key".into()), ("private_key".to_string(), private_key.into())].into(),
        notes: String::new(),
    };
    let e = acc.create(&ceffu("not a key")).unwrap_err();
    assert_eq!(e.params["field"], "private_key");
    let v = acc.create(&ceffu(CEFFU_KEY)).unwrap();
    assert_eq!(v.base_url, "https://open-api.ceffu.com");
    assert!(acc.list().unwrap().len() == 1, "failed creations store nothing");
}

/// What the account form and `accounts add` save: an oversized value, a header-borne credential with a
/// line break, or an mTLS key that does not fit the certificate is a field error at save time, and
/// nothing is stored (on update, the stored account is left as it was).
#[test]
fn oversized_header_unsafe_and_mismatched_values_are_refused_at_save_time() {
    let (acc, _) = accounts();
    let reason = |input: &AccountInput| {
        let e = acc.create(input).unwrap_err();
        assert_eq!(e.code, ErrorCode::InputInvalid, "{e}");
        (e.params["field"].as_str().unwrap().to_owned(), e.params["reason"].as_str().unwrap().to_owned())
    };
    let mut big_code = cybavo_input();
    big_code.secrets.insert("api_code".into(), "A".repeat(1 << 20).into());
    assert_eq!(reason(&big_code), ("api_code".into(), "too_large".into()));
    let mut big_notes = cybavo_input();
    big_notes.notes = "n".repeat(64 * 1024 + 1);
    assert_eq!(reason(&big_notes), ("notes".into(), "too_large".into()));
    let mut big_url = cybavo_input();
    big_url.base_url = Some(format!("https://sofa.example.com/{}", "p".repeat(64 * 1024)));
    assert_eq!(reason(&big_url), ("base_url".into(), "too_large".into()));
    let mut crlf = cybavo_input();
    crlf.secrets.insert("api_code".into(), "code-123\r\nX-Injected: yes".into());
    assert_eq!(reason(&crlf), ("api_code".into(), "not_header_text".into()));
    let avista = AccountInput {
        provider: ProviderId::parse("avista").unwrap(),
        label: "Avista".into(),
        environment: Environment::Production,
        base_url: None,
        fields: serde_json::json!({"client_id": "id-1"}).as_object().unwrap().clone(),
        secrets: [
            ("client_secret".to_string(), "s".into()),
            ("client_cert_pem".to_string(), include_str!("../../tests/fixtures/avista_test_cert.pem").into()),
            ("client_key_pem".to_string(), include_str!("../../tests/fixtures/avista_mtls_test_key.pem").into()),
        ]
        .into(),
        notes: String::new(),
    };
    assert_eq!(reason(&avista), ("client_key_pem".into(), "client_key_mismatch".into()));
    assert!(acc.list().unwrap().is_empty(), "nothing is stored");

    // A trailing line break of a pasted code is still dropped; an update with a bad code keeps the old.
    let mut pasted = cybavo_input();
    pasted.secrets.insert("api_code".into(), "code-123\n".into());
    let a = acc.create(&pasted).unwrap();
    let e = acc.update(a.id, &crlf, None).unwrap_err();
    assert_eq!(e.params["reason"], "not_header_text");
    assert_eq!(
        acc.signing_account(a.id, None)
            .unwrap()
            .1
            .downcast::<crate::providers::cybavo::account::CybavoAccount>()
            .unwrap()
            .api_code
            .expose(),
        "code-123"
    );
}

struct NoKeyring;
impl SecretStore for NoKeyring {
    fn set(&self, _: &str, _: &Secret) -> Result<()> {
        Err(Error::new(ErrorCode::VaultKeyringUnavailable).detail("no Secret Service"))
    }
    fn get(&self, _: &str) -> Result<Option<Secret>> {
        Err(Error::new(ErrorCode::VaultKeyringUnavailable).detail("no Secret Service"))
    }
    fn delete(&self, _: &str) -> Result<()> {
        Err(Error::new(ErrorCode::VaultKeyringUnavailable).detail("no Secret Service"))
    }
    fn backend(&self) -> &'static str {
        "none"
    }
}

#[test]
fn without_a_keyring_nothing_is_stored() {
    let vault = Arc::new(Vault::new(Arc::new(NoKeyring), Db::open_in_memory().unwrap()));
    let acc = Accounts::new(vault, Arc::new(FixedClock::at_ms(0)));
    let e = acc.create(&cybavo_input()).unwrap_err();
    assert_eq!(e.code, ErrorCode::VaultKeyringUnavailable);
    assert!(acc.list().unwrap().is_empty());
    let n: i64 = acc.vault().db().conn().query_row("SELECT count(*) FROM account_secrets", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 0);
}

#[test]
fn sandbox_accounts_resolve_to_the_running_sandbox() {
    let (acc, _) = accounts();
    let mut input = cybavo_input();
    input.environment = Environment::Sandbox;
    let v = acc.create(&input).unwrap();
    assert_eq!(v.base_url, SANDBOX_BASE_URL);
    assert_eq!(acc.signing_account(v.id, None).unwrap_err().code, ErrorCode::NetworkConnectionFailed);
    let (_, a) = acc.signing_account(v.id, Some("http://127.0.0.1:5555")).unwrap();
    assert_eq!(a.base_url().as_str(), "http://127.0.0.1:5555/");
}

#[test]
fn an_edit_over_an_account_changed_since_it_was_read_is_refused_and_changes_nothing() {
    let (acc, _) = accounts();
    let opened = acc.create(&cybavo_input()).unwrap();
    let basis = AccountBasis::of(&opened);
    // Another window renames it meanwhile, from the same account as read.
    let mut theirs = cybavo_input();
    theirs.secrets.clear();
    theirs.label = "Store A (payouts)".into();
    acc.update(opened.id, &theirs, Some(&basis)).unwrap();

    // This form, opened before that, saves new notes: refused, naming the account as it is now.
    let mut mine = cybavo_input();
    mine.secrets.clear();
    mine.notes = "rotated in December".into();
    mine.secrets.insert("api_secret".into(), "mine-not-saved".into());
    let e = acc.update(opened.id, &mine, Some(&basis)).unwrap_err();
    assert_eq!((e.code, e.params["label"].as_str()), (ErrorCode::AccountsChangedElsewhere, Some("Store A (payouts)")));
    let now = acc.get(opened.id).unwrap();
    assert_eq!((now.label.as_str(), now.notes.as_str()), ("Store A (payouts)", ""));
    let (_, account) = acc.signing_account(opened.id, None).unwrap();
    let secret =
        account.downcast::<crate::providers::cybavo::account::CybavoAccount>().unwrap().api_secret.expose().to_owned();
    assert_eq!(secret, "canary-S3CRET-xyz");

    // Over the account as it is now, the same edit is saved, their name kept.
    mine.label = now.label.clone();
    let saved = acc.update(opened.id, &mine, Some(&AccountBasis::of(&now))).unwrap();
    assert_eq!((saved.label.as_str(), saved.notes.as_str()), ("Store A (payouts)", "rotated in December"));
}

#[test]
fn a_basis_compares_numbers_as_the_window_holds_them() {
    let (acc, _) = accounts();
    let stored = AccountBasis::of(&acc.create(&cybavo_input()).unwrap());
    let with = |fields: Value| AccountBasis { fields: fields.as_object().unwrap().clone(), ..stored.clone() };
    // 2^53 + 1 comes back from JavaScript as 2^53: the same account.
    let big = with(serde_json::json!({"wallet_id": 9_007_199_254_740_993_u64}));
    big.check(&with(serde_json::json!({"wallet_id": 9_007_199_254_740_992_u64}))).unwrap();
    big.check(&with(serde_json::json!({"wallet_id": 9_007_199_254_740_992.0}))).unwrap();
    // Another number, a number where text was, or another field is a change.
    for other in [
        serde_json::json!({"wallet_id": 9_007_199_254_740_996_u64}),
        serde_json::json!({"wallet_id": "9007199254740993"}),
        serde_json::json!({"wallet_id": 9_007_199_254_740_993_u64, "calls_per_minute": 30}),
    ] {
        let e = big.check(&with(other.clone())).unwrap_err();
        assert_eq!(e.code, ErrorCode::AccountsChangedElsewhere, "{other}");
    }
    stored.check(&AccountBasis { notes: "changed".into(), ..stored.clone() }).unwrap_err();
}
