//! The processing job: for one version of an asset, metadata, and for pictures a thumbnail and a
//! preview without EXIF (HEIC through libheif's `heif-convert`). The version goes pending ->
//! processing -> ready, or failed with the reason; both ends are activity entries, so the studio
//! hears of them. A failure of storage or the database is an error, and the job runs again.

use std::time::Duration;

use chrono::Utc;
use petpixel_types::activity::{ActionType, ResourceType};
use petpixel_types::asset::{MediaKind, MediaType, ProcessingStatus};
use petpixel_types::event::Payload as EventPayload;
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::derive::{self, Derived};
use super::inspect::{self, ImageLimits};
use super::spool::{self, Spooled};
use super::store;
use crate::activity::{self, Audit, NewEntry};
use crate::actor::ClientInfo;
use crate::entities::{asset_versions, project_assets};
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::ObjectKey;

/// How long `heif-convert` may take over one picture, in all.
const CONVERT_TIMEOUT: Duration = Duration::from_secs(120);
/// Its address space: a 50-megapixel picture decodes in well under half of it.
const CONVERT_MEMORY_KB: u64 = 2 << 20;
/// Its CPU time, in seconds.
const CONVERT_CPU_SECS: u64 = 60;
/// The largest file it may write, in 512-byte blocks (256 MiB).
const CONVERT_FILE_BLOCKS: u64 = 512 * 1024;

#[derive(Deserialize)]
struct Payload {
    asset_id: Uuid,
    version: i32,
}

pub async fn run(state: AppState, payload: Value) -> anyhow::Result<()> {
    let Payload { asset_id, version } = serde_json::from_value(payload)?;
    let conn = &state.db.conn;
    // An asset deleted since has nothing left to process.
    let Some(asset) = project_assets::Entity::find_by_id(asset_id).one(conn).await? else { return Ok(()) };
    let v = match store::find_version(conn, &asset, Some(version)).await {
        Ok(v) => v,
        Err(AppError::NotFound(_)) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    let txn = state.db.begin_write().await?;
    let v = store::set_status(&*txn, &v, ProcessingStatus::Processing, None).await?;
    txn.commit().await?;
    let media = MediaType::from_mime(&v.mime_type);
    let outcome = match media {
        None => Err(format!("`{}` is not a type this server processes", v.mime_type)),
        Some(media) => {
            let object = state.storage.get(&ObjectKey::new(&v.file_path)?).await?;
            let file = spool::spool(&spool::dir(&state.config.data_dir), object.body, u64::try_from(v.file_size)?).await?;
            make(&state, &file, media).await?
        }
    };
    settle(&state, &asset, v, outcome).await
}

/// What processing made, or why it could not.
enum Made {
    Picture(Derived),
    Sound(Value),
}

async fn make(state: &AppState, file: &Spooled, media: MediaType) -> anyhow::Result<Result<Made, String>> {
    let limits = ImageLimits::from(&*state.config);
    match media.kind() {
        MediaKind::Sound => {
            let (path, len) = (file.path().to_owned(), file.len);
            let facts = tokio::task::spawn_blocking(move || {
                let mut f = std::fs::File::open(path)?;
                Ok::<_, std::io::Error>(inspect::inspect(&mut f, len, limits))
            })
            .await??;
            Ok(facts.map(|(_, facts)| Made::Sound(facts.to_json())).map_err(|refusal| match refusal {
                inspect::Refusal::Malformed(reason) => reason,
                inspect::Refusal::Unsupported => "this is not a sound this server reads".into(),
            }))
        }
        MediaKind::Image if media == MediaType::Heic => {
            let converted = match heic_to_png(state, file).await? {
                Ok(converted) => converted,
                Err(reason) => return Ok(Err(reason)),
            };
            let path = converted.png.clone();
            let derived = tokio::task::spawn_blocking(move || derive::picture(&path, limits)).await?;
            drop(converted);
            Ok(derived.map(Made::Picture))
        }
        MediaKind::Image => {
            let path = file.path().to_owned();
            Ok(tokio::task::spawn_blocking(move || derive::picture(&path, limits)).await?.map(Made::Picture))
        }
    }
}

/// HEIC through `heif-convert` into a PNG in a folder of its own (libheif also writes depth maps
/// and auxiliary pictures beside its output), removed with everything in it when dropped. The
/// converter runs under limits on its memory, CPU time and the size of what it writes, so a
/// crafted file costs a bounded amount whatever libheif does with it. A missing converter is a
/// reason, not an error (the original is kept, and the asset says why it has no thumbnail).
async fn heic_to_png(state: &AppState, file: &Spooled) -> anyhow::Result<Result<Converted, String>> {
    let folder = tempfile::Builder::new().prefix("heic-").tempdir_in(spool::dir(&state.config.data_dir))?;
    let out = folder.path().join("picture.png");
    let mut command = tokio::process::Command::new("/bin/sh");
    command
        .arg("-c")
        .arg(format!(
            "ulimit -v {CONVERT_MEMORY_KB} && ulimit -t {CONVERT_CPU_SECS} && ulimit -f {CONVERT_FILE_BLOCKS} && exec \"$0\" \"$@\""
        ))
        .arg(&state.config.heif_convert)
        .arg(file.path())
        .arg(&out)
        .current_dir(folder.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true);
    let child = command.spawn()?;
    let output = match tokio::time::timeout(CONVERT_TIMEOUT, child.wait_with_output()).await {
        Ok(output) => output?,
        Err(_) => return Ok(Err("converting the HEIC picture took too long".into())),
    };
    // The shell's own answer when the program is not there.
    if output.status.code() == Some(127) {
        return Ok(Err(format!(
            "HEIC pictures cannot be converted on this server: `{}` (libheif's converter, Debian package libheif-examples) is not installed. The original is kept and can be downloaded.",
            state.config.heif_convert
        )));
    }
    if !output.status.success() || std::fs::metadata(&out).map(|m| m.len()).unwrap_or(0) == 0 {
        let said = String::from_utf8_lossy(&output.stderr).lines().next().unwrap_or("").trim().to_owned();
        let said = if said.is_empty() { "it stopped at its memory or time limit".to_owned() } else { said };
        return Ok(Err(format!("the HEIC picture could not be decoded ({said})")));
    }
    Ok(Ok(Converted { _folder: folder, png: out }))
}

/// A converted picture, and the folder it lives in (removed when this is dropped).
struct Converted {
    _folder: tempfile::TempDir,
    png: std::path::PathBuf,
}

/// Stores the derivatives and records the outcome with its activity entry.
async fn settle(
    state: &AppState,
    asset: &project_assets::Model,
    v: asset_versions::Model,
    outcome: Result<Made, String>,
) -> anyhow::Result<()> {
    let mut model: asset_versions::ActiveModel = v.clone().into();
    let mut metadata = v.metadata.clone().unwrap_or_else(|| json!({}));
    let (action, details) = match outcome {
        Ok(Made::Picture(derived)) => {
            let thumbnail = put(state, &v.file_path, "thumbnail", &derived.thumbnail).await?;
            let preview = put(state, &v.file_path, "preview", &derived.preview).await?;
            merge(&mut metadata, derived.metadata);
            model.thumbnail_path = Set(Some(thumbnail));
            model.preview_path = Set(Some(preview));
            model.processing_status = Set(ProcessingStatus::Ready.as_str().into());
            model.processing_error = Set(None);
            ("asset.processed", json!({ "filename": asset.filename, "version": v.version }))
        }
        Ok(Made::Sound(facts)) => {
            merge(&mut metadata, facts);
            // A sound plays from its original.
            model.preview_path = Set(Some(v.file_path.clone()));
            model.processing_status = Set(ProcessingStatus::Ready.as_str().into());
            model.processing_error = Set(None);
            ("asset.processed", json!({ "filename": asset.filename, "version": v.version }))
        }
        Err(reason) => {
            tracing::warn!(asset = %v.asset_id, version = v.version, reason, "an asset could not be processed");
            model.processing_status = Set(ProcessingStatus::Failed.as_str().into());
            model.processing_error = Set(Some(capitalise(&reason)));
            ("asset.processing_failed", json!({ "filename": asset.filename, "version": v.version, "reason": reason }))
        }
    };
    model.metadata = Set(Some(metadata));
    model.processed_at = Set(Some(Utc::now()));
    let client = ClientInfo::system("assets");
    let txn = state.db.begin_write().await?;
    store::save_version(&*txn, model).await?;
    let action_type = ActionType::Update;
    let entry = NewEntry::new(action, action_type, ResourceType::Asset, v.asset_id).project(asset.project_id).details(details);
    activity::record(&txn, &Audit::new(None, None, &client), entry).await?;
    // The thumbnail's link goes with the event: an open project page shows it at once.
    txn.attach(EventPayload::Asset(super::model::to_wire(state, store::find(&*txn, v.asset_id).await?).await?));
    txn.commit().await?;
    Ok(())
}

async fn put(state: &AppState, original: &str, name: &str, file: &derive::Encoded) -> anyhow::Result<String> {
    let key = store::derivative_key(original, &format!("{name}.{}", file.extension))?;
    let len = file.bytes.len() as u64;
    state.storage.put(&key, file.content_type, len, crate::storage::once(file.bytes.clone())).await?;
    Ok(key.to_string())
}

fn merge(into: &mut Value, from: Value) {
    if let (Some(into), Value::Object(from)) = (into.as_object_mut(), from) {
        into.extend(from);
    }
}

fn capitalise(reason: &str) -> String {
    let mut chars = reason.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str().trim_end_matches('.')),
        None => String::new(),
    }
}
