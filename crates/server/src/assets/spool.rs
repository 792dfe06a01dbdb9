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

/// Removes what was left in `dir` more than `older_than` ago (a process killed mid-upload, a
/// converter's stray files); answers how many entries went. Each process sweeps its own folder
/// when it starts and daily after ([`keep_swept`]).
pub async fn sweep(dir: &Path, older_than: std::time::Duration) -> std::io::Result<usize> {
    let mut entries = match tokio::fs::read_dir(dir).await {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e),
    };
    let cutoff = std::time::SystemTime::now() - older_than;
    let mut gone = 0;
    while let Some(entry) = entries.next_entry().await? {
        let meta = entry.metadata().await?;
        if meta.modified().is_ok_and(|m| m > cutoff) {
            continue;
        }
        let removed =
            if meta.is_dir() { tokio::fs::remove_dir_all(entry.path()).await } else { tokio::fs::remove_file(entry.path()).await };
        match removed {
            Ok(()) => gone += 1,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    Ok(gone)
}

/// How old a leftover must be before a sweep takes it: longer than any upload or conversion runs.
pub const LEFTOVER_AGE: std::time::Duration = std::time::Duration::from_secs(6 * 3600);

/// Sweeps `dir` now and every day after, for as long as the process runs.
pub async fn keep_swept(dir: PathBuf) {
    let mut daily = tokio::time::interval(std::time::Duration::from_secs(24 * 3600));
    loop {
        daily.tick().await;
        match sweep(&dir, LEFTOVER_AGE).await {
            Ok(0) => {}
            Ok(gone) => tracing::info!(gone, folder = %dir.display(), "leftover temporary files removed"),
            Err(e) => tracing::warn!(error = %e, folder = %dir.display(), "the temporary folder could not be swept"),
        }
    }
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

    #[tokio::test]
    async fn a_sweep_takes_old_leftovers_and_leaves_what_is_in_use() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("heic-old")).unwrap();
        std::fs::write(dir.path().join("heic-old/picture-depth.png"), b"x").unwrap();
        std::fs::write(dir.path().join("upload-old"), b"x").unwrap();
        assert_eq!(sweep(dir.path(), std::time::Duration::from_secs(3600)).await.unwrap(), 0, "fresh files stay");
        assert_eq!(sweep(dir.path(), std::time::Duration::ZERO).await.unwrap(), 2);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert_eq!(sweep(&dir.path().join("none"), std::time::Duration::ZERO).await.unwrap(), 0, "no folder, nothing to do");
    }
}
