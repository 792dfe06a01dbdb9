//! Standard Webhooks signatures: `webhook-signature: v1,<base64 HMAC-SHA256>` over
//! `<webhook-id>.<webhook-timestamp>.<body>`, keyed with the endpoint's `whsec_<base64>` secret.
//! Several signatures may be sent, space-separated (the old and the new secret during a
//! rotation); a receiver accepts the message if any matches. The server signs with this module
//! and the client crate verifies with it (feature `signatures`).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

pub const SECRET_PREFIX: &str = "whsec_";

/// The key bytes of a `whsec_` secret; `None` for anything else.
pub fn key_of(secret: &str) -> Option<Vec<u8>> {
    STANDARD.decode(secret.strip_prefix(SECRET_PREFIX)?).ok().filter(|k| !k.is_empty())
}

/// `v1,<signature>` of one message with one key.
pub fn sign(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    format!("v1,{}", STANDARD.encode(mac(key, id, timestamp, body)))
}

fn mac(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    // HMAC takes keys of any length.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// Whether any `v1` signature of a `webhook-signature` header matches (in constant time).
pub fn verify(key: &[u8], id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    let expected = mac(key, id, timestamp, body);
    header
        .split_whitespace()
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|s| STANDARD.decode(s).ok())
        .any(|given| given.len() == expected.len() && bool::from(given.ct_eq(&expected)))
}

/// How far a delivery's timestamp may be from the receiver's clock (the specification's
/// suggestion): older messages are refused as possible replays.
pub const TOLERANCE_SECS: i64 = 5 * 60;

/// Why a receiver refuses a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The secret is not a `whsec_` secret.
    BadSecret,
    /// `webhook-timestamp` is not a number, or is more than five minutes away from `now`.
    Timestamp,
    /// No signature matches.
    Signature,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refusal::BadSecret => "the secret is not a whsec_ secret",
            Refusal::Timestamp => "the timestamp is missing or too far from now",
            Refusal::Signature => "no signature matches",
        })
    }
}

impl std::error::Error for Refusal {}

/// What a receiver does with a delivery's three headers and body: accepts it if a signature
/// matches and its timestamp is within [`TOLERANCE_SECS`] of `now` (Unix seconds).
pub fn verify_delivery(secret: &str, id: &str, timestamp: &str, signature: &str, body: &[u8], now: i64) -> Result<(), Refusal> {
    let key = key_of(secret).ok_or(Refusal::BadSecret)?;
    let timestamp: i64 = timestamp.trim().parse().map_err(|_| Refusal::Timestamp)?;
    if (now - timestamp).abs() > TOLERANCE_SECS {
        return Err(Refusal::Timestamp);
    }
    if verify(&key, id, timestamp, body, signature) {
        Ok(())
    } else {
        Err(Refusal::Signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The specification's example, as the reference library (PyPI `standardwebhooks`) signs it.
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TIMESTAMP: i64 = 1614265330;
    const BODY: &str = r#"{"test": 2432232314}"#;
    const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn signs_as_the_reference_library_does() {
        let key = key_of(SECRET).unwrap();
        assert_eq!(sign(&key, ID, TIMESTAMP, BODY.as_bytes()), SIGNATURE);
    }

    #[test]
    fn verifies_any_matching_signature_and_nothing_else() {
        let key = key_of(SECRET).unwrap();
        assert!(verify(&key, ID, TIMESTAMP, BODY.as_bytes(), SIGNATURE));
        assert!(verify(&key, ID, TIMESTAMP, BODY.as_bytes(), &format!("v1,bm90IGl0 {SIGNATURE}")), "one of a rotation's two");
        assert!(!verify(&key, ID, TIMESTAMP + 1, BODY.as_bytes(), SIGNATURE));
        assert!(!verify(&key, ID, TIMESTAMP, b"{\"test\": 2432232315}", SIGNATURE));
        assert!(!verify(&key, ID, TIMESTAMP, BODY.as_bytes(), "v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
        assert!(!verify(&key, ID, TIMESTAMP, BODY.as_bytes(), ""));
    }

    #[test]
    fn receivers_refuse_old_or_forged_deliveries() {
        let ts = TIMESTAMP.to_string();
        assert_eq!(verify_delivery(SECRET, ID, &ts, SIGNATURE, BODY.as_bytes(), TIMESTAMP + 10), Ok(()));
        assert_eq!(verify_delivery(SECRET, ID, &ts, SIGNATURE, BODY.as_bytes(), TIMESTAMP + 301), Err(Refusal::Timestamp));
        assert_eq!(verify_delivery(SECRET, ID, "soon", SIGNATURE, BODY.as_bytes(), TIMESTAMP), Err(Refusal::Timestamp));
        assert_eq!(verify_delivery(SECRET, ID, &ts, SIGNATURE, b"{}", TIMESTAMP), Err(Refusal::Signature));
        assert_eq!(verify_delivery("secret", ID, &ts, SIGNATURE, BODY.as_bytes(), TIMESTAMP), Err(Refusal::BadSecret));
    }
}
