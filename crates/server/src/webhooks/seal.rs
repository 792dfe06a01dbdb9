//! Signing secrets sealed at rest (XChaCha20-Poly1305, a key derived from the token secret): a
//! copy of the database alone cannot sign deliveries. A secret is needed in clear to sign, so it
//! cannot be hashed like a password or an API token.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};

/// `base64(nonce || ciphertext)`.
pub fn seal(key: &[u8; 32], secret: &str) -> String {
    let cipher = XChaCha20Poly1305::new(Key::from_slice(key));
    let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
    // Encryption only fails for plaintexts beyond what the cipher counts (gigabytes).
    let sealed = cipher.encrypt(&nonce, secret.as_bytes()).unwrap_or_else(|_| unreachable!("a short secret always encrypts"));
    let mut out = nonce.to_vec();
    out.extend(sealed);
    STANDARD.encode(out)
}

/// The secret, or `None` when the column was not sealed with this key (another deployment's
/// token secret, a hand edit).
pub fn open(key: &[u8; 32], sealed: &str) -> Option<String> {
    let bytes = STANDARD.decode(sealed).ok()?;
    if bytes.len() < 24 {
        return None;
    }
    let (nonce, body) = bytes.split_at(24);
    let plain = XChaCha20Poly1305::new(Key::from_slice(key)).decrypt(XNonce::from_slice(nonce), body).ok()?;
    String::from_utf8(plain).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_with_their_key_only() {
        let key = [7u8; 32];
        let sealed = seal(&key, "whsec_abc");
        assert!(!sealed.contains("whsec"));
        assert_ne!(sealed, seal(&key, "whsec_abc"), "a fresh nonce each time");
        assert_eq!(open(&key, &sealed).as_deref(), Some("whsec_abc"));
        assert_eq!(open(&[8u8; 32], &sealed), None);
        assert_eq!(open(&key, "not base64!"), None);
        assert_eq!(open(&key, "AAAA"), None);
    }
}
