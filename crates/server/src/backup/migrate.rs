//! Outgrowing one machine: copies an install's database and files into another database (an
//! embedded SQLite into PostgreSQL) and another store (the folder into an S3 bucket), every row
//! with its ids, versions and timestamps, then checks that both sides hold the same.
//!
//! Idempotent and resumable: rows are inserted only where their primary key is missing (each
//! table in a transaction of its own, referenced tables first), files only where the target has
//! none of that size; a second run after an interruption copies what the first did not.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use sea_orm::{DatabaseConnection, TransactionTrait};
use sha2::{Digest, Sha256};

use super::tables;
use crate::storage::{Storage, StorageError};

#[derive(Debug, Default, Clone)]
pub struct Report {
    /// Rows copied now, and rows the target had already.
    pub rows_copied: u64,
    pub rows_there: u64,
    pub files_copied: u64,
    pub files_there: u64,
    pub bytes_copied: u64,
    pub elapsed: Duration,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} rows copied ({} were there), {} files copied ({:.1} MB; {} were there), checked, in {:.1} s",
            self.rows_copied,
            self.rows_there,
            self.files_copied,
            self.bytes_copied as f64 / 1e6,
            self.files_there,
            self.elapsed.as_secs_f64()
        )
    }
}

/// Copies `from` into `to` (both migrated by this version), and the files of `from_store` into
/// `to_store` unless it is the same store. Fails, naming what differs, when the check after the
/// copy finds the two sides apart (the source changed meanwhile: stop the server and run again).
pub async fn migrate_data(
    from: &DatabaseConnection,
    from_store: &Storage,
    to: &DatabaseConnection,
    to_store: Option<&Storage>,
) -> anyhow::Result<Report> {
    let started = Instant::now();
    let (theirs, ours) = (tables::migrations(from).await?, tables::migrations(to).await?);
    if theirs != ours {
        bail!(
            "the source's schema ({} migrations) is not the target's ({}): run `petpixel migrate` on both first",
            theirs.len(),
            ours.len()
        );
    }
    let mut report = Report::default();
    let source = from.begin().await?;
    for table in tables::all() {
        let target = to.begin().await?;
        let before = table.count(&target).await?;
        let copied = table.copy(&source, &target).await.with_context(|| format!("copying table {}", table.name()))?;
        target.commit().await?;
        report.rows_copied += copied;
        report.rows_there += before;
    }
    if let Some(to_store) = to_store {
        for listed in from_store.list("").await? {
            if to_store.head(&listed.key).await?.is_some_and(|there| there.size == listed.size) {
                report.files_there += 1;
                continue;
            }
            let object = match from_store.get(&listed.key).await {
                Ok(object) => object,
                Err(StorageError::NotFound(_)) => continue,
                Err(e) => return Err(e).with_context(|| format!("reading file {}", listed.key)),
            };
            let content_type = object.meta.content_type.clone().unwrap_or_else(|| "application/octet-stream".into());
            to_store
                .put(&listed.key, &content_type, object.meta.size, object.body)
                .await
                .with_context(|| format!("copying file {}", listed.key))?;
            report.files_copied += 1;
            report.bytes_copied += object.meta.size;
        }
    }

    // The check: the same rows (by count and digest) and the same bytes in every file.
    let target = to.begin().await?;
    for table in tables::all() {
        let (a, b) = (table.digest(&source).await?, table.digest(&target).await?);
        if a != b {
            bail!(
                "table {}: the target holds {} rows, the source {}, and they differ: was the studio in use? Stop it and run again",
                table.name(),
                b.0,
                a.0
            );
        }
    }
    if let Some(to_store) = to_store {
        for listed in from_store.list("").await? {
            let (a, b) = (sha256(from_store, &listed.key).await?, sha256(to_store, &listed.key).await?);
            if a != b {
                bail!("file {}: the copy differs from the source", listed.key);
            }
        }
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

async fn sha256(store: &Storage, key: &crate::storage::ObjectKey) -> anyhow::Result<Option<String>> {
    use futures::StreamExt;
    let mut object = match store.get(key).await {
        Ok(object) => object,
        Err(StorageError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let mut hash = Sha256::new();
    while let Some(chunk) = object.body.next().await {
        hash.update(chunk?);
    }
    Ok(Some(hex::encode(hash.finalize())))
}
