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
    let code = alice.ok(&["team", "invite", "--member", "vera", "--role", "viewer"]);
    viewer.ok(&["team", "join", "--invite", code.trim()]);

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
        let code = alice.ok(&["team", "invite", "--member", name, "--role", role]);
        m.ok(&["team", "join", "--invite", code.trim()]);
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
    let code = alice.ok(&["team", "invite", "--member", "bob", "--role", "operator"]);
    bob.ok(&["team", "join", "--invite", code.trim()]);
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

    // A bulk job's held-back call is requested and the job paused, counted as not sent (nothing left in
    // flight for a later start to count as unknown).
    let since = (now - 7200).to_string();
    let until = (now - 3600).to_string();
    let job = ["bulk", "run", "--account-id", account.trim(), "--operation", "resend-webhooks"];
    let refused = bob.refused(&[&job[..], &["--since", &since, "--until", &until]].concat());
    assert_eq!(refused["code"], "approval.awaiting");
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
    let code = alice.ok(&["team", "invite", "--member", "bob", "--role", "operator"]);
    bob.ok(&["team", "join", "--invite", code.trim()]);
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
    let code = alice.ok(&["team", "invite", "--member", "carol", "--role", "viewer"]);
    carol.ok(&["team", "join", "--invite", code.trim()]);
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
    let code = alice.ok(&["team", "invite", "--member", "bob", "--role", "operator"]);
    bob.ok(&["team", "join", "--invite", code.trim()]);
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
        let code = alice.ok(&["team", "invite", "--member", name, "--role", "operator"]);
        m.ok(&["team", "join", "--invite", code.trim()]);
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
    let code = alice.ok(&["team", "invite", "--member", "bob", "--role", "operator"]);
    bob.ok(&["team", "join", "--invite", code.trim()]);
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
    let code = alice.ok(&["team", "invite", "--member", "bob", "--role", "viewer"]);
    bob.ok(&["team", "join", "--invite", code.trim()]);
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
