//! Connecting to the team database: TLS (rustls, server certificate and host name checked against the
//! system's trusted roots or the team's own authority) is required unless the server is on this computer (a
//! loopback address or a Unix socket, where the connection is plain) and no client certificate is to be
//! presented (a certificate always goes over TLS); PostgreSQL's errors become the app's error codes.

use super::tls::TeamTls;
use crate::error::{Error, ErrorCode, Result};
use std::time::Duration;
use tokio_postgres::config::{Host, SslMode};
use tokio_postgres::{Client, Config};

/// How long connecting waits before the team database counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Where a member connects: everything but the password (which the vault keeps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// A host name, an IP address, or a Unix socket folder (starting with `/`).
    pub host: String,
    pub port: u16,
    pub dbname: String,
    /// The PostgreSQL login role.
    pub user: String,
}

impl Endpoint {
    /// The parts of a `postgres://ROLE:PASSWORD@HOST:PORT/DB` URL (or `key=value` string): the endpoint and
    /// the password. A URL naming several hosts, or none of its parts, is refused naming `database_url`.
    pub fn parse_url(url: &str) -> Result<(Endpoint, Option<String>)> {
        let invalid = |reason: &str| Error::invalid_field("database_url", reason);
        let config: Config = url.parse().map_err(|_| invalid("team_database_url"))?;
        let host = match config.get_hosts() {
            [Host::Tcp(h)] => h.clone(),
            #[cfg(unix)]
            [Host::Unix(p)] => p.display().to_string(),
            _ => return Err(invalid("team_database_url")),
        };
        let port = *config.get_ports().first().unwrap_or(&5432);
        let dbname = config.get_dbname().ok_or_else(|| invalid("team_database_url"))?.to_owned();
        let user = config.get_user().ok_or_else(|| invalid("team_database_url"))?.to_owned();
        let password = config.get_password().map(|p| String::from_utf8_lossy(p).into_owned());
        if config.get_ssl_mode() == SslMode::Disable && !is_local(&host) {
            return Err(invalid("team_tls_required"));
        }
        Ok((Endpoint { host, port, dbname, user }, password))
    }

    /// The same server and database as another login role.
    pub fn as_user(&self, user: &str) -> Endpoint {
        Endpoint { user: user.to_owned(), ..self.clone() }
    }
}

/// Whether `host` is this computer: a Unix socket folder, `localhost`, or a loopback address.
pub fn is_local(host: &str) -> bool {
    host.starts_with('/')
        || host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Connects as `endpoint.user` with `password` (and `tls`'s client certificate, when there is one); the
/// connection runs on the current Tokio runtime until the returned client is dropped. TLS is required
/// (certificate and host name checked) unless the host is local (a loopback address or a Unix socket) and
/// no client certificate is configured: then the connection is plain, as nothing crosses a network. A
/// client certificate is never sent in clear, so with one the connection is TLS on loopback too (a Unix
/// socket cannot carry TLS: `client_cert` with `team_client_cert_socket`).
pub async fn connect(endpoint: &Endpoint, password: &str, tls: &TeamTls) -> Result<Client> {
    let plain = is_local(&endpoint.host) && !tls.has_client_cert();
    if tls.has_client_cert() && endpoint.host.starts_with('/') {
        return Err(Error::invalid_field("client_cert", "team_client_cert_socket"));
    }
    let mut config = Config::new();
    config
        .host(&endpoint.host)
        .port(endpoint.port)
        .dbname(&endpoint.dbname)
        .user(&endpoint.user)
        .password(password)
        .application_name("callback-desk")
        .connect_timeout(CONNECT_TIMEOUT)
        .ssl_mode(if plain { SslMode::Disable } else { SslMode::Require });
    let client = if plain {
        let (client, connection) =
            config.connect(tokio_postgres::NoTls).await.map_err(|e| connect_error(endpoint, tls, &e))?;
        spawn_connection(connection);
        client
    } else {
        let (client, connection) =
            config.connect(tls.connector()?).await.map_err(|e| connect_error(endpoint, tls, &e))?;
        spawn_connection(connection);
        client
    };
    Ok(client)
}

/// Runs a connection on the current runtime until its client is dropped.
fn spawn_connection<S, T>(connection: tokio_postgres::Connection<S, T>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::warn!(error = %e, "the team database connection ended");
        }
    });
}

/// A failed connection: refused credentials (SQLSTATE 28P01 / 28000) are `team.login_refused`, or
/// `team.client_cert_required` when the server's rules (`pg_hba.conf`) ask this member for a client
/// certificate and none is configured; the server's certificate not trusted (not signed by the authority
/// given, or the system's roots, or not for this host) is `team.server_untrusted`; the server refusing the
/// client certificate, during TLS or at login (made out to another member), is `team.client_cert_refused`;
/// anything else (unreachable) is `team.offline`, with the cause in the detail.
fn connect_error(endpoint: &Endpoint, tls: &TeamTls, e: &tokio_postgres::Error) -> Error {
    let code = match (e.code().map(|c| c.code()), tls_cause(e)) {
        (Some("28P01") | Some("28000"), _) if asks_for_certificate(e) => match tls.has_client_cert() {
            false => ErrorCode::TeamClientCertRequired,
            // Its certificate checked and refused: made out to another member (its name is not this
            // member's login), say, rather than the password.
            true => ErrorCode::TeamClientCertRefused,
        },
        (Some("28P01") | Some("28000"), _) => ErrorCode::TeamLoginRefused,
        (_, Some(rustls::Error::InvalidCertificate(_))) => ErrorCode::TeamServerUntrusted,
        (_, Some(rustls::Error::AlertReceived(alert))) if refuses_certificate(*alert) => {
            ErrorCode::TeamClientCertRefused
        }
        _ => ErrorCode::TeamOffline,
    };
    Error::new(code).with("server", format!("{}:{}", endpoint.host, endpoint.port)).detail(cause(e))
}

/// Whether a refused login says the server wants a client certificate, or TLS that only a certificate
/// would make this installation use on this computer (`pg_hba.conf`: "connection requires a valid client
/// certificate", or a `hostnossl … reject` line: "… no encryption").
fn asks_for_certificate(e: &tokio_postgres::Error) -> bool {
    e.as_db_error().is_some_and(|db| {
        let m = db.message();
        m.contains("certificate") || m.contains("no encryption")
    })
}

/// TLS alerts by which a server says it does not accept the client certificate it was shown.
fn refuses_certificate(alert: rustls::AlertDescription) -> bool {
    use rustls::AlertDescription as A;
    matches!(
        alert,
        A::BadCertificate
            | A::UnsupportedCertificate
            | A::CertificateRevoked
            | A::CertificateExpired
            | A::CertificateUnknown
            | A::UnknownCA
            | A::AccessDenied
            | A::CertificateRequired
    )
}

/// The TLS library's error behind a failed connection, if that is what failed (it travels inside an I/O
/// error, whose `source` skips it).
fn tls_cause(e: &tokio_postgres::Error) -> Option<&rustls::Error> {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if let Some(r) = s.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        if let Some(r) = s.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            if let Some(r) = r.downcast_ref::<rustls::Error>() {
                return Some(r);
            }
        }
        source = s.source();
    }
    None
}

/// A statement's failure: SQLSTATE 42501 (insufficient privilege) is `team.permission_denied` naming the
/// role needed (the hint the workspace's functions give, else `database`); the approvals' refusals have
/// codes of their own (`approval.*`, from their hint); a lost connection is
/// `team.offline`; the rest `team.database_failed`.
pub fn db_error(e: tokio_postgres::Error) -> Error {
    let Some(db) = e.as_db_error() else {
        return if e.is_closed() || e.code().is_none() {
            Error::new(ErrorCode::TeamOffline).detail(cause(&e))
        } else {
            Error::new(ErrorCode::TeamDatabaseFailed).detail(cause(&e))
        };
    };
    if let Some(code) = db.hint().and_then(approval_code) {
        return Error::new(code).detail(db.message().to_owned());
    }
    match db.code().code() {
        "42501" => Error::new(ErrorCode::TeamPermissionDenied)
            .with("role", db.hint().unwrap_or("database"))
            .detail(db.message().to_owned()),
        "23505" if db.hint() == Some("member_exists") => Error::new(ErrorCode::TeamMemberExists),
        "55P03" if db.hint() == Some("job_leased") => {
            super::jobs::leased_by(db.detail().unwrap_or_default()).detail(db.message().to_owned())
        }
        "55P03" if db.hint() == Some("job_cancelled") => {
            Error::new(ErrorCode::TeamJobCancelled).detail(db.message().to_owned())
        }
        "42704" if db.hint() == Some("member_not_found") => {
            Error::new(ErrorCode::TeamMemberNotFound).detail(db.message().to_owned())
        }
        _ => Error::new(ErrorCode::TeamDatabaseFailed).detail(db.message().to_owned()),
    }
}

/// The error code of a refusal by the approvals' functions (their hint says which).
fn approval_code(hint: &str) -> Option<ErrorCode> {
    Some(match hint {
        "approval_not_found" => ErrorCode::ApprovalNotFound,
        "approval_own" => ErrorCode::ApprovalOwn,
        "approval_not_pending" => ErrorCode::ApprovalNotPending,
        "approval_not_approved" => ErrorCode::ApprovalNotApproved,
        "approval_not_yours" => ErrorCode::ApprovalNotYours,
        "approval_expired" => ErrorCode::ApprovalExpired,
        "approval_plan_changed" => ErrorCode::ApprovalPlanChanged,
        _ => return None,
    })
}

/// The innermost cause of an error (the server's message, the socket's or TLS's), never a password.
fn cause(e: &tokio_postgres::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = s.to_string();
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_and_sockets_are_local_other_hosts_are_not() {
        for local in ["127.0.0.1", "::1", "localhost", "/run/postgresql", "127.8.9.10"] {
            assert!(is_local(local), "{local}");
        }
        for remote in ["db.example.com", "10.0.0.5", "192.168.1.2", "::ffff:10.0.0.1"] {
            assert!(!is_local(remote), "{remote}");
        }
    }

    #[tokio::test]
    async fn a_client_certificate_is_never_offered_over_a_unix_socket() {
        let cert = include_str!("../../tests/fixtures/avista_mtls_test_cert.pem");
        let key = crate::secret::Secret::new(include_str!("../../tests/fixtures/avista_mtls_test_key.pem"));
        let tls = TeamTls::from_pem(Some(cert), Some(key), None).unwrap();
        let socket = Endpoint { host: "/run/postgresql".into(), port: 5432, dbname: "team".into(), user: "bob".into() };
        let refused = connect(&socket, "pw", &tls).await.unwrap_err();
        assert_eq!(
            (refused.params["field"].as_str(), refused.params["reason"].as_str()),
            (Some("client_cert"), Some("team_client_cert_socket"))
        );
    }

    #[test]
    fn a_url_gives_its_parts_and_tls_cannot_be_turned_off_for_a_remote_host() {
        let (e, password) = Endpoint::parse_url("postgres://dba:s3cret@db.example.com:6543/team").unwrap();
        assert_eq!(
            e,
            Endpoint { host: "db.example.com".into(), port: 6543, dbname: "team".into(), user: "dba".into() }
        );
        assert_eq!(password.as_deref(), Some("s3cret"));
        let refused = Endpoint::parse_url("postgres://dba:x@db.example.com/team?sslmode=disable").unwrap_err();
        assert_eq!(refused.params["reason"], "team_tls_required");
        assert!(Endpoint::parse_url("postgres://dba:x@127.0.0.1:5432/team?sslmode=disable").is_ok());
        assert_eq!(Endpoint::parse_url("postgres://dba@db.example.com").unwrap_err().params["field"], "database_url");
    }
}
