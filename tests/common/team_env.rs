//! Team members for tests and benchmarks: each one installation with its own data folder and its own
//! keyring (a private D-Bus session with a gnome-keyring unlocked in it), run as separate CLI processes;
//! a database per test made as a team's administrator would; connections with a role's own credentials.
//! Needs a server: run under `scripts/with-postgres.sh`, which sets CALLBACK_DESK_TEST_POSTGRES_URL (a
//! superuser's URL).

#![allow(dead_code)]

use serde_json::Value;
use std::process::{Command, Stdio};
use tokio_postgres::NoTls;

pub const CLI: &str = env!("CARGO_BIN_EXE_callback-desk-cli");
pub const URL_ENV: &str = "CALLBACK_DESK_TEST_POSTGRES_URL";

/// A private Secret Service: a D-Bus session daemon of its own with a gnome-keyring unlocked in it. The
/// keyring daemon leaves when its bus goes; the bus is stopped (by its process id) on drop.
pub struct Keyring {
    home: tempfile::TempDir,
    pub bus_address: String,
    bus_pid: i32,
}

impl Keyring {
    pub fn start() -> Keyring {
        let home = tempfile::tempdir().unwrap();
        let (data, runtime) = (home.path().join("data"), home.path().join("runtime"));
        std::fs::create_dir_all(&data).unwrap();
        std::fs::create_dir_all(&runtime).unwrap();
        let out = Command::new("dbus-daemon")
            .args(["--session", "--fork", "--nopidfile", "--print-address=1", "--print-pid=1"])
            .env("XDG_RUNTIME_DIR", &runtime)
            .output()
            .expect("dbus-daemon (scripts/setup.sh installs it)");
        let text = String::from_utf8(out.stdout).unwrap();
        let mut lines = text.lines();
        let bus_address = lines.next().expect("bus address").to_owned();
        let bus_pid: i32 = lines.next().expect("bus pid").trim().parse().unwrap();
        let keyring = Keyring { home, bus_address, bus_pid };
        let mut daemon = Command::new("gnome-keyring-daemon")
            .args(["--unlock", "--components=secrets"])
            .env("DBUS_SESSION_BUS_ADDRESS", &keyring.bus_address)
            .env("XDG_DATA_HOME", &data)
            .env("XDG_RUNTIME_DIR", &runtime)
            .env("HOME", keyring.home.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("gnome-keyring-daemon (scripts/setup.sh installs it)");
        use std::io::Write;
        daemon.stdin.take().unwrap().write_all(b"member-keyring-password").unwrap();
        assert!(daemon.wait().unwrap().success(), "gnome-keyring-daemon did not start");
        // The daemon owns the Secret Service's name on the bus a moment after it answers: wait for it, so that
        // no command of the member finds the bus without a keyring.
        loop {
            let owned = Command::new("dbus-send")
                .args([
                    "--session",
                    "--print-reply",
                    "--dest=org.freedesktop.DBus",
                    "/org/freedesktop/DBus",
                    "org.freedesktop.DBus.NameHasOwner",
                    "string:org.freedesktop.secrets",
                ])
                .env("DBUS_SESSION_BUS_ADDRESS", &keyring.bus_address)
                .output()
                .expect("dbus-send");
            if String::from_utf8_lossy(&owned.stdout).contains("boolean true") {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        keyring
    }
}

impl Drop for Keyring {
    fn drop(&mut self) {
        // SAFETY: a signal to the bus daemon this keyring started (its id as it printed it).
        unsafe { libc::kill(self.bus_pid, libc::SIGTERM) };
    }
}

/// One installation: a data folder and a keyring of its own.
pub struct Member {
    pub data: tempfile::TempDir,
    pub keyring: Keyring,
}

impl Member {
    pub fn new() -> Member {
        Member { data: tempfile::tempdir().unwrap(), keyring: Keyring::start() }
    }

    /// The CLI as this installation, with `args`.
    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(CLI);
        command
            .args(args)
            .env("CALLBACK_DESK_DATA_DIR", self.data.path())
            .env("DBUS_SESSION_BUS_ADDRESS", &self.keyring.bus_address);
        command
    }

    /// Starts the CLI as this installation without waiting for it (its output is kept for `wait_with_output`).
    pub fn start(&self, args: &[&str]) -> std::process::Child {
        self.command(args).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap()
    }

    /// Runs the CLI as this installation; returns (exit code, stdout, stderr).
    pub fn cli(&self, args: &[&str]) -> (i32, String, String) {
        let out = self.command(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into(),
            String::from_utf8_lossy(&out.stderr).into(),
        )
    }

    /// Runs the CLI; it must succeed. Returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let (code, out, err) = self.cli(args);
        assert_eq!(code, 0, "{args:?}: {err}");
        out
    }

    /// Runs the CLI; it must fail with exit 1. Returns the error object it printed.
    pub fn refused(&self, args: &[&str]) -> Value {
        let (code, _, err) = self.cli(args);
        assert_eq!(code, 1, "{args:?} should fail: {err}");
        let line = err.lines().last().unwrap_or_default();
        serde_json::from_str::<Value>(line).unwrap_or_else(|_| panic!("not an error object: {err}"))["error"].clone()
    }
}

/// A database of its own for one test, owned by a role with CREATEROLE (what `team init` asks for):
/// returns that owner's URL.
pub async fn team_database(name: &str) -> String {
    let admin =
        std::env::var(URL_ENV).unwrap_or_else(|_| panic!("{URL_ENV} is not set: run under scripts/with-postgres.sh"));
    let (client, conn) = tokio_postgres::connect(&admin, NoTls).await.unwrap();
    tokio::spawn(conn);
    let owner = format!("{name}_dba");
    // One statement each: CREATE DATABASE cannot run in a transaction (a batch is one).
    for sql in [
        format!("CREATE ROLE {owner} LOGIN CREATEROLE PASSWORD 'dba-password-{name}'"),
        format!("CREATE DATABASE {name} OWNER {owner}"),
    ] {
        client.batch_execute(&sql).await.unwrap();
    }
    let (_, host_port) = admin.rsplit_once('@').unwrap();
    let host_port = host_port.split('/').next().unwrap();
    format!("postgres://{owner}:dba-password-{name}@{host_port}/{name}")
}

/// What an invitation code carries (the test reads its one-time credentials to act as that role).
pub fn invite_credentials(code: &str) -> Value {
    use base64::Engine;
    let body = code.trim().strip_prefix("cbd-invite-1.").expect("an invitation code");
    serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(body).unwrap()).unwrap()
}

/// Connects as a login role with its password (plain on loopback).
pub async fn connect_as(invite: &Value) -> tokio_postgres::Client {
    let mut config = tokio_postgres::Config::new();
    config
        .host(invite["host"].as_str().unwrap())
        .port(invite["port"].as_u64().unwrap() as u16)
        .dbname(invite["dbname"].as_str().unwrap())
        .user(invite["user"].as_str().unwrap())
        .password(invite["password"].as_str().unwrap());
    let (client, conn) = config.connect(NoTls).await.unwrap();
    tokio::spawn(conn);
    client
}

/// The local simulators (`callback-desk-cli sandbox`), stopped on drop; `accounts` are their account files.
pub struct Sandbox {
    child: std::process::Child,
    pub accounts: Value,
}

impl Sandbox {
    pub fn start() -> Sandbox {
        use std::io::BufRead;
        let mut child = Command::new(CLI)
            .arg("sandbox")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        Sandbox { child, accounts: serde_json::from_str(&line).unwrap() }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The superuser's connection (what the DBA has).
pub async fn superuser(dbname: &str) -> tokio_postgres::Client {
    let url = std::env::var(URL_ENV).unwrap();
    let url = format!("{}/{dbname}", url.rsplit_once('/').unwrap().0);
    let (client, conn) = tokio_postgres::connect(&url, NoTls).await.unwrap();
    tokio::spawn(conn);
    client
}

/// Certificates for members whose login role asks for one, issued by the throwaway authority
/// `scripts/with-postgres.sh` made (CALLBACK_DESK_TEST_POSTGRES_CA, …_CA_KEY) with openssl, as a team's
/// administrator would; the files live in a folder of their own, outside every data folder.
pub struct Certificates {
    pub dir: tempfile::TempDir,
}

impl Certificates {
    pub fn new() -> Certificates {
        Certificates { dir: tempfile::tempdir().unwrap() }
    }

    /// The authority's certificate the server's certificate is signed by.
    pub fn team_ca() -> String {
        std::env::var("CALLBACK_DESK_TEST_POSTGRES_CA").expect("run under scripts/with-postgres.sh")
    }

    fn openssl(args: &[&str]) {
        let out = Command::new("openssl").args(args).output().expect("openssl (scripts/setup.sh --test)");
        assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }

    /// A client certificate for `login_role` (its common name) signed by the team's authority: (cert, key) paths.
    pub fn issue(&self, login_role: &str) -> (String, String) {
        let ca_key = std::env::var("CALLBACK_DESK_TEST_POSTGRES_CA_KEY").unwrap();
        self.issue_by(login_role, &Self::team_ca(), &ca_key, login_role)
    }

    /// A client certificate for `login_role` signed by [`Certificates::other_ca`], which the server does not trust.
    pub fn issue_by_other_ca(&self, login_role: &str) -> (String, String) {
        let other = self.other_ca();
        let key = self.dir.path().join("other-ca.key").display().to_string();
        self.issue_by(login_role, &other, &key, &format!("{login_role}-other"))
    }

    fn issue_by(&self, login_role: &str, ca: &str, ca_key: &str, file: &str) -> (String, String) {
        let path = |ext: &str| self.dir.path().join(format!("{file}.{ext}")).display().to_string();
        let (key, csr, cert, ext) = (path("key"), path("csr"), path("crt"), path("ext"));
        std::fs::write(&ext, "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n").unwrap();
        let subject = format!("/CN={login_role}");
        Self::openssl(&[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-subj",
            &subject,
            "-keyout",
            &key,
            "-out",
            &csr,
        ]);
        Self::openssl(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            ca,
            "-CAkey",
            ca_key,
            "-CAcreateserial",
            "-CAserial",
            &path("srl"),
            "-days",
            "1",
            "-extfile",
            &ext,
            "-out",
            &cert,
        ]);
        (cert, key)
    }

    /// Another authority's certificate: one that did not sign the server's.
    pub fn other_ca(&self) -> String {
        let (key, cert) = (self.dir.path().join("other-ca.key"), self.dir.path().join("other-ca.crt"));
        Self::openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=Another CA",
            "-keyout",
            &key.display().to_string(),
            "-out",
            &cert.display().to_string(),
        ]);
        cert.display().to_string()
    }
}

/// Makes `login_role` a certificate member on the test server: `scram` false, a client certificate alone
/// (`cert` in pg_hba.conf); true, its password and a client certificate (`scram-sha-256 clientcert=verify-full`).
/// Either way its plain connections are rejected.
pub async fn require_certificate(dbname: &str, login_role: &str, scram: bool) {
    let var =
        if scram { "CALLBACK_DESK_TEST_POSTGRES_CERT_SCRAM_GROUP" } else { "CALLBACK_DESK_TEST_POSTGRES_CERT_GROUP" };
    let group = std::env::var(var).expect("run under scripts/with-postgres.sh");
    superuser(dbname).await.batch_execute(&format!("GRANT {group} TO {login_role}")).await.unwrap();
}
