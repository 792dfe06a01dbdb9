//! The way in: multipart through the API, or a signed PUT straight to storage and then
//! `complete`. Both record the upload before its object is written, check the content before it
//! becomes an asset, and make it an asset (or a new version) in one transaction with its
//! activity entry and its processing job. A refused file leaves no row and no object.

use axum::extract::multipart::{Field, Multipart, MultipartError};
use chrono::Utc;
use petpixel_types::activity::{ActionType, ResourceType};
use petpixel_types::asset::{
    sanitize_filename, too_large, unsupported, Asset, AssetType, MediaType, PresignUpload, PresignedUpload, ProcessingStatus,
};
use petpixel_types::event::Payload;
use petpixel_types::{Action, Resource};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::json;
use uuid::Uuid;

use super::inspect::{self, Facts, Refusal};
use super::scan::{self, Verdict};
use super::spool::{self, SpoolError, Spooled};
use super::{model, store, PROCESS};
use crate::activity::{self, Audit, NewEntry};
use crate::actor::Actor;
use crate::entities::{asset_uploads, asset_versions, project_assets, projects};
use crate::error::{ApiResult, AppError};
use crate::jobs::{self, NewJob};
use crate::policy;
use crate::state::AppState;
use crate::storage::ObjectKey;

/// Text fields are short; a form has `file` and `asset_type`, nothing else of size.
const MAX_TEXT_FIELD: usize = 256;
const MAX_FIELDS: usize = 8;

/// A live project, or 404.
pub async fn find_project(conn: &impl sea_orm::ConnectionTrait, id: Uuid) -> ApiResult<projects::Model> {
    projects::Entity::find_by_id(id)
        .filter(projects::Column::DeletedAt.is_null())
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("project"))
}

/// A file received and checked, not yet stored.
struct Received {
    file: Spooled,
    original_filename: String,
    media: MediaType,
    facts: Facts,
}

/// `POST /projects/{id}/assets`: a new asset from a multipart form.
#[tracing::instrument(name = "assets.upload", skip_all, fields(project.id = %project_id))]
pub async fn upload(state: &AppState, actor: &Actor, project_id: Uuid, form: Multipart) -> ApiResult<Asset> {
    let project = find_project(&state.db.conn, project_id).await?;
    policy::require_on_project(actor, Resource::Assets, Action::Create, project.assigned_artist_id)?;
    let (file, asset_type) = read_form(state, form).await?;
    let asset_type: AssetType = match asset_type {
        None => {
            return Err(AppError::field("asset_type", "required", "Say what the file is for: photo, sprite, background, sound or config."))
        }
        Some(text) => text.parse().map_err(|e: String| AppError::field("asset_type", "invalid", e))?,
    };
    let received = check(state, file, asset_type).await?;
    store_and_finish(state, &Audit::from(actor), Some(actor.user_id), &project, None, asset_type, received).await
}

/// A file the server makes itself (the demo's pictures and sounds): the same checks, record and
/// transaction as an upload, on behalf of `audit`.
pub async fn ingest(
    state: &AppState,
    audit: &Audit<'_>,
    project: &projects::Model,
    asset_type: AssetType,
    filename: &str,
    bytes: Vec<u8>,
) -> ApiResult<Asset> {
    let spooled = spool::spool(&spool::dir(&state.config.data_dir), crate::storage::once(bytes), state.config.max_upload_bytes)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("spooling {filename}: {e}")))?;
    let received = check(state, (spooled, filename.to_owned()), asset_type).await?;
    store_and_finish(state, audit, audit.user_id, project, None, asset_type, received).await
}

/// `POST /assets/{id}/versions`: the next version of an asset from a multipart form.
#[tracing::instrument(name = "assets.upload_version", skip_all, fields(asset.id = %asset_id))]
pub async fn upload_version(state: &AppState, actor: &Actor, asset_id: Uuid, form: Multipart) -> ApiResult<Asset> {
    let asset = store::find(&state.db.conn, asset_id).await?;
    let project = find_project(&state.db.conn, asset.project_id).await?;
    policy::require_on_project(actor, Resource::Assets, Action::Update, project.assigned_artist_id)?;
    let (file, asset_type) = read_form(state, form).await?;
    let kept: AssetType = crate::db::stored("project_assets.asset_type", &asset.asset_type)?;
    if asset_type.is_some_and(|t| t != kept.as_str()) {
        return Err(AppError::field("asset_type", "fixed", format!("A new version stays a {kept}; leave `asset_type` out.")));
    }
    let received = check(state, file, kept).await?;
    store_and_finish(state, &Audit::from(actor), Some(actor.user_id), &project, Some(asset.id), kept, received).await
}

/// Records the upload, writes its object, then makes it an asset.
async fn store_and_finish(
    state: &AppState,
    audit: &Audit<'_>,
    uploaded_by: Option<Uuid>,
    project: &projects::Model,
    asset_id: Option<Uuid>,
    asset_type: AssetType,
    received: Received,
) -> ApiResult<Asset> {
    let Received { file, original_filename, media, facts } = received;
    let upload = begin(state, uploaded_by, project.id, asset_id, asset_type, &original_filename, media, file.len).await?;
    let key = ObjectKey::new(&upload.file_path)?;
    let stored = async {
        let body = file.stream().await.map_err(|e| AppError::Internal(e.into()))?;
        state.storage.put(&key, media.mime(), file.len, body).await.map_err(AppError::from)
    }
    .await;
    if let Err(e) = stored {
        abandon(state, &upload).await;
        return Err(e);
    }
    drop(file);
    let kept = upload.clone();
    let done = finish(state, audit, upload, media, facts).await;
    if done.is_err() {
        // Rolled back: the upload goes now rather than at its expiry.
        abandon(state, &kept).await;
    }
    done
}

/// The `file` field spooled to disk (with its name), and the `asset_type` field's text.
async fn read_form(state: &AppState, mut form: Multipart) -> ApiResult<((Spooled, String), Option<String>)> {
    let max = state.config.max_upload_bytes;
    let (mut file, mut asset_type) = (None, None);
    for _ in 0..MAX_FIELDS {
        let Some(field) = form.next_field().await.map_err(multipart_error)? else {
            return match file {
                Some(file) => Ok((file, asset_type)),
                None => Err(AppError::field("file", "required", "Attach the file as the `file` field of a multipart form.")),
            };
        };
        match field.name() {
            Some("file") if file.is_none() => {
                let name = field.file_name().unwrap_or("file").to_owned();
                let spooled = spool::spool(&spool::dir(&state.config.data_dir), field, max).await.map_err(|e| match e {
                    SpoolError::TooLarge(_) => AppError::PayloadTooLarge(format!("`file`: {}", too_large(max))),
                    SpoolError::Body(e) => AppError::bad_request(format!("The upload broke off: {e}")),
                    SpoolError::Io(e) => AppError::Internal(anyhow::anyhow!("spooling an upload: {e}")),
                })?;
                file = Some((spooled, name));
            }
            Some("asset_type") => asset_type = Some(text(field).await?),
            Some(other) => {
                return Err(AppError::field(other, "unknown", "The form takes `file` (once) and `asset_type`."));
            }
            None => return Err(AppError::bad_request("A form field has no name.")),
        }
    }
    Err(AppError::bad_request(format!("A form of more than {MAX_FIELDS} fields is not an upload.")))
}

async fn text(mut field: Field<'_>) -> ApiResult<String> {
    let name = field.name().unwrap_or_default().to_owned();
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > MAX_TEXT_FIELD {
            return Err(AppError::field(&name, "too_long", format!("At most {MAX_TEXT_FIELD} bytes.")));
        }
    }
    String::from_utf8(bytes).map(|s| s.trim().to_owned()).map_err(|_| AppError::field(&name, "invalid", "Not UTF-8 text."))
}

fn multipart_error(e: MultipartError) -> AppError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return AppError::PayloadTooLarge(e.body_text());
    }
    AppError::bad_request(format!("This is not a well-formed multipart form: {}", e.body_text()))
}

/// The content's type, completeness and size; then the virus scanner, when one is set.
async fn check(state: &AppState, (file, original_filename): (Spooled, String), asset_type: AssetType) -> ApiResult<Received> {
    let (media, facts) = inspect_file(state, &file).await?;
    asset_type.accepts(media).map_err(|m| AppError::field("asset_type", "wrong_kind", m))?;
    scan_file(state, &file, &original_filename).await?;
    Ok(Received { file, original_filename, media, facts })
}

async fn inspect_file(state: &AppState, file: &Spooled) -> ApiResult<(MediaType, Facts)> {
    let (path, len, limits) = (file.path().to_owned(), file.len, inspect::ImageLimits::from(&*state.config));
    let result = tokio::task::spawn_blocking(move || {
        let mut f = std::fs::File::open(path)?;
        Ok::<_, std::io::Error>(inspect::inspect(&mut f, len, limits))
    })
    .await
    .map_err(anyhow::Error::from)?
    .map_err(anyhow::Error::from)?;
    result.map_err(|refusal| match refusal {
        Refusal::Unsupported => AppError::UnsupportedMediaType(format!("`file`: {}", unsupported())),
        Refusal::Malformed(m) => AppError::field("file", "malformed", m),
    })
}

async fn scan_file(state: &AppState, file: &Spooled, name: &str) -> ApiResult<()> {
    let Some(url) = &state.config.clamav_url else { return Ok(()) };
    match scan::scan(url, file.path()).await {
        Ok(Verdict::Clean) => Ok(()),
        Ok(Verdict::Infected(signature)) => {
            tracing::warn!(signature, filename = name, "an upload carried malware and was refused");
            Err(AppError::field("file", "infected", format!("The virus scanner found {signature} in this file; it was not stored.")))
        }
        Err(e) => {
            tracing::error!(error = %e, "the virus scanner did not answer; the upload was refused");
            Err(AppError::Unavailable { detail: "The virus scanner does not answer; try again in a minute.".into(), retry_after_secs: 30 })
        }
    }
}

/// Records an upload about to be written, with the key it will have and when it expires.
#[allow(clippy::too_many_arguments)]
async fn begin(
    state: &AppState,
    uploaded_by: Option<Uuid>,
    project_id: Uuid,
    asset_id: Option<Uuid>,
    asset_type: AssetType,
    original_filename: &str,
    media: MediaType,
    len: u64,
) -> ApiResult<asset_uploads::Model> {
    let id = Uuid::now_v7();
    let now = Utc::now();
    let key = store::original_key(project_id, asset_id.unwrap_or(id), id, media)?;
    let ttl = chrono::Duration::from_std(state.config.upload_link_ttl).map_err(anyhow::Error::from)?;
    let row = asset_uploads::ActiveModel {
        id: Set(id),
        project_id: Set(project_id),
        asset_id: Set(asset_id),
        asset_type: Set(asset_type.as_str().to_owned()),
        filename: Set(sanitize_filename(original_filename)),
        original_filename: Set(original_filename.chars().take(1024).collect()),
        file_path: Set(key.to_string()),
        file_size: Set(i64::try_from(len).map_err(anyhow::Error::from)?),
        mime_type: Set(media.mime().to_owned()),
        uploaded_by: Set(uploaded_by),
        created_at: Set(now),
        expires_at: Set(now + ttl),
    };
    // Every write on SQLite goes through the write lock (see `db.rs`).
    let txn = state.db.begin_write().await?;
    let row = row.insert(&*txn).await?;
    txn.commit().await?;
    Ok(row)
}

/// Removes an upload that will not complete. Its row is claimed first, so an upload that
/// another request completed meanwhile (its object now an asset's) is left alone; if storage
/// then fails, the row is put back, expired, for the sweeper to try again.
pub async fn abandon(state: &AppState, upload: &asset_uploads::Model) {
    let claimed = async {
        let txn = state.db.begin_write().await?;
        let done = asset_uploads::Entity::delete_many().filter(asset_uploads::Column::Id.eq(upload.id)).exec(&*txn).await?;
        txn.commit().await?;
        Ok::<_, sea_orm::DbErr>(done)
    }
    .await;
    match claimed {
        Ok(done) if done.rows_affected == 1 => {}
        Ok(_) => return,
        Err(e) => {
            tracing::warn!(upload = %upload.id, error = %e, "an abandoned upload stays for the sweeper");
            return;
        }
    }
    let removed = async {
        for key in [ObjectKey::new(&upload.file_path)?, store::staging_key(upload.id)?] {
            state.storage.delete(&key).await?;
        }
        Ok::<_, AppError>(())
    }
    .await
    .map_err(|e| e.to_string());
    if let Err(e) = removed {
        tracing::warn!(upload = %upload.id, error = e, "an abandoned upload's object stays for the sweeper");
        let again = asset_uploads::ActiveModel { expires_at: Set(Utc::now()), ..asset_uploads::ActiveModel::from(upload.clone()) };
        let put_back = async {
            let txn = state.db.begin_write().await?;
            again.insert(&*txn).await?;
            txn.commit().await
        };
        if let Err(e) = put_back.await {
            tracing::error!(upload = %upload.id, key = upload.file_path, error = %e, "an object is left without its upload row");
        }
    }
}

/// The upload becomes an asset (or its next version), with its activity entry and its
/// processing job, in one transaction; the upload's row goes in the same one.
async fn finish(state: &AppState, audit: &Audit<'_>, upload: asset_uploads::Model, media: MediaType, facts: Facts) -> ApiResult<Asset> {
    let txn = state.db.begin_write().await?;
    let claimed = asset_uploads::Entity::delete_many().filter(asset_uploads::Column::Id.eq(upload.id)).exec(&*txn).await?.rows_affected;
    if claimed != 1 {
        return Err(AppError::conflict("This upload was completed already, or it expired."));
    }
    let now = Utc::now();
    let asset_id = upload.asset_id.unwrap_or(upload.id);
    let version = match upload.asset_id {
        None => 1,
        Some(id) => {
            let asset = store::find(&*txn, id).await?;
            let next = asset.version + 1;
            // Conditional on the version read: of two versions racing, each gets its own number.
            let moved = project_assets::Entity::update_many()
                .col_expr(project_assets::Column::Version, sea_orm::sea_query::Expr::value(next))
                .filter(project_assets::Column::Id.eq(id))
                .filter(project_assets::Column::Version.eq(asset.version))
                .exec(&*txn)
                .await?
                .rows_affected;
            if moved != 1 {
                return Err(AppError::conflict("Another version of this asset arrived at the same moment; send yours again."));
            }
            next
        }
    };
    let v = asset_versions::Model {
        id: Uuid::now_v7(),
        asset_id,
        version,
        original_filename: upload.original_filename.chars().take(255).collect(),
        file_path: upload.file_path.clone(),
        file_size: upload.file_size,
        mime_type: media.mime().to_owned(),
        metadata: Some(facts.to_json()),
        processing_status: ProcessingStatus::Pending.as_str().into(),
        processing_error: None,
        thumbnail_path: None,
        preview_path: None,
        uploaded_by: upload.uploaded_by,
        uploaded_at: now,
        processed_at: None,
    };
    if upload.asset_id.is_none() {
        project_assets::ActiveModel {
            id: Set(asset_id),
            project_id: Set(upload.project_id),
            asset_type: Set(upload.asset_type.clone()),
            filename: Set(upload.filename.clone()),
            original_filename: Set(v.original_filename.clone()),
            file_path: Set(v.file_path.clone()),
            file_size: Set(v.file_size),
            mime_type: Set(v.mime_type.clone()),
            metadata: Set(v.metadata.clone()),
            processing_status: Set(v.processing_status.clone()),
            version: Set(1),
            uploaded_by: Set(v.uploaded_by),
            uploaded_at: Set(now),
            processed_at: Set(None),
            processing_error: Set(None),
            thumbnail_path: Set(None),
            preview_path: Set(None),
        }
        .insert(&*txn)
        .await?;
    }
    let v: asset_versions::ActiveModel = v.into();
    let v = v.insert(&*txn).await?;
    store::mirror(&*txn, &v).await?;
    jobs::enqueue(&*txn, NewJob::new(PROCESS, json!({ "asset_id": asset_id, "version": version })).dedupe(v.id.to_string())).await?;
    let details = json!({
        "filename": upload.filename, "asset_type": upload.asset_type, "version": version,
        "file_size": upload.file_size, "mime_type": v.mime_type,
    });
    let entry = if version == 1 {
        NewEntry::new("asset.uploaded", ActionType::Create, ResourceType::Asset, asset_id)
    } else {
        NewEntry::new("asset.version_added", ActionType::Update, ResourceType::Asset, asset_id)
    };
    activity::record(&txn, audit, entry.project(upload.project_id).details(details)).await?;
    let wire = model::to_wire(state, store::find(&*txn, asset_id).await?).await?;
    txn.attach(Payload::Asset(wire.clone()));
    txn.commit().await?;
    Ok(wire)
}

/// `POST /projects/{id}/assets/presign`: a link to PUT the file straight to storage.
pub async fn presign(state: &AppState, actor: &Actor, project_id: Uuid, request: &PresignUpload) -> ApiResult<PresignedUpload> {
    let project = find_project(&state.db.conn, project_id).await?;
    policy::require_on_project(actor, Resource::Assets, Action::Create, project.assigned_artist_id)?;
    let media = request.validate(state.config.max_upload_bytes)?;
    let upload = begin(state, Some(actor.user_id), project.id, None, request.asset_type, &request.filename, media, request.size).await?;
    let key = store::staging_key(upload.id)?;
    let url = state.storage.link_to_put(&key, media.mime(), request.size, state.config.upload_link_ttl).await?;
    Ok(PresignedUpload {
        asset_id: upload.id,
        url,
        method: "PUT".into(),
        headers: [("Content-Type".to_owned(), media.mime().to_owned())].into(),
        expires_at: upload.expires_at,
    })
}

/// Whether a signed upload link may still write `key`: only to the staging key of an upload that
/// waits for its file (not completed, not expired). The folder store's `PUT /api/files` asks.
pub async fn may_stage(state: &AppState, key: &ObjectKey) -> ApiResult<()> {
    let closed = || AppError::forbidden("This upload link no longer takes a file: its upload was completed, or it expired.");
    let id = store::staged_upload(key).ok_or_else(closed)?;
    let upload = asset_uploads::Entity::find_by_id(id).one(&state.db.conn).await?.ok_or_else(closed)?;
    if upload.expires_at < Utc::now() {
        return Err(closed());
    }
    Ok(())
}

/// `POST /assets/{id}/complete`: the file is there, whole, of the type declared, and clean. The
/// checked copy, read once from the link's staging key, is what the server stores as the asset:
/// the link may still take bytes until it expires, but nothing reads them again.
#[tracing::instrument(name = "assets.complete", skip_all, fields(asset.id = %id))]
pub async fn complete(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Asset> {
    let missing = || AppError::NotFound("No upload waits with that id: it was completed already, or it expired and was removed.".into());
    let upload = asset_uploads::Entity::find_by_id(id).one(&state.db.conn).await?.ok_or_else(missing)?;
    let project = find_project(&state.db.conn, upload.project_id).await?;
    policy::require_on_project(actor, Resource::Assets, Action::Create, project.assigned_artist_id)?;
    if upload.expires_at < Utc::now() {
        abandon(state, &upload).await;
        return Err(AppError::conflict("This upload's link expired before it completed; ask for a new one."));
    }
    let key = store::staging_key(upload.id)?;
    let Some(meta) = state.storage.head(&key).await? else {
        return Err(AppError::conflict("The file has not been uploaded yet: PUT it to the upload link, then complete."));
    };
    let received = async {
        let expected = u64::try_from(upload.file_size).unwrap_or(0);
        if meta.size != expected {
            return Err(AppError::field(
                "size",
                "mismatch",
                format!("The stored file has {} bytes, not the {expected} announced.", meta.size),
            ));
        }
        let object = state.storage.get(&key).await?;
        let file = spool::spool(&spool::dir(&state.config.data_dir), object.body, expected).await.map_err(|e| match e {
            SpoolError::TooLarge(_) => AppError::field("size", "mismatch", "The stored file is larger than announced."),
            other => AppError::Internal(anyhow::anyhow!("reading an uploaded object: {other}")),
        })?;
        let asset_type: AssetType = crate::db::stored("asset_uploads.asset_type", &upload.asset_type)?;
        let received = check(state, (file, upload.original_filename.clone()), asset_type).await?;
        if received.media.mime() != upload.mime_type {
            return Err(AppError::UnsupportedMediaType(format!(
                "`file`: it was announced as {} but is {}.",
                upload.mime_type,
                received.media.description()
            )));
        }
        Ok(received)
    }
    .await;
    match received {
        Ok(received) => {
            let checked = async {
                let body = received.file.stream().await.map_err(|e| AppError::Internal(e.into()))?;
                state.storage.put(&ObjectKey::new(&upload.file_path)?, received.media.mime(), received.file.len, body).await?;
                Ok::<_, AppError>(())
            }
            .await;
            // Storage away: the staged file stays for another try.
            checked?;
            drop(received.file);
            let kept = upload.clone();
            let done = finish(state, &Audit::from(actor), upload, received.media, received.facts).await;
            match &done {
                Ok(_) => {
                    if let Err(e) = state.storage.delete(&key).await {
                        tracing::warn!(upload = %kept.id, error = %e, "a staged upload stays for the sweeper");
                    }
                }
                Err(e) if e.status().is_client_error() => abandon(state, &kept).await,
                Err(_) => {}
            }
            done
        }
        // A refused file goes now; when storage or the scanner is away, it is no fault of the
        // file, and it stays for another try.
        Err(e) if e.status().is_client_error() => {
            abandon(state, &upload).await;
            Err(e)
        }
        Err(e) => Err(e),
    }
}
