//! Each member's key pair (X25519): the private key in the installation's vault, the public key in the
//! team database (`members.public_key`, published by `callback_desk.publish_public_key`). Secrets are sealed
//! to a member's public key with `crypto_box` sealed boxes (X25519 + XSalsa20-Poly1305): only that member's
//! installation opens them; the database and its DBA see ciphertext only.

use super::connect::db_error;
use crate::clock::Clock;
use crate::error::{Error, ErrorCode, Result};
use crate::secret::Secret;
use crate::vault::Vault;

/// The vault's name for this installation's private key.
pub const PRIVATE_KEY_SECRET: &str = "team.private_key";

/// This installation's private key, if it made one.
fn private_key(vault: &Vault) -> Result<Option<crypto_box::SecretKey>> {
    use base64::Engine;
    let Some(encoded) = vault.get_app_secret(PRIVATE_KEY_SECRET)? else { return Ok(None) };
    let damaged = || Error::new(ErrorCode::VaultSecretMissing).with("field", PRIVATE_KEY_SECRET);
    let bytes = zeroize::Zeroizing::new(
        base64::engine::general_purpose::STANDARD.decode(encoded.expose()).map_err(|_| damaged())?,
    );
    let array: [u8; 32] = bytes.as_slice().try_into().map_err(|_| damaged())?;
    Ok(Some(crypto_box::SecretKey::from(array)))
}

/// Makes this installation's key pair when it has none (the private key to the vault first) and publishes
/// its public key as the member `client` is connected as. Returns the public key.
pub async fn publish(vault: &Vault, clock: &dyn Clock, client: &tokio_postgres::Client) -> Result<[u8; 32]> {
    let key = match private_key(vault)? {
        Some(k) => k,
        None => {
            use base64::Engine;
            let key = crypto_box::SecretKey::generate(&mut rand::rngs::OsRng);
            let encoded = Secret::new(base64::engine::general_purpose::STANDARD.encode(key.to_bytes()));
            vault.put_app_secret(PRIVATE_KEY_SECRET, &encoded, clock.now_ms())?;
            key
        }
    };
    let public = *key.public_key().as_bytes();
    client.execute("SELECT callback_desk.publish_public_key($1)", &[&public.as_slice()]).await.map_err(db_error)?;
    Ok(public)
}

/// Seals `plaintext` to a member's public key (anyone may; only that member opens it).
pub fn seal(public_key: &[u8], plaintext: &[u8]) -> Result<Vec<u8>> {
    let array: [u8; 32] = public_key.try_into().map_err(|_| Error::internal("a public key is 32 bytes"))?;
    crypto_box::PublicKey::from(array)
        .seal(&mut rand::rngs::OsRng, plaintext)
        .map_err(|_| Error::internal("sealing failed"))
}

/// Opens what was sealed to this installation's public key; `vault.secret_missing` when it was sealed to
/// another key or changed.
pub fn open(vault: &Vault, sealed: &[u8]) -> Result<zeroize::Zeroizing<Vec<u8>>> {
    let missing = || Error::new(ErrorCode::VaultSecretMissing).with("field", PRIVATE_KEY_SECRET);
    let key = private_key(vault)?.ok_or_else(missing)?;
    key.unseal(sealed).map(zeroize::Zeroizing::new).map_err(|_| missing())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::MemoryStore;
    use std::sync::Arc;

    fn vault_with_key() -> (Vault, [u8; 32]) {
        use base64::Engine;
        let vault = Vault::new(Arc::new(MemoryStore::default()), crate::db::Db::open_in_memory().unwrap());
        let key = crypto_box::SecretKey::generate(&mut rand::rngs::OsRng);
        let encoded = Secret::new(base64::engine::general_purpose::STANDARD.encode(key.to_bytes()));
        vault.put_app_secret(PRIVATE_KEY_SECRET, &encoded, 0).unwrap();
        (vault, *key.public_key().as_bytes())
    }

    #[test]
    fn only_the_member_whose_public_key_sealed_it_opens_it() {
        let (alice, alice_public) = vault_with_key();
        let (bob, _) = vault_with_key();
        let sealed = seal(&alice_public, b"api-secret-canary-77").unwrap();
        assert!(!sealed.windows(20).any(|w| w == b"api-secret-canary-77"));
        assert_eq!(open(&alice, &sealed).unwrap().as_slice(), b"api-secret-canary-77");
        assert_eq!(open(&bob, &sealed).unwrap_err().code, ErrorCode::VaultSecretMissing);
        let mut changed = sealed.clone();
        *changed.last_mut().unwrap() ^= 1;
        assert_eq!(open(&alice, &changed).unwrap_err().code, ErrorCode::VaultSecretMissing);
        assert!(seal(&[0u8; 5], b"x").is_err());
    }
}
