//! Bounds on what an account may hold, checked before a value is parsed, stored or sent: the size of each
//! field and of an account file as a whole, and the characters a credential carried in an HTTP header may
//! contain. Errors are field-level (`input.invalid` naming the field, reason `too_large` with `max_kib`, or
//! `not_header_text`), so the form marks the field and the CLI names it.

use crate::error::{Error, Result};
use std::io::Read;
use std::path::Path;

/// Largest value of any account field (labels have their own, smaller limit).
pub const MAX_FIELD_BYTES: usize = 64 * 1024;
/// Largest client certificate field: a PEM certificate chain is larger than a key or a code.
pub const MAX_CERTIFICATE_BYTES: usize = 256 * 1024;
/// Largest account file (`accounts add`, `call`/`preview`/`verify --account`), checked before parsing.
pub const MAX_ACCOUNT_FILE_BYTES: usize = 1024 * 1024;

/// The fields that hold a certificate (chain) and get [`MAX_CERTIFICATE_BYTES`].
const CERTIFICATE_FIELDS: &[&str] = &["client_cert_pem"];

/// The size limit of `field`, in bytes.
pub fn max_bytes(field: &str) -> usize {
    if CERTIFICATE_FIELDS.contains(&field) {
        MAX_CERTIFICATE_BYTES
    } else {
        MAX_FIELD_BYTES
    }
}

/// Refuses a value of `field` larger than its limit: `input.invalid`, reason `too_large`, `max_kib`.
pub fn check_size(field: &str, value: &str) -> Result<()> {
    too_large(field, value.len(), max_bytes(field))
}

/// Refuses an account file (field `account`) larger than [`MAX_ACCOUNT_FILE_BYTES`].
pub fn check_file_size(len: usize) -> Result<()> {
    too_large("account", len, MAX_ACCOUNT_FILE_BYTES)
}

fn too_large(field: &str, len: usize, max: usize) -> Result<()> {
    if len > max {
        return Err(Error::invalid_field(field, "too_large").with("max_kib", max / 1024));
    }
    Ok(())
}

/// A credential sent as an HTTP header value (CYBAVO `X-API-CODE`, Ceffu `open-apikey`, CCPayment
/// `Appid`) may hold only printable ASCII (space to `~`): a line break or NUL would end or split the
/// header, and the HTTP client refuses control characters and non-ASCII text in a header at send time.
/// Checked when the account is saved or loaded, so the mistake shows on the field instead of at the
/// first call. Reason `not_header_text`.
pub fn check_header_text(field: &str, value: &str) -> Result<()> {
    if value.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        Ok(())
    } else {
        Err(Error::invalid_field(field, "not_header_text"))
    }
}

/// Reads an account file, at most [`MAX_ACCOUNT_FILE_BYTES`] of it: a larger file (or a device that never
/// ends) is refused with `too_large` on the field `account` without being read whole.
pub fn read_account_file(path: &Path) -> Result<String> {
    let unreadable =
        |e: std::io::Error| Error::invalid_field("account", "unreadable").detail(format!("{}: {e}", path.display()));
    let file = std::fs::File::open(path).map_err(unreadable)?;
    let mut bytes = Vec::new();
    file.take(MAX_ACCOUNT_FILE_BYTES as u64 + 1).read_to_end(&mut bytes).map_err(unreadable)?;
    check_file_size(bytes.len())?;
    String::from_utf8(bytes).map_err(|_| {
        Error::invalid_field("account", "unreadable").detail(format!("{}: not UTF-8 text", path.display()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_bounded_per_field() {
        assert!(check_size("api_code", &"a".repeat(MAX_FIELD_BYTES)).is_ok());
        let e = check_size("api_code", &"a".repeat(MAX_FIELD_BYTES + 1)).unwrap_err();
        assert_eq!((e.params["field"].as_str(), e.params["reason"].as_str()), (Some("api_code"), Some("too_large")));
        assert_eq!(e.params["max_kib"], 64);
        assert!(check_size("client_cert_pem", &"a".repeat(MAX_CERTIFICATE_BYTES)).is_ok());
        assert_eq!(
            check_size("client_cert_pem", &"a".repeat(MAX_CERTIFICATE_BYTES + 1)).unwrap_err().params["max_kib"],
            256
        );
    }

    #[test]
    fn header_text_is_printable_ascii() {
        assert!(check_header_text("api_code", "Ab0 -_.~!\"#$%&'()*+,/:;<=>?@[\\]^`{|}").is_ok());
        for bad in ["a\rb", "a\nb", "a\0b", "a\tb", "a\u{7f}", "caf\u{e9}", "\u{200b}key"] {
            let e = check_header_text("api_code", bad).unwrap_err();
            assert_eq!(
                (e.params["field"].as_str(), e.params["reason"].as_str()),
                (Some("api_code"), Some("not_header_text")),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn account_files_are_read_up_to_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let ok = dir.path().join("ok.json");
        std::fs::write(&ok, "{}").unwrap();
        assert_eq!(read_account_file(&ok).unwrap(), "{}");
        let big = dir.path().join("big.json");
        std::fs::write(&big, vec![b' '; MAX_ACCOUNT_FILE_BYTES + 1]).unwrap();
        let e = read_account_file(&big).unwrap_err();
        assert_eq!((e.params["field"].as_str(), e.params["reason"].as_str()), (Some("account"), Some("too_large")));
        assert_eq!(e.params["max_kib"], 1024);
        let e = read_account_file(&dir.path().join("missing.json")).unwrap_err();
        assert_eq!(e.params["reason"], "unreadable");
    }

    #[cfg(unix)]
    #[test]
    fn an_endless_device_is_not_read_whole() {
        let e = read_account_file(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(e.params["reason"], "too_large");
    }
}
