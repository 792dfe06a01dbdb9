//! High-entropy secrets (refresh and API tokens): random, stored as SHA-256 digests and compared in
//! constant time. A slow password hash would buy nothing here and cost every request.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

pub const API_TOKEN_PREFIX: &str = "pp_";

pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    // ThreadRng: a CSPRNG reseeded from the operating system.
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

pub fn digest_matches(secret: &str, stored: &str) -> bool {
    digest(secret).as_bytes().ct_eq(stored.as_bytes()).into()
}

/// A refresh token reads `<token id>.<secret>`: the id finds the row, the secret proves possession.
pub fn refresh_token(id: Uuid, secret: &str) -> String {
    format!("{}.{secret}", id.simple())
}

pub fn parse_refresh_token(token: &str) -> Option<(Uuid, &str)> {
    let (id, secret) = token.trim().split_once('.')?;
    checked(id, secret)
}

/// An API token reads `pp_<token id>_<secret>`; the prefix tells it from a JWT at a glance.
pub fn api_token(id: Uuid, secret: &str) -> String {
    format!("{API_TOKEN_PREFIX}{}_{secret}", id.simple())
}

pub fn parse_api_token(token: &str) -> Option<(Uuid, &str)> {
    let rest = token.strip_prefix(API_TOKEN_PREFIX)?;
    let (id, secret) = (rest.get(..32)?, rest.get(32..)?.strip_prefix('_')?);
    checked(id, secret)
}

fn checked<'a>(id: &str, secret: &'a str) -> Option<(Uuid, &'a str)> {
    let id = Uuid::try_parse(id).ok()?;
    (!secret.is_empty() && secret.len() <= 128).then_some((id, secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        let id = Uuid::now_v7();
        let secret = random_secret();
        assert_eq!(parse_refresh_token(&refresh_token(id, &secret)), Some((id, secret.as_str())));
        assert_eq!(parse_api_token(&api_token(id, &secret)), Some((id, secret.as_str())));
        assert!(parse_api_token("pp_nothex").is_none());
        assert!(parse_refresh_token("abc").is_none());
        assert!(digest_matches(&secret, &digest(&secret)));
        assert!(!digest_matches("other", &digest(&secret)));
    }
}
