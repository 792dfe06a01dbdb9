//! The folder backend: one file per object under `<data dir>/files`, its content type beside it.
//! Writes go to a temporary file that is renamed into place, so an object appears whole or not
//! at all, and a failed upload leaves nothing behind.

use std::path::{Path, PathBuf};

use futures::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio_util::io::ReaderStream;

use super::links::Grant;
use super::{ByteStream, Object, ObjectKey, ObjectMeta, StorageError, StorageResult};

/// Beside each object, its content type (a sidecar: the folder has no metadata of its own).
const TYPE_SUFFIX: &str = ".content-type";
const TEMP_PREFIX: &str = ".upload-";

#[derive(Clone)]
pub struct LocalStore {
    root: PathBuf,
    public_url: String,
    links_key: [u8; 32],
}

impl LocalStore {
    pub fn new(root: PathBuf, public_url: &str, links_key: [u8; 32]) -> Self {
        LocalStore { root, public_url: public_url.trim_end_matches('/').to_owned(), links_key }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn links_key(&self) -> &[u8; 32] {
        &self.links_key
    }

    fn path(&self, key: &ObjectKey) -> PathBuf {
        self.root.join(key.as_str())
    }

    pub fn link(&self, grant: Grant) -> String {
        format!("{}/api/files?{}", self.public_url, grant.query(&self.links_key))
    }

    pub async fn put(&self, key: &ObjectKey, content_type: &str, length: u64, mut body: ByteStream) -> StorageResult<ObjectMeta> {
        let path = self.path(key);
        let dir = path.parent().unwrap_or(&self.root).to_path_buf();
        tokio::fs::create_dir_all(&dir).await?;
        let temp = dir.join(format!("{TEMP_PREFIX}{}", uuid::Uuid::now_v7().simple()));
        let written = async {
            let mut file = tokio::fs::File::create(&temp).await?;
            let mut total = 0u64;
            while let Some(chunk) = body.next().await {
                let chunk = chunk?;
                total += chunk.len() as u64;
                file.write_all(&chunk).await?;
            }
            file.flush().await?;
            file.sync_all().await?;
            Ok::<u64, std::io::Error>(total)
        }
        .await;
        let total = match written {
            Ok(total) => total,
            Err(e) => {
                let _ = tokio::fs::remove_file(&temp).await;
                return Err(e.into());
            }
        };
        if total != length {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(StorageError::WrongLength { expected: length, actual: total });
        }
        // A full disk may refuse the sidecar or the rename too: nothing half-written stays.
        let placed = async {
            tokio::fs::write(sidecar(&path), content_type).await?;
            tokio::fs::rename(&temp, &path).await
        }
        .await;
        if let Err(e) = placed {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(e.into());
        }
        self.head(key).await?.ok_or_else(|| StorageError::Backend("the object vanished after it was written".into()))
    }

    pub async fn get(&self, key: &ObjectKey) -> StorageResult<Object> {
        let path = self.path(key);
        let file = match tokio::fs::File::open(&path).await {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(StorageError::NotFound(key.to_string())),
            Err(e) => return Err(e.into()),
        };
        let meta = self.meta(key, &path, file.metadata().await?).await;
        Ok(Object { meta, body: Box::pin(ReaderStream::new(file)) })
    }

    pub async fn head(&self, key: &ObjectKey) -> StorageResult<Option<ObjectMeta>> {
        let path = self.path(key);
        match tokio::fs::metadata(&path).await {
            Ok(m) if m.is_file() => Ok(Some(self.meta(key, &path, m).await)),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn meta(&self, key: &ObjectKey, path: &Path, m: std::fs::Metadata) -> ObjectMeta {
        let content_type = tokio::fs::read_to_string(sidecar(path)).await.ok();
        let modified = m.modified().ok().map(chrono::DateTime::<chrono::Utc>::from);
        ObjectMeta { key: key.clone(), size: m.len(), content_type, modified }
    }

    pub async fn delete(&self, key: &ObjectKey) -> StorageResult<()> {
        let path = self.path(key);
        for p in [path.clone(), sidecar(&path)] {
            match tokio::fs::remove_file(&p).await {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    pub async fn list(&self, prefix: &str) -> StorageResult<Vec<ObjectMeta>> {
        // Walk from the deepest folder the prefix names whole, then filter by the full prefix.
        let base = prefix.rsplit_once('/').map_or("", |(dir, _)| dir);
        let start = if base.is_empty() { self.root.clone() } else { self.root.join(base) };
        let mut found = Vec::new();
        let mut pending = vec![start];
        while let Some(dir) = pending.pop() {
            let mut entries = match tokio::fs::read_dir(&dir).await {
                Ok(entries) => entries,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e.into()),
            };
            while let Some(entry) = entries.next_entry().await? {
                let path = entry.path();
                let file_type = entry.file_type().await?;
                if file_type.is_dir() {
                    pending.push(path);
                    continue;
                }
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with(TEMP_PREFIX) || name.ends_with(TYPE_SUFFIX) {
                    continue;
                }
                let Ok(relative) = path.strip_prefix(&self.root) else { continue };
                let Some(relative) = relative.to_str() else { continue };
                if !relative.starts_with(prefix) {
                    continue;
                }
                if let Ok(key) = ObjectKey::new(relative) {
                    let m = entry.metadata().await?;
                    found.push(self.meta(&key, &path, m).await);
                }
            }
        }
        Ok(found)
    }

    /// The folder exists (it is made on first use) and is a folder. Nothing is written per check.
    pub async fn check(&self) -> StorageResult<()> {
        if !tokio::fs::try_exists(&self.root).await? {
            tokio::fs::create_dir_all(&self.root).await?;
        }
        let m = tokio::fs::metadata(&self.root).await?;
        if !m.is_dir() || m.permissions().readonly() {
            return Err(StorageError::Backend(format!("{} is not a writable folder", self.root.display())));
        }
        Ok(())
    }
}

fn sidecar(path: &Path) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(TYPE_SUFFIX);
    path.with_file_name(name)
}

/// Space on the filesystem holding `dir` (statvfs).
pub fn disk_usage(dir: &Path) -> Option<petpixel_types::health::DiskUsage> {
    let stat = rustix::fs::statvfs(dir).ok()?;
    let total_bytes = stat.f_blocks.saturating_mul(stat.f_frsize);
    let available_bytes = stat.f_bavail.saturating_mul(stat.f_frsize);
    let used_ratio = if total_bytes == 0 { 0.0 } else { 1.0 - available_bytes as f64 / total_bytes as f64 };
    Some(petpixel_types::health::DiskUsage { total_bytes, available_bytes, used_ratio: (used_ratio * 10_000.0).round() / 10_000.0 })
}
