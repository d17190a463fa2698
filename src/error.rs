//! One error type with stable string codes.
//!
//! The UI never shows `Display` text of these errors directly: it translates [`ErrorCode`] with the
//! parameters (en, zh-CN, pt-BR) and shows `detail` (the provider's raw message, or a technical cause)
//! underneath. Codes are part of the public contract (UI catalogs, CLI JSON, history rows): add new
//! ones, never rename.

use serde::Serialize;
use serde_json::{Map, Value};
use std::fmt;
use ts_rs::TS;

macro_rules! error_codes {
    ($($variant:ident => $code:literal,)*) => {
        /// Stable, dotted error codes. Serialized as their string form, e.g. `"provider.rate_limited"`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
        #[ts(export, export_to = "../ui/src/bindings/")]
        pub enum ErrorCode {
            $(#[serde(rename = $code)] $variant,)*
        }

        impl ErrorCode {
            /// Every code, in declaration order (the UI catalog test checks each has a translation).
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The stable string form, identical to the serialized value.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $code,)* }
            }
        }
    };
}

error_codes! {
    InputInvalid => "input.invalid",
    InputMissing => "input.missing",
    InputWindowTooLarge => "input.window_too_large",
    InputUnknownOperation => "input.unknown_operation",
    InputCurlUnavailable => "input.curl_unavailable",
    InputPlanTooLarge => "input.plan_too_large",
    CopyConfirmationMissing => "copy.confirmation_missing",
    CopyConfirmationUsed => "copy.confirmation_used",
    CopyConfirmationExpired => "copy.confirmation_expired",
    CopyConfirmationMismatch => "copy.confirmation_mismatch",
    CopyClipboardFailed => "copy.clipboard_failed",
    AuthClockSkew => "auth.clock_skew",
    AuthReplayRejected => "auth.replay_rejected",
    AuthSignatureRejected => "auth.signature_rejected",
    AuthMissingCredentials => "auth.missing_credentials",
    AuthInvalidApiKey => "auth.invalid_api_key",
    AuthTokenRejected => "auth.token_rejected",
    AuthIpNotAllowed => "auth.ip_not_allowed",
    AuthPermissionDenied => "auth.permission_denied",
    ProviderRateLimited => "provider.rate_limited",
    ProviderDailyLimit => "provider.daily_limit",
    ProviderNotFound => "provider.not_found",
    ProviderInvalidParameter => "provider.invalid_parameter",
    ProviderSignatureInvalid => "provider.signature_invalid",
    ProviderMalformedResponse => "provider.malformed_response",
    ProviderServerError => "provider.server_error",
    ProviderBusinessError => "provider.business_error",
    ProviderVersionUnsupported => "provider.version_unsupported",
    ProviderNoWebhookUrl => "provider.no_webhook_url",
    ProviderDestinationError => "provider.destination_error",
    ProviderDestinationTimeout => "provider.destination_timeout",
    ProviderWalletInvalid => "provider.wallet_invalid",
    ProviderResponseTooLarge => "provider.response_too_large",
    ProviderRedirected => "provider.redirected",
    NetworkTimeout => "network.timeout",
    NetworkConnectionFailed => "network.connection_failed",
    NetworkConnectionReset => "network.connection_reset",
    VaultKeyringUnavailable => "vault.keyring_unavailable",
    VaultSecretMissing => "vault.secret_missing",
    VaultMasterKeyLost => "vault.master_key_lost",
    AccountsSecretsRequiredForNewHost => "accounts.secrets_required_for_new_host",
    AccountsChangedElsewhere => "accounts.changed_elsewhere",
    StorageFailed => "storage.failed",
    FileNotRegular => "file.not_regular",
    FileRevealFailed => "file.reveal_failed",
    HistoryInterrupted => "history.interrupted",
    JobAlreadyRunning => "job.already_running",
    BudgetWait => "budget.wait",
    BudgetExhausted => "budget.exhausted",
    SandboxNoAccount => "sandbox.no_account",
    TeamNotJoined => "team.not_joined",
    TeamAlreadyJoined => "team.already_joined",
    TeamAlreadyInitialised => "team.already_initialised",
    TeamOffline => "team.offline",
    TeamLoginRefused => "team.login_refused",
    TeamClientCertRequired => "team.client_cert_required",
    TeamClientCertRefused => "team.client_cert_refused",
    TeamServerUntrusted => "team.server_untrusted",
    TeamPermissionDenied => "team.permission_denied",
    TeamMemberExists => "team.member_exists",
    TeamInviteInvalid => "team.invite_invalid",
    TeamInviteUsed => "team.invite_used",
    TeamDatabaseFailed => "team.database_failed",
    TeamMemberNotFound => "team.member_not_found",
    TeamMemberNotJoined => "team.member_not_joined",
    TeamShareMissing => "team.share_missing",
    TeamJobLeased => "team.job_leased",
    TeamJobCancelled => "team.job_cancelled",
    TeamSharedAccountAdminOnly => "team.shared_account_admin_only",
    ApprovalAwaiting => "approval.awaiting",
    ApprovalAwaitingJob => "approval.awaiting_job",
    ApprovalForAJob => "approval.for_a_job",
    ApprovalNotFound => "approval.not_found",
    ApprovalOwn => "approval.own",
    ApprovalNotPending => "approval.not_pending",
    ApprovalNotApproved => "approval.not_approved",
    ApprovalNotYours => "approval.not_yours",
    ApprovalExpired => "approval.expired",
    ApprovalPlanChanged => "approval.plan_changed",
    Internal => "internal",
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An error as the UI, the CLI and history see it: `{code, params, detail}`.
#[derive(Debug, Clone, PartialEq, Serialize, TS, thiserror::Error)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Error {
    pub code: ErrorCode,
    /// Named parameters for the translated message (e.g. `limit`, `field`, `skew_seconds`).
    #[ts(type = "Record<string, unknown>")]
    pub params: Map<String, Value>,
    /// The provider's raw message or a technical cause; shown under the translated text. Never a secret.
    pub detail: Option<String>,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if !self.params.is_empty() {
            write!(f, " {}", Value::Object(self.params.clone()))?;
        }
        if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

impl Error {
    pub fn new(code: ErrorCode) -> Self {
        Error { code, params: Map::new(), detail: None }
    }

    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.params.insert(key.to_owned(), value.into());
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// A field-level input error: `field` names the form field, `reason` a translatable reason key.
    pub fn invalid_field(field: &str, reason: &str) -> Self {
        Error::new(ErrorCode::InputInvalid).with("field", field).with("reason", reason)
    }

    pub fn missing_field(field: &str) -> Self {
        Error::new(ErrorCode::InputMissing).with("field", field)
    }

    pub fn internal(detail: impl Into<String>) -> Self {
        Error::new(ErrorCode::Internal).detail(detail)
    }

    // `scrubbed` (registered secrets removed from detail and parameters) is in `logging.rs`, next to the
    // registry of secrets, so that this file imports no other module of the crate.
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn serializes_as_code_params_detail() {
        let e = Error::new(ErrorCode::ProviderRateLimited)
            .with("limit", 30)
            .detail("Forbidden. Call too frequently (30 calls/minute)");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            json!({"code": "provider.rate_limited", "params": {"limit": 30},
                   "detail": "Forbidden. Call too frequently (30 calls/minute)"})
        );
        assert_eq!(e.code.as_str(), "provider.rate_limited");
        assert_eq!(ErrorCode::AuthClockSkew.to_string(), "auth.clock_skew");
    }

    #[test]
    fn every_code_has_a_message_in_every_catalog() {
        for lang in ["en", "zh-CN", "pt-BR"] {
            let path = format!("{}/ui/src/locales/{lang}.json", env!("CARGO_MANIFEST_DIR"));
            let catalog: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
            for code in ErrorCode::ALL {
                let message = catalog["errors"][code.as_str()].as_str().unwrap_or("");
                assert!(!message.trim().is_empty(), "{lang}: no message for {code}");
            }
        }
    }

    #[test]
    fn field_errors_name_the_field() {
        let e = Error::invalid_field("wallet_id", "not_numeric");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            json!({"code": "input.invalid", "params": {"field": "wallet_id", "reason": "not_numeric"}, "detail": null})
        );
    }
}
