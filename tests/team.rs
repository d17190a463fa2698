//! The team workspace against a real PostgreSQL server: several members, each a separate installation
//! (its own data folder and its own keyring: a private D-Bus session with a gnome-keyring), run as
//! separate CLI processes; and SQL run with a member's own database credentials.
//!
//! Needs a server: run under `scripts/with-postgres.sh` (which sets CALLBACK_DESK_TEST_POSTGRES_URL, a
//! superuser's URL), e.g. `scripts/with-postgres.sh cargo test --test team -- --ignored`. Each test makes
//! its own database and database owner, as a team's administrator would.

use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;

#[path = "common/team_env.rs"]
mod team_env;
use team_env::*;
#[path = "common/csv_reader.rs"]
mod csv_reader;
use csv_reader::parse_csv;

/// Every byte of every file under `dir`.
fn all_bytes(dir: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            bytes.extend(all_bytes(&path));
        } else {
            bytes.extend(std::fs::read(&path).unwrap_or_default());
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_init_invite_join_and_members_across_installations() {
    let url = team_database("team_flow").await;
    let (alice, bob, carol) = (Member::new(), Member::new(), Member::new());

    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    let members: Value = serde_json::from_str(&alice.ok(&["team", "members"])).unwrap();
    assert_eq!(members, json!([{"name": "alice", "role": "admin"}]));

    let code = alice.ok(&["team", "invite", "--member", "bob", "--role", "operator"]);
    assert_eq!(code.lines().count(), 1, "one line: {code}");
    let code = code.trim();
    bob.ok(&["team", "join", "--invite", code]);
    let seen_by_bob: Value = serde_json::from_str(&bob.ok(&["team", "members"])).unwrap();
    assert_eq!(seen_by_bob, json!([{"name": "alice", "role": "admin"}, {"name": "bob", "role": "operator"}]));

    // The invitation works once: its one-time password was replaced on join.
    assert_eq!(carol.refused(&["team", "join", "--invite", code])["code"], "team.invite_used");
    // A data folder is one member.
    assert_eq!(bob.refused(&["team", "join", "--invite", code])["code"], "team.already_joined");
    assert_eq!(
        alice.refused(&["team", "init", "--database-url", &url, "--member", "zed"])["code"],
        "team.already_joined"
    );
    // The workspace exists: a second installation cannot create it again.
    assert_eq!(
        carol.refused(&["team", "init", "--database-url", &url, "--member", "carol"])["code"],
        "team.already_initialised"
    );

    // Each installation made a key pair and published its public key (32 bytes, one per member).
    let dba = superuser("team_flow").await;
    let keys: Vec<(String, Option<Vec<u8>>)> = dba
        .query("SELECT name, public_key FROM callback_desk.members ORDER BY name", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(keys.len(), 2);
    assert!(keys.iter().all(|(_, k)| k.as_ref().is_some_and(|k| k.len() == 32)), "{keys:?}");
    assert_ne!(keys[0].1, keys[1].1);

    // No password is in any file of either installation: the owner's URL's, the invitation's, nor theirs.
    let invite = invite_credentials(code);
    for member in [&alice, &bob] {
        let bytes = all_bytes(member.data.path());
        assert!(!contains(&bytes, "dba-password-team_flow"), "the owner's password is in a file");
        assert!(!contains(&bytes, invite["password"].as_str().unwrap()), "the invitation's password is in a file");
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_commands_refuse_what_the_role_or_the_input_does_not_allow() {
    let url = team_database("team_refusals").await;
    let (alice, viewer, outsider) = (Member::new(), Member::new(), Member::new());
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    alice.invite(&viewer, "vera", "viewer");

    let denied = viewer.refused(&["team", "invite", "--member", "mallory", "--role", "admin"]);
    assert_eq!(
        (denied["code"].as_str(), denied["params"]["role"].as_str()),
        (Some("team.permission_denied"), Some("admin"))
    );
    assert_eq!(
        alice.refused(&["team", "invite", "--member", "vera", "--role", "viewer"])["code"],
        "team.member_exists"
    );
    let bad_role = alice.refused(&["team", "invite", "--member", "x", "--role", "root"]);
    assert_eq!(
        (bad_role["params"]["field"].as_str(), bad_role["params"]["reason"].as_str()),
        (Some("role"), Some("team_role"))
    );
    let bad_name = alice.refused(&["team", "invite", "--member", "Robert; DROP", "--role", "viewer"]);
    assert_eq!(bad_name["params"]["reason"], "team_member_name");
    // A viewer looks up but does not resend: the database names the role needed, nothing is sent or recorded.
    let sandbox = Sandbox::start();
    // In a workspace only admins add accounts (shared ones): nothing is added, here or there.
    let file = viewer.data.path().join("ccpayment.json");
    std::fs::write(&file, sandbox.accounts["ccpayment-v1"].to_string()).unwrap();
    let denied = viewer.refused(&["accounts", "add", "--account", file.to_str().unwrap(), "--label", "CCPayment"]);
    assert_eq!(
        (denied["code"].as_str(), denied["params"]["role"].as_str()),
        (Some("team.permission_denied"), Some("admin"))
    );
    assert_eq!(serde_json::from_str::<Value>(&viewer.ok(&["accounts", "list"])).unwrap(), json!([]));
    alice.add_shared(&sandbox.accounts["ccpayment-v1"], "CCPayment", &["vera"]);
    let ccpayment = viewer.shared_id("CCPayment");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let params = json!({"start_timestamp": now - 600, "end_timestamp": now}).to_string();
    let resend = ["call", "--account-id", ccpayment.trim(), "--operation", "resend-webhooks", "--params", &params];
    let denied = viewer.refused(&resend);
    assert_eq!(
        (denied["code"].as_str(), denied["params"]["role"].as_str()),
        (Some("team.permission_denied"), Some("operator"))
    );
    assert!(viewer.ok(&["history", "list", "--json"]).trim().is_empty());
    alice.add_shared(&sandbox.accounts["cybavo"], "Cybavo team", &["vera"]);
    let cybavo = viewer.shared_id("Cybavo team");
    let lookup = Member::lookup_args(&cybavo);
    let lookup: Vec<&str> = lookup.iter().map(String::as_str).collect();
    assert_eq!(serde_json::from_str::<Value>(&viewer.ok(&lookup)).unwrap()["outcome"], "ok");

    assert_eq!(outsider.refused(&["team", "members"])["code"], "team.not_joined");
    assert_eq!(
        outsider.refused(&["team", "join", "--invite", "cbd-invite-1.bm90IGpzb24"])["code"],
        "team.invite_invalid"
    );

    // A server that does not answer: offline, naming it.
    let nowhere = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let offline = outsider.refused(&[
        "team",
        "init",
        "--database-url",
        &format!("postgres://a:b@127.0.0.1:{nowhere}/x"),
        "--member",
        "o",
    ]);
    assert_eq!(offline["code"], "team.offline");
    assert_eq!(offline["params"]["server"], format!("127.0.0.1:{nowhere}"));
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_a_members_own_credentials_do_no_more_than_their_role_in_sql() {
    let url = team_database("team_sql").await;
    let alice = Member::new();
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    let code = alice.ok(&["team", "invite", "--member", "vic", "--role", "viewer"]);
    let vic = connect_as(&invite_credentials(code.trim())).await;

    let refused = |sql: &'static str| {
        let vic = &vic;
        async move {
            let e = vic.batch_execute(sql).await.expect_err(sql);
            assert_eq!(e.code().map(|c| c.code()), Some("42501"), "{sql}: {e:?}");
        }
    };
    refused("INSERT INTO callback_desk.members (name, role_name, role) VALUES ('eve', 'team_sql_eve', 'admin')").await;
    refused("UPDATE callback_desk.members SET role = 'admin' WHERE name = 'vic'").await;
    refused("DELETE FROM callback_desk.members WHERE name = 'alice'").await;
    refused("SELECT callback_desk.invite_member('eve', 'admin', 'SCRAM-SHA-256$4096:x', now())").await;
    refused("SELECT callback_desk.create_member('eve', 'admin', 'SCRAM-SHA-256$4096:x', NULL, NULL)").await;
    refused("CREATE ROLE eve LOGIN").await;
    refused("CREATE TABLE callback_desk.mine (x int)").await;
    refused("SET ROLE team_sql_owner").await;
    refused("ALTER TABLE callback_desk.members DISABLE ROW LEVEL SECURITY").await;
    // A member publishes a key for themselves only (the function writes the caller's row; the table itself
    // is read-only to members).
    vic.batch_execute("SELECT callback_desk.publish_public_key(decode(repeat('ab', 32), 'hex'))").await.unwrap();
    refused("UPDATE callback_desk.members SET public_key = decode(repeat('cd', 32), 'hex') WHERE name = 'alice'").await;
    let alice_key: Option<Vec<u8>> =
        vic.query_one("SELECT public_key FROM callback_desk.members WHERE name = 'alice'", &[]).await.unwrap().get(0);
    assert_ne!(alice_key, Some(vec![0xcd; 32]));
    // The audit trail: a member appends their own rows through append_audit only, and nobody changes them.
    vic.batch_execute(
        "SELECT callback_desk.append_audit('vic/1/1', now(), NULL, 'Cybavo', 'cybavo', 'sandbox', 'action',
                                           'query-callbacks', '', 'ok', 200, NULL, 5, NULL)",
    )
    .await
    .unwrap();
    refused(
        "INSERT INTO callback_desk.audit (origin, member, at, received_at, account_label, provider, environment,
             kind, operation, scope, outcome, prev_hash, hash)
             VALUES ('vic/1/2', 'vic', now(), now(), 'a', 'b', 'sandbox', 'action', 'op', '', 'ok', '', '')",
    )
    .await;
    refused("UPDATE callback_desk.audit SET outcome = 'failed'").await;
    refused("DELETE FROM callback_desk.audit").await;
    refused("TRUNCATE callback_desk.audit").await;
    let e = vic
        .batch_execute(
            "SELECT callback_desk.append_audit('alice/1/1', now(), NULL, 'a', 'b', 'sandbox', 'action', 'op', '',
                                               'ok', NULL, NULL, NULL, NULL)",
        )
        .await
        .expect_err("another member's origin");
    assert_eq!(e.code().map(|c| c.code()), Some("22023"));
    // Not even the schema's owner (what an admin could at most become) changes or removes a row.
    let dba = superuser("team_sql").await;
    for sql in [
        "UPDATE callback_desk.audit SET outcome = 'failed'",
        "DELETE FROM callback_desk.audit",
        "TRUNCATE callback_desk.audit",
    ] {
        let e = dba.batch_execute(&format!("SET ROLE team_sql_owner; {sql}")).await.expect_err(sql);
        assert_eq!(e.code().map(|c| c.code()), Some("42501"), "{sql}");
        dba.batch_execute("RESET ROLE").await.unwrap();
    }
    assert_eq!(dba.query_one("SELECT count(*) FROM callback_desk.audit", &[]).await.unwrap().get::<_, i64>(0), 1);
    // What the role may do, it can: read the members, see itself.
    let me: String = vic.query_one("SELECT callback_desk.current_member()", &[]).await.unwrap().get(0);
    assert_eq!(me, "vic");
    assert_eq!(vic.query("SELECT name FROM callback_desk.members", &[]).await.unwrap().len(), 2);
}

impl Member {
    /// Edits the stored account `id`'s fields (`accounts edit --account FILE`); the others stay as they are.
    fn edit_fields(&self, id: &str, fields: Value) {
        let file = self.data.path().join("edited-fields.json");
        std::fs::write(&file, fields.to_string()).unwrap();
        self.ok(&["accounts", "edit", id, "--account", file.to_str().unwrap()]);
    }

    /// Invites `name` with `role` (this member is an admin) and makes installation `member` join as them.
    fn invite(&self, member: &Member, name: &str, role: &str) {
        let code = self.ok(&["team", "invite", "--member", name, "--role", role]);
        member.ok(&["team", "join", "--invite", code.trim()]);
    }

    /// Stores the sandbox's CYBAVO account in this installation; returns its id.
    fn add_cybavo(&self, sandbox: &Sandbox) -> String {
        let file = self.data.path().join("cybavo-account.json");
        std::fs::write(&file, sandbox.accounts["cybavo"].to_string()).unwrap();
        self.ok(&["accounts", "add", "--account", file.to_str().unwrap(), "--label", "Cybavo team"]).trim().to_owned()
    }

    /// Adds an account file as a shared account (this member is an admin) and shares it with `members` (by
    /// name); returns its id in this installation.
    fn add_shared(&self, account: &Value, label: &str, members: &[&str]) -> String {
        let file = self.data.path().join(format!("{}.json", label.replace(' ', "_")));
        std::fs::write(&file, account.to_string()).unwrap();
        let id = self.ok(&["accounts", "add", "--account", file.to_str().unwrap(), "--label", label]).trim().to_owned();
        for member in members {
            self.ok(&["team", "share", "--account-id", &id, "--member", member]);
        }
        id
    }

    /// This installation's id of the shared account `label` (`accounts list` refreshes its copies).
    fn shared_id(&self, label: &str) -> String {
        let list: Value = serde_json::from_str(&self.ok(&["accounts", "list"])).unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .find(|a| a["label"] == label && a["team_account_id"].is_i64())
            .unwrap_or_else(|| panic!("no shared account {label}: {list}"))["id"]
            .to_string()
    }

    /// A look-up on the stored account (recorded in history, then pushed to the trail).
    fn lookup_args(account_id: &str) -> Vec<String> {
        ["call", "--account-id", account_id, "--operation", "query-callbacks", "--params", r#"{"ids": [90000000001]}"#]
            .map(str::to_owned)
            .to_vec()
    }
}

/// (id, origin, member, outcome) of every audit row of an action, oldest first.
async fn audit_rows(dba: &tokio_postgres::Client) -> Vec<(i64, String, String, String)> {
    dba.query("SELECT id, origin, member, outcome FROM callback_desk.audit WHERE kind = 'action' ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect()
}

/// Runs a resend the team's policy holds back: exit 3 and `{"outcome": "awaiting_approval", "approval_id": N}`;
/// returns N.
fn awaiting(member: &Member, args: &[&str]) -> i64 {
    let (code, out, err) = member.cli(args);
    assert_eq!(code, 3, "{args:?} should wait for an approval: {out} {err}");
    let printed: Value = serde_json::from_str(out.trim()).unwrap_or_else(|_| panic!("not JSON: {out}"));
    assert_eq!(printed["outcome"], "awaiting_approval", "{printed}");
    printed["approval_id"].as_i64().unwrap_or_else(|| panic!("no approval id: {printed}"))
}

/// The request `id` as `approvals list` shows it to `member`.
fn approval(member: &Member, id: i64) -> Value {
    let list: Value = serde_json::from_str(&member.ok(&["approvals", "list"])).unwrap();
    list.as_array().unwrap().iter().find(|a| a["id"] == id).cloned().unwrap_or_else(|| panic!("{id} not in {list}"))
}

/// (origin, member, outcome) of the audit rows of approvals, oldest first.
async fn approval_audit_rows(dba: &tokio_postgres::Client) -> Vec<(String, String, String)> {
    dba.query("SELECT origin, member, outcome FROM callback_desk.audit WHERE kind = 'approval' ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_a_broad_resend_waits_for_another_members_approval_and_runs_once_by_its_requester() {
    let url = team_database("team_approve").await;
    let dba = superuser("team_approve").await;
    let sandbox = Sandbox::start();
    let (alice, bob, carol) = (Member::new(), Member::new(), Member::new());
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    for (m, name, role) in [(&bob, "bob", "approver"), (&carol, "carol", "operator")] {
        alice.invite(m, name, role);
    }
    alice.add_shared(&sandbox.accounts["cybavo"], "Cybavo team", &["bob"]);
    let account = bob.shared_id("Cybavo team");
    let resend_all = ["call", "--account-id", &account, "--operation", "resend-withdrawal-callbacks", "--params"];

    // One callback on a sandbox account goes without an approval.
    let one = [&resend_all[..], &[r#"{"notification_id": 90000000002}"#]].concat();
    let (code, out, err) = bob.cli(&one);
    assert_eq!(code, 0, "{out} {err}");

    // Every callback at once (notification_id 0) is held back: not sent, not in history.
    let all = [&resend_all[..], &[r#"{"notification_id": 0}"#]].concat();
    let id = awaiting(&bob, &all);
    assert_eq!(bob.ok(&["history", "list", "--json"]).lines().count(), 1);
    let asked = approval(&alice, id);
    assert_eq!((asked["status"].as_str(), asked["requested_by"].as_str()), (Some("pending"), Some("bob")));
    assert_eq!(asked["reasons"], json!(["broad_value"]));

    // The requester cannot approve their own request (bob is an approver); an operator approves nothing.
    assert_eq!(bob.refused(&["approvals", "approve", &id.to_string()])["code"], "approval.own");
    let denied = carol.refused(&["approvals", "approve", &id.to_string()]);
    assert_eq!(
        (denied["code"].as_str(), denied["params"]["role"].as_str()),
        (Some("team.permission_denied"), Some("approver"))
    );
    alice.ok(&["approvals", "approve", &id.to_string()]);
    assert_eq!(approval(&bob, id)["status"], "approved");
    assert_eq!(alice.refused(&["approvals", "approve", &id.to_string()])["code"], "approval.not_pending");

    // Only the requester runs it, and only once; it prints what `call` prints.
    assert_eq!(alice.refused(&["approvals", "run", &id.to_string()])["code"], "approval.not_yours");
    let (code, out, err) = bob.cli(&["approvals", "run", &id.to_string()]);
    assert_eq!(code, 0, "{out} {err}");
    let printed: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(printed["outcome"], "ok");
    assert!(printed["history_id"].is_i64(), "{printed}");
    assert_eq!(bob.refused(&["approvals", "run", &id.to_string()])["code"], "approval.not_approved");
    // The same plan again needs a new approval.
    assert_ne!(awaiting(&bob, &all), id);
    assert_eq!(approval(&carol, id)["status"], "executed");
    assert_eq!(bob.ok(&["history", "list", "--json"]).lines().count(), 2);

    // Each step is an audit row of the member who took it, and the chain holds.
    let steps: Vec<(String, String)> =
        approval_audit_rows(&dba).await.into_iter().map(|(_, member, outcome)| (member, outcome)).collect();
    let step = |m: &str, o: &str| (m.to_owned(), o.to_owned());
    assert_eq!(
        steps,
        [step("bob", "requested"), step("alice", "approved"), step("bob", "executed"), step("bob", "requested")]
    );
    assert_eq!(alice.ok(&["history", "verify-chain"]).trim(), "intact");
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_a_members_own_credentials_cannot_approve_their_own_request_nor_change_approvals_in_sql() {
    let url = team_database("team_approval_sql").await;
    let alice = Member::new();
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    let connect = |name: &'static str, role: &'static str| {
        let code = alice.ok(&["team", "invite", "--member", name, "--role", role]);
        async move { connect_as(&invite_credentials(code.trim())).await }
    };
    let pat = connect("pat", "approver").await;
    let vic = connect("vic", "viewer").await;
    let request = "SELECT callback_desk.request_approval('m', 1, 'Cybavo', 'cybavo', 'sandbox',
                       'resend-withdrawal-callbacks', '{\"notification_id\": 0}', ARRAY['broad_value'], '1 day')";
    let id: i64 = pat.query_one(request, &[]).await.unwrap().get(0);
    let check = |e: tokio_postgres::Error, code: &str, hint: Option<&str>| {
        let db = e.as_db_error().unwrap_or_else(|| panic!("{e:?}"));
        assert_eq!((db.code().code(), db.hint()), (code, hint), "{}", db.message());
    };
    // The requester, although an approver, cannot approve their own request, nor run it unapproved.
    check(
        pat.batch_execute(&format!("SELECT callback_desk.decide_approval({id}, true, NULL)")).await.unwrap_err(),
        "42501",
        Some("approval_own"),
    );
    check(
        pat.batch_execute(&format!(
            "SELECT callback_desk.run_approval({id}, 'm', 'resend-withdrawal-callbacks', '{{\"notification_id\": 0}}')"
        ))
        .await
        .unwrap_err(),
        "22023",
        Some("approval_not_approved"),
    );
    // Nobody writes the table but through the functions; a viewer asks for nothing.
    for sql in [
        format!("UPDATE callback_desk.approvals SET status = 'approved', decided_by = 'alice' WHERE id = {id}"),
        format!("DELETE FROM callback_desk.approvals WHERE id = {id}"),
        "INSERT INTO callback_desk.approvals (merchant, local_account, account_label, provider, environment,
             operation, params, reasons, plan_hash, requested_by, expires_at, status, decided_by)
         VALUES ('m', 1, 'a', 'b', 'sandbox', 'op', '{}', '{}', '', 'pat', now() + interval '1 day', 'approved',
                 'alice')"
            .to_owned(),
        format!("SELECT callback_desk.audit_approval(a, 'approved') FROM callback_desk.approvals a WHERE id = {id}"),
    ] {
        let e = pat.batch_execute(&sql).await.expect_err(&sql);
        assert_eq!(e.code().map(|c| c.code()), Some("42501"), "{sql}: {e:?}");
    }
    check(vic.batch_execute(request).await.unwrap_err(), "42501", Some("operator"));
    check(
        vic.batch_execute(&format!("SELECT callback_desk.decide_approval({id}, true, NULL)")).await.unwrap_err(),
        "42501",
        Some("approver"),
    );
    let status: String =
        pat.query_one("SELECT status FROM callback_desk.approvals WHERE id = $1", &[&id]).await.unwrap().get(0);
    assert_eq!(status, "pending");
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_an_approval_covers_only_its_plan_expires_and_a_rejection_gives_its_reason() {
    let url = team_database("team_approval_rules").await;
    let dba = superuser("team_approval_rules").await;
    let sandbox = Sandbox::start();
    let (alice, bob) = (Member::new(), Member::new());
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    alice.invite(&bob, "bob", "operator");
    alice.add_shared(&sandbox.accounts["ccpayment-v1"], "CCPayment", &["bob"]);
    let account = bob.shared_id("CCPayment");
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let window = |end: u64| json!({"start_timestamp": now - 600, "end_timestamp": end}).to_string();
    let resend = |params: &str| {
        ["call", "--account-id", account.trim(), "--operation", "resend-webhooks", "--params", params]
            .map(str::to_owned)
            .to_vec()
    };
    let run = |m: &Member, v: Vec<String>| {
        let refs: Vec<&str> = v.iter().map(String::as_str).collect();
        m.cli(&refs)
    };
    let wait = |m: &Member, v: Vec<String>| {
        let refs: Vec<&str> = v.iter().map(String::as_str).collect();
        awaiting(m, &refs)
    };

    // A bulk job held back is requested as a whole and the job paused, its call counted as not sent
    // (nothing left in flight for a later start to count as unknown).
    let since = (now - 7200).to_string();
    let until = (now - 3600).to_string();
    let job = ["bulk", "run", "--account-id", account.trim(), "--operation", "resend-webhooks"];
    let refused = bob.refused(&[&job[..], &["--since", &since, "--until", &until]].concat());
    assert_eq!(refused["code"], "approval.awaiting_job");
    let jobs: Value = serde_json::from_str(&bob.ok(&["bulk", "list"])).unwrap();
    let job = &jobs[0];
    assert_eq!((job["state"].as_str(), job["unknown"].as_u64()), (Some("paused"), Some(0)), "{job}");
    assert!(bob.ok(&["history", "list", "--json"]).trim().is_empty(), "nothing was sent");

    // A time window is approved; the same resend with one value changed is not covered by it.
    let approved = wait(&bob, resend(&window(now)));
    assert_eq!(approval(&alice, approved)["reasons"], json!(["time_window"]));
    alice.ok(&["approvals", "approve", &approved.to_string()]);
    let changed = wait(&bob, resend(&window(now - 1)));
    assert_ne!(changed, approved);
    // Asked again, the waiting request is the same one.
    assert_eq!(wait(&bob, resend(&window(now - 1))), changed);
    assert_eq!(approval(&bob, changed)["status"], "pending");
    assert!(bob.ok(&["history", "list", "--json"]).trim().is_empty(), "nothing was sent");
    // The exact plan runs under its approval.
    let (code, out, err) = run(&bob, resend(&window(now)));
    assert_eq!(code, 0, "{out} {err}");
    assert_eq!(approval(&bob, approved)["status"], "executed");

    // A rejection says why; the rejected request never runs.
    assert_eq!(alice.refused(&["approvals", "reject", &changed.to_string(), "--reason", " "])["code"], "input.missing");
    alice.ok(&["approvals", "reject", &changed.to_string(), "--reason", "wrong window"]);
    let rejected = approval(&bob, changed);
    assert_eq!((rejected["status"].as_str(), rejected["reason"].as_str()), (Some("rejected"), Some("wrong window")));
    assert_eq!(bob.refused(&["approvals", "run", &changed.to_string()])["code"], "approval.not_approved");
    let audit = approval_audit_rows(&dba).await;
    assert!(audit.iter().any(|(_, m, o)| m == "alice" && o == "rejected"), "{audit:?}");
    let reason: Value = dba
        .query_one("SELECT payload FROM callback_desk.audit WHERE kind = 'approval' AND outcome = 'rejected'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(reason["reason"], "wrong window");

    // Requests expire (the DBA moves the clock of two of them): a pending one can no longer be approved,
    // an approved one can no longer run.
    let pending = wait(&bob, resend(&window(now - 2)));
    let approved_late = wait(&bob, resend(&window(now - 3)));
    alice.ok(&["approvals", "approve", &approved_late.to_string()]);
    dba.execute(
        "UPDATE callback_desk.approvals SET expires_at = now() - interval '1 second' WHERE id = ANY($1)",
        &[&vec![pending, approved_late]],
    )
    .await
    .unwrap();
    assert_eq!(approval(&bob, pending)["status"], "expired");
    assert_eq!(alice.refused(&["approvals", "approve", &pending.to_string()])["code"], "approval.expired");
    assert_eq!(bob.refused(&["approvals", "run", &approved_late.to_string()])["code"], "approval.expired");
    // Run as `call`, the expired approval does not cover the plan: a new request.
    let again = wait(&bob, resend(&window(now - 3)));
    assert!(again > approved_late);
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_actions_reach_the_audit_trail_once_with_their_member_and_verify_chain_finds_a_change() {
    let url = team_database("team_audit").await;
    let dba = superuser("team_audit").await;
    let sandbox = Sandbox::start();
    let (alice, bob) = (Member::new(), Member::new());
    // An account of alice's own from before the team: her copies of shared accounts get other ids here than
    // in the team database.
    alice.add_cybavo(&sandbox);
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    alice.invite(&bob, "bob", "operator");
    alice.add_shared(&sandbox.accounts["cybavo"], "Cybavo team", &["bob"]);
    let id = bob.shared_id("Cybavo team");
    let args = Member::lookup_args(&id);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    for _ in 0..2 {
        let (code, out, err) = bob.cli(&args);
        assert!(code == 0 || code == 1, "{out} {err}");
        assert!(!err.contains("warning"), "the push failed: {err}");
    }

    // Local history names the member; the trail has each action once, as bob.
    let local: Vec<Value> =
        bob.ok(&["history", "list", "--json"]).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(local.len(), 2);
    assert!(local.iter().all(|r| r["member"] == "bob"), "{local:?}");
    let rows = audit_rows(&dba).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    for (row, local) in rows.iter().zip(local.iter().rev()) {
        assert_eq!(row.2, "bob");
        assert!(row.1.starts_with("bob/") && row.1.ends_with(&format!("/{}", local["id"])), "{row:?}");
        assert_eq!(row.3, local["outcome"].as_str().unwrap());
    }
    // A bulk job's calls reach the trail too (200 ids: two calls of 100).
    let ids: Vec<i64> = (0..200).map(|i| 90_000_000_001 + i).collect();
    let bulk_params = json!({ "ids": ids }).to_string();
    bob.ok(&["bulk", "run", "--account-id", &id, "--operation", "query-callbacks", "--params", &bulk_params]);
    let local: Vec<Value> =
        bob.ok(&["history", "list", "--json"]).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(local.len(), 4);
    let rows = audit_rows(&dba).await;
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(rows.iter().all(|r| r.2 == "bob"));
    // A push again sends nothing more.
    bob.ok(&["team", "push"]);
    assert_eq!(audit_rows(&dba).await.len(), 4);

    // The team's trail, read from the team database: newest first, each row naming its member; an admin
    // sees every row, a filter narrows them, and another member sees none of rows not theirs (row-level
    // security: these actions were on bob's own accounts).
    let trail = |m: &Member, extra: &[&str]| -> Vec<Value> {
        let args = [&["history", "list", "--team", "--json"], extra].concat();
        m.ok(&args).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    };
    let all = trail(&alice, &[]);
    let actions: Vec<i64> = all.iter().filter(|r| r["kind"] == "action").map(|r| r["id"].as_i64().unwrap()).collect();
    assert_eq!(actions, rows.iter().rev().map(|r| r.0).collect::<Vec<_>>(), "{all:?}");
    assert!(
        all.iter()
            .filter(|r| r["kind"] == "action")
            .all(|r| r["member"] == "bob" && r["operation"] == "query-callbacks"),
        "{all:?}"
    );
    assert_eq!(trail(&alice, &["--limit", "3"]).len(), 3);
    // Only one kind of operation, of any provider, as History's "Resends only" (these were look-ups).
    let lookups = trail(&alice, &["--kind", "lookup"]);
    assert_eq!(lookups.iter().map(|r| r["id"].as_i64().unwrap()).collect::<Vec<_>>(), actions, "{lookups:?}");
    assert!(trail(&alice, &["--kind", "resend"]).is_empty());
    assert!(trail(&alice, &["--member", "alice"]).iter().all(|r| r["kind"] != "action"));
    // An account is named by its id in this installation, as everywhere on the command line.
    let alices = alice.shared_id("Cybavo team");
    let on_account = trail(&alice, &["--account-id", &alices]);
    assert!(on_account.len() >= 4 && on_account.iter().all(|r| r["account_label"] == "Cybavo team"), "{on_account:?}");
    // Words match the pieces of a scope by prefix, as the local history's text filter does.
    let scope = all[0]["scope"].as_str().unwrap().to_owned();
    let word = scope.split(|c: char| !c.is_alphanumeric()).rfind(|w| w.len() >= 4).unwrap();
    let found = trail(&alice, &["--text", &word[..word.len() - 1]]);
    assert!(
        !found.is_empty() && found.iter().all(|r| r["scope"].as_str().unwrap().contains(word)),
        "{word}: {found:?}"
    );
    assert!(trail(&alice, &["--text", "no-such-words"]).is_empty());
    assert!(trail(&alice, &["--text", " -- !! "]).is_empty(), "words without a letter or digit match nothing");
    assert_eq!(trail(&bob, &["--member", "bob"]).len(), 4);
    // A viewer of the workspace sees the rows of every account (their role there) but not another member's
    // rows on none: here, alice's removal of a member.
    let carol = Member::new();
    alice.invite(&carol, "carol", "viewer");
    let code = alice.ok(&["team", "invite", "--member", "dave", "--role", "viewer"]);
    Member::new().ok(&["team", "join", "--invite", code.trim()]);
    alice.ok(&["team", "remove", "--member", "dave"]);
    let everything = trail(&alice, &[]);
    let hidden: Vec<&Value> = everything.iter().filter(|r| r["account_id"].is_null()).collect();
    assert!(!hidden.is_empty(), "{everything:?}");
    let seen = trail(&carol, &[]);
    let ids = |rows: &[Value]| rows.iter().map(|r| r["id"].as_i64().unwrap()).collect::<Vec<_>>();
    let expected: Vec<Value> = everything.iter().filter(|r| !r["account_id"].is_null()).cloned().collect();
    assert_eq!(ids(&seen), ids(&expected), "a viewer sees another member's rows on no account");
    let removal = hidden[0]["scope"].as_str().unwrap();
    assert!(!trail(&alice, &["--text", removal]).is_empty());
    assert!(trail(&carol, &["--text", removal]).is_empty(), "a viewer finds another member's rows by their words");

    assert_eq!(alice.ok(&["history", "verify-chain"]).trim(), "intact");
    // Only admins verify (others do not see every row).
    assert_eq!(bob.refused(&["history", "verify-chain"])["params"]["role"], "admin");

    // Not even the DBA changes a row through the trigger…
    let refused = dba.batch_execute("UPDATE callback_desk.audit SET outcome = 'ok'").await.unwrap_err();
    assert_eq!(refused.code().map(|c| c.code()), Some("42501"));
    // …but a superuser can bypass triggers: the chain names the row changed.
    let second = rows[1].0;
    dba.batch_execute(&format!(
        "SET session_replication_role = replica;
         UPDATE callback_desk.audit SET scope = scope || ' ' WHERE id = {second};
         SET session_replication_role = origin;"
    ))
    .await
    .unwrap();
    let (code, out, _) = alice.cli(&["history", "verify-chain"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains(&format!("row {second} ")), "{out}");
}

/// The rows of an exported CSV file, its header first (the byte-order mark taken off).
fn exported(path: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(path).unwrap();
    parse_csv(text.strip_prefix('\u{feff}').expect("a byte-order mark"))
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_the_trail_exports_as_csv_every_row_its_reader_may_see_page_after_page() {
    let url = team_database("team_trail_export").await;
    let dba = superuser("team_trail_export").await;
    let sandbox = Sandbox::start();
    let (alice, bob, carol) = (Member::new(), Member::new(), Member::new());
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    alice.invite(&bob, "bob", "operator");
    alice.invite(&carol, "carol", "viewer");
    alice.add_shared(&sandbox.accounts["cybavo"], "Cybavo team", &["bob"]);
    let args = Member::lookup_args(&bob.shared_id("Cybavo team"));
    bob.ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    // More rows than two pages of the trail, on no account: bob's, as his pushes would have left them.
    dba.batch_execute(
        "INSERT INTO callback_desk.audit (origin, member, at, received_at, account_id, account_label, provider,
             environment, kind, operation, scope, outcome, http_status, error_code, duration_ms, payload,
             prev_hash, hash)
         SELECT 'bob/old/' || g, 'bob', now() - interval '1 day' + g * interval '1 second', now(), NULL, '',
             'cybavo', 'production', 'action', 'query-callbacks', 'ids=' || (90000000000 + g), 'ok', 200, NULL, 40,
             NULL, '\\x00'::bytea, '\\x00'::bytea
         FROM generate_series(1, 1100) g",
    )
    .await
    .unwrap();
    let listed = |m: &Member, extra: &[&str]| -> Vec<String> {
        let args = [&["history", "list", "--team", "--json", "--limit", "100000"], extra].concat();
        m.ok(&args).lines().map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].to_string()).collect()
    };
    let export = |m: &Member, name: &str, extra: &[&str]| -> Vec<Vec<String>> {
        let file = m.data.path().join(name);
        let args = [&["history", "export", "--team", "--csv", file.to_str().unwrap()], extra].concat();
        let (code, _, err) = m.cli(&args);
        assert_eq!(code, 0, "{err}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        }
        exported(&file)
    };

    // Every row the admin sees, newest first, as `history list --team` lists them: across pages, none twice.
    let all = export(&alice, "all.csv", &[]);
    assert_eq!(
        all[0],
        [
            "id",
            "at",
            "member",
            "account_id",
            "account_label",
            "provider",
            "environment",
            "kind",
            "operation",
            "scope",
            "outcome",
            "http_status",
            "error_code",
            "duration_ms"
        ]
    );
    let ids: Vec<String> = all[1..].iter().map(|r| r[0].clone()).collect();
    assert!(ids.len() > 1100, "{}", ids.len());
    assert_eq!(ids, listed(&alice, &[]));
    let lookup = all.iter().find(|r| r[2] == "bob" && r[4] == "Cybavo team").expect("bob's look-up");
    assert_eq!((lookup[7].as_str(), lookup[8].as_str()), ("action", "query-callbacks"));
    assert!(all.iter().any(|r| r[7] == "share" && r[2] == "alice"), "the workspace's own steps are rows too");

    // For people, in words: a member's rows only, with the filters of History, headers in the language.
    let words = export(
        &alice,
        "bob.csv",
        &["--member", "bob", "--outcome", "ok", "--readable", "--language", "pt-BR", "--zone", "utc"],
    );
    assert_eq!(words[0][1], "Horário (UTC)");
    assert_eq!(words[0].len(), 10);
    assert_eq!(words.len() - 1, listed(&alice, &["--member", "bob", "--outcome", "ok"]).len());
    assert!(words[1..].iter().all(|r| r[2] == "bob"));
    let mine = words.iter().find(|r| r[3] == "Cybavo team").expect("bob's look-up in words");
    assert!(!mine[6].is_empty() && mine[6] != "query-callbacks", "the operation in words: {mine:?}");
    assert_eq!(mine[8], "Sucesso", "{mine:?}");

    // A viewer's export holds what row-level security lets them read: not bob's rows on no account.
    let seen = export(&carol, "carol.csv", &[]);
    let seen_ids: Vec<String> = seen[1..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(seen_ids, listed(&carol, &[]));
    assert!(seen_ids.len() < 100 && seen[1..].iter().all(|r| !r[3].is_empty()), "{seen:?}");

    // A bulk job is this installation's: the trail's export refuses its filter rather than ignoring it.
    let file = alice.data.path().join("job.csv");
    let refused = alice.refused(&["history", "export", "--team", "--job-id", "1", "--csv", file.to_str().unwrap()]);
    assert_eq!(
        (refused["code"].as_str(), refused["params"]["field"].as_str()),
        (Some("input.invalid"), Some("job_id"))
    );
    assert!(!file.exists(), "nothing is written for a refused export");
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_a_push_killed_midway_loses_nothing_and_a_repeated_push_duplicates_nothing() {
    let url = team_database("team_outbox").await;
    let dba = superuser("team_outbox").await;
    let sandbox = Sandbox::start();
    let alice = Member::new();
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    let id = alice.add_cybavo(&sandbox);

    // The DBA holds the trail's append lock: the call's push waits inside append_audit.
    dba.query_one("SELECT pg_advisory_lock(hashtext('callback_desk.audit'))", &[]).await.unwrap();
    let mut call = Command::new(CLI)
        .args(Member::lookup_args(&id))
        .env("CALLBACK_DESK_DATA_DIR", alice.data.path())
        .env("DBUS_SESSION_BUS_ADDRESS", &alice.keyring.bus_address)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    loop {
        let waiting: i64 = dba
            .query_one(
                "SELECT count(*) FROM pg_stat_activity
                  WHERE datname = 'team_outbox' AND usename = 'team_outbox_alice' AND wait_event = 'advisory'",
                &[],
            )
            .await
            .unwrap()
            .get(0);
        if waiting > 0 {
            break;
        }
        assert!(call.try_wait().unwrap().is_none(), "the call ended before its push waited");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    call.kill().unwrap(); // SIGKILL, mid-push
    call.wait().unwrap();
    // The server may still finish the killed process's statement once the lock is free (it notices the
    // client is gone only later): the trail then has the row and the journal does not know it. Either way
    // the action must end up in the trail once.
    dba.query_one("SELECT pg_advisory_unlock(hashtext('callback_desk.audit'))", &[]).await.unwrap();

    // The action is in the local journal and still queued: the next push sends it, once.
    let local: Vec<Value> =
        alice.ok(&["history", "list", "--json"]).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(local.len(), 1);
    alice.ok(&["team", "push"]);
    let rows = audit_rows(&dba).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].1.ends_with(&format!("/{}", local[0]["id"])));

    // A crash after the trail took the row but before the journal noted it: the row is pushed again, and
    // the trail's unique origin keeps it one row.
    {
        let db = rusqlite::Connection::open(alice.data.path().join("callback-desk.sqlite3")).unwrap();
        assert_eq!(db.execute("UPDATE team_outbox SET pushed_at = NULL, audit_id = NULL", []).unwrap(), 1);
    }
    alice.ok(&["team", "push"]);
    assert_eq!(audit_rows(&dba).await, rows);
    assert_eq!(alice.ok(&["history", "verify-chain"]).trim(), "intact");
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_three_members_hammering_one_ccpayment_account_never_exceed_its_budget() {
    let url = team_database("team_budget").await;
    let sandbox = Sandbox::start();
    let alice = Member::new();
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    let mut members = vec![alice];
    // carol approves alice's resends; alice (admin) approves the others'.
    for (name, role) in [("bob", "operator"), ("carol", "approver")] {
        let code = members[0].ok(&["team", "invite", "--member", name, "--role", role]);
        let member = Member::new();
        member.ok(&["team", "join", "--invite", code.trim()]);
        members.push(member);
    }
    // One shared merchant account (CCPayment v1: 1 resend a minute), shared with every member.
    members[0].add_shared(&sandbox.accounts["ccpayment-v1"], "CCPayment", &["bob", "carol"]);
    let ids: Vec<String> = members.iter().map(|m| m.shared_id("CCPayment")).collect();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();

    // A time window needs a second member's approval: three different windows from each member, each
    // approved by another member.
    let mut runs = Vec::new();
    for (i, (m, id)) in members.iter().zip(&ids).enumerate() {
        for k in 0..3u64 {
            let params = json!({"start_timestamp": now - 600, "end_timestamp": now - k}).to_string();
            let approval =
                awaiting(m, &["call", "--account-id", id, "--operation", "resend-webhooks", "--params", &params]);
            let approver = if i == 0 { &members[2] } else { &members[0] };
            approver.ok(&["approvals", "approve", &approval.to_string()]);
            runs.push((m, approval.to_string()));
        }
    }

    // Nine approved resends run at once.
    let children: Vec<std::process::Child> = runs
        .iter()
        .map(|(m, approval)| {
            Command::new(CLI)
                .args(["approvals", "run", approval])
                .env("CALLBACK_DESK_DATA_DIR", m.data.path())
                .env("DBUS_SESSION_BUS_ADDRESS", &m.keyring.bus_address)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let (mut sent_ok, mut waited, mut other) = (0, 0, Vec::new());
    for child in children {
        let out = child.wait_with_output().unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        let printed: Value = serde_json::from_str(stdout.trim()).unwrap_or(Value::Null);
        let refused: Value = serde_json::from_str(stderr.lines().last().unwrap_or("")).unwrap_or(Value::Null);
        if printed["outcome"] == "ok" {
            sent_ok += 1;
        } else if refused["error"]["code"] == "budget.wait" {
            waited += 1;
        } else {
            other.push(format!("{stdout} {stderr}"));
        }
    }
    // One call a minute for the merchant, whoever sends it: one went, the others were told to wait, and the
    // provider rejected none.
    assert_eq!((sent_ok, waited), (1, 8), "other outcomes: {other:?}");
    assert!(other.is_empty(), "{other:?}");
}

/// An approval binds the account as it was asked about. Once an admin edits the shared account, the
/// requester's list says the approval no longer covers it (the window then offers no Send now), and running
/// it is refused: nothing is sent under it.
#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_an_approval_of_an_account_edited_since_says_it_no_longer_covers_it() {
    let url = team_database("team_approval_edited").await;
    let sandbox = Sandbox::start();
    let (alice, bob) = (Member::new(), Member::new());
    let (mine, bobs) = shared_with_bob(&alice, &bob, &url, &sandbox.accounts["cybavo"], "Cybavo team");
    // Every callback at once is held back for an approval; alice approves it.
    let all = ["call", "--account-id", &bobs, "--operation", "resend-withdrawal-callbacks", "--params"];
    let id = awaiting(&bob, &[&all[..], &[r#"{"notification_id": 0}"#]].concat());
    alice.ok(&["approvals", "approve", &id.to_string()]);
    assert_eq!(approval(&bob, id)["account_changed"], false);
    // Alice (its admin) edits the account; bob's list sees it (his copy follows the edit).
    alice.edit_fields(&mine, json!({"calls_per_minute": 1}));
    let seen = approval(&bob, id);
    assert_eq!((seen["status"].as_str(), &seen["account_changed"]), (Some("approved"), &json!(true)), "{seen}");
    // Only the requester's installation knows its account: the approver's list does not claim it.
    assert_eq!(approval(&alice, id)["account_changed"], false);
    let before = cybavo_calls(&sandbox);
    assert_eq!(bob.refused(&["approvals", "run", &id.to_string()])["code"], "approval.plan_changed");
    assert_eq!(cybavo_calls(&sandbox), before, "nothing sent under the approval");
}

/// A budget belongs to the merchant, not to how its account is tuned: an admin lowering the agreed calls
/// per minute does not start the count anew, so the call just made still counts for every member.
#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_a_changed_calls_per_minute_keeps_the_merchants_budget_count() {
    let url = team_database("team_budget_tuning").await;
    let sandbox = Sandbox::start();
    let (alice, bob) = (Member::new(), Member::new());
    let mut account = sandbox.accounts["cybavo"].clone();
    account["calls_per_minute"] = json!(2);
    let (mine, bobs) = shared_with_bob(&alice, &bob, &url, &account, "Cybavo agreed");
    let before = cybavo_calls(&sandbox);
    let args = Member::lookup_args(&mine);
    alice.ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    // The provider lowered the agreed number: one call a minute from now on.
    alice.edit_fields(&mine, json!({"calls_per_minute": 1}));
    let args = Member::lookup_args(&bobs);
    let refused = bob.refused(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(refused["code"], "budget.wait", "{refused}");
    assert_eq!(cybavo_calls(&sandbox), before + 1, "one call in the minute, whoever asked");
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_offline_refuses_sends_keeps_lookups_and_history_and_pushes_when_back() {
    let url = team_database("team_offline").await;
    let dba = superuser("team_offline").await;
    let sandbox = Sandbox::start();
    let alice = Member::new();
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    let cybavo = alice.add_cybavo(&sandbox);
    let file = alice.data.path().join("ccpayment.json");
    std::fs::write(&file, sandbox.accounts["ccpayment-v1"].to_string()).unwrap();
    let ccpayment = alice.ok(&["accounts", "add", "--account", file.to_str().unwrap(), "--label", "CCPayment"]);

    // The team database becomes unreachable (the workspace now points at a port nothing listens on).
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let db = rusqlite::Connection::open(alice.data.path().join("callback-desk.sqlite3")).unwrap();
    let port: i64 = db.query_row("SELECT port FROM team_workspace", [], |r| r.get(0)).unwrap();
    db.execute("UPDATE team_workspace SET port = ?1", [closed]).unwrap();

    // A resend needs the team's budget: refused, saying why, and neither sent nor recorded.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let params = json!({"start_timestamp": now - 600, "end_timestamp": now}).to_string();
    let refused = alice.refused(&[
        "call",
        "--account-id",
        ccpayment.trim(),
        "--operation",
        "resend-webhooks",
        "--params",
        &params,
    ]);
    assert_eq!(refused["code"], "team.offline");
    assert!(alice.ok(&["history", "list", "--json"]).trim().is_empty());

    // A look-up works (within this installation's budget) and waits in the journal for the trail.
    let args = Member::lookup_args(&cybavo);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (_, out, err) = alice.cli(&args);
    assert_eq!(serde_json::from_str::<Value>(&out).unwrap()["outcome"], "ok", "{err}");
    assert!(err.contains("team.offline"), "the call says the trail was not reached: {err}");
    let local: Vec<Value> =
        alice.ok(&["history", "list", "--json"]).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!((local.len(), local[0]["member"].as_str()), (1, Some("alice")));
    assert!(audit_rows(&dba).await.is_empty());

    // Back online: the next push sends it.
    db.execute("UPDATE team_workspace SET port = ?1", [port]).unwrap();
    alice.ok(&["team", "push"]);
    let rows = audit_rows(&dba).await;
    assert_eq!(rows.len(), 1);
    assert!(rows[0].1.ends_with(&format!("/{}", local[0]["id"])));
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_a_job_meeting_an_unreachable_team_database_pauses_having_sent_nothing_and_resumes() {
    let url = team_database("team_job_offline").await;
    let sandbox = Sandbox::start();
    let alice = Member::new();
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    let cybavo = alice.add_cybavo(&sandbox);
    let db = rusqlite::Connection::open(alice.data.path().join("callback-desk.sqlite3")).unwrap();
    let port: i64 = db.query_row("SELECT port FROM team_workspace", [], |r| r.get(0)).unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    db.execute("UPDATE team_workspace SET port = ?1", [closed]).unwrap();

    // The job's resends need the team database: the job stops at its first call, paused and saying why,
    // with that call not sent (not "in flight", which a later start would count as an unknown outcome).
    let serials = r#"{"serials":[90000000002,90000000003,90000000004]}"#;
    let run = ["bulk", "run", "--account-id", cybavo.as_str(), "--operation", "resend-withdrawal-callbacks"];
    let (code, out, err) = alice.cli(&[&run[..], &["--params", serials]].concat());
    assert_ne!(code, 0, "{out}");
    assert!(err.contains("team.offline"), "{err}");
    let jobs: Value = serde_json::from_str(&alice.ok(&["bulk", "list"])).unwrap();
    let job = &jobs[0];
    assert_eq!(job["state"], "paused", "{job}");
    assert_eq!((job["next_index"].as_u64(), job["unknown"].as_u64()), (Some(0), Some(0)), "{job}");
    assert!(alice.ok(&["history", "list", "--json"]).trim().is_empty(), "nothing was sent");

    // Back online, the job resumes from its first call and sends each once.
    db.execute("UPDATE team_workspace SET port = ?1", [port]).unwrap();
    let id = job["id"].to_string();
    let (code, out, err) = alice.cli(&["bulk", "resume", "--job-id", &id]);
    assert_eq!(code, 0, "{out} {err}");
    let done: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(
        (done["state"].as_str(), done["ok"].as_u64(), done["unknown"].as_u64()),
        (Some("done"), Some(3), Some(0)),
        "{done}"
    );
}

/// The secret values of an account file (the fields `accounts list` reports as secrets).
fn secret_values(account: &Value, listed: &Value) -> Vec<(String, String)> {
    listed["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| {
            let name = s["name"].as_str().unwrap();
            account[name].as_str().map(|v| (name.to_owned(), v.to_owned()))
        })
        .collect()
}

/// The account `id` as `accounts list` shows it to `member`.
fn listed(member: &Member, id: &str) -> Value {
    let list: Value = serde_json::from_str(&member.ok(&["accounts", "list"])).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id.parse::<i64>().unwrap())
        .cloned()
        .unwrap_or_else(|| panic!("{list}"))
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_a_shared_account_works_for_a_member_once_an_admin_shares_it_and_says_so_before() {
    let url = team_database("team_share").await;
    let dba = superuser("team_share").await;
    let sandbox = Sandbox::start();
    let (alice, bob) = (Member::new(), Member::new());
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    alice.invite(&bob, "bob", "operator");
    alice.ok(&["team", "invite", "--member", "dan", "--role", "viewer"]);

    let admins_id = alice.add_shared(&sandbox.accounts["cybavo"], "Cybavo team", &[]);
    // Bob sees the shared account, without its secrets.
    let bobs_id = bob.shared_id("Cybavo team");
    let seen = listed(&bob, &bobs_id);
    assert_eq!(seen["base_url"], sandbox.accounts["cybavo"]["base_url"]);
    assert!(seen["secrets"].as_array().unwrap().iter().all(|s| s["set"] == false), "{seen}");
    // Before a share: refused, naming the account, nothing sent or recorded.
    let lookup = Member::lookup_args(&bobs_id);
    let lookup: Vec<&str> = lookup.iter().map(String::as_str).collect();
    let missing = bob.refused(&lookup);
    assert_eq!(missing["code"], "team.share_missing", "{missing}");
    assert_eq!(
        (missing["params"]["label"].as_str(), missing["params"]["account_id"].to_string()),
        (Some("Cybavo team"), bobs_id.clone())
    );
    assert!(bob.ok(&["history", "list", "--json"]).trim().is_empty());
    // Only admins share, only with members who joined.
    let denied = bob.refused(&["team", "share", "--account-id", &bobs_id, "--member", "bob"]);
    assert_eq!(
        (denied["code"].as_str(), denied["params"]["role"].as_str()),
        (Some("team.permission_denied"), Some("admin"))
    );
    let unknown = alice.refused(&["team", "share", "--account-id", &admins_id, "--member", "zed"]);
    assert_eq!(
        (unknown["code"].as_str(), unknown["params"]["member"].as_str()),
        (Some("team.member_not_found"), Some("zed"))
    );
    assert_eq!(
        alice.refused(&["team", "share", "--account-id", &admins_id, "--member", "dan"])["code"],
        "team.member_not_joined"
    );

    // Shared: bob's look-up goes out with the secrets alice entered.
    let shared: Value =
        serde_json::from_str(&alice.ok(&["team", "share", "--account-id", &admins_id, "--member", "bob"])).unwrap();
    assert_eq!(shared["member"], "bob");
    assert_eq!(shared["secrets"], json!(["api_code", "api_secret"]));
    let out: Value = serde_json::from_str(&bob.ok(&lookup)).unwrap();
    assert_eq!(out["outcome"], "ok", "{out}");
    assert!(listed(&bob, &bobs_id)["secrets"].as_array().unwrap().iter().all(|s| s["set"] == true));

    // The team database holds ciphertext only: no secret value in any sealed copy or account column.
    let secrets = secret_values(&sandbox.accounts["cybavo"], &listed(&alice, &admins_id));
    assert_eq!(secrets.len(), 2);
    let sealed: Vec<(String, Vec<u8>)> = dba
        .query("SELECT member, sealed FROM callback_desk.sealed_secrets ORDER BY member, name", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(sealed.iter().map(|(m, _)| m.as_str()).collect::<Vec<_>>(), ["alice", "alice", "bob", "bob"]);
    let accounts_text: String = dba
        .query_one("SELECT string_agg(to_jsonb(a)::text, ' ') FROM callback_desk.accounts a", &[])
        .await
        .unwrap()
        .get(0);
    for (name, value) in &secrets {
        assert!(!sealed.iter().any(|(_, s)| contains(s, value)), "{name} in a sealed copy");
        assert!(!accounts_text.contains(value.as_str()), "{name} in the accounts table");
    }

    // A copy sealed for one address does not follow the account to another: the DBA moves it, and bob's
    // installation uses none of its secrets there.
    dba.batch_execute("UPDATE callback_desk.accounts SET base_url = 'https://elsewhere.example.com'").await.unwrap();
    assert_eq!(bob.refused(&lookup)["code"], "team.share_missing");
    assert!(listed(&bob, &bobs_id)["secrets"].as_array().unwrap().iter().all(|s| s["set"] == false));
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_a_members_own_credentials_cannot_read_nor_write_others_sealed_secrets_nor_share_in_sql() {
    let url = team_database("team_share_sql").await;
    let dba = superuser("team_share_sql").await;
    let sandbox = Sandbox::start();
    let alice = Member::new();
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    let connect = |name: &'static str, role: &'static str| {
        let code = alice.ok(&["team", "invite", "--member", name, "--role", role]);
        async move { connect_as(&invite_credentials(code.trim())).await }
    };
    let vic = connect("vic", "viewer").await;
    let opal = connect("opal", "operator").await;
    vic.batch_execute("SELECT callback_desk.publish_public_key(decode(repeat('ab', 32), 'hex'))").await.unwrap();
    let id = alice.add_shared(&sandbox.accounts["cybavo"], "Cybavo team", &["vic"]);
    let team_id: i64 = listed(&alice, &id)["team_account_id"].as_i64().unwrap();
    let all: i64 = dba.query_one("SELECT count(*) FROM callback_desk.sealed_secrets", &[]).await.unwrap().get(0);
    assert_eq!(all, 4, "alice's two and vic's two");

    // Each member reads their own sealed copies only.
    let mine: Vec<String> = vic
        .query("SELECT member FROM callback_desk.sealed_secrets", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(mine, ["vic", "vic"]);
    let seen: i64 = opal.query_one("SELECT count(*) FROM callback_desk.sealed_secrets", &[]).await.unwrap().get(0);
    assert_eq!(seen, 0);

    // Nobody writes them but through the functions, and only admins share.
    let refused = |client: &'static str, sql: String| {
        let c = if client == "vic" { &vic } else { &opal };
        async move {
            let e = c.batch_execute(&sql).await.expect_err(&sql);
            assert_eq!(e.code().map(|c| c.code()), Some("42501"), "{sql}: {e:?}");
        }
    };
    for who in ["vic", "opal"] {
        refused(
            who,
            format!(
                "INSERT INTO callback_desk.sealed_secrets (account_id, member, name, sealed, shared_by)
             VALUES ({team_id}, '{who}', 'api_secret', '\\x00', 'alice')"
            ),
        )
        .await;
        refused(who, "UPDATE callback_desk.sealed_secrets SET member = 'opal'".into()).await;
        refused(who, "DELETE FROM callback_desk.sealed_secrets".into()).await;
        refused(
            who,
            format!(
                "SELECT callback_desk.share_secrets({team_id}, '{who}', ARRAY['api_secret'], ARRAY['\\x00'::bytea])"
            ),
        )
        .await;
        refused(who, "SELECT callback_desk.add_account('cybavo', 'x', 'custom', 'https://x.example', '{}', '')".into())
            .await;
        refused(who, "SELECT callback_desk.remove_member('alice')".into()).await;
    }
    let after: Vec<(String, Vec<u8>)> = dba
        .query("SELECT member, sealed FROM callback_desk.sealed_secrets ORDER BY member, name", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(after.len(), 4);
    assert_eq!(after.iter().filter(|(m, _)| m == "vic").count(), 2);
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_removing_a_member_names_exactly_their_shared_accounts_to_rotate_and_ends_their_login() {
    let url = team_database("team_remove").await;
    let dba = superuser("team_remove").await;
    let sandbox = Sandbox::start();
    let (alice, bob, carol) = (Member::new(), Member::new(), Member::new());
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    for (m, name) in [(&bob, "bob"), (&carol, "carol")] {
        alice.invite(m, name, "operator");
    }
    let cybavo = alice.add_shared(&sandbox.accounts["cybavo"], "Cybavo team", &["bob", "carol"]);
    let ccpayment = alice.add_shared(&sandbox.accounts["ccpayment-v1"], "CCPayment", &["bob"]);
    alice.add_shared(&sandbox.accounts["ccpayment-v2"], "CCPayment v2", &["carol"]);
    let bobs = bob.shared_id("Cybavo team");
    let lookup = Member::lookup_args(&bobs);
    let lookup: Vec<&str> = lookup.iter().map(String::as_str).collect();
    assert_eq!(serde_json::from_str::<Value>(&bob.ok(&lookup)).unwrap()["outcome"], "ok");

    assert_eq!(bob.refused(&["team", "remove", "--member", "carol"])["params"]["role"], "admin");
    let removed: Value = serde_json::from_str(&alice.ok(&["team", "remove", "--member", "bob"])).unwrap();
    let names = |id: &str| -> Vec<String> {
        listed(&alice, id)["secrets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let expected = |id: &str, label: &str, provider: &str| {
        json!({
            "account_id": id.parse::<i64>().unwrap(),
            "team_account_id": listed(&alice, id)["team_account_id"],
            "label": label,
            "provider": provider,
            "secrets": names(id),
        })
    };
    assert_eq!(
        removed,
        json!({"member": "bob", "rotate": [
            expected(&cybavo, "Cybavo team", sandbox.accounts["cybavo"]["provider"].as_str().unwrap()),
            expected(&ccpayment, "CCPayment", sandbox.accounts["ccpayment-v1"]["provider"].as_str().unwrap()),
        ]})
    );
    assert!(!names(&cybavo).is_empty() && !names(&ccpayment).is_empty());

    // Bob's installation can no longer connect, nor use the shared account; his copies are gone, his login
    // role cannot log in, and he is not a member any more.
    assert_eq!(bob.refused(&["team", "members"])["code"], "team.login_refused");
    assert_eq!(bob.refused(&lookup)["code"], "team.login_refused");
    let left: i64 = dba
        .query_one("SELECT count(*) FROM callback_desk.sealed_secrets WHERE member = 'bob'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(left, 0);
    let can_login: bool =
        dba.query_one("SELECT rolcanlogin FROM pg_roles WHERE rolname = 'team_remove_bob'", &[]).await.unwrap().get(0);
    assert!(!can_login);
    let members: Value = serde_json::from_str(&alice.ok(&["team", "members"])).unwrap();
    assert_eq!(members, json!([{"name": "alice", "role": "admin"}, {"name": "carol", "role": "operator"}]));
    // Carol keeps hers; bob cannot be removed twice; the trail records the removal.
    let carols = carol.shared_id("Cybavo team");
    let lookup = Member::lookup_args(&carols);
    let lookup: Vec<&str> = lookup.iter().map(String::as_str).collect();
    assert_eq!(serde_json::from_str::<Value>(&carol.ok(&lookup)).unwrap()["outcome"], "ok");
    assert_eq!(alice.refused(&["team", "remove", "--member", "bob"])["code"], "team.member_not_found");
    assert_eq!(alice.ok(&["history", "verify-chain"]).trim(), "intact");
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_an_accounts_admins_set_its_approval_policy_and_only_they_can() {
    let url = team_database("team_policy").await;
    let sandbox = Sandbox::start();
    let (alice, bob) = (Member::new(), Member::new());
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    alice.invite(&bob, "bob", "operator");
    let mine = alice.add_shared(&sandbox.accounts["cybavo"], "Cybavo policy", &["bob"]);
    let account = bob.shared_id("Cybavo policy");
    let resend = |params: &str| {
        ["call", "--account-id", account.as_str(), "--operation", "resend-withdrawal-callbacks", "--params", params]
            .map(str::to_owned)
            .to_vec()
    };
    let (one, all) = (resend(r#"{"notification_id": 90000000002}"#), resend(r#"{"notification_id": 0}"#));
    let (one, all): (Vec<&str>, Vec<&str>) =
        (one.iter().map(String::as_str).collect(), all.iter().map(String::as_str).collect());
    assert_eq!(alice.ok(&["team", "policy", "--account-id", &mine]).trim(), r#"{"every_resend":false,"waive":[]}"#);

    // Every resend: even one callback on this sandbox account now waits for a second member.
    alice.ok(&["team", "policy", "--account-id", &mine, "--every-resend"]);
    let id = awaiting(&bob, &one);
    assert_eq!(approval(&alice, id)["reasons"], json!(["account_policy"]));

    // Waiving the broad value: every callback at once goes without an approval.
    alice.ok(&["team", "policy", "--account-id", &mine, "--waive", "broad_value"]);
    let (code, out, err) = bob.cli(&all);
    assert_eq!(code, 0, "{out} {err}");
    // Back to the rule: held again.
    alice.ok(&["team", "policy", "--account-id", &mine, "--reset"]);
    awaiting(&bob, &all);

    // Only the account's admins change it, and only to reasons the rule gives.
    let denied = bob.refused(&["team", "policy", "--account-id", &account, "--waive", "broad_value"]);
    assert_eq!(
        (denied["code"].as_str(), denied["params"]["role"].as_str()),
        (Some("team.permission_denied"), Some("admin"))
    );
    let wrong = alice.refused(&["team", "policy", "--account-id", &mine, "--waive", "everything_please"]);
    assert_eq!((wrong["code"].as_str(), wrong["params"]["field"].as_str()), (Some("input.invalid"), Some("waive")));
    // Each change is in the trail.
    let trail: Vec<Value> =
        alice.ok(&["history", "list", "--team", "--json"]).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(trail.iter().filter(|r| r["kind"] == "policy").count(), 3, "{trail:?}");
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_a_role_on_one_account_stands_in_for_the_workspace_role_there_and_only_its_admins_set_it() {
    let url = team_database("team_account_roles").await;
    let sandbox = Sandbox::start();
    let (alice, bob) = (Member::new(), Member::new());
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    alice.invite(&bob, "bob", "viewer");
    let (first, second) = (
        alice.add_shared(&sandbox.accounts["cybavo"], "Cybavo one", &["bob"]),
        alice.add_shared(&sandbox.accounts["cybavo"], "Cybavo two", &["bob"]),
    );
    let (one, two) = (bob.shared_id("Cybavo one"), bob.shared_id("Cybavo two"));
    let resend = |account: &str| {
        bob.cli(&[
            "call",
            "--account-id",
            account,
            "--operation",
            "resend-withdrawal-callbacks",
            "--params",
            r#"{"notification_id": 90000000002}"#,
        ])
    };
    let refused_role = |(code, _, err): (i32, String, String)| -> String {
        assert_eq!(code, 1, "{err}");
        let e: Value = serde_json::from_str(err.lines().last().unwrap()).unwrap();
        assert_eq!(e["error"]["code"], "team.permission_denied", "{err}");
        e["error"]["params"]["role"].as_str().unwrap().to_owned()
    };
    // A workspace viewer resends nowhere…
    assert_eq!(refused_role(resend(&one)), "operator");
    // …until an admin makes them an operator of one account: there only.
    alice.ok(&["team", "role", "--account-id", &first, "--member", "bob", "--role", "operator"]);
    let (code, out, err) = resend(&one);
    assert_eq!(code, 0, "{out} {err}");
    assert_eq!(refused_role(resend(&two)), "operator");
    // Only the account's admins set roles; back to the workspace role, it is refused again.
    let denied = bob.refused(&["team", "role", "--account-id", &one, "--member", "bob", "--role", "admin"]);
    assert_eq!(
        (denied["code"].as_str(), denied["params"]["role"].as_str()),
        (Some("team.permission_denied"), Some("admin"))
    );
    assert_eq!(
        alice.refused(&["team", "role", "--account-id", &second, "--member", "nobody", "--role", "viewer"])["code"],
        "team.member_not_found"
    );
    alice.ok(&["team", "role", "--account-id", &first, "--member", "bob", "--role", "workspace"]);
    assert_eq!(refused_role(resend(&one)), "operator");
}

/// The sandbox's counters and faults (`GET /__sandbox/state`).
async fn sandbox_state(base: &str) -> Value {
    callback_desk::transport::install_crypto_provider();
    reqwest::get(format!("{base}/__sandbox/state")).await.unwrap().json().await.unwrap()
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_a_limit_answer_one_member_met_holds_every_member_back() {
    let url = team_database("team_learned").await;
    let sandbox = Sandbox::start();
    let alice = Member::new();
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    let code = alice.ok(&["team", "invite", "--member", "bob", "--role", "operator"]);
    let bob = Member::new();
    bob.ok(&["team", "join", "--invite", code.trim()]);
    let account = &sandbox.accounts["cybavo"];
    alice.add_shared(account, "Shared CYBAVO", &["bob"]);
    let (alice_id, bob_id) = (alice.shared_id("Shared CYBAVO"), bob.shared_id("Shared CYBAVO"));
    let base = reqwest::Url::parse(account["base_url"].as_str().unwrap()).unwrap().origin().ascii_serialization();

    // Each member can look up; then the provider answers alice's next call with its rate-limit answer.
    alice.ok(&Member::lookup_args(&alice_id).iter().map(String::as_str).collect::<Vec<_>>());
    bob.ok(&Member::lookup_args(&bob_id).iter().map(String::as_str).collect::<Vec<_>>());
    let fault = json!({"provider": "cybavo", "kind": "rate_limit", "count": 1});
    callback_desk::transport::install_crypto_provider();
    let posted = reqwest::Client::new().post(format!("{base}/__sandbox/faults")).json(&fault).send().await.unwrap();
    assert!(posted.status().is_success(), "{:?}", posted.text().await);
    let (code, out, err) = alice.cli(&Member::lookup_args(&alice_id).iter().map(String::as_str).collect::<Vec<_>>());
    let printed: Value = serde_json::from_str(out.trim()).unwrap_or_else(|_| panic!("not JSON: {out} {err}"));
    assert_eq!((code, &printed["error"]["code"]), (1, &json!("provider.rate_limited")), "{printed}");
    let sent = sandbox_state(&base).await["calls"]["cybavo"].as_u64().unwrap();

    // Bob's installation never met that answer, yet his look-up waits out the same back-off: it is not sent.
    let refused = bob.refused(&Member::lookup_args(&bob_id).iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(refused["code"], "budget.wait", "{refused}");
    assert_eq!(sandbox_state(&base).await["calls"]["cybavo"].as_u64().unwrap(), sent);
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_a_bulk_job_waits_for_one_approval_of_its_whole_plan_and_runs_under_it_once() {
    let url = team_database("team_job_approval").await;
    let sandbox = Sandbox::start();
    let alice = Member::new();
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    let code = alice.ok(&["team", "invite", "--member", "carol", "--role", "approver"]);
    let carol = Member::new();
    carol.ok(&["team", "join", "--invite", code.trim()]);
    let id = alice.add_shared(&sandbox.accounts["cybavo"], "Bulk CYBAVO", &[]);
    // Its admins hold back every resend on it for a second member's approval.
    alice.ok(&["team", "policy", "--account-id", &id, "--every-resend"]);

    // Three serials, one call each: one request for the job's whole plan, not one per call.
    let params = json!({ "serials": [90_000_000_002u64, 90_000_000_003u64, 90_000_000_004u64] }).to_string();
    let run = ["bulk", "run", "--account-id", &id, "--operation", "resend-withdrawal-callbacks", "--params", &params];
    let awaiting_job = |args: &[&str]| -> i64 {
        let (code, out, err) = alice.cli(args);
        assert_ne!(code, 0, "{out}");
        let refused: Value = serde_json::from_str(err.lines().last().unwrap_or("")).unwrap_or(Value::Null);
        assert_eq!(refused["error"]["code"], "approval.awaiting_job", "{out} {err}");
        refused["error"]["params"]["approval_id"].as_i64().unwrap()
    };
    let first = awaiting_job(&run);
    let list: Value = serde_json::from_str(&alice.ok(&["approvals", "list"])).unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1, "one request for the whole job: {list}");
    let asked = approval(&alice, first);
    assert_eq!(asked["params"]["job"]["calls"], 3, "{asked}");
    assert_eq!(asked["params"]["job"]["summary"]["notification_id"].as_array().map(Vec::len), Some(3), "{asked}");
    let jobs: Value = serde_json::from_str(&alice.ok(&["bulk", "list"])).unwrap();
    let job = jobs[0].clone();
    assert_eq!((job["state"].as_str(), job["next_index"].as_u64()), (Some("paused"), Some(0)), "{job}");
    assert!(alice.ok(&["history", "list", "--json"]).trim().is_empty(), "nothing was sent");

    // Resumed before a decision, it waits on the same request; the approval is for the job, not one call.
    let job_id = job["id"].to_string();
    assert_eq!(awaiting_job(&["bulk", "resume", "--job-id", &job_id]), first);
    carol.ok(&["approvals", "approve", &first.to_string()]);
    let refused = alice.refused(&["approvals", "run", &first.to_string()]);
    assert_eq!(refused["code"], "approval.for_a_job", "{refused}");

    // Approved, the job runs every call under that one approval, which is then executed.
    let (code, out, err) = alice.cli(&["bulk", "resume", "--job-id", &job_id]);
    assert_eq!(code, 0, "{out} {err}");
    let done: Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!((done["state"].as_str(), done["ok"].as_u64()), (Some("done"), Some(3)), "{done}");
    assert_eq!(approval(&alice, first)["status"], "executed");

    // The same plan again is another job: it needs an approval of its own.
    let second = awaiting_job(&run);
    assert_ne!(second, first);
    assert_eq!(approval(&alice, second)["status"], "pending");
}

/// The body of a PEM file (its base64 lines joined), to look for anywhere.
fn pem_body(path: &str) -> String {
    std::fs::read_to_string(path).unwrap().lines().filter(|l| !l.starts_with("-----")).collect()
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_a_certificate_member_joins_and_works_with_their_certificate_and_the_teams_authority_only() {
    let url = team_database("team_certs").await;
    let certs = Certificates::new();
    let ca = Certificates::team_ca();
    let (alice, bob) = (Member::new(), Member::new());

    // The first admin presents a certificate from the start (TLS on loopback too, the server checked against
    // the team's authority); once the server asks her role for one, it is what lets her in.
    let (alice_cert, alice_key) = certs.issue("team_certs_alice");
    alice.ok(&[
        "team",
        "init",
        "--database-url",
        &url,
        "--member",
        "alice",
        "--client-cert",
        &alice_cert,
        "--client-key",
        &alice_key,
        "--ca-cert",
        &ca,
    ]);
    require_certificate("team_certs", "team_certs_alice", false).await;
    assert_eq!(
        serde_json::from_str::<Value>(&alice.ok(&["team", "members"])).unwrap(),
        json!([{"name": "alice", "role": "admin"}])
    );

    let code = alice.ok(&["team", "invite", "--member", "bob", "--role", "operator"]);
    let code = code.trim();
    let role = invite_credentials(code)["user"].as_str().unwrap().to_owned();
    require_certificate("team_certs", &role, false).await;
    let (bob_cert, bob_key) = certs.issue(&role);

    // Without a certificate the server does not let Bob in, and says what is missing.
    let refused = bob.refused(&["team", "join", "--invite", code]);
    assert_eq!(refused["code"], "team.client_cert_required", "{refused}");
    // What is given is checked before anything is sent: both files, PEM, a key that belongs to the certificate.
    let field_error = |args: &[&str]| {
        let e = bob.refused(&[&["team", "join", "--invite", code][..], args].concat());
        assert_eq!(e["code"], "input.invalid", "{e}");
        (e["params"]["field"].as_str().unwrap().to_owned(), e["params"]["reason"].as_str().unwrap().to_owned())
    };
    let pair = |f: &str, r: &str| (f.to_owned(), r.to_owned());
    assert_eq!(field_error(&["--client-cert", &bob_cert]), pair("client_key", "team_cert_and_key"));
    assert_eq!(field_error(&["--client-key", &bob_key]), pair("client_cert", "team_cert_and_key"));
    assert_eq!(
        field_error(&["--client-cert", &bob_cert, "--client-key", &alice_key]),
        pair("client_key", "team_key_mismatch")
    );
    assert_eq!(
        field_error(&["--client-cert", &bob_key, "--client-key", &bob_key]),
        pair("client_cert", "team_pem_not_certificate")
    );
    assert_eq!(
        field_error(&["--client-cert", &bob_cert, "--client-key", &bob_cert]),
        pair("client_key", "team_pem_not_key")
    );
    assert_eq!(
        field_error(&["--client-cert", &bob_cert, "--client-key", "/nonexistent/bob.key"]),
        pair("client_key", "team_pem_unreadable")
    );
    // A server whose certificate the given authority did not sign is not trusted: nothing is sent to it.
    let other_ca = certs.other_ca();
    let untrusted = bob.refused(&[
        "team",
        "join",
        "--invite",
        code,
        "--client-cert",
        &bob_cert,
        "--client-key",
        &bob_key,
        "--ca-cert",
        &other_ca,
    ]);
    assert_eq!(untrusted["code"], "team.server_untrusted", "{untrusted}");
    // Nor is it by the system's roots alone.
    let untrusted =
        bob.refused(&["team", "join", "--invite", code, "--client-cert", &bob_cert, "--client-key", &bob_key]);
    assert_eq!(untrusted["code"], "team.server_untrusted", "{untrusted}");

    // A certificate of another authority is refused by the server, which says so.
    let (foreign_cert, foreign_key) = certs.issue_by_other_ca(&role);
    let foreign = bob.refused(&[
        "team",
        "join",
        "--invite",
        code,
        "--client-cert",
        &foreign_cert,
        "--client-key",
        &foreign_key,
        "--ca-cert",
        &ca,
    ]);
    assert_eq!(foreign["code"], "team.client_cert_refused", "{foreign}");
    // So is one of the team's authority made out to another member (Alice's): the certificate is named, not
    // the invitation.
    let not_his = bob.refused(&[
        "team",
        "join",
        "--invite",
        code,
        "--client-cert",
        &alice_cert,
        "--client-key",
        &alice_key,
        "--ca-cert",
        &ca,
    ]);
    assert_eq!(not_his["code"], "team.client_cert_refused", "{not_his}");

    // With the certificate, its key and the team's authority, Bob joins and works.
    let (status, out, err) = bob.cli(&[
        "team",
        "join",
        "--invite",
        code,
        "--client-cert",
        &bob_cert,
        "--client-key",
        &bob_key,
        "--ca-cert",
        &ca,
    ]);
    assert_eq!(status, 0, "{err}");
    let members: Value = serde_json::from_str(&bob.ok(&["team", "members"])).unwrap();
    assert_eq!(members, json!([{"name": "alice", "role": "admin"}, {"name": "bob", "role": "operator"}]));
    bob.ok(&["team", "push"]);

    // The private keys are in no file of either data folder (the vault seals them) nor in any output.
    for (member, key) in [(&alice, &alice_key), (&bob, &bob_key)] {
        let body = pem_body(key);
        assert!(!contains(&all_bytes(member.data.path()), &body), "a private key in a file of the data folder");
        assert!(!contains(&all_bytes(member.data.path()), &body[..40]));
    }
    assert!(!out.contains(&pem_body(&bob_key)[..40]) && !err.contains(&pem_body(&bob_key)[..40]));
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_credentials_give_a_joined_member_a_certificate_once_their_role_asks_for_one() {
    let url = team_database("team_creds").await;
    let certs = Certificates::new();
    let ca = Certificates::team_ca();
    let (alice, carol) = (Member::new(), Member::new());
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    let code = alice.ok(&["team", "invite", "--member", "carol", "--role", "viewer"]);
    let role = invite_credentials(code.trim())["user"].as_str().unwrap().to_owned();
    carol.ok(&["team", "join", "--invite", code.trim()]);
    carol.ok(&["team", "members"]);

    // The administrator now asks Carol's role for her password and a certificate.
    require_certificate("team_creds", &role, true).await;
    assert_eq!(carol.refused(&["team", "members"])["code"], "team.client_cert_required");

    let (cert, key) = certs.issue(&role);
    let none = carol.refused(&["team", "credentials"]);
    assert_eq!(
        (none["params"]["field"].as_str(), none["params"]["reason"].as_str()),
        (Some("client_cert"), Some("team_credentials_none"))
    );
    // Kept only once they work: a server the given authority did not sign is refused, and nothing changes.
    let other_ca = certs.other_ca();
    let untrusted =
        carol.refused(&["team", "credentials", "--client-cert", &cert, "--client-key", &key, "--ca-cert", &other_ca]);
    assert_eq!(untrusted["code"], "team.server_untrusted", "{untrusted}");
    assert_eq!(carol.refused(&["team", "members"])["code"], "team.client_cert_required");

    carol.ok(&["team", "credentials", "--client-cert", &cert, "--client-key", &key, "--ca-cert", &ca]);
    let members: Value = serde_json::from_str(&carol.ok(&["team", "members"])).unwrap();
    assert_eq!(members, json!([{"name": "alice", "role": "admin"}, {"name": "carol", "role": "viewer"}]));
    assert!(!contains(&all_bytes(carol.data.path()), &pem_body(&key)[..40]), "the key in a file of the data folder");

    // Another certificate replaces it, the authority stays.
    std::fs::rename(&cert, certs.dir.path().join("old.crt")).unwrap();
    let (cert, key) = certs.issue(&role);
    carol.ok(&["team", "credentials", "--client-cert", &cert, "--client-key", &key]);
    carol.ok(&["team", "members"]);
}

/// A request to the sandbox's control endpoints (`/__sandbox/…`); returns the JSON it answered.
fn sandbox_control(sandbox: &Sandbox, method: &str, path: &str, body: &Value) -> Value {
    use std::io::{Read, Write};
    let base = sandbox.accounts["cybavo"]["base_url"].as_str().unwrap();
    let host_port = base.trim_start_matches("http://").split('/').next().unwrap();
    let mut s = std::net::TcpStream::connect(host_port).unwrap();
    let body = body.to_string();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {host_port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    serde_json::from_str(answer.split("\r\n\r\n").nth(1).unwrap()).unwrap()
}

/// How many requests CYBAVO's simulator received.
fn cybavo_calls(sandbox: &Sandbox) -> u64 {
    sandbox_control(sandbox, "GET", "/__sandbox/state", &Value::Null)["calls"]["cybavo"].as_u64().unwrap()
}

/// The team's jobs as `bulk list --team` shows them to `member`.
fn team_jobs(member: &Member) -> Vec<Value> {
    serde_json::from_str::<Value>(&member.ok(&["bulk", "list", "--team"])).unwrap().as_array().unwrap().clone()
}

/// Starts `bulk run` of a three-serial CYBAVO resend on `account_id` as `member`, in the background, with the
/// team job lease `lease_ms` long; the sandbox holds its first call without answering (until killed).
fn start_held_job(member: &Member, sandbox: &Sandbox, account_id: &str, lease_ms: &str) -> std::process::Child {
    sandbox_control(
        sandbox,
        "POST",
        "/__sandbox/faults",
        &json!({"provider": "cybavo", "kind": "delay", "ms": 600_000}),
    );
    Command::new(CLI)
        .args(["bulk", "run", "--account-id", account_id, "--operation", "resend-withdrawal-callbacks"])
        .args(["--params", r#"{"serials":[90000000002,90000000003,90000000004]}"#])
        .env("CALLBACK_DESK_DATA_DIR", member.data.path())
        .env("DBUS_SESSION_BUS_ADDRESS", &member.keyring.bus_address)
        .env("CALLBACK_DESK_TEAM_JOB_LEASE_MS", lease_ms)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits until `member` sees, in `bulk list --team`, a team job with its first call in flight, and that call
/// reached the provider; returns the job.
fn first_call_in_flight(member: &Member, sandbox: &Sandbox, runner: &mut std::process::Child) -> Value {
    loop {
        if let Some(job) = team_jobs(member).into_iter().find(|j| j["in_flight"] == 0) {
            if cybavo_calls(sandbox) == 1 {
                return job;
            }
        }
        assert!(runner.try_wait().unwrap().is_none(), "the job ended before its first call was in flight");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_a_running_job_is_leased_to_its_member_others_see_its_progress_and_cannot_run_nor_change_it() {
    let url = team_database("team_job_lease").await;
    let dba = superuser("team_job_lease").await;
    let sandbox = Sandbox::start();
    let (alice, bob) = (Member::new(), Member::new());
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    alice.invite(&bob, "bob", "operator");
    // Mallory's own database credentials, an operator too.
    let mallory = invite_credentials(&alice.ok(&["team", "invite", "--member", "mallory", "--role", "operator"]));
    // Another admin's own credentials, who may cancel any job of the account.
    let adele = invite_credentials(&alice.ok(&["team", "invite", "--member", "adele", "--role", "admin"]));
    let alices_id = alice.add_shared(&sandbox.accounts["cybavo"], "Cybavo team", &["bob"]);
    let bobs_id = bob.shared_id("Cybavo team");

    // Alice's job runs (its first call held by the provider): Bob sees it, its runner and its progress.
    let mut runner = start_held_job(&alice, &sandbox, &alices_id, "60000");
    let job = first_call_in_flight(&bob, &sandbox, &mut runner);
    let team_job = job["id"].to_string();
    assert_eq!(
        (job["state"].as_str(), job["runner"].as_str(), job["leased"].as_bool(), job["created_by"].as_str()),
        (Some("running"), Some("alice"), Some(true), Some("alice")),
        "{job}"
    );
    // Nobody else may take it over while her lease is live; it never ran in Bob's installation.
    assert_eq!((job["takeable"].as_bool(), &job["local_job_id"]), (Some(false), &Value::Null), "{job}");
    assert_eq!((job["total"].as_i64(), job["done"].as_i64()), (Some(3), Some(0)), "{job}");
    assert_eq!((job["account"].as_str(), job["account_id"].to_string()), (Some("Cybavo team"), bobs_id.clone()));
    assert_eq!(job["operation"], "resend-withdrawal-callbacks");

    // Bob cannot run it while Alice's lease is live: refused naming her, nothing sent.
    let leased = bob.refused(&["bulk", "resume", "--team-job-id", &team_job]);
    assert_eq!(
        (leased["code"].as_str(), leased["params"]["member"].as_str()),
        (Some("team.job_leased"), Some("alice"))
    );
    assert_eq!(cybavo_calls(&sandbox), 1);

    // Mallory's own credentials read the job and change nothing of it.
    let sql = connect_as(&mallory).await;
    let seen: i64 = sql.query_one("SELECT count(*) FROM callback_desk.jobs", &[]).await.unwrap().get(0);
    assert_eq!(seen, 1);
    let before: String = dba.query_one("SELECT to_jsonb(j)::text FROM callback_desk.jobs j", &[]).await.unwrap().get(0);
    let id = &team_job;
    for statement in [
        format!("UPDATE callback_desk.jobs SET state = 'done', next_index = 3 WHERE id = {id}"),
        format!("DELETE FROM callback_desk.jobs WHERE id = {id}"),
        "INSERT INTO callback_desk.jobs (account_id, created_by, operation, plan, total)
         SELECT account_id, 'mallory', operation, plan, total FROM callback_desk.jobs"
            .to_owned(),
        format!("SELECT callback_desk.record_job({id}, 'mine', 'done', 3, NULL, 3, 0, 0, 0, NULL)"),
        format!("SELECT callback_desk.renew_job({id}, 'mine', 600000) AND false"),
        format!("SELECT callback_desk.take_job({id}, 'mallory/1', 'mine', 1000)"),
        format!("SELECT callback_desk.cancel_job({id})"),
        format!("SELECT callback_desk.job_for_change({id}, 'viewer')"),
    ] {
        let r = sql.query(statement.as_str(), &[]).await;
        let refused = match &r {
            Err(_) => true,
            // renew_job answers false instead of refusing.
            Ok(rows) => rows.first().is_some_and(|row| !row.get::<_, bool>(0)) && statement.contains("renew_job"),
        };
        assert!(refused, "{statement}: {r:?}");
    }
    let after: String = dba.query_one("SELECT to_jsonb(j)::text FROM callback_desk.jobs j", &[]).await.unwrap().get(0);
    assert_eq!(strip_lease(&before), strip_lease(&after), "only the runner's own lease renewals changed it");

    // An admin of the account cancels it: its lease ends, and its runner may record nothing more.
    connect_as(&adele).await.execute(format!("SELECT callback_desk.cancel_job({id})").as_str(), &[]).await.unwrap();
    let row = dba
        .query_one("SELECT state, lease_until IS NULL, runner_instance IS NULL FROM callback_desk.jobs", &[])
        .await
        .unwrap();
    assert_eq!(
        (row.get::<_, String>(0), row.get::<_, bool>(1), row.get::<_, bool>(2)),
        ("cancelled".into(), true, true)
    );
    runner.kill().unwrap();
    runner.wait().unwrap();
}

/// A team job's row without the times its runner's heartbeat moves.
fn strip_lease(row: &str) -> Value {
    let mut v: Value = serde_json::from_str(row).unwrap();
    v.as_object_mut().unwrap().remove("lease_until");
    v.as_object_mut().unwrap().remove("updated_at");
    v
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_a_job_whose_runner_was_killed_is_taken_over_once_its_lease_ran_out_sending_each_call_once() {
    let url = team_database("team_job_takeover").await;
    let sandbox = Sandbox::start();
    let (alice, bob) = (Member::new(), Member::new());
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    alice.invite(&bob, "bob", "operator");
    let alices_id = alice.add_shared(&sandbox.accounts["cybavo"], "Cybavo team", &["bob"]);
    bob.shared_id("Cybavo team");

    // Alice's app is killed while her job's first call is at the provider.
    let mut runner = start_held_job(&alice, &sandbox, &alices_id, "1500");
    let job = first_call_in_flight(&bob, &sandbox, &mut runner);
    let team_job = job["id"].to_string();
    runner.kill().unwrap(); // SIGKILL
    runner.wait().unwrap();
    assert_eq!(cybavo_calls(&sandbox), 1);

    // Once her lease runs out (by the database's clock) the job is offered to Bob to take over.
    let offered = loop {
        let seen = team_jobs(&bob).into_iter().find(|j| j["id"] == job["id"]).unwrap();
        if seen["takeable"] == true {
            break seen;
        }
        assert_eq!(seen["leased"], true, "{seen}");
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert_eq!((offered["in_flight"].as_i64(), &offered["local_job_id"]), (Some(0), &Value::Null), "{offered}");

    // Bob takes the job over: the call she had in flight is unknown (not sent again), the two others are
    // sent, once.
    let done = loop {
        let (code, out, err) = bob.cli(&["bulk", "resume", "--team-job-id", &team_job]);
        if !err.contains("team.job_leased") {
            // Exit 1: one call's outcome is unknown.
            assert_eq!(code, 1, "{out} {err}");
            break serde_json::from_str::<Value>(out.lines().last().unwrap()).unwrap();
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    assert_eq!(
        (done["state"].as_str(), done["ok"].as_u64(), done["unknown"].as_u64(), done["failed"].as_u64()),
        (Some("done"), Some(2), Some(1), Some(0)),
        "{done}"
    );
    assert_eq!(cybavo_calls(&sandbox), 3, "each call reached the provider once");
    let seen = team_jobs(&alice).into_iter().find(|j| j["id"] == job["id"]).unwrap();
    assert_eq!(
        (seen["state"].as_str(), seen["runner"].as_str(), seen["leased"].as_bool()),
        (Some("done"), Some("bob"), Some(false)),
        "{seen}"
    );
    assert_eq!((seen["done"].as_i64(), seen["ok"].as_i64(), seen["unknown"].as_i64()), (Some(3), Some(2), Some(1)));
    // Done: nobody is offered it; each installation that ran it knows its own job for it.
    let bobs = team_jobs(&bob).into_iter().find(|j| j["id"] == job["id"]).unwrap();
    let bobs_local: Value = serde_json::from_str(&bob.ok(&["bulk", "list"])).unwrap();
    assert_eq!((bobs["takeable"].as_bool(), &bobs["local_job_id"]), (Some(false), &bobs_local[0]["id"]), "{bobs}");

    // Alice's installation resuming its own copy of the job sends nothing: Bob finished it.
    let local: Value = serde_json::from_str(&alice.ok(&["bulk", "list"])).unwrap();
    let (code, out, err) = alice.cli(&["bulk", "resume", "--job-id", &local[0]["id"].to_string()]);
    let last: Value = serde_json::from_str(out.lines().last().unwrap_or("null")).unwrap_or(Value::Null);
    assert_eq!(last["state"], "done", "{code} {out} {err}");
    assert_eq!(cybavo_calls(&sandbox), 3, "nothing sent twice");
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_a_job_losing_the_team_database_midway_pauses_with_nothing_in_flight_and_resumes_sending_each_once() {
    let url = team_database("team_job_lost").await;
    let dba = superuser("team_job_lost").await;
    let sandbox = Sandbox::start();
    let alice = Member::new();
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    let id = alice.add_shared(&sandbox.accounts["cybavo"], "Cybavo team", &[]);
    let db = rusqlite::Connection::open(alice.data.path().join("callback-desk.sqlite3")).unwrap();
    let port: i64 = db.query_row("SELECT port FROM team_workspace", [], |r| r.get(0)).unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();

    // The first call is at the provider (held 5 s) when the team database goes away: its connections are cut
    // and no new one can be made.
    sandbox_control(&sandbox, "POST", "/__sandbox/faults", &json!({"provider": "cybavo", "kind": "delay", "ms": 5000}));
    let mut runner = Command::new(CLI)
        .args(["bulk", "run", "--account-id", &id, "--operation", "resend-withdrawal-callbacks"])
        .args(["--params", r#"{"serials":[90000000002,90000000003,90000000004]}"#])
        .env("CALLBACK_DESK_DATA_DIR", alice.data.path())
        .env("DBUS_SESSION_BUS_ADDRESS", &alice.keyring.bus_address)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    loop {
        let in_flight = dba.query_opt("SELECT 1 FROM callback_desk.jobs WHERE in_flight = 0", &[]).await.unwrap();
        if in_flight.is_some() && cybavo_calls(&sandbox) == 1 {
            break;
        }
        assert!(runner.try_wait().unwrap().is_none(), "the job ended before its first call was in flight");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    db.execute("UPDATE team_workspace SET port = ?1", [closed]).unwrap();
    dba.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'team_job_lost_alice'", &[])
        .await
        .unwrap();
    let out = runner.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("team.offline"), "{err}");

    // Paused after the call that was at the provider, with nothing in flight: nothing else was sent.
    let jobs: Value = serde_json::from_str(&alice.ok(&["bulk", "list"])).unwrap();
    let job = &jobs[0];
    assert_eq!(job["state"], "paused", "{job}");
    assert_eq!((job["next_index"].as_u64(), job["ok"].as_u64(), job["unknown"].as_u64()), (Some(1), Some(1), Some(0)));
    let in_flight: Option<i64> = db.query_row("SELECT in_flight FROM jobs", [], |r| r.get(0)).unwrap();
    assert_eq!(in_flight, None);
    assert_eq!(cybavo_calls(&sandbox), 1);

    // Back online, it resumes from its second call, sends each once, and the team sees it done.
    db.execute("UPDATE team_workspace SET port = ?1", [port]).unwrap();
    let (code, out, err) = alice.cli(&["bulk", "resume", "--job-id", &job["id"].to_string()]);
    assert_eq!(code, 0, "{out} {err}");
    assert_eq!(cybavo_calls(&sandbox), 3);
    let seen = &team_jobs(&alice)[0];
    assert_eq!(
        (
            seen["state"].as_str(),
            seen["done"].as_i64(),
            seen["ok"].as_i64(),
            seen["in_flight"].as_i64(),
            seen["leased"].as_bool()
        ),
        (Some("done"), Some(3), Some(3), None, Some(false)),
        "{seen}"
    );
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_cancelling_a_stopped_team_job_cancels_it_for_every_member() {
    let url = team_database("team_job_cancel").await;
    let sandbox = Sandbox::start();
    let (alice, bob) = (Member::new(), Member::new());
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    alice.invite(&bob, "bob", "operator");
    let id = alice.add_shared(&sandbox.accounts["cybavo"], "Cybavo team", &["bob"]);

    // Alice's job stops before its first call (the team database unreachable then): paused, nothing sent.
    let db = rusqlite::Connection::open(alice.data.path().join("callback-desk.sqlite3")).unwrap();
    let port: i64 = db.query_row("SELECT port FROM team_workspace", [], |r| r.get(0)).unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    db.execute("UPDATE team_workspace SET port = ?1", [closed]).unwrap();
    let run = ["bulk", "run", "--account-id", id.as_str(), "--operation", "resend-withdrawal-callbacks"];
    let (code, out, err) = alice.cli(&[&run[..], &["--params", r#"{"serials":[90000000002,90000000003]}"#]].concat());
    assert_eq!(code, 1, "{out} {err}");
    assert!(err.contains("team.offline"), "{err}");
    db.execute("UPDATE team_workspace SET port = ?1", [port]).unwrap();

    // Alice cancels it: Bob sees it cancelled, by her, with nothing sent.
    let jobs: Value = serde_json::from_str(&alice.ok(&["bulk", "list"])).unwrap();
    let cancelled: Value =
        serde_json::from_str(&alice.ok(&["bulk", "cancel", "--job-id", &jobs[0]["id"].to_string()])).unwrap();
    assert_eq!(cancelled["state"], "cancelled", "{cancelled}");
    let seen = &team_jobs(&bob)[0];
    assert_eq!(
        (seen["state"].as_str(), seen["runner"].as_str(), seen["leased"].as_bool(), seen["done"].as_i64()),
        (Some("cancelled"), Some("alice"), Some(false), Some(0)),
        "{seen}"
    );
    // The cancel holds for the whole team: neither Bob nor Alice runs it again from the command line.
    let team_job = seen["id"].to_string();
    for member in [&bob, &alice] {
        let (code, out, err) = member.cli(&["bulk", "resume", "--team-job-id", &team_job]);
        assert_eq!(code, 1, "{out} {err}");
        assert!(err.contains("team.job_cancelled"), "{err}");
    }
    assert_eq!(cybavo_calls(&sandbox), 0);
}

/// `member`'s look-up on their copy `id`: its printed outcome (`ok`, or what the provider said), or the
/// error code it was refused with.
fn lookup_outcome(member: &Member, id: &str) -> String {
    let args = Member::lookup_args(id);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, out, err) = member.cli(&args);
    if code == 0 {
        return serde_json::from_str::<Value>(out.trim()).unwrap()["outcome"].as_str().unwrap().to_owned();
    }
    match serde_json::from_str::<Value>(err.lines().last().unwrap_or_default()) {
        Ok(e) if e["error"]["code"].is_string() => e["error"]["code"].as_str().unwrap().to_owned(),
        _ => format!("exit {code}: {out} {err}"),
    }
}

/// The payloads of the trail's rows of `kind` whose scope starts with `scope`, oldest first.
async fn workspace_rows(dba: &tokio_postgres::Client, kind: &str, scope: &str) -> Vec<Value> {
    dba.query(
        "SELECT payload FROM callback_desk.audit WHERE kind = $1 AND scope LIKE $2 || '%' ORDER BY id",
        &[&kind, &scope],
    )
    .await
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

/// Alice (admin) and bob (operator) in a new workspace `db`, and a CYBAVO sandbox account shared with bob
/// whose file is `account`: (alice's id, bob's id).
fn shared_with_bob(alice: &Member, bob: &Member, url: &str, account: &Value, label: &str) -> (String, String) {
    alice.ok(&["team", "init", "--database-url", url, "--member", "alice"]);
    alice.invite(bob, "bob", "operator");
    let mine = alice.add_shared(account, label, &["bob"]);
    (mine, bob.shared_id(label))
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_an_admins_edit_of_a_shared_account_reaches_every_members_copy_with_its_rotated_secret() {
    let url = team_database("team_edit").await;
    let dba = superuser("team_edit").await;
    let sandbox = Sandbox::start();
    let (alice, bob) = (Member::new(), Member::new());
    // Added with a secret the provider no longer takes: bob's look-up is turned down by the provider.
    let right = sandbox.accounts["cybavo"].clone();
    let mut stale = right.clone();
    stale["api_secret"] = json!("stale-secret-of-the-team-0001");
    let (mine, bobs) = shared_with_bob(&alice, &bob, &url, &stale, "Cybavo team");
    assert_ne!(lookup_outcome(&bob, &bobs), "ok");

    // Alice renames the account and enters the rotated secret (only that one: the code stays as it is).
    let file = alice.data.path().join("rotated.json");
    std::fs::write(&file, json!({"api_secret": right["api_secret"]}).to_string()).unwrap();
    let edited: Value = serde_json::from_str(&alice.ok(&[
        "accounts",
        "edit",
        &mine,
        "--label",
        "Cybavo payouts",
        "--account",
        file.to_str().unwrap(),
        "--notes",
        "rotated in December",
    ]))
    .unwrap();
    assert_eq!((edited["label"].as_str(), edited["id"].to_string()), (Some("Cybavo payouts"), mine.clone()));

    // Bob's copy follows: same id, the new label and notes, and the rotated secret works at the provider.
    let seen = listed(&bob, &bobs);
    assert_eq!((seen["label"].as_str(), seen["notes"].as_str()), (Some("Cybavo payouts"), Some("rotated in December")));
    assert_eq!(lookup_outcome(&bob, &bobs), "ok");
    assert_eq!(lookup_outcome(&alice, &mine), "ok");

    // The team database holds the change, ciphertext only; the trail says what changed and which secret was
    // entered anew, never its value.
    let label: String = dba.query_one("SELECT label FROM callback_desk.accounts", &[]).await.unwrap().get(0);
    assert_eq!(label, "Cybavo payouts");
    let sealed: Vec<Vec<u8>> = dba
        .query("SELECT sealed FROM callback_desk.sealed_secrets", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(sealed.len(), 4, "alice's two copies and bob's two");
    let secret = right["api_secret"].as_str().unwrap();
    assert!(!sealed.iter().any(|s| contains(s, secret)));
    let edits = workspace_rows(&dba, "account", "edit account").await;
    assert_eq!(edits.len(), 1, "{edits:?}");
    assert_eq!(edits[0]["rotated"], json!(["api_secret"]));
    assert_eq!(edits[0]["sealed_for"], json!(["alice", "bob"]));
    assert_eq!(
        (edits[0]["before"]["label"].as_str(), edits[0]["after"]["label"].as_str()),
        (Some("Cybavo team"), Some("Cybavo payouts"))
    );
    assert!(!edits[0].to_string().contains(secret));
    assert_eq!(alice.ok(&["history", "verify-chain"]).trim(), "intact");
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_an_admins_edit_over_a_copy_another_admin_changed_since_is_refused_and_undoes_nothing() {
    let url = team_database("team_edit_basis").await;
    let dba = superuser("team_edit_basis").await;
    let sandbox = Sandbox::start();
    let (alice, bob) = (Member::new(), Member::new());
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    alice.invite(&bob, "bob", "admin");
    let mine = alice.add_shared(&sandbox.accounts["cybavo"], "Cybavo team", &["bob"]);
    let bobs = bob.shared_id("Cybavo team");

    // Alice renames the account; bob's copy is still as he last read it.
    alice.ok(&["accounts", "edit", &mine, "--label", "Cybavo payouts"]);
    let edit = bob.refused(&["accounts", "edit", &bobs, "--notes", "rotated in December"]);
    assert_eq!(
        (edit["code"].as_str(), edit["params"]["label"].as_str()),
        (Some("accounts.changed_elsewhere"), Some("Cybavo payouts")),
        "{edit}"
    );
    let row = |sql: &'static str| {
        let dba = &dba;
        async move {
            let r = dba.query_one(sql, &[]).await.unwrap();
            (r.get::<_, String>(0), r.get::<_, String>(1))
        }
    };
    let current = "SELECT label, notes FROM callback_desk.accounts";
    assert_eq!(row(current).await, ("Cybavo payouts".to_owned(), String::new()), "alice's rename stays");
    assert_eq!(workspace_rows(&dba, "account", "edit account").await.len(), 1);

    // Over the account as it is now (his copy was refreshed), bob's edit keeps alice's rename.
    bob.ok(&["accounts", "edit", &bobs, "--notes", "rotated in December"]);
    assert_eq!(row(current).await, ("Cybavo payouts".to_owned(), "rotated in December".to_owned()));
    assert_eq!(listed(&alice, &mine)["notes"], "rotated in December");
}

/// Runs bob's edit of shared account `bobs` (his id; he is an admin of it) while another admin's change of
/// the account is under way: `other_admin` (a connection of its own) holds the account's row, as every change
/// of a shared account does, until bob's edit has reached the team database and waits; then `change` is made
/// in that transaction, which commits. Returns bob's edit's output once it is done.
async fn edit_while_another_admin_changes(
    dba: &tokio_postgres::Client,
    other_admin: &tokio_postgres::Client,
    bob: &Member,
    bobs: &str,
    change: impl std::future::Future<Output = ()>,
) -> std::process::Output {
    other_admin.batch_execute("BEGIN; SELECT 1 FROM callback_desk.accounts FOR UPDATE").await.unwrap();
    let edit = bob.start(&["accounts", "edit", bobs, "--notes", "checked in December"]);
    let waiting =
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while dba.query_one(waiting, &[]).await.unwrap().get::<_, i64>(0) == 0 {
        assert!(std::time::Instant::now() < deadline, "bob's edit never reached the team database");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    change.await;
    other_admin.batch_execute("COMMIT").await.unwrap();
    edit.wait_with_output().unwrap()
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_a_secret_rotated_while_another_admins_edit_is_under_way_stays_rotated() {
    let url = team_database("team_edit_rotation").await;
    let (dba, other_admin) = (superuser("team_edit_rotation").await, superuser("team_edit_rotation").await);
    let sandbox = Sandbox::start();
    let (alice, bob) = (Member::new(), Member::new());
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    alice.invite(&bob, "bob", "admin");
    let mine = alice.add_shared(&sandbox.accounts["cybavo"], "Cybavo team", &["bob"]);
    let bobs = bob.shared_id("Cybavo team");
    // The copies sealed with the sandbox's secret, kept; then alice's secret is one the sandbox does not take.
    let copies = "SELECT account_id, member, name, sealed, shared_by FROM callback_desk.sealed_secrets";
    let valid = dba.query(copies, &[]).await.unwrap();
    let file = alice.data.path().join("stale.json");
    std::fs::write(&file, json!({"api_secret": "a-secret-no-longer-valid"}).to_string()).unwrap();
    alice.ok(&["accounts", "edit", &mine, "--account", file.to_str().unwrap()]);
    assert_ne!(lookup_outcome(&bob, &bobs), "ok");

    // Alice's rotation back to the sandbox's secret lands while bob's edit of the notes is under way: it
    // writes every member's copies, as her edit does.
    let rotation = async {
        other_admin.execute("DELETE FROM callback_desk.sealed_secrets", &[]).await.unwrap();
        for r in &valid {
            other_admin
                .execute(
                    "INSERT INTO callback_desk.sealed_secrets (account_id, member, name, sealed, shared_by) \
                     VALUES ($1, $2, $3, $4, $5)",
                    &[
                        &r.get::<_, i64>(0),
                        &r.get::<_, String>(1),
                        &r.get::<_, String>(2),
                        &r.get::<_, Vec<u8>>(3),
                        &r.get::<_, String>(4),
                    ],
                )
                .await
                .unwrap();
        }
    };
    let out = edit_while_another_admin_changes(&dba, &other_admin, &bob, &bobs, rotation).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // Bob's edit is in, and sealed the rotated secret again, not the one he could have read before it.
    let notes: String = dba.query_one("SELECT notes FROM callback_desk.accounts", &[]).await.unwrap().get(0);
    assert_eq!(notes, "checked in December");
    assert_eq!(lookup_outcome(&bob, &bobs), "ok", "the rotation was undone");
    assert_eq!(lookup_outcome(&alice, &mine), "ok");
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_an_admins_edit_saved_while_another_admin_takes_a_share_back_goes_through_without_it() {
    let url = team_database("team_edit_unshare").await;
    let (dba, other_admin) = (superuser("team_edit_unshare").await, superuser("team_edit_unshare").await);
    let sandbox = Sandbox::start();
    let (alice, bob, carol) = (Member::new(), Member::new(), Member::new());
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    alice.invite(&bob, "bob", "admin");
    alice.invite(&carol, "carol", "operator");
    alice.add_shared(&sandbox.accounts["cybavo"], "Cybavo team", &["bob", "carol"]);
    let (bobs, carols) = (bob.shared_id("Cybavo team"), carol.shared_id("Cybavo team"));
    let carols_copies = "SELECT count(*) FROM callback_desk.sealed_secrets WHERE member = 'carol'";
    assert!(dba.query_one(carols_copies, &[]).await.unwrap().get::<_, i64>(0) > 0, "carol holds copies");

    // Carol's share is taken back (what `team unshare` does to the sealed copies) while bob's edit is under way.
    let unshare = async {
        other_admin.execute("DELETE FROM callback_desk.sealed_secrets WHERE member = 'carol'", &[]).await.unwrap();
    };
    let out = edit_while_another_admin_changes(&dba, &other_admin, &bob, &bobs, unshare).await;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    // Bob's edit is in, sealed for those who hold copies now: not for carol.
    let notes: String = dba.query_one("SELECT notes FROM callback_desk.accounts", &[]).await.unwrap().get(0);
    assert_eq!(notes, "checked in December");
    assert_eq!(dba.query_one(carols_copies, &[]).await.unwrap().get::<_, i64>(0), 0, "carol's share came back");
    assert_eq!(lookup_outcome(&carol, &carols), "team.share_missing");
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_a_member_who_is_not_the_accounts_admin_cannot_edit_nor_delete_its_copy_and_nothing_changes() {
    let url = team_database("team_edit_refused").await;
    let dba = superuser("team_edit_refused").await;
    let sandbox = Sandbox::start();
    let (alice, bob) = (Member::new(), Member::new());
    let (mine, bobs) = shared_with_bob(&alice, &bob, &url, &sandbox.accounts["cybavo"], "Cybavo team");
    let before = listed(&bob, &bobs);

    let file = bob.data.path().join("mine.json");
    std::fs::write(&file, json!({"api_secret": "bobs-own-secret-0002"}).to_string()).unwrap();
    let edit = bob.refused(&["accounts", "edit", &bobs, "--label", "Bob's now", "--account", file.to_str().unwrap()]);
    assert_eq!(
        (edit["code"].as_str(), edit["params"]["label"].as_str(), edit["params"]["account_id"].to_string()),
        (Some("team.shared_account_admin_only"), Some("Cybavo team"), bobs.clone()),
        "{edit}"
    );
    let delete = bob.refused(&["accounts", "remove", &bobs]);
    assert_eq!(delete["code"], "team.shared_account_admin_only", "{delete}");

    // Nothing changed: not the team's account, not bob's copy, which still works with the team's secrets.
    assert_eq!(listed(&bob, &bobs), before);
    assert_eq!(lookup_outcome(&bob, &bobs), "ok");
    let label: String = dba.query_one("SELECT label FROM callback_desk.accounts", &[]).await.unwrap().get(0);
    assert_eq!(label, "Cybavo team");
    assert_eq!(listed(&alice, &mine)["label"], "Cybavo team");
    assert!(workspace_rows(&dba, "account", "edit").await.is_empty());
    assert!(workspace_rows(&dba, "account", "delete").await.is_empty());
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_an_admins_delete_of_a_shared_account_removes_every_members_copy_and_keeps_the_history() {
    let url = team_database("team_delete").await;
    let dba = superuser("team_delete").await;
    let sandbox = Sandbox::start();
    let (alice, bob) = (Member::new(), Member::new());
    let (mine, bobs) = shared_with_bob(&alice, &bob, &url, &sandbox.accounts["cybavo"], "Cybavo team");
    assert_eq!(lookup_outcome(&bob, &bobs), "ok");
    let bobs_history = bob.ok(&["history", "list", "--json"]);
    assert_eq!(bobs_history.lines().count(), 1);
    let trail_before: i64 = dba.query_one("SELECT count(*) FROM callback_desk.audit", &[]).await.unwrap().get(0);

    alice.ok(&["accounts", "remove", &mine]);

    // Gone from the team database with its sealed copies; every row of the trail stays, and one more says it.
    let left: (i64, i64) = {
        let r = dba
            .query_one(
                "SELECT (SELECT count(*) FROM callback_desk.accounts), (SELECT count(*) FROM callback_desk.sealed_secrets)",
                &[],
            )
            .await
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!(left, (0, 0));
    let trail_after: i64 = dba.query_one("SELECT count(*) FROM callback_desk.audit", &[]).await.unwrap().get(0);
    assert_eq!(trail_after, trail_before + 1);
    let deleted = workspace_rows(&dba, "account", "delete account").await;
    assert_eq!((deleted[0]["label"].as_str(), &deleted[0]["held_by"]), (Some("Cybavo team"), &json!(["alice", "bob"])));
    assert_eq!(alice.ok(&["history", "verify-chain"]).trim(), "intact");

    // Bob's copy is gone at his next refresh, his history stays; a call on it names no account.
    let list: Value = serde_json::from_str(&bob.ok(&["accounts", "list"])).unwrap();
    assert_eq!(list, json!([]));
    // As when an account of one's own is deleted: the row stays, with the account's label, naming no account.
    let mut row: Value = serde_json::from_str(bobs_history.trim()).unwrap();
    row["account_id"] = Value::Null;
    assert_eq!(serde_json::from_str::<Value>(bob.ok(&["history", "list", "--json"]).trim()).unwrap(), row);
    assert_eq!(row["account_label"], "Cybavo team", "{row}");
    assert_eq!(lookup_outcome(&bob, &bobs), "input.invalid");
    assert_eq!(serde_json::from_str::<Value>(&alice.ok(&["accounts", "list"])).unwrap(), json!([]));
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_taking_a_share_back_ends_the_members_use_and_names_the_secrets_to_rotate() {
    let url = team_database("team_unshare").await;
    let dba = superuser("team_unshare").await;
    let sandbox = Sandbox::start();
    let (alice, bob) = (Member::new(), Member::new());
    let (mine, bobs) = shared_with_bob(&alice, &bob, &url, &sandbox.accounts["cybavo"], "Cybavo team");
    assert_eq!(lookup_outcome(&bob, &bobs), "ok");

    // Only the account's admins take a share back.
    let denied = bob.refused(&["team", "unshare", "--account-id", &bobs, "--member", "bob"]);
    assert_eq!(
        (denied["code"].as_str(), denied["params"]["role"].as_str()),
        (Some("team.permission_denied"), Some("admin"))
    );

    let (code, out, err) = alice.cli(&["team", "unshare", "--account-id", &mine, "--member", "bob"]);
    assert_eq!(code, 0, "{err}");
    let team_id = listed(&alice, &mine)["team_account_id"].clone();
    assert_eq!(
        serde_json::from_str::<Value>(out.trim()).unwrap(),
        json!({"member": "bob", "rotate": [{"account_id": mine.parse::<i64>().unwrap(), "team_account_id": team_id,
               "label": "Cybavo team", "provider": "cybavo", "secrets": ["api_code", "api_secret"]}]})
    );
    assert!(err.contains("api_code, api_secret") && err.contains("rotate"), "{err}");

    // Bob's installation holds no secret of it any more and cannot use it; alice's copy still works.
    assert_eq!(lookup_outcome(&bob, &bobs), "team.share_missing");
    assert!(listed(&bob, &bobs)["secrets"].as_array().unwrap().iter().all(|s| s["set"] == false));
    assert_eq!(lookup_outcome(&alice, &mine), "ok");
    let bobs_copies: i64 = dba
        .query_one("SELECT count(*) FROM callback_desk.sealed_secrets WHERE member = 'bob'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(bobs_copies, 0);
    // Taking back what is not there names nothing; the trail has the one that was.
    let again: Value =
        serde_json::from_str(&alice.ok(&["team", "unshare", "--account-id", &mine, "--member", "bob"])).unwrap();
    assert_eq!(again, json!({"member": "bob", "rotate": []}));
    let rows = workspace_rows(&dba, "unshare", "account").await;
    assert_eq!(rows, vec![json!({"account_id": team_id, "member": "bob", "secrets": ["api_code", "api_secret"]})]);
    // Shared again, it works again.
    alice.ok(&["team", "share", "--account-id", &mine, "--member", "bob"]);
    assert_eq!(lookup_outcome(&bob, &bobs), "ok");
}

#[tokio::test]
#[ignore = "needs PostgreSQL (scripts/with-postgres.sh) and gnome-keyring"]
async fn team_a_members_own_credentials_cannot_edit_delete_nor_take_back_an_account_they_do_not_administer_in_sql() {
    let url = team_database("team_changes_sql").await;
    let dba = superuser("team_changes_sql").await;
    let sandbox = Sandbox::start();
    let alice = Member::new();
    alice.ok(&["team", "init", "--database-url", &url, "--member", "alice"]);
    let connect = |name: &'static str, role: &'static str| {
        let code = alice.ok(&["team", "invite", "--member", name, "--role", role]);
        async move { connect_as(&invite_credentials(code.trim())).await }
    };
    let opal = connect("opal", "operator").await;
    // A workspace admin whose role on this one account is operator: the check is per account.
    let adam = connect("adam", "admin").await;
    let id = alice.add_shared(&sandbox.accounts["cybavo"], "Cybavo team", &[]);
    let other = alice.add_shared(&sandbox.accounts["cybavo"], "Cybavo other", &[]);
    alice.ok(&["team", "role", "--account-id", &id, "--member", "adam", "--role", "operator"]);
    let team_id = listed(&alice, &id)["team_account_id"].as_i64().unwrap();
    let other_id = listed(&alice, &other)["team_account_id"].as_i64().unwrap();
    let state = || async {
        let r = dba
            .query_one(
                "SELECT (SELECT string_agg(label, ',' ORDER BY id) FROM callback_desk.accounts),
                        (SELECT count(*) FROM callback_desk.sealed_secrets), (SELECT count(*) FROM callback_desk.audit)",
                &[],
            )
            .await
            .unwrap();
        (r.get::<_, String>(0), r.get::<_, i64>(1), r.get::<_, i64>(2))
    };
    let before = state().await;

    for (who, client) in [("opal", &opal), ("adam", &adam)] {
        for sql in [
            format!(
                "SELECT callback_desk.update_account({team_id}, 'Mine', 'custom', 'https://evil.example.com', '{{}}', '',
                 '{{}}', '{{}}', '{{}}', '{{}}', NULL)"
            ),
            // As installations of the version before call it.
            format!(
                "SELECT callback_desk.update_account({team_id}, 'Mine', 'custom', 'https://evil.example.com', '{{}}', '',
                 '{{}}', '{{}}', '{{}}', '{{}}')"
            ),
            format!("SELECT callback_desk.lock_account_for_edit({team_id})"),
            format!("SELECT callback_desk.delete_account({team_id})"),
            format!("SELECT callback_desk.unshare_secrets({team_id}, 'alice')"),
            format!("SELECT * FROM callback_desk.account_shares({team_id})"),
            format!("UPDATE callback_desk.accounts SET label = 'Mine' WHERE id = {team_id}"),
            format!("DELETE FROM callback_desk.accounts WHERE id = {team_id}"),
            format!("DELETE FROM callback_desk.sealed_secrets WHERE account_id = {team_id}"),
        ] {
            let e = client.batch_execute(&sql).await.expect_err(&sql);
            assert_eq!(e.code().map(|c| c.code()), Some("42501"), "{who}: {sql}: {e:?}");
        }
    }
    assert_eq!(state().await, before, "nothing changed");
    // Installations of the version before call the edit without a basis: where adam is admin it still runs (and
    // stops here only because alice's copies would not be sealed again).
    let old = format!(
        "SELECT callback_desk.update_account({other_id}, 'Mine', 'custom', 'https://other.example.com', '{{}}', '',
         '{{}}', '{{}}', '{{}}', '{{}}')"
    );
    let e = adam.batch_execute(&old).await.expect_err(&old);
    assert_eq!(e.as_db_error().and_then(|d| d.hint()), Some("shares_changed"), "{e:?}");
    // Where adam is admin (his workspace role), the same function answers him.
    let holders: Vec<String> = adam
        .query("SELECT member FROM callback_desk.account_shares($1)", &[&other_id])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(holders, ["alice"]);
    // And he may lock it for an edit (the lock ends with his transaction).
    adam.batch_execute(&format!("BEGIN; SELECT callback_desk.lock_account_for_edit({other_id}); ROLLBACK"))
        .await
        .unwrap();
}
