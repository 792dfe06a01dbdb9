//! The archive file: a tar stream, gzip'd, and sealed with age (a passphrase) when a key is given.
//! Tar and gzip are blocking `Write`/`Read` code, so each archive is written or read on a thread
//! of its own, fed or drained through a channel of [`Piece`]s; nothing holds a whole object.
//!
//! Every entry's size and SHA-256 are taken from the bytes as they pass, and the writer closes the
//! archive with `manifest.json` listing them: a reader checks each entry against it.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures::StreamExt;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

use crate::storage::ByteStream;

/// The archive's first entry.
pub const HEADER: &str = "petpixel-backup.json";
/// Its last.
pub const MANIFEST: &str = "manifest.json";
/// The PAX record an object's content type travels in.
const CONTENT_TYPE: &str = "PETPIXEL.content_type";
/// How an age file starts.
const AGE_MAGIC: &[u8] = b"age-encryption.org/v1";
const CHUNK: usize = 256 * 1024;

/// One entry as the archive holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    pub size: u64,
    pub sha256: String,
}

/// What closes the archive: every entry before it, and the rows each table had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub entries: Vec<Entry>,
    pub rows: BTreeMap<String, u64>,
}

impl Manifest {
    pub fn objects(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.path.starts_with(super::OBJECTS))
    }
}

/// What passes between the archive's thread and the async side.
pub enum Piece {
    Begin {
        path: String,
        size: u64,
        content_type: Option<String>,
    },
    Chunk(Bytes),
    End,
    /// Writer only: close with the manifest (these rows, and the entries seen).
    Finish {
        rows: BTreeMap<String, u64>,
    },
    /// Reader only: the manifest, every entry having matched it.
    Verified(Manifest),
}

/// An archive being written to `path` (as `path.partial` until it is whole).
pub struct ArchiveWriter {
    tx: mpsc::Sender<Piece>,
    thread: std::thread::JoinHandle<io::Result<Manifest>>,
    path: PathBuf,
}

impl ArchiveWriter {
    pub fn create(path: &Path, key: Option<&SecretString>) -> io::Result<Self> {
        let partial = partial(path);
        let file = File::create(&partial)?;
        let sink = Sink::new(BufWriter::with_capacity(CHUNK, file), key)?;
        let (tx, rx) = mpsc::channel(8);
        let thread = std::thread::Builder::new().name("backup-writer".into()).spawn(move || write_all(sink, rx))?;
        Ok(ArchiveWriter { tx, thread, path: path.to_owned() })
    }

    /// Adds a small entry held in memory.
    pub async fn file(&self, path: String, bytes: Vec<u8>) -> io::Result<()> {
        self.send(Piece::Begin { path, size: bytes.len() as u64, content_type: None }).await?;
        self.send(Piece::Chunk(Bytes::from(bytes))).await?;
        self.send(Piece::End).await
    }

    /// Adds an entry of exactly `size` bytes read from `body`.
    pub async fn stream(&self, path: String, content_type: Option<String>, size: u64, mut body: ByteStream) -> io::Result<()> {
        self.send(Piece::Begin { path, size, content_type }).await?;
        while let Some(chunk) = body.next().await {
            self.send(Piece::Chunk(chunk?)).await?;
        }
        self.send(Piece::End).await
    }

    /// Writes the manifest, closes every layer, syncs the file to disk and gives it its name.
    pub async fn finish(self, rows: BTreeMap<String, u64>) -> io::Result<Manifest> {
        self.send(Piece::Finish { rows }).await?;
        let ArchiveWriter { tx, thread, path } = self;
        drop(tx);
        let manifest = tokio::task::spawn_blocking(move || thread.join().map_err(|_| io::Error::other("the backup writer panicked"))?)
            .await
            .map_err(io::Error::other)??;
        tokio::fs::rename(partial(&path), &path).await?;
        Ok(manifest)
    }

    /// Leaves no partial archive behind.
    pub async fn abandon(self) {
        let ArchiveWriter { tx, thread, path } = self;
        drop(tx);
        let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        let _ = tokio::fs::remove_file(partial(&path)).await;
    }

    async fn send(&self, piece: Piece) -> io::Result<()> {
        if self.tx.send(piece).await.is_err() {
            // The thread stopped: its error is what `finish` or `abandon` will tell.
            return Err(io::Error::other("the backup writer stopped"));
        }
        Ok(())
    }
}

fn partial(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

/// The file, sealed or not.
enum Sink {
    Plain(BufWriter<File>),
    Sealed(age::stream::StreamWriter<BufWriter<File>>),
}

impl Sink {
    fn new(file: BufWriter<File>, key: Option<&SecretString>) -> io::Result<Self> {
        Ok(match key {
            None => Sink::Plain(file),
            Some(key) => {
                let passphrase = age::secrecy::SecretString::from(key.expose_secret().to_owned());
                Sink::Sealed(age::Encryptor::with_user_passphrase(passphrase).wrap_output(file)?)
            }
        })
    }

    fn finish(self) -> io::Result<()> {
        let file = match self {
            Sink::Plain(file) => file,
            Sink::Sealed(sealed) => sealed.finish()?,
        };
        let file = file.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Plain(w) => w.write(buf),
            Sink::Sealed(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            Sink::Sealed(w) => w.flush(),
        }
    }
}

fn write_all(sink: Sink, mut rx: mpsc::Receiver<Piece>) -> io::Result<Manifest> {
    let gzip = flate2::write::GzEncoder::new(sink, flate2::Compression::fast());
    let mut tar = tar::Builder::new(gzip);
    let mut entries = Vec::new();
    let mut rows = None;
    while let Some(piece) = rx.blocking_recv() {
        match piece {
            Piece::Begin { path, size, content_type } => {
                if let Some(content_type) = &content_type {
                    tar.append_pax_extensions([(CONTENT_TYPE, content_type.as_bytes())])?;
                }
                let mut header = tar::Header::new_gnu();
                header.set_size(size);
                header.set_mode(0o600);
                header.set_mtime(0);
                header.set_entry_type(tar::EntryType::Regular);
                let mut body = Incoming { rx: &mut rx, left: size, pending: Bytes::new(), hash: Sha256::new(), ended: false };
                tar.append_data(&mut header, &path, &mut body)?;
                if !body.ended {
                    return Err(io::Error::other(format!("{path}: more bytes than its {size}")));
                }
                entries.push(Entry { path, size, sha256: hex::encode(body.hash.finalize()) });
            }
            Piece::Finish { rows: r } => {
                rows = Some(r);
                break;
            }
            _ => return Err(io::Error::other("the backup writer got a piece out of order")),
        }
    }
    let Some(rows) = rows else { return Err(io::Error::other("the backup stopped before its end")) };
    let manifest = Manifest { entries, rows };
    let json = serde_json::to_vec_pretty(&manifest)?;
    let mut header = tar::Header::new_gnu();
    header.set_size(json.len() as u64);
    header.set_mode(0o600);
    header.set_mtime(0);
    tar.append_data(&mut header, MANIFEST, json.as_slice())?;
    tar.into_inner()?.finish()?.finish()?;
    Ok(manifest)
}

/// One entry's body as it arrives: chunks until `End`, exactly `left` bytes of them.
struct Incoming<'a> {
    rx: &'a mut mpsc::Receiver<Piece>,
    left: u64,
    pending: Bytes,
    hash: Sha256,
    ended: bool,
}

impl Read for Incoming<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pending.is_empty() && !self.ended {
            match self.rx.blocking_recv() {
                Some(Piece::Chunk(chunk)) => {
                    if chunk.len() as u64 > self.left {
                        return Err(io::Error::other("an entry had more bytes than announced"));
                    }
                    self.left -= chunk.len() as u64;
                    self.hash.update(&chunk);
                    self.pending = chunk;
                }
                Some(Piece::End) if self.left == 0 => self.ended = true,
                Some(Piece::End) => return Err(io::Error::other(format!("an entry ended {} bytes short", self.left))),
                _ => return Err(io::Error::other("an entry was cut off")),
            }
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending = self.pending.slice(n..);
        Ok(n)
    }
}

/// Reads the archive at `path` on a thread of its own: every entry as `Begin`, `Chunk`s, `End`,
/// then `Verified` once the manifest has been read and every entry matched it; an error ends it.
pub fn read(path: &Path, key: Option<&SecretString>) -> io::Result<mpsc::Receiver<io::Result<Piece>>> {
    let mut file = BufReader::with_capacity(CHUNK, File::open(path)?);
    let sealed = file.fill_buf()?.starts_with(AGE_MAGIC);
    let source: Box<dyn Read + Send> = match (sealed, key) {
        (false, _) => Box::new(file),
        (true, None) => {
            return Err(io::Error::other("the archive is encrypted: set PETPIXEL_BACKUP_KEY to the key it was made with"));
        }
        (true, Some(key)) => {
            let decryptor = age::Decryptor::new_buffered(file).map_err(io::Error::other)?;
            let identity = age::scrypt::Identity::new(age::secrecy::SecretString::from(key.expose_secret().to_owned()));
            let reader = decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity)).map_err(|e| match e {
                age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys => {
                    io::Error::other("PETPIXEL_BACKUP_KEY is not the key this archive was made with")
                }
                e => io::Error::other(e),
            })?;
            Box::new(reader)
        }
    };
    let (tx, rx) = mpsc::channel(8);
    std::thread::Builder::new().name("backup-reader".into()).spawn(move || {
        if let Err(e) = read_all(source, &tx) {
            let _ = tx.blocking_send(Err(e));
        }
    })?;
    Ok(rx)
}

fn read_all(source: Box<dyn Read + Send>, tx: &mpsc::Sender<io::Result<Piece>>) -> io::Result<()> {
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(source));
    let mut seen = Vec::new();
    let mut manifest = None;
    let send = |piece| tx.blocking_send(Ok(piece)).map_err(|_| io::Error::other("the restore stopped reading"));
    for entry in tar.entries()? {
        let mut entry = entry?;
        let path = entry.path()?.to_string_lossy().into_owned();
        let size = entry.header().size()?;
        if manifest.is_some() {
            return Err(io::Error::other(format!("`{path}` follows the manifest")));
        }
        if path == MANIFEST {
            let mut json = Vec::new();
            entry.read_to_end(&mut json)?;
            manifest = Some(serde_json::from_slice::<Manifest>(&json).map_err(|e| io::Error::other(format!("the manifest: {e}")))?);
            continue;
        }
        let mut content_type = None;
        if let Some(pax) = entry.pax_extensions()? {
            for ext in pax.flatten() {
                if ext.key() == Ok(CONTENT_TYPE) {
                    content_type = ext.value().ok().map(str::to_owned);
                }
            }
        }
        send(Piece::Begin { path: path.clone(), size, content_type })?;
        let mut hash = Sha256::new();
        let mut read = 0u64;
        loop {
            let mut buf = vec![0; CHUNK];
            let n = entry.read(&mut buf)?;
            if n == 0 {
                break;
            }
            buf.truncate(n);
            hash.update(&buf);
            read += n as u64;
            send(Piece::Chunk(Bytes::from(buf)))?;
        }
        if read != size {
            return Err(io::Error::other(format!("`{path}` is cut short")));
        }
        send(Piece::End)?;
        seen.push(Entry { path, size, sha256: hex::encode(hash.finalize()) });
    }
    let manifest = manifest.ok_or_else(|| io::Error::other("the archive has no manifest: it is incomplete"))?;
    if manifest.entries.len() != seen.len() {
        return Err(io::Error::other(format!("the manifest lists {} entries, the archive holds {}", manifest.entries.len(), seen.len())));
    }
    for (listed, found) in manifest.entries.iter().zip(&seen) {
        if listed != found {
            return Err(io::Error::other(format!("`{}` does not match the manifest (size or SHA-256)", found.path)));
        }
    }
    send(Piece::Verified(manifest))
}
