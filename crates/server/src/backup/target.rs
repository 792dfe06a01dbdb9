//! Where archives go and come from: a folder, or a bucket on the S3 endpoint the `S3_*` settings
//! name (`s3://bucket/prefix`). An archive for a bucket is written to the data dir first, then
//! uploaded whole and removed; one restored from a bucket is downloaded there first.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use futures::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::config::{BackupTarget, Config, S3Config, StorageConfig};
use crate::storage::{ObjectKey, Storage};

/// The configured target: `PETPIXEL_BACKUP_TO`, else the data dir's `backups`.
pub fn configured(config: &Config) -> BackupTarget {
    config.backup_to.clone().unwrap_or_else(|| BackupTarget::Dir(config.data_dir.join("backups")))
}

/// Where archives wait to be uploaded, or downloaded ones to be read.
fn staging(config: &Config) -> PathBuf {
    config.data_dir.join("backups-staging")
}

/// The bucket of an `s3://` target, as a store, with the endpoint and keys of the `S3_*` settings.
pub fn bucket(config: &Config, bucket: &str, prefix: &str) -> anyhow::Result<Storage> {
    let StorageConfig::S3(s3) = &config.storage else {
        bail!("an s3:// backup target uses the S3_* settings' endpoint and keys: set S3_BUCKET, S3_ENDPOINT, S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY")
    };
    let s3 = S3Config { bucket: bucket.to_owned(), prefix: prefix.to_owned(), ..s3.clone() };
    // The links key signs the folder store's links only; S3 presigns with its credentials, and
    // no link to an archive is ever made.
    Ok(Storage::new(&StorageConfig::S3(s3), &config.public_url, [0; 32]))
}

/// Where to write the archive `name` for `target`: its final path, or a staging file to upload.
pub fn local_path(config: &Config, target: &BackupTarget, name: &str) -> PathBuf {
    match target {
        BackupTarget::Dir(dir) => dir.join(name),
        BackupTarget::S3 { .. } => staging(config).join(name),
    }
}

/// Puts a written archive where `target` says (for a folder, it is there); its location.
pub async fn deliver(config: &Config, target: &BackupTarget, path: &Path) -> anyhow::Result<String> {
    match target {
        BackupTarget::Dir(_) => Ok(path.display().to_string()),
        BackupTarget::S3 { bucket, prefix } => {
            let store = self::bucket(config, bucket, prefix)?;
            let name = path.file_name().and_then(|n| n.to_str()).context("an archive's name")?;
            let key = ObjectKey::new(name)?;
            let length = tokio::fs::metadata(path).await?.len();
            let file = tokio::fs::File::open(path).await?;
            let body: crate::storage::ByteStream = Box::pin(tokio_util::io::ReaderStream::new(file));
            let stored = store.put(&key, "application/octet-stream", length, body).await;
            let _ = tokio::fs::remove_file(path).await;
            stored.with_context(|| format!("uploading the archive to {target}"))?;
            Ok(format!("{target}{name}"))
        }
    }
}

/// A local copy of the archive at `location` (a path, or `s3://bucket/prefix/name`), and
/// whether it is a downloaded one to remove after use.
pub async fn fetch(config: &Config, location: &str) -> anyhow::Result<(PathBuf, bool)> {
    let Some(rest) = location.strip_prefix("s3://") else { return Ok((PathBuf::from(location), false)) };
    let (bucket, key) = rest.split_once('/').with_context(|| format!("`{location}` names no archive in the bucket"))?;
    let (prefix, name) = key.rsplit_once('/').map_or(("", key), |(p, n)| (p, n));
    let store = self::bucket(config, bucket, &crate::config::s3_prefix(Some(prefix))?)?;
    let mut object = store.get(&ObjectKey::new(name)?).await.with_context(|| format!("downloading {location}"))?;
    tokio::fs::create_dir_all(staging(config)).await?;
    let path = staging(config).join(name);
    let mut file = tokio::fs::File::create(&path).await?;
    while let Some(chunk) = object.body.next().await {
        file.write_all(&chunk?).await?;
    }
    file.sync_all().await?;
    Ok((path, true))
}

/// Removes all but the newest `keep` archives at `target` (by name, which is by time).
pub async fn prune(config: &Config, target: &BackupTarget, keep: usize) -> anyhow::Result<usize> {
    let is_archive = |name: &str| name.starts_with("petpixel-backup-") && !name.ends_with(".partial");
    match target {
        BackupTarget::Dir(dir) => {
            let mut archives = Vec::new();
            let mut entries = tokio::fs::read_dir(dir).await?;
            while let Some(entry) = entries.next_entry().await? {
                if is_archive(&entry.file_name().to_string_lossy()) {
                    archives.push(entry.path());
                }
            }
            archives.sort();
            let gone: Vec<PathBuf> = archives.iter().rev().skip(keep.max(1)).cloned().collect();
            for path in &gone {
                tokio::fs::remove_file(path).await?;
            }
            Ok(gone.len())
        }
        BackupTarget::S3 { bucket, prefix } => {
            let store = self::bucket(config, bucket, prefix)?;
            let mut archives: Vec<ObjectKey> =
                store.list("").await?.into_iter().map(|m| m.key).filter(|k| !k.as_str().contains('/') && is_archive(k.as_str())).collect();
            archives.sort_by(|a, b| a.as_str().cmp(b.as_str()));
            let gone: Vec<ObjectKey> = archives.iter().rev().skip(keep.max(1)).cloned().collect();
            for key in &gone {
                store.delete(key).await?;
            }
            Ok(gone.len())
        }
    }
}
