//! An upload's bytes on their way in: written to a temporary file under the data dir as they
//! arrive, counted against the limit as they arrive (the stream is abandoned at the first byte
//! over it), so a request holds one chunk in memory whatever the file's size. The file is read
//! back to check it, scan it and store it, and removed when dropped.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use tokio::io::AsyncWriteExt;

use crate::storage::ByteStream;

pub struct Spooled {
    path: tempfile::TempPath,
    pub len: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    #[error("more than {0} bytes")]
    TooLarge(u64),
    /// The client's body broke off or was malformed.
    #[error("reading the upload: {0}")]
    Body(String),
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

/// Where spooled files go.
pub fn dir(data_dir: &Path) -> PathBuf {
    data_dir.join("tmp")
}

/// Writes `body` to a temporary file in `dir`, refusing it at the first byte past `limit`.
pub async fn spool<S, E>(dir: &Path, mut body: S, limit: u64) -> Result<Spooled, SpoolError>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: std::fmt::Display,
{
    tokio::fs::create_dir_all(dir).await?;
    let (file, path) = tempfile::Builder::new().prefix("upload-").tempfile_in(dir)?.into_parts();
    let mut file = tokio::fs::File::from_std(file);
    let mut len = 0u64;
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| SpoolError::Body(e.to_string()))?;
        len += chunk.len() as u64;
        if len > limit {
            return Err(SpoolError::TooLarge(limit));
        }
        file.write_all(&chunk).await?;
    }
    file.flush().await?;
    Ok(Spooled { path, len })
}

impl Spooled {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file as a body for storage, read a chunk at a time.
    pub async fn stream(&self) -> std::io::Result<ByteStream> {
        let file = tokio::fs::File::open(&self.path).await?;
        Ok(Box::pin(tokio_util::io::ReaderStream::with_capacity(file, 64 * 1024)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunks(sizes: &[usize]) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Unpin {
        futures::stream::iter(sizes.iter().map(|n| Ok(Bytes::from(vec![7u8; *n]))).collect::<Vec<_>>())
    }

    #[tokio::test]
    async fn a_body_within_the_limit_is_kept_and_one_byte_over_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let kept = spool(dir.path(), chunks(&[4, 6]), 10).await.unwrap();
        assert_eq!((kept.len, std::fs::read(kept.path()).unwrap().len()), (10, 10));
        assert!(matches!(spool(dir.path(), chunks(&[4, 7]), 10).await, Err(SpoolError::TooLarge(10))));
        drop(kept);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing left behind");
    }
}
