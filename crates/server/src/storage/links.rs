//! Time-limited links for the folder backend: `/api/files?key=..&expires=..&signature=..`, an
//! HMAC-SHA256 over what the link allows (method, key, expiry, and for uploads the type and
//! size), checked here. The same semantics as S3's presigned URLs: anyone holding the link may
//! use it until it expires, for that object and that method only.

use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::ObjectKey;
use crate::error::{ApiResult, AppError};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkMethod {
    Get,
    Put,
}

/// What a link allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub method: LinkMethod,
    pub key: ObjectKey,
    /// Unix seconds.
    pub expires: i64,
    pub content_type: Option<String>,
    pub length: Option<u64>,
}

impl Grant {
    /// A download until `expires` (Unix seconds).
    pub fn get(key: ObjectKey, expires: i64) -> Self {
        Grant { method: LinkMethod::Get, key, expires, content_type: None, length: None }
    }

    pub fn put(key: ObjectKey, content_type: &str, length: u64, expires_in: Duration) -> Self {
        Grant {
            method: LinkMethod::Put,
            key,
            expires: expiry(expires_in),
            content_type: Some(content_type.to_owned()),
            length: Some(length),
        }
    }

    fn message(&self) -> String {
        let method = match self.method {
            LinkMethod::Get => "GET",
            LinkMethod::Put => "PUT",
        };
        let length = self.length.map(|l| l.to_string()).unwrap_or_default();
        format!("{method}\n{}\n{}\n{}\n{length}", self.key, self.expires, self.content_type.as_deref().unwrap_or(""))
    }

    pub fn signature(&self, secret: &[u8; 32]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
        mac.update(self.message().as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The link's query string.
    pub fn query(&self, secret: &[u8; 32]) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("key", self.key.as_str()).append_pair("expires", &self.expires.to_string());
        if let Some(t) = &self.content_type {
            q.append_pair("type", t);
        }
        if let Some(l) = self.length {
            q.append_pair("size", &l.to_string());
        }
        q.append_pair("signature", &self.signature(secret));
        q.finish()
    }
}

fn expiry(expires_in: Duration) -> i64 {
    chrono::Utc::now().timestamp() + i64::try_from(expires_in.as_secs()).unwrap_or(i64::MAX / 2)
}

/// The query of a signed link.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct LinkQuery {
    /// The object.
    #[param(max_length = 512)]
    pub key: String,
    /// Unix seconds after which the link no longer works.
    pub expires: i64,
    /// Uploads: the content type the upload must declare.
    #[serde(rename = "type")]
    #[param(rename = "type", max_length = 255)]
    pub content_type: Option<String>,
    /// Uploads: the exact size in bytes.
    pub size: Option<u64>,
    /// HMAC-SHA256 of what the link allows, in hex.
    #[param(max_length = 64)]
    pub signature: String,
}

/// Checks a link: signed by this server, for this method, not expired.
pub fn verify(method: LinkMethod, query: LinkQuery, secret: &[u8; 32]) -> ApiResult<Grant> {
    let refused = || AppError::forbidden("This link is not valid: it was changed, or it is for something else.");
    let key = ObjectKey::new(query.key).map_err(|_| refused())?;
    let grant = Grant { method, key, expires: query.expires, content_type: query.content_type, length: query.size };
    let expected = grant.signature(secret);
    if !bool::from(subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), query.signature.as_bytes())) {
        return Err(refused());
    }
    if chrono::Utc::now().timestamp() > grant.expires {
        return Err(AppError::forbidden("This link has expired; ask for a new one."));
    }
    Ok(grant)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_covers_everything_the_link_allows() {
        let secret = [7u8; 32];
        let key = ObjectKey::new("projects/p/a").unwrap();
        let grant = Grant::put(key.clone(), "image/png", 10, Duration::from_secs(60));
        let query = |g: &Grant, signature: String| LinkQuery {
            key: g.key.to_string(),
            expires: g.expires,
            content_type: g.content_type.clone(),
            size: g.length,
            signature,
        };
        assert!(verify(LinkMethod::Put, query(&grant, grant.signature(&secret)), &secret).is_ok());
        assert!(verify(LinkMethod::Get, query(&grant, grant.signature(&secret)), &secret).is_err(), "another method");
        let bigger = Grant { length: Some(11), ..grant.clone() };
        assert!(verify(LinkMethod::Put, query(&bigger, grant.signature(&secret)), &secret).is_err(), "another size");
        assert!(verify(LinkMethod::Put, query(&grant, grant.signature(&[8u8; 32])), &secret).is_err(), "another server");
        let stale = Grant { expires: chrono::Utc::now().timestamp() - 1, ..grant.clone() };
        assert!(verify(LinkMethod::Put, query(&stale, stale.signature(&secret)), &secret).is_err(), "expired");
    }
}
