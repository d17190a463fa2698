//! Merchant accounts: the account-file JSON (non-secret fields plus secrets) parsed and validated by the
//! account's provider, and the URL rules every provider shares.
//!
//! Every secret is held in a [`Secret`] (or a parsed key whose `Debug` is redacted) as soon as it is
//! read. Validation errors are field-level (`input.invalid` with `field` and `reason`, or `input.missing`
//! with `field`) so the UI can mark the offending input.

use super::input_limits as limits;
use super::{AccountSource, ProviderAccount, ProviderId};
use crate::error::{Error, Result};
use crate::secret::Secret;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::fmt;
use std::net::IpAddr;
use url::Url;

/// A parsed, validated merchant account of some provider, with the public fields it was parsed from.
pub struct Account {
    inner: Box<dyn ProviderAccount>,
    public: Map<String, Value>,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl Account {
    pub fn provider(&self) -> ProviderId {
        ProviderId::parse(self.inner.provider().id()).expect("a registered provider")
    }

    pub fn base_url(&self) -> &Url {
        self.inner.base_url()
    }

    /// The provider's own account (signing, parsing, bulk shapes, wording).
    pub fn inner(&self) -> &dyn ProviderAccount {
        self.inner.as_ref()
    }

    /// The provider's own account type, when it is `T`.
    pub fn downcast<T: 'static>(&self) -> Option<&T> {
        self.inner.as_any().downcast_ref::<T>()
    }

    /// The public (non-secret) fields the account was parsed from.
    pub fn public(&self) -> &Map<String, Value> {
        &self.public
    }

    /// Parses an account file (`{"provider": "...", ...}` with secrets inline), at most
    /// [`MAX_ACCOUNT_FILE_BYTES`](super::input_limits::MAX_ACCOUNT_FILE_BYTES) long.
    pub fn from_json(text: &str) -> Result<Account> {
        limits::check_file_size(text.len())?;
        let v: Value = serde_json::from_str(text)
            .map_err(|e| Error::invalid_field("account", "not_json").detail(e.to_string()))?;
        let Value::Object(map) = v else { return Err(Error::invalid_field("account", "not_object")) };
        Account::from_map(&map)
    }

    /// Parses an account from one JSON object holding both public fields and secrets.
    pub fn from_map(map: &Map<String, Value>) -> Result<Account> {
        let provider = match map.get("provider") {
            Some(Value::String(p)) => ProviderId::parse(p)?,
            _ => return Err(Error::missing_field("provider")),
        };
        let secrets: Vec<String> =
            provider.get().descriptor().account_fields.into_iter().filter(|f| f.secret).map(|f| f.name).collect();
        let public: Map<String, Value> = map
            .iter()
            .filter(|(k, _)| !secrets.contains(k) && *k != "provider")
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Account::from_parts(provider, &public, &mut |name| match map.get(name) {
            Some(Value::String(s)) if !s.is_empty() => Some(Secret::new(s.clone())),
            _ => None,
        })
    }

    /// Parses an account from its public fields plus a secret lookup (the vault, in the app), through its
    /// provider (see [`AccountSource`] for the checks every field gets).
    pub fn from_parts(
        provider: ProviderId,
        public: &Map<String, Value>,
        secret: &mut dyn FnMut(&str) -> Option<Secret>,
    ) -> Result<Account> {
        let source = AccountSource::new(public, secret)?;
        let inner = provider.get().parse_account(&source)?;
        Ok(Account { inner, public: public.clone() })
    }

    /// Parses a stored sandbox account resolved to the built-in sandbox running at `sandbox_root` (its
    /// `base_url` among `public` already points there). The provider may then allow what only makes sense
    /// against the sandbox (see [`AccountSource::sandbox_root`]).
    pub fn from_sandbox_parts(
        provider: ProviderId,
        public: &Map<String, Value>,
        secret: &mut dyn FnMut(&str) -> Option<Secret>,
        sandbox_root: &str,
    ) -> Result<Account> {
        let root = Url::parse(sandbox_root).map_err(|_| Error::invalid_field("base_url", "not_url"))?;
        let source = AccountSource::new(public, secret)?.in_sandbox(root);
        let inner = provider.get().parse_account(&source)?;
        Ok(Account { inner, public: public.clone() })
    }
}

/// Runs `f` on the source of an account file's fields (tests of the providers' own account types).
#[cfg(test)]
pub(crate) fn with_source<R>(file: &serde_json::Value, f: impl FnOnce(&AccountSource<'_>) -> R) -> R {
    let map = file.as_object().expect("an account file").clone();
    let mut lookup = |name: &str| match map.get(name) {
        Some(Value::String(s)) if !s.is_empty() => Some(Secret::new(s.clone())),
        _ => None,
    };
    let source = AccountSource::new(&map, &mut lookup).expect("fields within bounds");
    f(&source)
}

/// `base_url` must be an absolute http(s) URL without query or fragment; plain `http` is allowed only
/// for loopback hosts (the sandbox, local test servers).
pub fn validate_base_url(raw: &str) -> Result<Url> {
    limits::check_size("base_url", raw)?;
    let url = Url::parse(raw).map_err(|_| Error::invalid_field("base_url", "not_url"))?;
    if url.query().is_some() || url.fragment().is_some() || url.cannot_be_a_base() {
        return Err(Error::invalid_field("base_url", "not_url"));
    }
    // `https://user:pass@host` would put a password in logs and history (the URL is recorded).
    if has_userinfo(&url) {
        return Err(Error::invalid_field("base_url", "userinfo_not_allowed"));
    }
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&url) => Ok(url),
        "http" => Err(Error::invalid_field("base_url", "https_required")),
        _ => Err(Error::invalid_field("base_url", "not_url")),
    }
}

/// True when the URL carries a user name or password (`https://user:pass@host`).
pub fn has_userinfo(url: &Url) -> bool {
    !url.username().is_empty() || url.password().is_some()
}

/// An address a third party (a provider delivering a webhook) should be sent to: an https URL without
/// user-info whose host is a DNS name other than `localhost` (and `*.localhost`), or an IP address in
/// none of the [`refused_ranges`](super::refused_ranges) (loopback, private, link-local, shared,
/// documentation, benchmarking, reserved, multicast, IPv6 forms that carry an IPv4 address, …). IPv4
/// written in decimal, octal or hex (`https://2130706433/`, `https://0x7f.1/`) is judged as the address
/// the URL parser makes of it, which is also what is sent. DNS names are not resolved.
/// Returns the parsed URL, which is what must be sent (the parser trims whitespace and normalises the
/// host). Errors name `field` with the reasons `not_url`, `https_required`, `userinfo_not_allowed` and
/// `not_public_host` (its detail names the refused block).
pub fn validate_public_https_url(field: &str, raw: &str) -> Result<Url> {
    let url = Url::parse(raw).map_err(|_| Error::invalid_field(field, "not_url"))?;
    if url.scheme() != "https" {
        return Err(Error::invalid_field(field, "https_required"));
    }
    if has_userinfo(&url) {
        return Err(Error::invalid_field(field, "userinfo_not_allowed"));
    }
    let ip = match url.host() {
        Some(url::Host::Domain(d)) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            if d.is_empty() || d == "localhost" || d.ends_with(".localhost") {
                return Err(Error::invalid_field(field, "not_public_host").detail("localhost is this computer"));
            }
            return Ok(url);
        }
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
        None => return Err(Error::invalid_field(field, "not_public_host")),
    };
    match super::refused_ranges::refused_range(ip) {
        Some(range) => {
            Err(Error::invalid_field(field, "not_public_host")
                .detail(format!("{ip} is in {}: {}", range.cidr, range.why)))
        }
        None => Ok(url),
    }
}

/// True for `localhost`, 127.0.0.0/8 and `::1`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

/// SHA-256 over the certificate's DER, formatted `AA:BB:…` (uppercase, colon-separated), matching
/// `openssl x509 -noout -fingerprint -sha256`. Rejects anything that is not a parseable X.509 PEM (as the field `client_cert_pem`).
pub fn cert_fingerprint(pem: &str) -> Result<String> {
    let bad = || Error::invalid_field("client_cert_pem", "invalid_certificate");
    let (_, pem) = x509_parser::pem::parse_x509_pem(pem.trim_start().as_bytes()).map_err(|_| bad())?;
    if pem.label != "CERTIFICATE" {
        return Err(bad());
    }
    pem.parse_x509().map_err(|_| bad())?;
    let digest = Sha256::digest(&pem.contents);
    Ok(digest.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::providers::ceffu::CeffuKey;
    use crate::providers::input_limits;
    use serde_json::json;

    pub(crate) const CEFFU_KEY_PEM: &str = include_str!("../../tests/fixtures/ceffu_test_key.pem");
    pub(crate) const AVISTA_CERT_PEM: &str = include_str!("../../tests/fixtures/avista_test_cert.pem");

    fn err(v: Value) -> Error {
        Account::from_map(v.as_object().unwrap()).unwrap_err()
    }

    #[test]
    fn calls_per_minute_is_optional_and_bounded() {
        let base = json!({"provider":"cybavo","base_url":"https://sofa.example.com","wallet_id":1,
                          "api_code":"c","api_secret":"s"});
        let with = |v: Value| {
            let mut m = base.as_object().unwrap().clone();
            m.insert("calls_per_minute".into(), v);
            Account::from_map(&m)
        };
        for (v, want) in [(Value::Null, None), (json!(""), None), (json!(120), Some(120)), (json!(" 45 "), Some(45))] {
            let a = with(v).unwrap();
            assert_eq!(crate::providers::calls_per_minute(a.public()).unwrap(), want);
        }
        for (v, reason) in [(json!(0), "out_of_range"), (json!(6_001), "out_of_range"), (json!("fast"), "not_integer")]
        {
            let e = with(v).unwrap_err();
            assert_eq!(e.code, ErrorCode::InputInvalid);
            assert_eq!(e.params["field"], "calls_per_minute");
            assert_eq!(e.params["reason"], reason);
        }
    }

    #[test]
    fn cybavo_wallet_id_must_be_numeric() {
        let ok = json!({"provider":"cybavo","base_url":"http://127.0.0.1:9","wallet_id":"55743","api_code":"c","api_secret":"s"});
        let a = Account::from_map(ok.as_object().unwrap()).unwrap();
        assert_eq!(a.downcast::<crate::providers::cybavo::account::CybavoAccount>().unwrap().wallet_id, 55743);
        let e = err(
            json!({"provider":"cybavo","base_url":"http://127.0.0.1:9","wallet_id":"55x","api_code":"c","api_secret":"s"}),
        );
        assert_eq!(e.params["field"], "wallet_id");
        assert_eq!(e.params["reason"], "not_numeric");
        let e = err(json!({"provider":"cybavo","base_url":"http://127.0.0.1:9","wallet_id":1,"api_code":"c"}));
        assert_eq!((e.code, e.params["field"].as_str()), (ErrorCode::InputMissing, Some("api_secret")));
    }

    #[test]
    fn base_url_requires_https_except_loopback() {
        assert!(validate_base_url("https://open-api.ceffu.com").is_ok());
        assert!(validate_base_url("http://127.0.0.1:8080/ccpayment/v1").is_ok());
        assert!(validate_base_url("http://localhost:1").is_ok());
        assert!(validate_base_url("http://[::1]:1").is_ok());
        assert_eq!(validate_base_url("http://example.com").unwrap_err().params["reason"], "https_required");
        assert_eq!(validate_base_url("ftp://example.com").unwrap_err().params["reason"], "not_url");
        assert_eq!(validate_base_url("not a url").unwrap_err().params["reason"], "not_url");
        for u in ["https://user:pass@open-api.ceffu.com", "https://user@open-api.ceffu.com", "http://u:p@127.0.0.1:1"] {
            let e = validate_base_url(u).unwrap_err();
            assert_eq!(
                (e.params["field"].as_str(), e.params["reason"].as_str()),
                (Some("base_url"), Some("userinfo_not_allowed"))
            );
        }
    }

    /// The `url` crate (WHATWG URL parsing) turns decimal, octal, hex and short IPv4 forms, a trailing
    /// dot, percent-encoding and full-width digits into the dotted address, and IPv6 into its canonical
    /// form; the check judges that parsed host, which is also what is sent.
    #[test]
    fn one_off_url_judges_the_address_the_url_parser_makes() {
        let cases = [
            ("https://2130706433/", "127.0.0.1", "127.0.0.0/8"),
            ("https://0x7f.1/", "127.0.0.1", "127.0.0.0/8"),
            ("https://0177.0.0.1/", "127.0.0.1", "127.0.0.0/8"),
            ("https://0x7f.0x0.0x0.0x1/", "127.0.0.1", "127.0.0.0/8"),
            ("https://127.0.0.1./", "127.0.0.1", "127.0.0.0/8"),
            ("https://127.0.0.1%2e/", "127.0.0.1", "127.0.0.0/8"),
            ("https://\u{ff11}\u{ff12}\u{ff17}.\u{ff10}.\u{ff10}.\u{ff11}/", "127.0.0.1", "127.0.0.0/8"),
            ("https://3232235777/", "192.168.1.1", "192.168.0.0/16"),
            ("https://0xa9fea9fe/latest/meta-data", "169.254.169.254", "169.254.0.0/16"),
            ("https://192.0.2.10/", "192.0.2.10", "192.0.2.0/24"),
            ("https://198.51.100.7/", "198.51.100.7", "198.51.100.0/24"),
            ("https://203.0.113.9/", "203.0.113.9", "203.0.113.0/24"),
            ("https://198.19.0.1/", "198.19.0.1", "198.18.0.0/15"),
            ("https://192.0.0.8/", "192.0.0.8", "192.0.0.0/24"),
            ("https://240.0.0.1/", "240.0.0.1", "240.0.0.0/4"),
            ("https://0.1.2.3/", "0.1.2.3", "0.0.0.0/8"),
            ("https://[::127.0.0.1]/", "[::7f00:1]", "::/96"),
            ("https://[::ffff:127.0.0.1]/", "[::ffff:7f00:1]", "::ffff:0:0/96"),
            ("https://[2002:7f00:1::]/", "[2002:7f00:1::]", "2002::/16"),
            ("https://[64:ff9b::7f00:1]/", "[64:ff9b::7f00:1]", "127.0.0.0/8"),
            ("https://[64:ff9b:1::a00:1]/", "[64:ff9b:1::a00:1]", "64:ff9b:1::/48"),
            ("https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", "[2001:0:4136:e378:8000:63bf:80ff:fffe]", "2001::/23"),
            ("https://[2001:DB8::1]/", "[2001:db8::1]", "2001:db8::/32"),
            ("https://[100::1]/", "[100::1]", "100::/64"),
            ("https://[fec0::1]/", "[fec0::1]", "fec0::/10"),
            ("https://[ff0e::1]/", "[ff0e::1]", "ff00::/8"),
        ];
        for (given, host, block) in cases {
            assert_eq!(Url::parse(given).unwrap().host_str(), Some(host), "what the url crate makes of {given}");
            let e = validate_public_https_url("url", given).unwrap_err();
            assert_eq!(
                (e.params["field"].as_str(), e.params["reason"].as_str()),
                (Some("url"), Some("not_public_host")),
                "{given}"
            );
            assert!(e.detail.as_deref().unwrap_or_default().contains(&format!(" is in {block}: ")), "{given}: {e:?}");
        }
        // A public IPv4 through NAT64 is public; DNS names are not resolved, so a name that points at
        // 127.0.0.1 is Avista's resolution, not ours (documented in docs/security.md, threat 4).
        for ok in ["https://[64:ff9b::808:808]/h", "https://134744072/h", "https://127.0.0.1.nip.io/h"] {
            assert!(validate_public_https_url("url", ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn ceffu_key_accepts_pem_and_base64_der_and_rejects_garbage() {
        assert!(CeffuKey::parse(CEFFU_KEY_PEM).is_ok());
        let body: String = CEFFU_KEY_PEM.lines().skip(1).take_while(|l| !l.starts_with("-----END")).collect();
        assert_eq!(body.len(), 1628);
        let k = CeffuKey::parse(&body).unwrap();
        assert_eq!(format!("{k:?}"), "CeffuKey(RSA-2048 <redacted>)");
        assert_eq!(CeffuKey::parse("hello").unwrap_err().params["reason"], "invalid_private_key");
        assert_eq!(CeffuKey::parse("aGVsbG8=").unwrap_err().params["field"], "private_key");
    }

    #[test]
    fn ceffu_key_below_2048_bits_is_rejected() {
        // Found by fuzzing: a 512-bit key parsed, then signing panicked ("message too long").
        let e = CeffuKey::parse(include_str!("../../tests/fixtures/rsa_512_test_key.pem")).unwrap_err();
        assert_eq!(
            (e.params["field"].as_str(), e.params["reason"].as_str()),
            (Some("private_key"), Some("key_too_small"))
        );
        assert_eq!(e.params["min_bits"], 2048);
    }

    #[test]
    fn avista_fingerprint_matches_openssl() {
        assert_eq!(
            cert_fingerprint(AVISTA_CERT_PEM).unwrap(),
            "89:DF:FD:DF:61:BC:E5:F2:2B:79:16:3D:B3:F2:0A:13:0F:2C:4F:60:FC:D7:9B:38:43:9C:8F:28:94:BE:7F:B1"
        );
        assert_eq!(
            cert_fingerprint("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").unwrap_err().params
                ["reason"],
            "invalid_certificate"
        );
        assert!(cert_fingerprint("garbage").is_err());
    }

    fn field_error(e: &Error) -> (&str, &str) {
        (e.params["field"].as_str().unwrap_or_default(), e.params["reason"].as_str().unwrap_or_default())
    }

    fn with(v: Value, field: &str, value: &str) -> Value {
        let mut v = v;
        v[field] = Value::String(value.to_owned());
        v
    }

    fn cybavo() -> Value {
        json!({"provider":"cybavo","base_url":"https://sofa.example.com","wallet_id":1,"api_code":"c","api_secret":"s"})
    }
    fn ceffu() -> Value {
        json!({"provider":"ceffu","base_url":"https://open-api.ceffu.com","api_key":"k","private_key":CEFFU_KEY_PEM})
    }
    fn avista() -> Value {
        json!({"provider":"avista","base_url":"https://api.avista.global","client_id":"id","client_secret":"s",
               "client_cert_pem":AVISTA_CERT_PEM})
    }
    fn ccpayment() -> Value {
        json!({"provider":"ccpayment","base_url":"https://ccpayment.com/ccpayment/v2","api_version":"v2",
               "app_id":"APPID","app_secret":"s"})
    }

    /// A value over its field's limit is refused with a field-level error before it is parsed or stored:
    /// 64 KiB for every field, 256 KiB for the certificate, 1 MiB for an account file.
    #[test]
    fn oversized_fields_and_files_are_refused_naming_the_field() {
        let big = "A".repeat(input_limits::MAX_FIELD_BYTES + 1);
        for (account, field) in [
            (cybavo(), "api_code"),
            (cybavo(), "api_secret"),
            (cybavo(), "base_url"),
            (ceffu(), "api_key"),
            (ceffu(), "private_key"),
            (avista(), "client_id"),
            (avista(), "client_secret"),
            (avista(), "client_key_pem"),
            (ccpayment(), "app_id"),
            (ccpayment(), "app_secret"),
            (cybavo(), "an_unknown_field"),
        ] {
            let e = err(with(account, field, &big));
            assert_eq!((e.code, field_error(&e)), (ErrorCode::InputInvalid, (field, "too_large")), "{field}");
            assert_eq!(e.params["max_kib"], 64, "{field}");
        }
        // A certificate chain may be larger, up to 256 KiB.
        let chain = format!("{AVISTA_CERT_PEM}{}", "\n".repeat(200 * 1024));
        assert!(Account::from_map(with(avista(), "client_cert_pem", &chain).as_object().unwrap()).is_ok());
        let e = err(with(avista(), "client_cert_pem", &"A".repeat(input_limits::MAX_CERTIFICATE_BYTES + 1)));
        assert_eq!(field_error(&e), ("client_cert_pem", "too_large"));
        assert_eq!(e.params["max_kib"], 256);
        // The file as a whole.
        let file = with(cybavo(), "notes", &" ".repeat(input_limits::MAX_ACCOUNT_FILE_BYTES)).to_string();
        let e = Account::from_json(&file).unwrap_err();
        assert_eq!((field_error(&e), &e.params["max_kib"]), (("account", "too_large"), &json!(1024)));
    }

    /// Credentials sent as HTTP header values (CYBAVO `X-API-CODE`, Ceffu `open-apikey`, CCPayment
    /// `Appid`) are refused when they hold a line break, NUL or other text a header cannot carry.
    #[test]
    fn header_borne_credentials_refuse_line_breaks_and_control_characters() {
        for (account, field) in [(cybavo(), "api_code"), (ceffu(), "api_key"), (ccpayment(), "app_id")] {
            for bad in
                ["abc\r\nX-Injected: 1", "abc\ndef", "abc\rdef", "abc\0def", "abc\tdef", "ab\u{7f}", "c\u{f3}digo"]
            {
                let e = err(with(account.clone(), field, bad));
                assert_eq!(field_error(&e), (field, "not_header_text"), "{field} {bad:?}");
            }
            let ok = Account::from_map(with(account, field, "abc-123_XYZ ~!").as_object().unwrap());
            assert!(ok.is_ok(), "{field}: {ok:?}");
        }
        // Secrets that are not sent in a header may hold any text.
        assert!(
            Account::from_map(with(cybavo(), "api_secret", "s\u{e9}cr\u{e8}t\twith tab").as_object().unwrap()).is_ok()
        );
    }

    /// The optional mTLS key is read at save time as the TLS client will read it, and must belong to
    /// the certificate.
    #[test]
    fn avista_client_key_is_parsed_and_matched_with_the_certificate() {
        let cert = include_str!("../../tests/fixtures/avista_mtls_test_cert.pem");
        let key = include_str!("../../tests/fixtures/avista_mtls_test_key.pem");
        let mtls = with(with(avista(), "client_cert_pem", cert), "client_key_pem", key);
        let a = Account::from_map(mtls.as_object().unwrap()).unwrap();
        assert!(a.inner().client_identity().is_some());
        // A key of another certificate, an RSA key that is not this certificate's, garbage, a
        // certificate where the key belongs.
        let other_cert = with(mtls.clone(), "client_cert_pem", AVISTA_CERT_PEM);
        assert_eq!(field_error(&err(other_cert)), ("client_key_pem", "client_key_mismatch"));
        assert_eq!(
            field_error(&err(with(mtls.clone(), "client_key_pem", CEFFU_KEY_PEM))),
            ("client_key_pem", "client_key_mismatch")
        );
        for bad in [
            "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            "-----BEGIN EC PRIVATE KEY-----\nnot base64\n-----END EC PRIVATE KEY-----\n",
            "just text",
            cert,
        ] {
            let e = err(with(mtls.clone(), "client_key_pem", bad));
            assert_eq!(field_error(&e), ("client_key_pem", "invalid_client_key"), "{bad}");
        }
    }

    #[test]
    fn ceffu_key_above_8192_bits_is_refused_before_it_is_built() {
        let e = CeffuKey::parse(include_str!("../../tests/fixtures/rsa_8704_test_key.pem")).unwrap_err();
        assert_eq!(field_error(&e), ("private_key", "key_too_large"));
        assert_eq!(e.params["max_bits"], 8192);
        // PKCS#1 and PKCS#8 of the 2048-bit key still parse to the same key.
        use rsa::pkcs1::EncodeRsaPrivateKey;
        let k = CeffuKey::parse(CEFFU_KEY_PEM).unwrap();
        let pkcs1 = k.0.to_pkcs1_pem(rsa::pkcs1::LineEnding::LF).unwrap();
        assert_eq!(CeffuKey::parse(&pkcs1).unwrap().public_key(), k.public_key());
    }

    #[test]
    fn ccpayment_version_is_v1_or_v2() {
        let e = err(
            json!({"provider":"ccpayment","base_url":"http://127.0.0.1:9/ccpayment/v1","api_version":"v3","app_id":"a","app_secret":"s"}),
        );
        assert_eq!(e.params["field"], "api_version");
        let e = err(json!({"provider":"nope"}));
        assert_eq!(e.params["field"], "provider");
    }

    #[test]
    fn debug_never_shows_secrets() {
        let a = Account::from_map(json!({"provider":"ccpayment","base_url":"https://ccpayment.com/ccpayment/v2","api_version":"v2","app_id":"APPID","app_secret":"SECRET-CANARY-1"}).as_object().unwrap()).unwrap();
        let dbg = format!("{a:?}");
        assert!(!dbg.contains("SECRET-CANARY-1"), "{dbg}");
        assert!(dbg.contains("APPID"));
    }
}
