//! Object keys: made by the server (`projects/<id>/assets/<id>/v1/original`), checked anyway so
//! that no key can climb out of the store's folder or mean something else to S3.

use std::fmt;

use super::StorageError;

const MAX_LEN: usize = 512;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey(String);

impl ObjectKey {
    /// Segments of ASCII letters, digits, `.`, `_` and `-`, joined by `/`; no empty, `.` or `..`
    /// segment; at most 512 characters.
    pub fn new(key: impl Into<String>) -> Result<Self, StorageError> {
        let key = key.into();
        let segment_ok = |s: &str| {
            !s.is_empty() && s != "." && s != ".." && s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        };
        if key.len() > MAX_LEN || !key.split('/').all(segment_ok) {
            return Err(StorageError::Backend(format!("`{key}` is not a valid object key")));
        }
        Ok(ObjectKey(key))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_stay_inside_the_store() {
        for good in ["a", "projects/0192/assets/7/v1/original", "x.webp", "a_b-c.d"] {
            assert!(ObjectKey::new(good).is_ok(), "{good}");
        }
        for bad in ["", "/a", "a/", "a//b", "../etc/passwd", "a/../b", "a/./b", "a b", "a\\b", "ü", &"a".repeat(513)] {
            assert!(ObjectKey::new(bad).is_err(), "{bad}");
        }
    }
}
