//! Sealing customers' contact details at rest: AES-256-GCM (the seed asks for AES-256 for
//! sensitive data) with a random 96-bit nonce per value, bound to its row and column (so a sealed
//! value moved to another project or field does not open), and the sealing key's id stored with
//! it, so a rotated key's values stay readable until they are sealed again. A keyed hash
//! (HMAC-SHA-256) of the normalised e-mail address finds a customer by exact address without
//! opening anything.
//!
//! Stored form: `sealed:v1:<key id>:<base64url(nonce || ciphertext)>`.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use anyhow::{bail, Context};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use crate::config::Config;

const PREFIX: &str = "sealed:v1:";
/// The key derived from the token secret when none is configured.
const DERIVED_ID: &str = "derived";

struct NamedKey {
    id: String,
    cipher: Aes256Gcm,
}

/// The keys a process seals and opens with.
pub struct DataKeys {
    current: NamedKey,
    /// Retired keys (and the derived one), read only.
    previous: Vec<NamedKey>,
    lookup: [u8; 32],
}

impl std::fmt::Debug for DataKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataKeys").field("current", &self.current.id).finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OpenError {
    #[error("sealed with key `{0}`, which this server does not have")]
    UnknownKey(String),
    #[error("the sealed value is damaged, or belongs to another record")]
    Damaged,
}

/// 32 bytes from 64 hex digits or base64.
fn key_bytes(text: &str) -> anyhow::Result<[u8; 32]> {
    let text = text.trim();
    let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        hex::decode(text)?
    } else {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .or_else(|_| URL_SAFE_NO_PAD.decode(text))
            .context("neither hex nor base64")?
    };
    bytes.try_into().map_err(|b: Vec<u8>| anyhow::anyhow!("{} bytes where 32 are needed", b.len()))
}

fn named(id: &str, key: &[u8; 32]) -> NamedKey {
    NamedKey { id: id.to_owned(), cipher: Aes256Gcm::new(key.into()) }
}

impl DataKeys {
    /// From `PETPIXEL_DATA_KEY` (and its retired keys), or derived from the token secret.
    pub fn from_config(config: &Config, token_secret: &SecretString) -> anyhow::Result<Self> {
        let derived: [u8; 32] =
            Sha256::new().chain_update(b"petpixel customer data\0").chain_update(token_secret.expose_secret().as_bytes()).finalize().into();
        let (current_id, current) = match &config.data_key {
            Some(key) => {
                let bytes = key_bytes(key.expose_secret()).context("PETPIXEL_DATA_KEY must be 32 bytes, as 64 hex digits or base64")?;
                let id = config.data_key_id.clone().unwrap_or_else(|| hex::encode(&Sha256::digest(bytes)[..4]));
                (id, bytes)
            }
            None => (DERIVED_ID.to_owned(), derived),
        };
        if current_id.contains(':') || current_id.is_empty() {
            bail!("PETPIXEL_DATA_KEY_ID must be a name without `:`");
        }
        let mut previous = Vec::new();
        for (id, key) in &config.data_keys_previous {
            let bytes = key_bytes(key.expose_secret()).with_context(|| format!("PETPIXEL_DATA_KEYS_PREVIOUS: the key of `{id}`"))?;
            previous.push(named(id, &bytes));
        }
        if current_id != DERIVED_ID {
            previous.push(named(DERIVED_ID, &derived));
        }
        let lookup = Sha256::new().chain_update(b"petpixel customer lookup\0").chain_update(current).finalize().into();
        Ok(DataKeys { current: named(&current_id, &current), previous, lookup })
    }

    /// Keys for tests: one current key, named `id`.
    pub fn for_tests(id: &str, key: [u8; 32]) -> Self {
        DataKeys { current: named(id, &key), previous: Vec::new(), lookup: key }
    }

    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    /// Seals `plain`, bound to `context` (the record and field it belongs to).
    pub fn seal(&self, plain: &str, context: &str) -> String {
        let nonce_bytes: [u8; 12] = rand::random();
        let sealed = self
            .current
            .cipher
            .encrypt(Nonce::from_slice(&nonce_bytes), Payload { msg: plain.as_bytes(), aad: context.as_bytes() })
            .expect("AES-GCM seals any message of this size");
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&sealed);
        format!("{PREFIX}{}:{}", self.current.id, URL_SAFE_NO_PAD.encode(out))
    }

    /// Opens a stored value: a sealed one with its key; one from before sealing (plain text) as
    /// it is, until the server seals it when it starts.
    pub fn open(&self, stored: &str, context: &str) -> Result<String, OpenError> {
        let Some(rest) = stored.strip_prefix(PREFIX) else { return Ok(stored.to_owned()) };
        let (id, data) = rest.split_once(':').ok_or(OpenError::Damaged)?;
        let key = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == id)
            .ok_or_else(|| OpenError::UnknownKey(id.to_owned()))?;
        let bytes = URL_SAFE_NO_PAD.decode(data).map_err(|_| OpenError::Damaged)?;
        if bytes.len() < 12 {
            return Err(OpenError::Damaged);
        }
        let (nonce, sealed) = bytes.split_at(12);
        let plain = key
            .cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad: context.as_bytes() })
            .map_err(|_| OpenError::Damaged)?;
        String::from_utf8(plain).map_err(|_| OpenError::Damaged)
    }

    /// Whether a stored value is not yet sealed with the current key.
    pub fn is_stale(&self, stored: &str) -> bool {
        !stored.strip_prefix(PREFIX).is_some_and(|rest| rest.starts_with(&format!("{}:", self.current.id)))
    }

    /// The keyed hash an e-mail address is found by: lower-cased and trimmed, so the same
    /// address typed twice finds the same customer.
    pub fn lookup(&self, email: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.lookup).expect("HMAC takes a key of any length");
        mac.update(email.trim().to_lowercase().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

/// The context a project's contact field is sealed under.
pub fn context(project: uuid::Uuid, field: &str) -> String {
    format!("projects.{field}:{project}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_with_its_key_and_context_only() {
        let keys = DataKeys::for_tests("k1", [7; 32]);
        let sealed = keys.seal("sunny@example.com", "projects.customer_email:a");
        assert!(sealed.starts_with("sealed:v1:k1:"), "{sealed}");
        assert!(!sealed.contains("sunny"));
        assert_ne!(sealed, keys.seal("sunny@example.com", "projects.customer_email:a"), "a fresh nonce each time");
        assert_eq!(keys.open(&sealed, "projects.customer_email:a").unwrap(), "sunny@example.com");
        assert_eq!(keys.open(&sealed, "projects.customer_email:b"), Err(OpenError::Damaged), "moved to another record");
        assert_eq!(DataKeys::for_tests("k1", [8; 32]).open(&sealed, "projects.customer_email:a"), Err(OpenError::Damaged));
        assert_eq!(DataKeys::for_tests("k2", [7; 32]).open(&sealed, "projects.customer_email:a"), Err(OpenError::UnknownKey("k1".into())));
        assert_eq!(keys.open("plain@example.com", "x").unwrap(), "plain@example.com", "from before sealing");
        assert!(!keys.is_stale(&sealed) && keys.is_stale("plain@example.com"));
    }

    #[test]
    fn a_rotated_key_is_still_read_and_lookups_ignore_case() {
        let mut config = Config::for_tests(std::env::temp_dir(), "sqlite::memory:");
        let secret = SecretString::from("a token secret of at least thirty-two characters".to_owned());
        let derived = DataKeys::from_config(&config, &secret).unwrap();
        let old = derived.seal("+44 7700 900123", "projects.customer_phone:p");
        config.data_key = Some(SecretString::from("11".repeat(32)));
        config.data_key_id = Some("2026-12".into());
        let rotated = DataKeys::from_config(&config, &secret).unwrap();
        assert_eq!(rotated.current_id(), "2026-12");
        assert_eq!(rotated.open(&old, "projects.customer_phone:p").unwrap(), "+44 7700 900123");
        assert!(rotated.is_stale(&old));
        assert_eq!(rotated.lookup(" Sunny@Example.com"), rotated.lookup("sunny@example.com"));
        assert_ne!(rotated.lookup("sunny@example.com"), derived.lookup("sunny@example.com"));
        config.data_key = Some(SecretString::from("too short".to_owned()));
        assert!(DataKeys::from_config(&config, &secret).is_err());
    }
}
