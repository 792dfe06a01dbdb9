//! Backups that restore: one self-describing archive of the database and every stored object,
//! written while the server runs, restorable into an empty database of either engine and a store
//! of either kind.
//!
//! The archive (see [`archive`]), in order:
//! - `petpixel-backup.json`: the format, the app's version, the engine and store it came from,
//!   the migrations its schema had and its tables;
//! - `db/<table>/<n>.jsonl`: every row, one JSON object per line, tables in an order where each
//!   row's references come first. The rows are read in one snapshot (a REPEATABLE READ transaction
//!   on PostgreSQL, one read transaction on SQLite's WAL), so they are consistent with each other
//!   however busy the server is, and go through the entities, so engines can be swapped;
//! - `objects/<key>`: every stored object, listed after the snapshot. Objects are written before
//!   the rows that name them commit and removed only after those rows are gone, so each object a
//!   row of the snapshot names is there (objects newer than the snapshot come along unreferenced);
//! - `manifest.json`: each entry's size and SHA-256, and each table's row count.
//!
//! A logical dump in the app's own format, not `pg_dump`'s: it needs no matching client version,
//! and what SQLite wrote PostgreSQL reads.

pub mod archive;
pub mod migrate;
pub mod schedule;
pub mod tables;
pub mod target;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chrono::{DateTime, Utc};
use sea_orm::{AccessMode, DatabaseBackend, DatabaseConnection, DatabaseTransaction, IsolationLevel, TransactionTrait};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::storage::{ObjectKey, Storage, StorageError};
use archive::{ArchiveWriter, Manifest, Piece};

/// Where rows and objects live inside the archive.
pub const DB: &str = "db/";
pub const OBJECTS: &str = "objects/";
/// Bumped when a reader of the previous format could not read the new one.
pub const FORMAT: u32 = 1;

/// The archive's first entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Header {
    pub format: u32,
    pub app_version: String,
    pub created_at: DateTime<Utc>,
    /// `sqlite` or `postgres`.
    pub engine: String,
    /// `local` or `s3`.
    pub storage: String,
    /// The schema's migrations, oldest first: a restore needs the same.
    pub migrations: Vec<String>,
    pub tables: Vec<String>,
}

/// What a backup or restore did.
#[derive(Debug, Clone)]
pub struct Summary {
    pub path: PathBuf,
    /// Where the archive is: its path, or `s3://bucket/prefix/name` once uploaded there.
    pub location: String,
    /// The archive's size on disk.
    pub bytes: u64,
    pub rows: u64,
    pub objects: u64,
    pub object_bytes: u64,
    pub elapsed: Duration,
}

impl Summary {
    fn new(path: &Path, manifest: &Manifest, bytes: u64, started: Instant) -> Self {
        Summary {
            path: path.to_owned(),
            location: path.display().to_string(),
            bytes,
            rows: manifest.rows.values().sum(),
            objects: manifest.objects().count() as u64,
            object_bytes: manifest.objects().map(|e| e.size).sum(),
            elapsed: started.elapsed(),
        }
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: {} rows, {} files ({:.1} MB), archive {:.1} MB, in {:.1} s",
            self.location,
            self.rows,
            self.objects,
            self.object_bytes as f64 / 1e6,
            self.bytes as f64 / 1e6,
            self.elapsed.as_secs_f64()
        )
    }
}

/// The name of an archive made now.
pub fn archive_name(now: DateTime<Utc>, encrypted: bool) -> String {
    format!("petpixel-backup-{}.tar.gz{}", now.format("%Y%m%dT%H%M%SZ"), if encrypted { ".age" } else { "" })
}

/// Writes an archive of the database and the store to `path` (whole, or not at all).
pub async fn backup(conn: &DatabaseConnection, storage: &Storage, path: &Path, key: Option<&SecretString>) -> anyhow::Result<Summary> {
    let started = Instant::now();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(dir).await.with_context(|| format!("creating {}", dir.display()))?;
    }
    let out = ArchiveWriter::create(path, key).with_context(|| format!("creating {}", path.display()))?;
    let rows = match write(conn, storage, &out).await {
        Ok(rows) => rows,
        Err(e) => {
            out.abandon().await;
            return Err(e);
        }
    };
    let manifest = out.finish(rows).await.with_context(|| format!("writing {}", path.display()))?;
    let bytes = tokio::fs::metadata(path).await?.len();
    Ok(Summary::new(path, &manifest, bytes, started))
}

async fn write(conn: &DatabaseConnection, storage: &Storage, out: &ArchiveWriter) -> anyhow::Result<BTreeMap<String, u64>> {
    let txn = snapshot(conn).await?;
    let tables = tables::all();
    let header = Header {
        format: FORMAT,
        app_version: env!("CARGO_PKG_VERSION").to_owned(),
        created_at: Utc::now(),
        engine: engine(conn).to_owned(),
        storage: storage.backend_name().to_owned(),
        migrations: tables::migrations(&txn).await?,
        tables: tables.iter().map(|t| t.name().to_owned()).collect(),
    };
    out.file(archive::HEADER.to_owned(), serde_json::to_vec_pretty(&header)?).await?;
    let mut rows = BTreeMap::new();
    for table in &tables {
        let n = table.dump(&txn, out).await.with_context(|| format!("reading table {}", table.name()))?;
        rows.insert(table.name().to_owned(), n);
    }
    txn.rollback().await?;
    for listed in storage.list("").await? {
        match storage.get(&listed.key).await {
            Ok(object) => {
                let meta = object.meta;
                out.stream(format!("{OBJECTS}{}", meta.key), meta.content_type, meta.size, object.body)
                    .await
                    .with_context(|| format!("copying file {}", meta.key))?;
            }
            // Removed since it was listed: no row of the snapshot names it.
            Err(StorageError::NotFound(_)) => {}
            Err(e) => return Err(e).with_context(|| format!("reading file {}", listed.key)),
        }
    }
    Ok(rows)
}

/// One consistent view of the whole database.
async fn snapshot(conn: &DatabaseConnection) -> Result<DatabaseTransaction, sea_orm::DbErr> {
    match conn.get_database_backend() {
        DatabaseBackend::Postgres => conn.begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly)).await,
        // A deferred transaction in WAL mode: its snapshot is taken at its first read, and
        // writers go on meanwhile.
        _ => conn.begin().await,
    }
}

fn engine(conn: &DatabaseConnection) -> &'static str {
    match conn.get_database_backend() {
        DatabaseBackend::Postgres => "postgres",
        DatabaseBackend::Sqlite => "sqlite",
        _ => "other",
    }
}

/// Reads the whole archive, checking every entry's size and SHA-256 against its manifest.
pub async fn verify(file: &Path, key: Option<&SecretString>) -> anyhow::Result<(Header, Manifest)> {
    let mut pieces = archive::read(file, key).with_context(|| format!("opening {}", file.display()))?;
    let mut header = None;
    let mut current: Option<(String, Vec<u8>)> = None;
    while let Some(piece) = pieces.recv().await {
        match piece.with_context(|| format!("reading {}", file.display()))? {
            Piece::Begin { path, .. } => current = Some((path, Vec::new())),
            Piece::Chunk(bytes) => {
                if let Some((path, buf)) = &mut current {
                    if path == archive::HEADER {
                        buf.extend_from_slice(&bytes);
                    }
                }
            }
            Piece::End => {
                if let Some((path, buf)) = current.take() {
                    if path == archive::HEADER {
                        header = Some(read_header(&buf)?);
                    } else if header.is_none() {
                        bail!("{}: `{path}` comes before the archive's header: not a PetPixel backup", file.display());
                    }
                }
            }
            Piece::Verified(manifest) => {
                let header = header.context("the archive has no header: not a PetPixel backup")?;
                return Ok((header, manifest));
            }
            Piece::Finish { .. } => bail!("unexpected piece"),
        }
    }
    bail!("{}: the archive ends early", file.display())
}

fn read_header(bytes: &[u8]) -> anyhow::Result<Header> {
    let header: Header = serde_json::from_slice(bytes).context("the archive's header is not readable: not a PetPixel backup")?;
    if header.format != FORMAT {
        bail!("the archive is in format {}, this version reads format {FORMAT}", header.format);
    }
    Ok(header)
}

/// Restores an archive into the database (migrated by this version) and the store, after
/// verifying all of it. Both must be empty unless `replace`, which empties them first. The rows
/// go in in one transaction: on any failure the database is left as it was.
pub async fn restore(
    conn: &DatabaseConnection,
    storage: &Storage,
    path: &Path,
    key: Option<&SecretString>,
    replace: bool,
) -> anyhow::Result<Summary> {
    let started = Instant::now();
    let (header, manifest) = verify(path, key).await?;
    let ours = tables::migrations(conn).await?;
    if ours != header.migrations {
        let (theirs, mine) = (header.migrations.last().map_or("none", String::as_str), ours.last().map_or("none", String::as_str));
        bail!(
            "the archive's schema (up to {theirs}, made by version {}) is not this database's (up to {mine}): restore with the version that made it, then upgrade",
            header.app_version
        );
    }
    let tables = tables::all();
    let txn = conn.begin().await?;
    let mut held = Vec::new();
    for table in &tables {
        let n = table.count(&txn).await?;
        if n > 0 {
            held.push(format!("{} {}", n, table.name()));
        }
    }
    let files = storage.list("").await?;
    if !replace && (!held.is_empty() || !files.is_empty()) {
        let mut what = held.join(", ");
        if !files.is_empty() {
            what = format!("{what}{}{} files", if what.is_empty() { "" } else { ", " }, files.len());
        }
        bail!("the database and store are not empty ({what}): restore into empty ones, or pass --replace to empty them first");
    }
    if replace {
        for table in tables.iter().rev() {
            table.clear(&txn).await?;
        }
    }
    let mut pieces = archive::read(path, key)?;
    let mut restored: BTreeMap<String, u64> = BTreeMap::new();
    while let Some(piece) = pieces.recv().await {
        match piece? {
            Piece::Begin { path: entry, size, content_type } => {
                if let Some(rest) = entry.strip_prefix(DB) {
                    let name = rest.split('/').next().unwrap_or_default();
                    let table = tables
                        .iter()
                        .find(|t| t.name() == name)
                        .with_context(|| format!("the archive has a table `{name}` this version does not know"))?;
                    let jsonl = gather(&mut pieces).await?;
                    let n = table.insert(&txn, &jsonl).await.with_context(|| format!("restoring table {name}"))?;
                    *restored.entry(name.to_owned()).or_default() += n;
                } else if let Some(key) = entry.strip_prefix(OBJECTS) {
                    let key = ObjectKey::new(key)?;
                    put(storage, &key, content_type.as_deref().unwrap_or("application/octet-stream"), size, &mut pieces)
                        .await
                        .with_context(|| format!("storing file {key}"))?;
                } else {
                    gather(&mut pieces).await?;
                }
            }
            Piece::Verified(_) => break,
            _ => bail!("the archive changed while it was being restored"),
        }
    }
    for (table, rows) in &manifest.rows {
        let got = restored.get(table).copied().unwrap_or_default();
        if got != *rows {
            bail!("table {table}: {got} rows restored where the archive has {rows}");
        }
    }
    txn.commit().await?;
    if replace {
        let kept: std::collections::HashSet<&str> = manifest.objects().filter_map(|e| e.path.strip_prefix(OBJECTS)).collect();
        for file in files.iter().filter(|f| !kept.contains(f.key.as_str())) {
            storage.delete(&file.key).await?;
        }
    }
    let bytes = tokio::fs::metadata(path).await?.len();
    Ok(Summary::new(path, &manifest, bytes, started))
}

/// The rest of the current entry, in memory (rows come in bounded chunks).
async fn gather(pieces: &mut mpsc::Receiver<std::io::Result<Piece>>) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        match pieces.recv().await.context("the archive ends early")?? {
            Piece::Chunk(bytes) => out.extend_from_slice(&bytes),
            Piece::End => return Ok(out),
            _ => bail!("an entry of the archive is cut off"),
        }
    }
}

/// Streams the current entry into the store.
async fn put(
    storage: &Storage,
    key: &ObjectKey,
    content_type: &str,
    size: u64,
    pieces: &mut mpsc::Receiver<std::io::Result<Piece>>,
) -> anyhow::Result<()> {
    let (tx, rx) = mpsc::channel::<std::io::Result<bytes::Bytes>>(4);
    let body: crate::storage::ByteStream = Box::pin(tokio_stream_from(rx));
    let upload = storage.put(key, content_type, size, body);
    let feed = async move {
        loop {
            match pieces.recv().await {
                Some(Ok(Piece::Chunk(bytes))) => {
                    if tx.send(Ok(bytes)).await.is_err() {
                        // The store stopped reading: its error is the one to tell.
                        return Ok(());
                    }
                }
                Some(Ok(Piece::End)) => return Ok(()),
                Some(Err(e)) => {
                    let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
                    return Err(anyhow::Error::from(e));
                }
                _ => return Err(anyhow::anyhow!("an entry of the archive is cut off")),
            }
        }
    };
    let (stored, fed) = tokio::join!(upload, feed);
    fed?;
    stored?;
    Ok(())
}

fn tokio_stream_from<T>(mut rx: mpsc::Receiver<T>) -> impl futures::Stream<Item = T> {
    futures::stream::poll_fn(move |cx| rx.poll_recv(cx))
}
