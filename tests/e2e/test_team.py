"""End-to-end test of the team workspace: one app window and the command line, two members of one workspace
on a real PostgreSQL server, through four-eyes approvals in both directions.

Runs under scripts/with-postgres.sh (CALLBACK_DESK_TEST_POSTGRES_URL, a superuser's URL): the test makes a
database and its owner as a team's administrator would. Bob is the command line (a data folder of its own)
and creates the workspace; the window (Alice, a data folder of her own, started through a small launcher
that names it) joins with the invitation code Bob's `team invite` printed, pasted in Settings › Team. Both
installations share this session's keyring (one computer, two data folders). The server lets Alice's role in
only with a client certificate (scripts/with-postgres.sh's `cert` group; the certificate issued with openssl by
the server's throwaway authority): the window joins with the certificate, its key and that authority pasted
in the join form's "Client certificate" part, and the key is then nowhere in the page nor in a file of her data
folder.

- Bob's resend on a production account is held (`call` exits 3 with its approval id); the window's Approvals
  entry counts it, Alice approves it there; Bob's `approvals run` sends it, once.
- Alice's resend in the window is held ("Waiting for approval #N"); Bob approves it from the command line
  while the window is not focused: a desktop notification (dunst, started by run.sh) says so and, clicked, shows
  Approvals; Resend says it was approved; Alice sends it with "Send now" on the Approvals screen and sees its
  result; History shows the Member column.
- Alice invites a member from Settings › Team: the code is shown once; she shares an account with that member
  from its card, then removes them and is told which shared account's credentials to rotate.
- Alice takes Bob's share of that account back in its share dialog ("Take back"): the confirmation names the
  credentials to rotate; Bob's `call` on it is then refused with `team.share_missing`.
- On the shared account's card, Alice's "Team rules…" sets "every resend" (Bob's single resend there then
  waits for approval, and `team policy` shows it) and Bob's role there (as a viewer his resend is refused);
  both go back to the default in the same dialog.
- On the shared account, as an operator there (Bob's `team role`), Alice's card has no Edit nor Delete and says
  the account's admins manage it (photographed in every language and theme); as its admin again, she deletes
  it, and the team database refuses her once the undo time is over: a lasting message says the account was not
  deleted for the team and why, and the account is back on the screen at once.
- History's "Whole team" shows Bob's rows with his name, and only his with the Member filter.
- axe finds no serious or critical violation on the new screens in the Light and Dark themes; each is
  photographed in the three languages and both themes (target/screenshots/team-<theme>-<language>-<screen>.png).
"""

import base64
import csv
import io
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

from axe import audit, blocking, summary
from desktop import dunstctl, notification_history, notifications_shown
from test_accounts import CLI, set_value
from test_shell import APP, SERVER, SHOTS, catalog, check, finish, missing_keys, set_language
from test_theme import choose_theme
from test_workflows import click, exists, select_account, shot
from webdriver import Session, app_pids, instance_name_held

URL = os.environ.get("CALLBACK_DESK_TEST_POSTGRES_URL")
LANGS = ["en", "zh-CN", "pt-BR"]
THEMES = ["light", "dark"]
SHARED = "Cybavo shared with Alice"
ACCOUNT = "Team production"


def psql(sql):
    subprocess.run(["psql", URL, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, capture_output=True)


def team_database():
    """A database and its owner with CREATEROLE (what `team init` asks for); returns the owner's URL."""
    name = "e2e_team_" + os.urandom(3).hex()
    psql(f"CREATE ROLE {name}_dba LOGIN CREATEROLE PASSWORD 'dba-{name}'")
    psql(f"CREATE DATABASE {name} OWNER {name}_dba")
    host_port = URL.rsplit("@", 1)[1].split("/")[0]
    return f"postgres://{name}_dba:dba-{name}@{host_port}/{name}"


def cli(data, *args, expect=0):
    """Runs the command line on the data folder `data`; returns its output (JSON when it is)."""
    env = dict(os.environ, CALLBACK_DESK_DATA_DIR=data)
    out = subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == expect, f"{args}: exit {out.returncode}, expected {expect}: {out.stderr[-800:]}"
    text = out.stdout.strip()
    try:
        return json.loads(text)
    except ValueError:
        return text


def add_production_account(data, sandbox):
    """The sandbox's CYBAVO account, stored as a production account (any resend on it needs an approval)."""
    path = os.path.join(data, "cybavo-account.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(sandbox["cybavo"], f)
    return str(cli(data, "accounts", "add", "--account", path, "--label", ACCOUNT, "--environment", "production"))


def launcher(folder, data):
    """A program that starts the app on the data folder `data` (the driver starts the app it is given)."""
    path = os.path.join(folder, "callback-desk-alice")
    with open(path, "w", encoding="utf-8") as f:
        f.write(f"#!/bin/sh\nCALLBACK_DESK_DATA_DIR='{data}' exec '{APP}' \"$@\"\n")
    os.chmod(path, 0o755)
    return path


def cybavo_calls(root):
    """How many requests the sandbox's CYBAVO received."""
    return json.loads(urllib.request.urlopen(f"{root}/__sandbox/state", timeout=10).read())["calls"]["cybavo"]


def inject(root, fault):
    req = urllib.request.Request(f"{root}/__sandbox/faults", method="POST", data=json.dumps(fault).encode(),
                                 headers={"Content-Type": "application/json"})
    assert json.loads(urllib.request.urlopen(req, timeout=10).read())["pending_faults"], fault


def wait(find, what, timeout=30):
    """Polls `find` until it gives something true; returns it."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = find()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def approval(data, id_):
    return next(a for a in cli(data, "approvals", "list") if a["id"] == id_)


def unfocus_window():
    """Takes the keyboard focus away from every window (as clicking another application does), through libX11."""
    import ctypes
    import ctypes.util
    x = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    x.XOpenDisplay.restype = ctypes.c_void_p
    x.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x.XSetInputFocus.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_ulong]
    x.XFlush.argtypes = [ctypes.c_void_p]
    x.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = x.XOpenDisplay(None)
    assert display, "no X display"
    x.XSetInputFocus(display, 0, 0, 0)  # None, RevertToNone, CurrentTime
    x.XFlush(display)
    x.XCloseDisplay(display)


def issue_certificate(folder, role):
    """A client certificate for `role` (its common name) signed by the server's authority: (cert, key) texts."""
    key, csr, crt, ext = (os.path.join(folder, f"{role}.{e}") for e in ("key", "csr", "crt", "ext"))
    with open(ext, "w") as f:
        f.write("basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n")
    subprocess.run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-subj", f"/CN={role}", "-keyout", key, "-out", csr], check=True, capture_output=True)
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", os.environ["CALLBACK_DESK_TEST_POSTGRES_CA"],
                    "-CAkey", os.environ["CALLBACK_DESK_TEST_POSTGRES_CA_KEY"], "-CAcreateserial", "-CAserial",
                    os.path.join(folder, "serial"), "-days", "1", "-extfile", ext, "-out", crt],
                   check=True, capture_output=True)
    with open(crt) as c, open(key) as k:
        return c.read(), k.read()


def invited_role(code):
    """The login role an invitation code is for."""
    body = code.strip()[len("cbd-invite-1."):]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))["user"]


def files_contain(folder, text):
    for root, _, files in os.walk(folder):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                if text.encode() in f.read():
                    return True
    return False


def cli_error(data, *args):
    """Runs the command line expecting it to fail (exit 1); returns the error it printed."""
    env = dict(os.environ, CALLBACK_DESK_DATA_DIR=data)
    out = subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 1, f"{args}: exit {out.returncode}, expected 1: {out.stdout[-400:]} {out.stderr[-800:]}"
    return json.loads(out.stderr.strip().splitlines()[-1])["error"]


def open_rules(s, card):
    """Opens "Team rules…" on an account's card (on the Accounts screen) and waits for the rules."""
    open_screen(s, "accounts")
    click(s, card + " [data-testid=account-rules]")
    s.find("[data-testid=rules-dialog]")
    s.wait_for(lambda: exists(s, "[data-testid=rules-policy]") or exists(s, "[data-testid=rules-summary]"), "the rules", timeout=30)


def save_rules(s):
    click(s, "[data-testid=rules-save]")
    s.find("[data-testid=account-rules-saved]", timeout=30)
    s.wait_for(lambda: not exists(s, "[data-testid=rules-dialog]"), "the dialog closed")


def show_screen(s, screen):
    """A screen to audit and photograph: the sidebar's, History's whole-team scope, or the shared account's Team rules."""
    if screen == "history-team":
        open_screen(s, "history")
        click(s, "[data-testid=history-whose-team]")
        s.wait_for(lambda: exists(s, "[data-testid=history-member]"), "the team's rows", timeout=30)
    elif screen == "rules":
        open_screen(s, "accounts")
        open_rules(s, ".account-card[data-label='" + SHARED + "']")
    else:
        open_screen(s, screen)
    time.sleep(0.5)


def leave_screen(s, screen):
    if screen == "history-team":
        click(s, "[data-testid=history-whose-mine]")
    elif screen == "rules":
        click(s, "[data-testid=rules-cancel]")
        s.wait_for(lambda: not exists(s, "[data-testid=rules-dialog]"), "the dialog closed")


def open_screen(s, screen):
    click(s, f"[data-testid=nav-{screen}]")
    s.find(f"[data-testid=screen-{screen}]")


def row(s, id_):
    return f"[data-testid=approval-row][data-id='{id_}']"


def main():
    if not URL:
        print("FAIL test_team needs a PostgreSQL server: run under scripts/with-postgres.sh")
        return 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    folder = tempfile.mkdtemp(prefix="callback-desk-e2e-team-")
    alice, bob = os.path.join(folder, "alice"), os.path.join(folder, "bob")
    os.makedirs(alice)
    os.makedirs(bob)
    sandbox = subprocess.Popen([CLI, "sandbox"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    accounts = json.loads(sandbox.stdout.readline())
    s = None
    state = {}
    try:
        @check("Bob creates the workspace on the command line and invites Alice (admin); both have a production account")
        def _():
            cli(bob, "team", "init", "--database-url", team_database(), "--member", "bob")
            state["code"] = cli(bob, "team", "invite", "--member", "alice", "--role", "admin")
            assert str(state["code"]).startswith("cbd-invite-1."), state["code"]
            state["bob_account"] = add_production_account(bob, accounts)
            add_production_account(alice, accounts)
            # Alice's role is a certificate member: a client certificate alone lets it in, never a plain connection.
            role = invited_role(state["code"])
            psql(f"GRANT {os.environ['CALLBACK_DESK_TEST_POSTGRES_CERT_GROUP']} TO {role}")
            state["cert"], state["key"] = issue_certificate(folder, role)
            with open(os.environ["CALLBACK_DESK_TEST_POSTGRES_CA"]) as ca:
                state["ca"] = ca.read()

        s = Session(SERVER, launcher(folder, alice))

        @check("Settings › Team is solo at first and says so; Approvals is not offered")
        def _():
            set_language(s, "en")
            s.wait_for(lambda: s.attr("[data-testid=team-card]", "data-mode") == "solo", "solo team card")
            assert catalog("en")("team.solo_body") in s.text("[data-testid=team-solo]")
            assert not exists(s, "[data-testid=nav-approvals]")
            for lang in LANGS:
                set_language(s, lang)
                for theme in THEMES:
                    choose_theme(s, theme)
                    s.execute("document.querySelector('[data-testid=team-card]').scrollIntoView({block: 'start'});")
                    shot(s, f"team-{theme}-{lang}-solo.png")
                # The join form's optional client certificate part, opened.
                click(s, "[data-testid=team-tls-toggle]")
                s.find("[data-testid=team-tls-client_key-text]")
                for theme in THEMES:
                    choose_theme(s, theme)
                    s.execute("document.querySelector('[data-testid=team-tls-toggle]').scrollIntoView({block: 'start'});")
                    shot(s, f"team-{theme}-{lang}-join-certificate.png")
                click(s, "[data-testid=team-tls-toggle]")
                assert not missing_keys(s), missing_keys(s)
            choose_theme(s, "system")
            set_language(s, "en")

        @check("without her certificate the window cannot join, and says a client certificate is needed")
        def _():
            set_value(s, "[data-testid=team-join-code]", state["code"])
            click(s, "[data-testid=team-join]")
            s.wait_for(lambda: s.attr("[data-testid=team-join-error]", "data-code") == "team.client_cert_required",
                       "the certificate-required error", timeout=60)
            assert s.attr("[data-testid=team-card]", "data-mode") == "solo"

        @check("the window joins with the invitation code and her pasted client certificate, key and the team's authority")
        def _():
            click(s, "[data-testid=team-tls-toggle]")
            set_value(s, "[data-testid=team-tls-client_cert-text]", state["cert"])
            set_value(s, "[data-testid=team-tls-client_key-text]", state["key"])
            set_value(s, "[data-testid=team-tls-ca_cert-text]", state["ca"])
            s.execute("document.querySelector('[data-testid=team-tls-toggle]').scrollIntoView({block: 'start'});")
            shot(s, "team-join-certificate-filled.png")
            click(s, "[data-testid=team-join]")
            s.wait_for(lambda: s.attr("[data-testid=team-card]", "data-mode") == "team", "team mode", timeout=60)
            assert s.text("[data-testid=team-you]").startswith("alice"), s.text("[data-testid=team-you]")
            assert s.attr("[data-testid=team-connection]", "data-reachable") == "true"
            s.wait_for(lambda: s.execute(
                "return [...document.querySelectorAll('[data-testid=team-member]')].map(r => r.dataset.name + ':' + r.dataset.role).join(',');")
                == "alice:admin,bob:admin", "the two members")
            s.find("[data-testid=nav-approvals]")
            assert cli(bob, "team", "members") == [{"name": "alice", "role": "admin"}, {"name": "bob", "role": "admin"}]
            # The private key is cleared from the window and sealed in her vault, in no file as text.
            key_line = state["key"].splitlines()[1]
            assert key_line not in s.execute("return document.documentElement.outerHTML;")
            assert not files_contain(alice, key_line), "the private key in a file of Alice's data folder"

        @check("an account Bob shares with Alice reaches her window by itself, and works there")
        def _():
            open_screen(s, "accounts")
            card = ".account-card[data-label='" + SHARED + "']"
            assert not exists(s, card)
            path = os.path.join(bob, "shared-account.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(accounts["cybavo"], f)
            shared = str(cli(bob, "accounts", "add", "--account", path, "--label", SHARED))
            state["shared"] = shared
            cli(bob, "team", "share", "--account-id", shared, "--member", "alice")
            # The app looks at the workspace every 10 s; the screen reads the accounts again when one arrives.
            s.wait_for(lambda: exists(s, card), "the shared account on Alice's Accounts screen", timeout=40)
            # Its secrets were opened from Bob's sealed copy: the connection test signs with them and passes.
            click(s, card + " [data-testid=account-test]")
            s.wait_for(lambda: s.attr(card + " [data-testid=test-result]", "data-ok") == "true", "the test passes", timeout=40)

        @check("on a shared account Alice is not an admin of, its card says its admins manage it: no Edit, no Delete (photographed)")
        def _():
            card = ".account-card[data-label='" + SHARED + "']"
            open_screen(s, "accounts")
            s.find(card + " [data-testid=account-edit]", timeout=30)
            cli(bob, "team", "role", "--account-id", state["shared"], "--member", "alice", "--role", "operator")
            # The open screen follows the new role by itself (the app looks at the team database every 10 s).
            s.wait_for(lambda: exists(s, card + " [data-testid=account-managed]"), "the card's managed line", timeout=30)
            assert not exists(s, card + " [data-testid=account-edit]") and not exists(s, card + " [data-testid=account-delete]")
            assert exists(s, card + " [data-testid=account-rules]") and exists(s, card + " [data-testid=account-test]")
            try:
                assert s.text(card + " [data-testid=account-managed]") == catalog("en")("accounts.managed_by_admins")
                for lang in LANGS:
                    set_language(s, lang)
                    for theme in THEMES:
                        choose_theme(s, theme)
                        open_screen(s, "accounts")
                        s.find(card + " [data-testid=account-managed]", timeout=30)
                        s.execute("document.querySelector(arguments[0]).scrollIntoView({block: 'start'});", card)
                        shot(s, f"team-{theme}-{lang}-card-managed.png")
                    assert not missing_keys(s), missing_keys(s)
            finally:
                choose_theme(s, "system")
                set_language(s, "en")
                cli(bob, "team", "role", "--account-id", state["shared"], "--member", "alice", "--role", "workspace")
            open_screen(s, "accounts")
            s.wait_for(lambda: exists(s, card + " [data-testid=account-edit]"), "Edit, for an admin of the account", timeout=30)
            assert not exists(s, card + " [data-testid=account-managed]")

        @check("a delete of the shared account the team database refuses once its undo time is over is told, and the account is back")
        def _():
            card = ".account-card[data-label='" + SHARED + "']"
            account_id = s.attr(card, "data-testid").removeprefix("account-")
            click(s, card + " [data-testid=account-delete]")
            set_value(s, card + " [data-testid=delete-typed]", SHARED)
            click(s, card + " [data-testid=delete-confirm-button]")
            s.find("[data-testid=account-deleted]")
            # During the undo time the team database stops letting Alice in.
            alice_role = invited_role(state["code"])
            psql(f"ALTER ROLE {alice_role} NOLOGIN")
            try:
                told = f"[data-testid=account-not-deleted-{account_id}]"
                s.wait_for(lambda: exists(s, told), "the delete that did not happen, told", timeout=40)
                text = s.text(told)
                assert SHARED in text and catalog("en")("toast.account_not_deleted_team").split("“")[0] in text, text
                assert "refused this member's credentials" in text, text
                s.wait_for(lambda: exists(s, card), "the account shown again", timeout=10)
                shot(s, "team-delete-not-done.png")
                click(s, f"[data-testid=toast-account-not-deleted-{account_id}] [data-testid=toast-dismiss]")
            finally:
                psql(f"ALTER ROLE {alice_role} LOGIN")
            assert any(a["label"] == SHARED for a in cli(bob, "accounts", "list")), "still there for the team"

        @check("Bob's bulk job on the shared account shows in Alice's window, with Bob as its runner and its progress")
        def _():
            open_screen(s, "resend")
            bob_shared = next(a for a in cli(bob, "accounts", "list") if a["label"] == SHARED)
            cli(bob, "bulk", "run", "--account-id", str(bob_shared["id"]), "--operation",
                "resend-withdrawal-callbacks", "--params", '{"serials": [90000000002, 90000000003]}')
            job = cli(bob, "bulk", "list", "--team")[0]
            assert (job["runner"], job["state"], job["done"], job["ok"]) == ("bob", "done", 2, 2), job
            card = f"[data-testid=team-job-{job['id']}]"
            # The app looks at the workspace every 10 s and says when the team's jobs changed.
            s.wait_for(lambda: exists(s, card), "Bob's job in Alice's bulk jobs", timeout=40)
            # A look may have caught the job between its two calls: the next one (10 s later) shows it done.
            s.wait_for(lambda: s.text(card + " [data-testid=team-job-runner]") == "Last run by bob",
                       "Bob's job shown done", timeout=40)
            assert s.text(card + " [data-testid=team-job-progress]").startswith("2 of 2 calls · 2 ok"), s.text(card)
            for lang in LANGS:
                set_language(s, lang)
                open_screen(s, "resend")
                s.find(card, timeout=20)
                s.execute("document.querySelector('[data-testid=team-jobs-panel]').scrollIntoView({block: 'start'});")
                shot(s, f"team-jobs-{lang}.png")
                assert not missing_keys(s), missing_keys(s)
            set_language(s, "en")

        @check("Bob's job whose app was killed mid-call is taken over from Alice's window: one unknown, each call sent once")
        def _():
            root = "/".join(accounts["cybavo"]["base_url"].split("/")[:3])
            before = cybavo_calls(root)
            bob_shared = next(a for a in cli(bob, "accounts", "list") if a["label"] == SHARED)
            # The provider holds Bob's first call; his lease is short, so it runs out soon after he is killed.
            inject(root, {"provider": "cybavo", "kind": "delay", "ms": 600000})
            runner = subprocess.Popen(
                [CLI, "bulk", "run", "--account-id", str(bob_shared["id"]), "--operation", "resend-withdrawal-callbacks",
                 "--params", '{"serials": [90000000004, 90000000005, 90000000006]}'],
                env=dict(os.environ, CALLBACK_DESK_DATA_DIR=bob, CALLBACK_DESK_TEAM_JOB_LEASE_MS="1500"),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                job = wait(lambda: next((j for j in cli(bob, "bulk", "list", "--team")
                                         if j["in_flight"] == 0 and cybavo_calls(root) == before + 1), None),
                           "Bob's first call in flight at the provider")
            finally:
                runner.kill()  # SIGKILL: his app is gone, the call at the provider with it
                runner.wait()
            wait(lambda: next(j for j in cli(alice, "bulk", "list", "--team") if j["id"] == job["id"])["takeable"],
                 "Bob's lease ran out")
            card = f"[data-testid=team-job-{job['id']}]"
            # Photographed in each language, English last: there Alice confirms.
            for lang in ["zh-CN", "pt-BR", "en"]:
                set_language(s, lang)
                open_screen(s, "resend")
                click(s, card + " [data-testid=team-job-take-over]")
                s.find("[data-testid=team-take-over-dialog]")
                shot(s, f"team-take-over-{lang}.png")
                assert not missing_keys(s), missing_keys(s)
                if lang != "en":
                    click(s, "[data-testid=team-take-over-cancel]")
                    s.wait_for(lambda: not exists(s, "[data-testid=team-take-over-dialog]"), "the dialog closed")
            en = catalog("en")
            assert s.text("[data-testid=team-take-over-in-flight]") == en("bulk.team_job_take_over_in_flight").replace("{{n}}", "1")
            click(s, "[data-testid=team-take-over-confirm]")
            s.wait_for(lambda: not exists(s, "[data-testid=team-take-over-dialog]"), "the job taken over")
            # It runs as Alice's own job: in her Jobs list, to its end.
            mine = "[data-testid=job-card][data-operation=resend-withdrawal-callbacks]"
            s.wait_for(lambda: exists(s, mine + "[data-state=done]"), "the job done in Alice's Jobs list", timeout=60)
            assert s.text(mine + " [data-testid=job-unknown]") == en("bulk.count_unknown").replace("{{n}}", "1"), s.text(mine)
            done = cli(alice, "bulk", "list")[0]
            assert (done["state"], done["ok"], done["failed"], done["unknown"]) == ("done", 2, 0, 1), done
            assert cybavo_calls(root) == before + 3, "each call reached the provider once"
            seen = next(j for j in cli(bob, "bulk", "list", "--team") if j["id"] == job["id"])
            assert (seen["state"], seen["runner"], seen["done"], seen["unknown"]) == ("done", "alice", 3, 1), seen
            set_language(s, "en")

        @check("Alice sets \"every resend\" in the shared account's Team rules: Bob's single resend on it then waits for approval")
        def _():
            card = ".account-card[data-label='" + SHARED + "']"
            params = '{"notification_id": 90000000150}'
            open_rules(s, card)
            # The rules in words: this account's resends can be held for being broad (notification ID 0).
            assert s.text("[data-testid=rules-reason-broad_value]") == catalog("en")("team.rules.reason.broad_value")
            assert s.execute("return document.querySelector('[data-testid=rules-mode-default] input').checked;")
            click(s, "[data-testid=rules-mode-every] input")
            shot(s, "team-rules-every.png")
            save_rules(s)
            assert cli(bob, "team", "policy", "--account-id", state["shared"]) == {"every_resend": True, "waive": []}
            held = cli(bob, "call", "--account-id", state["shared"], "--operation", "resend-withdrawal-callbacks",
                       "--params", params, expect=3)
            assert held["outcome"] == "awaiting_approval", held
            # Not this test's business: Alice turns it down, so that the count below is Bob's next request only.
            cli(alice, "approvals", "reject", str(held["approval_id"]), "--reason", "a test of the rules")
            state["rules_request"] = held["approval_id"]

        @check("Alice makes Bob a viewer on the shared account in Team rules: his resend there is refused; back to the defaults, it goes")
        def _():
            card = ".account-card[data-label='" + SHARED + "']"
            params = '{"notification_id": 90000000151}'
            open_rules(s, card)
            bob_role = "[data-testid=rules-member][data-name=bob] [data-testid=rules-role]"
            assert s.execute("return document.querySelector(arguments[0]).value;", bob_role) == "workspace"
            assert s.execute("return document.querySelector('[data-testid=rules-mode-every] input').checked;")
            set_value(s, bob_role, "viewer")
            save_rules(s)
            error = cli_error(bob, "call", "--account-id", state["shared"], "--operation", "resend-withdrawal-callbacks",
                              "--params", params)
            assert error["code"] == "team.permission_denied" and error["params"].get("role") == "operator", error
            # The same dialog takes both back: Bob's team role there again, and the default rules.
            open_rules(s, card)
            assert s.execute("return document.querySelector(arguments[0]).value;", bob_role) == "viewer"
            set_value(s, bob_role, "workspace")
            click(s, "[data-testid=rules-mode-default] input")
            save_rules(s)
            assert cli(bob, "team", "policy", "--account-id", state["shared"]) == {"every_resend": False, "waive": []}
            sent = cli(bob, "call", "--account-id", state["shared"], "--operation", "resend-withdrawal-callbacks",
                       "--params", params)
            assert sent["outcome"] == "ok", sent

        @check("Bob's production resend is held for approval (exit 3) and the window counts it as waiting for Alice")
        def _():
            held = cli(bob, "call", "--account-id", state["bob_account"], "--operation", "resend-withdrawal-callbacks",
                       "--params", '{"notification_id": 90000000139}', expect=3)
            assert held["outcome"] == "awaiting_approval", held
            state["bob_request"] = held["approval_id"]
            s.wait_for(lambda: exists(s, "[data-testid=nav-approvals-waiting]")
                       and s.text("[data-testid=nav-approvals-waiting]") == "1", "the Approvals count", timeout=40)

        @check("Alice approves Bob's request on the Approvals screen; she cannot run it")
        def _():
            open_screen(s, "approvals")
            r = row(s, state["bob_request"])
            s.find(r)
            text = s.text(r)
            assert "bob" in text and ACCOUNT in text and "90000000139" in text, text
            assert not exists(s, f"{r} [data-testid=approval-run]")
            shot(s, "team-approvals-pending.png")
            click(s, f"{r} [data-testid=approval-approve]")
            s.wait_for(lambda: s.attr(r, "data-status") == "approved", "approved")
            assert not exists(s, "[data-testid=nav-approvals-waiting]")
            assert approval(bob, state["bob_request"])["status"] == "approved"

        @check("Bob's `approvals run` sends it, once; a second run is refused")
        def _():
            out = cli(bob, "approvals", "run", str(state["bob_request"]))
            assert out["outcome"] == "ok", out
            cli(bob, "approvals", "run", str(state["bob_request"]), expect=1)
            assert approval(bob, state["bob_request"])["status"] == "executed"
            s.wait_for(lambda: s.attr(row(s, state["bob_request"]), "data-status") == "executed",
                       "the window sees it sent", timeout=40)

        @check("Alice's resend in the window waits for approval: not an error, not a result, a way to Approvals")
        def _():
            open_screen(s, "resend")
            select_account(s, ACCOUNT)
            s.find("[data-testid=op-notification_id]", timeout=20)
            set_value(s, "[data-testid=op-notification_id]", "90000000140")
            click(s, "[data-testid=resend-go]")
            s.find("[data-testid=confirm-dialog]")
            click(s, "[data-testid=confirm-send]")
            s.wait_for(lambda: exists(s, "[data-testid=resend-awaiting]"), "waiting for approval", timeout=40)
            state["alice_request"] = int(s.attr("[data-testid=resend-awaiting]", "data-approval-id"))
            assert f"#{state['alice_request']}" in s.text("[data-testid=resend-awaiting]")
            assert not exists(s, "[data-testid=resend-error]") and not exists(s, "[data-testid=result-panel]")
            shot(s, "team-resend-awaiting.png")

        @check("Bob approves it on the command line while the window is in the background: a notification tells Alice, and opens Approvals")
        def _():
            dunstctl("close-all")
            before = len(notification_history())
            unfocus_window()
            cli(bob, "approvals", "approve", str(state["alice_request"]))
            s.wait_for(lambda: notifications_shown() > 0, "a notification", timeout=40)
            # The notification's default action, as a click on it.
            dunstctl("action", "0")
            s.wait_for(lambda: s.text("[data-testid=screen-title]") == catalog("en")("screens.approvals.title"),
                       "Approvals shown by the notification")
            dunstctl("close-all")
            history = s.wait_for(lambda: notification_history()[: len(notification_history()) - before],
                                 "the notification in dunst's history")
            summary_, body = history[0]
            assert summary_ == catalog("en")("notifications.approval_approved_title").replace("{{id}}", str(state["alice_request"])), history
            assert "bob" in body and ACCOUNT in body, body

        @check("Resend says the request was approved; Alice sends it with Send now and sees its result, once")
        def _():
            open_screen(s, "resend")
            s.wait_for(lambda: s.attr("[data-testid=resend-awaiting]", "data-status") == "approved", "approved, on Resend")
            click(s, "[data-testid=resend-open-approvals]")
            s.find("[data-testid=screen-approvals]")
            r = row(s, state["alice_request"])
            s.wait_for(lambda: exists(s, f"{r} [data-testid=approval-run]"), "Send now", timeout=40)
            click(s, f"{r} [data-testid=approval-run]")
            s.wait_for(lambda: exists(s, "[data-testid=approval-result]"), "the result", timeout=40)
            assert s.attr("[data-testid=approval-result]", "data-outcome") == "ok"
            s.wait_for(lambda: s.attr(r, "data-status") == "executed", "sent")
            assert not exists(s, f"{r} [data-testid=approval-run]")
            assert approval(bob, state["alice_request"])["status"] == "executed"
            shot(s, "team-approvals-result.png")
            # Back on Resend, the request's panel says it was sent.
            open_screen(s, "resend")
            s.wait_for(lambda: s.attr("[data-testid=resend-awaiting]", "data-status") == "executed", "sent, on Resend")

        @check("an approved request the account's budget holds back says when it may go; nothing is sent")
        def _():
            mine = next(a for a in cli(alice, "accounts", "list") if a["label"] == ACCOUNT and a["team_account_id"] is None)
            account_id = str(mine["id"])
            # One call a minute (an approval binds the account as it is, so the number is set first).
            limit = os.path.join(alice, "one-a-minute.json")
            with open(limit, "w", encoding="utf-8") as f:
                json.dump({"calls_per_minute": 1}, f)
            cli(alice, "accounts", "edit", account_id, "--account", limit)
            try:
                held = cli(alice, "call", "--account-id", account_id, "--operation", "resend-withdrawal-callbacks",
                           "--params", '{"notification_id": 90000000141}', expect=3)
                request = state["budget_request"] = held["approval_id"]
                cli(bob, "approvals", "approve", str(request))
                # A look-up takes the minute's call (or finds it taken by the resend before).
                env = dict(os.environ, CALLBACK_DESK_DATA_DIR=alice)
                subprocess.run([CLI, "call", "--account-id", account_id, "--operation", "query-callbacks",
                                "--params", '{"ids": [90000000001]}'], env=env, capture_output=True, timeout=120)
                root = "/".join(accounts["cybavo"]["base_url"].split("/")[:3])
                calls = cybavo_calls(root)
                open_screen(s, "approvals")
                r = row(s, request)
                s.wait_for(lambda: exists(s, f"{r} [data-testid=approval-run]"), "Send now", timeout=40)
                click(s, f"{r} [data-testid=approval-run]")
                s.wait_for(lambda: s.attr(f"{r} [data-testid=approval-run]", "data-wait"), "the wait on the button")
                assert s.execute("return document.querySelector(arguments[0]).disabled;", f"{r} [data-testid=approval-run]")
                t = catalog("en")
                assert s.text(f"{r} [data-testid=approval-run]").startswith(t("confirm.possible_in").split("{{")[0]), \
                    s.text(f"{r} [data-testid=approval-run]")
                assert "budget.wait" not in s.text("[data-testid=approvals-error]")
                assert cybavo_calls(root) == calls, "nothing sent"
                assert approval(bob, request)["status"] == "approved", "the approval stands"
                shot(s, "team-approvals-budget-wait.png")
            finally:
                with open(limit, "w", encoding="utf-8") as f:
                    json.dump({"calls_per_minute": ""}, f)
                cli(alice, "accounts", "edit", account_id, "--account", limit)

        @check("an approval of an account edited since (the limit set back) offers no Send now and says why")
        def _():
            open_screen(s, "approvals")
            r = row(s, state["budget_request"])
            # The app looks at the workspace every 10 s and lists the approvals again.
            s.wait_for(lambda: exists(s, f"{r} [data-testid=approval-account-changed]"), "the account-changed note", timeout=40)
            assert not exists(s, f"{r} [data-testid=approval-run]")
            assert s.attr(r, "data-status") == "approved"
            assert s.text(f"{r} [data-testid=approval-status]") == catalog("en")("approvals.status.account_changed")
            for lang in LANGS:
                set_language(s, lang)
                open_screen(s, "approvals")
                note = f"{r} [data-testid=approval-account-changed]"
                s.wait_for(lambda: exists(s, note) and s.text(note) == catalog(lang)("approvals.account_changed"),
                           f"the note in {lang}", timeout=20)
                s.execute("document.querySelector(arguments[0]).scrollIntoView({block: 'center'});", r)
                shot(s, f"team-approvals-account-changed-{lang}.png")
                assert not missing_keys(s), missing_keys(s)
            set_language(s, "en")

        @check("History shows the Member column with Alice")
        def _():
            open_screen(s, "history")
            s.wait_for(lambda: exists(s, "[data-testid=history-member]"), "member column", timeout=20)
            assert s.text("[data-testid=history-member-col]") == catalog("en")("history.col.member")
            assert s.text("[data-testid=history-member]") == "alice"

        @check("History's Whole team shows Bob's rows with his name; the Member filter keeps his alone")
        def _():
            open_screen(s, "history")
            click(s, "[data-testid=history-whose-team]")
            members = "return [...document.querySelectorAll('[data-testid=history-member]')].map(c => c.textContent);"
            s.wait_for(lambda: "bob" in s.execute(members) and "alice" in s.execute(members), "Bob's and Alice's rows", timeout=30)
            assert s.text("[data-testid=history-member-col]") == catalog("en")("history.col.member")
            set_value(s, "[data-testid=filter-member]", "bob")
            s.wait_for(lambda: set(s.execute(members)) == {"bob"}, "Bob's rows only", timeout=30)
            # His resend the policy let through, on the shared account, is among them.
            labels = s.execute("return [...document.querySelectorAll('[data-testid=history-row] .history-account .cell-main')].map(c => c.textContent);")
            assert SHARED in labels, labels
            shot(s, "team-history-whole-team.png")
            # Exported as shown, for an auditor: Bob's rows in words, each naming him.
            click(s, "[data-testid=history-export]")
            s.find("[data-testid=export-done]", timeout=30)
            path = s.attr("[data-testid=export-done]", "data-path")
            assert "team-history" in path, path
            rows = list(csv.reader(io.StringIO(pathlib.Path(path).read_text(encoding="utf-8-sig"), newline="")))
            en = catalog("en")
            assert rows[0][2] == en("history.col.member"), rows[0]
            assert len(rows) - 1 == len(s.execute(members)), (len(rows), rows[:3])
            assert {r[2] for r in rows[1:]} == {"bob"} and SHARED in {r[3] for r in rows[1:]}, rows[:5]
            set_value(s, "[data-testid=filter-member]", "")
            click(s, "[data-testid=history-whose-mine]")
            s.wait_for(lambda: "alice" in s.execute(members) and "bob" not in s.execute(members), "Alice's own history again", timeout=30)

        @check("Alice invites a member from Settings › Team; the code is shown once")
        def _():
            open_screen(s, "settings")
            s.find("[data-testid=team-invite-name]", timeout=30)
            set_value(s, "[data-testid=team-invite-name]", "carol")
            set_value(s, "[data-testid=team-invite-role]", "approver")
            click(s, "[data-testid=team-invite]")
            s.find("[data-testid=team-invite-code]")
            code = s.execute("return document.querySelector('[data-testid=team-invite-code-text]').value;")
            assert code.startswith("cbd-invite-1."), code
            state["carol_code"] = code
            # The picture shows the dialog, not the code (it opens the workspace as carol).
            s.execute("document.querySelector('[data-testid=team-invite-code-text]').value = 'cbd-invite-1.' + '•'.repeat(60);")
            shot(s, "team-invite-code.png")
            click(s, "[data-testid=team-invite-done]")
            s.wait_for(lambda: not exists(s, "[data-testid=team-invite-code]"), "dialog closed")
            assert "cbd-invite-1." not in s.execute("return document.body.innerText;")
            s.wait_for(lambda: exists(s, "[data-testid=team-member][data-name=carol]"), "carol listed")

        @check("Alice shares an account with Carol from its card, then removes Carol and is told what to rotate")
        def _():
            carol = os.path.join(folder, "carol")
            os.makedirs(carol)
            cli(carol, "team", "join", "--invite", state["carol_code"])
            open_screen(s, "accounts")
            card = ".account-card[data-label='" + SHARED + "']"
            click(s, card + " [data-testid=account-share]")
            s.find("[data-testid=share-dialog]")
            s.wait_for(lambda: s.execute(
                "return [...document.querySelectorAll('[data-testid=share-member] option')].map(o => o.value).sort().join(',');")
                == "bob,carol", "bob and carol offered")
            set_value(s, "[data-testid=share-member]", "carol")
            shot(s, "team-share-dialog.png")
            click(s, "[data-testid=share-confirm]")
            s.find("[data-testid=account-shared]", timeout=30)
            listed = cli(carol, "accounts", "list")
            assert any(a["label"] == SHARED and a["team_account_id"] for a in listed), listed

            open_screen(s, "settings")
            row_css = "[data-testid=team-member][data-name=carol]"
            s.find(row_css, timeout=30)
            assert not exists(s, "[data-testid=team-member][data-name=alice] [data-testid=team-remove]"), "alice removes herself"
            click(s, row_css + " [data-testid=team-remove]")
            s.find("[data-testid=team-remove-dialog]")
            click(s, "[data-testid=team-remove-confirm]")
            s.find("[data-testid=team-removed]", timeout=30)
            s.wait_for(lambda: s.execute(
                "return [...document.querySelectorAll('[data-testid=team-rotate-account]')].map(e => e.dataset.label).join(',');")
                == SHARED, "the shared account to rotate")
            shot(s, "team-removed-rotate.png")
            click(s, "[data-testid=team-removed-done]")
            s.wait_for(lambda: not exists(s, row_css), "carol no longer listed")
            cli(carol, "team", "members", expect=1)

        @check("Alice takes Bob's share back in the share dialog; it names the credentials to rotate; Bob's call is refused")
        def _():
            lookup = ["call", "--account-id", state["shared"], "--operation", "query-callbacks",
                      "--params", '{"ids": [90000000001]}']
            assert cli(bob, *lookup)["outcome"] == "ok"
            open_screen(s, "accounts")
            card = ".account-card[data-label='" + SHARED + "']"
            click(s, card + " [data-testid=account-share]")
            s.find("[data-testid=share-dialog]")
            holder = "[data-testid=share-holder][data-member=bob]"
            s.find(holder, timeout=30)
            assert not exists(s, "[data-testid=share-holder][data-member=alice]"), "her own copy is not offered"
            en = catalog("en")
            click(s, holder + " [data-testid=share-take-back]")
            s.find("[data-testid=take-back-confirm]")
            text = s.text("[data-testid=take-back-confirm]")
            assert "bob" in text and SHARED in text and en("fields.api_code") in text and en("fields.api_secret") in text, text
            shot(s, "team-take-back-confirm.png")
            click(s, "[data-testid=take-back-confirm-button]")
            s.find("[data-testid=taken-back]", timeout=30)
            done = s.text("[data-testid=taken-back]")
            assert "bob" in done and en("fields.api_code") in done and en("fields.api_secret") in done, done
            s.wait_for(lambda: not exists(s, holder), "bob no longer holds a share")
            assert not missing_keys(s), missing_keys(s)
            shot(s, "team-taken-back.png")
            click(s, "[data-testid=share-cancel]")
            env = dict(os.environ, CALLBACK_DESK_DATA_DIR=bob)
            out = subprocess.run([CLI, *lookup], env=env, capture_output=True, text=True, timeout=120)
            assert out.returncode == 1, out
            assert json.loads(out.stderr.strip().splitlines()[-1])["error"]["code"] == "team.share_missing", out.stderr

        @check("a request of each member waits (for the pictures): Alice's on Resend, Bob's to decide")
        def _():
            cli(bob, "call", "--account-id", state["bob_account"], "--operation", "resend-withdrawal-callbacks",
                "--params", '{"notification_id": 90000000142}', expect=3)
            open_screen(s, "resend")
            select_account(s, ACCOUNT)
            s.find("[data-testid=op-notification_id]", timeout=20)
            set_value(s, "[data-testid=op-notification_id]", "90000000141")
            click(s, "[data-testid=resend-go]")
            s.find("[data-testid=confirm-dialog]")
            click(s, "[data-testid=confirm-send]")
            s.wait_for(lambda: s.attr("[data-testid=resend-awaiting]", "data-status") == "pending", "waiting", timeout=40)

        @check("axe finds no serious or critical violation on the team screens, Light and Dark")
        def _():
            found = []
            for theme in THEMES:
                choose_theme(s, theme)
                for screen in ["settings", "approvals", "history", "resend", "history-team", "rules"]:
                    show_screen(s, screen)
                    result = audit(s)
                    print(f"     axe {theme} {screen}: {summary(result)}", flush=True)
                    found += blocking(result)
                    leave_screen(s, screen)
            choose_theme(s, "system")
            assert not found, "\n".join(found)

        @check("the team screens read in every language and theme (photographed)")
        def _():
            for lang in LANGS:
                set_language(s, lang)
                for theme in THEMES:
                    choose_theme(s, theme)
                    for screen in ["settings", "approvals", "history", "resend", "history-team", "rules"]:
                        show_screen(s, screen)
                        if screen in ("history-team", "rules"):
                            pass
                        elif screen in ("settings", "resend"):
                            panel = "[data-testid=team-card][data-mode=team]" if screen == "settings" else "[data-testid=resend-awaiting]"
                            s.find(panel)
                            s.execute("document.querySelector(arguments[0]).scrollIntoView({block: 'start'});", panel)
                        else:
                            time.sleep(0.5)
                        shot(s, f"team-{theme}-{lang}-{screen}.png")
                        leave_screen(s, screen)
                assert not missing_keys(s), missing_keys(s)
            choose_theme(s, "system")
            set_language(s, "en")

        @check("Alice's waiting request says so once her account is edited: it no longer covers it (photographed)")
        def _():
            mine = next(a for a in cli(alice, "accounts", "list") if a["label"] == ACCOUNT and a["team_account_id"] is None)
            # A request binds the account as it was (its fields, not its notes): a new limit voids it.
            limit = os.path.join(alice, "thirty-a-minute.json")
            with open(limit, "w", encoding="utf-8") as f:
                json.dump({"calls_per_minute": 30}, f)
            cli(alice, "accounts", "edit", str(mine["id"]), "--account", limit)
            panel = "[data-testid=resend-awaiting]"
            # In each language (the card's look is the one photographed above in each theme).
            for lang in LANGS:
                set_language(s, lang)
                show_screen(s, "resend")
                # At the app's next look at the workspace (every 10 s).
                s.wait_for(lambda: s.attr(panel, "data-status") == "account_changed", "no longer valid", timeout=40)
                assert catalog(lang)("resend.awaiting_account_changed") in s.text(panel), s.text(panel)
                assert s.text(f"{panel} [data-testid=approval-status]") == catalog(lang)("approvals.status.account_changed")
                s.execute("document.querySelector(arguments[0]).scrollIntoView({block: 'start'});", panel)
                shot(s, f"team-{lang}-resend-account-changed.png")
                assert not missing_keys(s), missing_keys(s)
            set_language(s, "en")
    finally:
        if s is not None:
            s.close()
            deadline = time.time() + 20
            while (app_pids(APP, alice) or instance_name_held(alice)) and time.time() < deadline:
                time.sleep(0.1)
        sandbox.kill()
        sandbox.wait()
        shutil.rmtree(folder, ignore_errors=True)
    return finish()


if __name__ == "__main__":
    sys.exit(main())
