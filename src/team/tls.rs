//! The TLS side of a member's connection to the team database: an optional client certificate (the member
//! authenticates with it; its private key is a secret) and an optional certificate authority that signed the
//! server's certificate (for a server whose certificate no publicly trusted authority signed). Given as PEM
//! text at `team init`, `team join` or `team credentials`, checked then, and kept in the vault's
//! `app_secrets` (sealed under the keyring's master key, like the member's password); read back for every
//! connection.

use crate::error::{Error, Result};
use crate::secret::Secret;
use crate::vault::Vault;
use rustls::pki_types::pem::{self, SectionKind};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;

/// The vault's names for the client certificate (chain), its private key and the server's authority.
pub const CLIENT_CERT_SECRET: &str = "team.client_cert";
pub const CLIENT_KEY_SECRET: &str = "team.client_key";
pub const CA_CERT_SECRET: &str = "team.ca_cert";

/// A PEM file larger than this is not a certificate or key (a chain of a few certificates is a few KiB).
const MAX_PEM_BYTES: u64 = 256 * 1024;

/// A client certificate and its private key, checked to belong together.
pub struct ClientCert {
    cert_pem: String,
    key_pem: Secret,
}

/// What a member's connection needs beyond the address and password: a client certificate to present and
/// the authority to check the server's certificate against (none: the system's trusted roots).
#[derive(Default)]
pub struct TeamTls {
    client: Option<ClientCert>,
    ca_pem: Option<String>,
}

impl TeamTls {
    /// Checks what was given (PEM text; the fields `client_cert`, `client_key` and `ca_cert`): the
    /// certificate and its key together or neither (`team_cert_and_key`), a certificate that is one
    /// (`team_pem_not_certificate`), a private key that is one (`team_pem_not_key`) and belongs to it
    /// (`team_key_mismatch`), a certificate the TLS library can use (`team_cert_unusable`: an X.509 version 1
    /// certificate, say).
    pub fn from_pem(cert: Option<&str>, key: Option<Secret>, ca: Option<&str>) -> Result<TeamTls> {
        if let Some(k) = &key {
            crate::logging::register_secret(k);
        }
        let client = match (cert, key) {
            (None, None) => None,
            (Some(_), None) => return Err(Error::invalid_field("client_key", "team_cert_and_key")),
            (None, Some(_)) => return Err(Error::invalid_field("client_cert", "team_cert_and_key")),
            (Some(cert), Some(key)) => {
                let client = ClientCert { cert_pem: cert.trim().to_owned(), key_pem: key };
                client.certified_key()?;
                Some(client)
            }
        };
        let ca_pem = ca.map(|c| c.trim().to_owned());
        if let Some(ca) = &ca_pem {
            roots_of(ca)?;
        }
        Ok(TeamTls { client, ca_pem })
    }

    /// What the vault holds for this installation (nothing: no client certificate, the system's roots).
    pub fn load(vault: &Vault) -> Result<TeamTls> {
        let client = match (vault.get_app_secret(CLIENT_CERT_SECRET)?, vault.get_app_secret(CLIENT_KEY_SECRET)?) {
            (Some(cert), Some(key)) => Some(ClientCert { cert_pem: cert.expose().to_owned(), key_pem: key }),
            _ => None,
        };
        let ca_pem = vault.get_app_secret(CA_CERT_SECRET)?.map(|c| c.expose().to_owned());
        Ok(TeamTls { client, ca_pem })
    }

    /// Keeps this in the vault, replacing what was there (a part not given is removed).
    pub fn save(&self, vault: &Vault, now_ms: i64) -> Result<()> {
        match &self.client {
            Some(c) => {
                vault.put_app_secret(CLIENT_CERT_SECRET, &Secret::new(c.cert_pem.clone()), now_ms)?;
                vault.put_app_secret(CLIENT_KEY_SECRET, &c.key_pem, now_ms)?;
            }
            None => {
                vault.delete_app_secret(CLIENT_KEY_SECRET)?;
                vault.delete_app_secret(CLIENT_CERT_SECRET)?;
            }
        }
        match &self.ca_pem {
            Some(ca) => vault.put_app_secret(CA_CERT_SECRET, &Secret::new(ca.clone()), now_ms),
            None => vault.delete_app_secret(CA_CERT_SECRET),
        }
    }

    /// `self` with the parts `other` has replaced (`team credentials`: a new certificate keeps the authority
    /// unless another is given, and the other way round).
    pub fn replaced_by(self, other: TeamTls) -> TeamTls {
        TeamTls { client: other.client.or(self.client), ca_pem: other.ca_pem.or(self.ca_pem) }
    }

    pub fn has_client_cert(&self) -> bool {
        self.client.is_some()
    }

    pub fn has_ca(&self) -> bool {
        self.ca_pem.is_some()
    }

    /// The TLS connector: the given authority (else the system's trusted roots) for the server's
    /// certificate, and the client certificate when there is one.
    pub(crate) fn connector(&self) -> Result<tokio_postgres_rustls::MakeRustlsConnect> {
        crate::transport::install_crypto_provider();
        let roots = match &self.ca_pem {
            Some(ca) => roots_of(ca)?,
            None => system_roots().clone(),
        };
        let builder = rustls::ClientConfig::builder().with_root_certificates(roots);
        let config = match &self.client {
            None => builder.with_no_client_auth(),
            Some(c) => {
                let certified = c.certified_key()?;
                let key = c.private_key()?;
                builder
                    .with_client_auth_cert(certified.cert.clone(), key)
                    .map_err(|e| Error::invalid_field("client_key", "team_pem_not_key").detail(e.to_string()))?
            }
        };
        Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
    }
}

impl ClientCert {
    /// The certificate chain and key as rustls loads them: the key must be one rustls signs with and belong
    /// to the first certificate.
    fn certified_key(&self) -> Result<rustls::sign::CertifiedKey> {
        let certs = certificates(&self.cert_pem, "client_cert")?;
        let provider = rustls::crypto::ring::default_provider();
        match rustls::sign::CertifiedKey::from_der(certs, self.private_key()?, &provider) {
            Ok(k) => Ok(k),
            Err(rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch)) => {
                Err(Error::invalid_field("client_key", "team_key_mismatch"))
            }
            Err(e @ rustls::Error::InvalidCertificate(_)) => {
                Err(Error::invalid_field("client_cert", "team_cert_unusable").detail(e.to_string()))
            }
            Err(e) => Err(Error::invalid_field("client_key", "team_pem_not_key").detail(e.to_string())),
        }
    }

    /// The one private key of the key's PEM (sections that are not keys are passed over).
    fn private_key(&self) -> Result<PrivateKeyDer<'static>> {
        let bad = || Error::invalid_field("client_key", "team_pem_not_key");
        let mut reader = std::io::Cursor::new(self.key_pem.expose().as_bytes());
        let mut key = None;
        while let Some((kind, der)) = pem::from_buf(&mut reader).map_err(|_| bad())? {
            let this = match kind {
                SectionKind::PrivateKey => PrivateKeyDer::Pkcs8(der.into()),
                SectionKind::RsaPrivateKey => PrivateKeyDer::Pkcs1(der.into()),
                SectionKind::EcPrivateKey => PrivateKeyDer::Sec1(der.into()),
                _ => continue,
            };
            if key.replace(this).is_some() {
                return Err(bad().detail("more than one private key"));
            }
        }
        key.ok_or_else(bad)
    }
}

/// Every certificate of a PEM text (at least one, each a parseable X.509 certificate, nothing else but
/// text around them), or `team_pem_not_certificate` naming `field`.
fn certificates(text: &str, field: &str) -> Result<Vec<CertificateDer<'static>>> {
    let bad = || Error::invalid_field(field, "team_pem_not_certificate");
    let mut reader = std::io::Cursor::new(text.as_bytes());
    let mut certs = Vec::new();
    while let Some((kind, der)) = pem::from_buf(&mut reader).map_err(|_| bad())? {
        if kind != SectionKind::Certificate {
            return Err(bad().detail("a PEM section that is not a certificate"));
        }
        x509_parser::parse_x509_certificate(&der).map_err(|e| bad().detail(e.to_string()))?;
        certs.push(CertificateDer::from(der));
    }
    if certs.is_empty() {
        return Err(bad());
    }
    Ok(certs)
}

/// The authorities of `ca_cert`'s PEM, as trust anchors.
fn roots_of(text: &str) -> Result<rustls::RootCertStore> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in certificates(text, "ca_cert")? {
        roots
            .add(cert)
            .map_err(|e| Error::invalid_field("ca_cert", "team_pem_not_certificate").detail(e.to_string()))?;
    }
    Ok(roots)
}

/// The system's trusted roots, loaded once per process (none found: every TLS connection without an
/// authority of its own fails, saying why).
fn system_roots() -> &'static rustls::RootCertStore {
    static ROOTS: std::sync::OnceLock<rustls::RootCertStore> = std::sync::OnceLock::new();
    ROOTS.get_or_init(|| {
        let found = rustls_native_certs::load_native_certs();
        if !found.errors.is_empty() || found.certs.is_empty() {
            tracing::warn!(errors = ?found.errors, count = found.certs.len(), "reading the system's trusted roots");
        }
        let mut roots = rustls::RootCertStore::empty();
        roots.add_parsable_certificates(found.certs);
        roots
    })
}

/// Reads a PEM file given on the command line for `field`: `team_pem_unreadable` (with the system's reason)
/// when it is missing, unreadable, too large or not text.
pub fn read_pem_file(field: &str, path: &Path) -> Result<String> {
    let bad = |why: String| {
        Error::invalid_field(field, "team_pem_unreadable").with("path", path.display().to_string()).detail(why)
    };
    let size = std::fs::metadata(path).map_err(|e| bad(e.to_string()))?.len();
    if size > MAX_PEM_BYTES {
        return Err(bad(format!("{size} bytes")));
    }
    let bytes = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    String::from_utf8(bytes).map_err(|_| bad("not text".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CERT: &str = include_str!("../../tests/fixtures/avista_mtls_test_cert.pem");
    const KEY: &str = include_str!("../../tests/fixtures/avista_mtls_test_key.pem");
    const OTHER_KEY: &str = include_str!("../../tests/fixtures/ceffu_test_key.pem");

    fn refusal(cert: Option<&str>, key: Option<&str>, ca: Option<&str>) -> (String, String) {
        let e = TeamTls::from_pem(cert, key.map(Secret::new), ca).err().expect("refused");
        (e.params["field"].as_str().unwrap().to_owned(), e.params["reason"].as_str().unwrap().to_owned())
    }

    #[test]
    fn a_certificate_with_its_own_key_and_an_authority_are_accepted() {
        let tls = TeamTls::from_pem(Some(CERT), Some(Secret::new(KEY)), Some(CERT)).unwrap();
        assert!(tls.has_client_cert() && tls.has_ca());
        assert!(tls.connector().is_ok());
        let none = TeamTls::from_pem(None, None, None).unwrap();
        assert!(!none.has_client_cert() && !none.has_ca());
    }

    #[test]
    fn a_certificate_needs_its_key_and_the_other_way_round() {
        assert_eq!(refusal(Some(CERT), None, None), ("client_key".into(), "team_cert_and_key".into()));
        assert_eq!(refusal(None, Some(KEY), None), ("client_cert".into(), "team_cert_and_key".into()));
    }

    #[test]
    fn what_is_not_a_pem_certificate_or_key_is_named() {
        let not_cert = "team_pem_not_certificate".to_owned();
        for bad in ["", "hello", KEY, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"] {
            assert_eq!(refusal(Some(bad), Some(KEY), None), ("client_cert".into(), not_cert.clone()), "{bad}");
            assert_eq!(refusal(None, None, Some(bad)), ("ca_cert".into(), not_cert.clone()), "{bad}");
        }
        for bad in ["", "hello", CERT, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"] {
            assert_eq!(refusal(Some(CERT), Some(bad), None), ("client_key".into(), "team_pem_not_key".into()), "{bad}");
        }
    }

    #[test]
    fn a_key_of_another_certificate_is_refused() {
        assert_eq!(refusal(Some(CERT), Some(OTHER_KEY), None), ("client_key".into(), "team_key_mismatch".into()));
    }

    #[test]
    fn a_version_1_certificate_is_named_as_unusable() {
        let (cert, key) = (
            include_str!("../../tests/fixtures/team_v1_test_cert.pem"),
            include_str!("../../tests/fixtures/team_v1_test_key.pem"),
        );
        assert_eq!(refusal(Some(cert), Some(key), None), ("client_cert".into(), "team_cert_unusable".into()));
    }

    #[test]
    fn replacing_keeps_the_parts_not_given() {
        let first = TeamTls::from_pem(Some(CERT), Some(Secret::new(KEY)), None).unwrap();
        let with_ca = first.replaced_by(TeamTls::from_pem(None, None, Some(CERT)).unwrap());
        assert!(with_ca.has_client_cert() && with_ca.has_ca());
    }

    #[test]
    fn a_missing_file_is_named_with_its_path() {
        let e = read_pem_file("client_key", Path::new("/nonexistent/key.pem")).unwrap_err();
        assert_eq!(
            (e.params["field"].as_str(), e.params["reason"].as_str()),
            (Some("client_key"), Some("team_pem_unreadable"))
        );
        assert_eq!(e.params["path"], "/nonexistent/key.pem");
    }
}
