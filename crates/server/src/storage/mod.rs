//! Where files live: a folder under the data dir (the default) or an S3 bucket (AWS, MinIO,
//! Garage, any S3 API with path-style addressing). One type, two backends, the same behaviour:
//! streaming put and get, head, delete, list by prefix, and time-limited links for GET and PUT
//! (S3 presigned URLs; for the folder, HMAC-signed links that `/api/files/...` checks).
//!
//! Objects are private: nothing is reachable without a link the server signed. Keys are made by
//! the server, never taken from a user, and checked anyway.

mod key;
pub mod links;
mod local;
mod s3;

use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::stream::BoxStream;
use petpixel_types::health::ComponentHealth;

pub use key::ObjectKey;
pub use local::LocalStore;
use s3::S3Store;

use crate::config::StorageConfig;

/// A body as a stream of chunks; nothing holds a whole file in memory.
pub type ByteStream = BoxStream<'static, std::io::Result<Bytes>>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectMeta {
    pub key: ObjectKey,
    pub size: u64,
    pub content_type: Option<String>,
    pub modified: Option<DateTime<Utc>>,
}

pub struct Object {
    pub meta: ObjectMeta,
    pub body: ByteStream,
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no object at `{0}`")]
    NotFound(String),
    /// The body was not the length it was announced with.
    #[error("the body had {actual} bytes, not the {expected} announced")]
    WrongLength { expected: u64, actual: u64 },
    #[error("storage: {0}")]
    Backend(String),
    /// The store does not answer, times out, or fails on its side: worth a retry later.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// No space left (the folder store's disk or quota).
    #[error("storage full")]
    Full,
}

impl From<std::io::Error> for StorageError {
    fn from(e: std::io::Error) -> Self {
        // ENOSPC and EDQUOT.
        if e.kind() == std::io::ErrorKind::StorageFull || e.kind() == std::io::ErrorKind::QuotaExceeded {
            StorageError::Full
        } else {
            StorageError::Backend(e.to_string())
        }
    }
}

impl From<StorageError> for crate::error::AppError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound(_) => crate::error::AppError::NotFound("No such file.".into()),
            StorageError::WrongLength { expected, actual } => {
                crate::error::AppError::bad_request(format!("The upload had {actual} bytes where {expected} were announced."))
            }
            StorageError::Backend(e) => crate::error::AppError::Internal(anyhow::anyhow!("storage: {e}")),
            StorageError::Unavailable(e) => {
                tracing::warn!(error = %e, "the file store is unavailable");
                crate::error::AppError::Unavailable {
                    detail: "The file store is not answering; try again in a moment.".into(),
                    retry_after_secs: 5,
                }
            }
            StorageError::Full => {
                tracing::error!("the file store is full");
                crate::error::AppError::InsufficientStorage("The file store is full; nothing was stored. An admin must free space.".into())
            }
        }
    }
}

pub type StorageResult<T> = Result<T, StorageError>;

/// The file store the app was configured with.
#[derive(Clone)]
pub enum Storage {
    Local(LocalStore),
    S3(S3Store),
}

impl Storage {
    /// `links_key` signs the folder backend's links; S3 signs its own with its credentials.
    pub fn new(config: &StorageConfig, public_url: &str, links_key: [u8; 32]) -> Self {
        match config {
            StorageConfig::Local { dir } => Storage::Local(LocalStore::new(dir.clone(), public_url, links_key)),
            StorageConfig::S3(s3) => Storage::S3(S3Store::new(s3)),
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            Storage::Local(_) => "local",
            Storage::S3(_) => "s3",
        }
    }

    /// Stores `body` (exactly `length` bytes) at `key`, replacing what was there. An object
    /// appears whole or not at all.
    pub async fn put(&self, key: &ObjectKey, content_type: &str, length: u64, body: ByteStream) -> StorageResult<ObjectMeta> {
        match self {
            Storage::Local(s) => s.put(key, content_type, length, body).await,
            Storage::S3(s) => s.put(key, content_type, length, body).await,
        }
    }

    /// The object and its body as a stream.
    pub async fn get(&self, key: &ObjectKey) -> StorageResult<Object> {
        match self {
            Storage::Local(s) => s.get(key).await,
            Storage::S3(s) => s.get(key).await,
        }
    }

    pub async fn head(&self, key: &ObjectKey) -> StorageResult<Option<ObjectMeta>> {
        match self {
            Storage::Local(s) => s.head(key).await,
            Storage::S3(s) => s.head(key).await,
        }
    }

    /// Removes the object; removing one that is not there is not an error.
    pub async fn delete(&self, key: &ObjectKey) -> StorageResult<()> {
        match self {
            Storage::Local(s) => s.delete(key).await,
            Storage::S3(s) => s.delete(key).await,
        }
    }

    /// Every object whose key starts with `prefix`, by key.
    pub async fn list(&self, prefix: &str) -> StorageResult<Vec<ObjectMeta>> {
        let mut found = match self {
            Storage::Local(s) => s.list(prefix).await?,
            Storage::S3(s) => s.list(prefix).await?,
        };
        found.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(found)
    }

    /// A link that downloads the object for at least `expires_in` (until [`link_expiry`]).
    /// Links are made per window of half that time, so asking twice in one window gives the same
    /// link, and a browser's cache keeps what it fetched through it (a thumbnail grid that
    /// refreshes does not download every picture again).
    pub async fn link_to_get(&self, key: &ObjectKey, expires_in: Duration) -> StorageResult<String> {
        let (start, expires) = window(expires_in, Utc::now().timestamp());
        match self {
            Storage::Local(s) => Ok(s.link(links::Grant::get(key.clone(), expires))),
            Storage::S3(s) => s.presign_get(key, start, expires).await,
        }
    }

    /// A link that uploads exactly `length` bytes of `content_type` to the key until `expires_in`
    /// has passed; a PUT with another type or size is refused.
    pub async fn link_to_put(&self, key: &ObjectKey, content_type: &str, length: u64, expires_in: Duration) -> StorageResult<String> {
        match self {
            Storage::Local(s) => Ok(s.link(links::Grant::put(key.clone(), content_type, length, expires_in))),
            Storage::S3(s) => s.presign_put(key, content_type, length, expires_in).await,
        }
    }

    /// Whether the store answers, without writing anything.
    /// Space on the folder store's filesystem; None on S3 (its own to watch) or if unreadable.
    pub fn disk(&self) -> Option<petpixel_types::health::DiskUsage> {
        match self {
            Storage::Local(s) => local::disk_usage(s.root()),
            Storage::S3(_) => None,
        }
    }

    pub async fn health(&self) -> ComponentHealth {
        let start = std::time::Instant::now();
        let result = match self {
            Storage::Local(s) => s.check().await,
            Storage::S3(s) => s.check().await,
        };
        let latency_ms = Some((start.elapsed().as_secs_f64() * 100_000.0).round() / 100.0);
        match result {
            Ok(()) => {
                ComponentHealth { status: "ok".into(), backend: self.backend_name().into(), latency_ms, error: None, disk: self.disk() }
            }
            Err(e) => {
                tracing::warn!(error = %e, backend = self.backend_name(), "storage health check failed");
                ComponentHealth {
                    status: "error".into(),
                    backend: self.backend_name().into(),
                    latency_ms,
                    error: Some("the file store does not answer".into()),
                    disk: self.disk(),
                }
            }
        }
    }
}

/// The window a download link asked for now falls in: (its start, its expiry), Unix seconds.
fn window(expires_in: Duration, now: i64) -> (i64, i64) {
    let ttl = i64::try_from(expires_in.as_secs()).unwrap_or(i64::MAX / 4).max(1);
    let width = (ttl / 2).max(1);
    let start = now.div_euclid(width) * width;
    (start, start + width + ttl)
}

/// When a download link asked for now with `expires_in` stops working.
pub fn link_expiry(expires_in: Duration) -> DateTime<Utc> {
    let (_, expires) = window(expires_in, Utc::now().timestamp());
    DateTime::from_timestamp(expires, 0).unwrap_or_else(Utc::now)
}

/// Reads a whole stream into memory: for tests and small objects only.
pub async fn collect(mut body: ByteStream) -> std::io::Result<Vec<u8>> {
    use futures::StreamExt;
    let mut out = Vec::new();
    while let Some(chunk) = body.next().await {
        out.extend_from_slice(&chunk?);
    }
    Ok(out)
}

/// A stream of one chunk, for small bodies.
pub fn once(bytes: impl Into<Bytes>) -> ByteStream {
    let bytes = bytes.into();
    Box::pin(futures::stream::once(async move { Ok(bytes) }))
}
