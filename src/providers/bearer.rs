//! Bearer tokens obtained with an account's credentials (Avista): the flow a provider declares
//! ([`BearerAuth`]) and the process-wide cache the executor keeps them in.

use super::RawResponse;
use crate::error::Result;
use crate::secret::Secret;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// A bearer token obtained with the account's credentials and reused until shortly before it expires
/// (Avista): the executor gets it from the cache or through [`BearerAuth::token_operation`], sends it with
/// the operations that need it, and on HTTP 401 forgets it, gets a new one and tries once more.
pub trait BearerAuth: Sync {
    /// Whether `operation` is sent with a bearer token.
    fn needs_token(&self, operation: &str) -> bool;

    /// The operation that obtains a token.
    fn token_operation(&self) -> &'static str;

    /// Reads a token answer.
    fn parse_token(&self, response: &RawResponse) -> Result<Token>;

    /// What a cached token is kept under (the server and the credential it was issued for), so a token
    /// is never sent to another host or used for another client.
    fn cache_key(&self) -> String;
}

/// A token answer: the secret token and its lifetime in seconds.
pub struct Token {
    pub access_token: Secret,
    pub expires_in: i64,
}

/// A token is reused until this many milliseconds before it expires.
pub const TOKEN_REFRESH_MARGIN_MS: i64 = 60_000;

impl Token {
    /// When a token received at `now_ms` expires. `expires_in` comes from the provider, so any `i64`
    /// must work: the arithmetic saturates instead of overflowing.
    pub fn expires_at_ms(&self, now_ms: i64) -> i64 {
        now_ms.saturating_add(self.expires_in.saturating_mul(1000))
    }
}

/// Whether a token expiring at `expires_at_ms` may still be sent at `now_ms`.
pub fn token_usable(expires_at_ms: i64, now_ms: i64) -> bool {
    now_ms < expires_at_ms.saturating_sub(TOKEN_REFRESH_MARGIN_MS)
}

/// Bearer tokens per [`BearerAuth::cache_key`], kept in memory only.
#[derive(Default)]
pub struct TokenCache {
    tokens: Mutex<HashMap<String, (Secret, i64)>>,
}

impl TokenCache {
    /// The process-wide cache.
    pub fn global() -> &'static TokenCache {
        static CACHE: OnceLock<TokenCache> = OnceLock::new();
        CACHE.get_or_init(TokenCache::default)
    }

    /// A cached token still valid for at least [`TOKEN_REFRESH_MARGIN_MS`] at `now_ms`.
    pub fn get(&self, key: &str, now_ms: i64) -> Option<Secret> {
        let map = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key).filter(|(_, exp)| token_usable(*exp, now_ms)).map(|(t, _)| t.duplicate())
    }

    pub fn put(&self, key: &str, token: &Token, now_ms: i64) {
        crate::logging::register_secret(&token.access_token);
        let mut map = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        map.insert(key.to_owned(), (token.access_token.duplicate(), token.expires_at_ms(now_ms)));
    }

    pub fn forget(&self, key: &str) {
        let mut map = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(key);
    }
}
