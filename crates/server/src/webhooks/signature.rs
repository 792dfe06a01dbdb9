//! Signing secrets; signing and verifying live in `petpixel_types::webhook::signature`, shared
//! with the client crate's receivers.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rand::RngCore;

pub use petpixel_types::webhook::signature::{key_of, sign, verify, SECRET_PREFIX};

/// A new signing secret: 32 random bytes, `whsec_`-prefixed base64 as the specification writes it.
pub fn new_secret() -> String {
    let mut key = [0u8; 32];
    rand::rng().fill_bytes(&mut key);
    format!("{SECRET_PREFIX}{}", STANDARD.encode(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_secrets_are_whsec_and_distinct() {
        let (a, b) = (new_secret(), new_secret());
        assert_ne!(a, b);
        assert_eq!(key_of(&a).unwrap().len(), 32);
        assert_eq!(key_of("not-a-secret"), None);
    }
}
