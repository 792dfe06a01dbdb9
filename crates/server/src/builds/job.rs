//! The build job: checks every slot against the template, makes game-sized files, writes the
//! manifest and the page, and stores the bundle under `builds/<id>/`. queued -> building ->
//! ready, or failed with the reason (per slot where one is to blame). Nothing is compiled: the
//! templates are, once per release.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::Utc;
use petpixel_types::activity::{ActionType, ResourceType};
use petpixel_types::asset::{MediaKind, MediaType, ProcessingStatus};
use petpixel_types::build::{BuildStatus, BundleFile, CompressedCopy, SlotFailure};
use petpixel_types::event::Payload as EventPayload;
use petpixel_types::project::{GameConfig, PackageType};
use petpixel_types::template::{self, AssetFacts, GameManifest, Resolved, Slot, SlotKind, Template};
use petpixel_types::ValidationErrors;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use super::bundle::{self, File};
use super::{dist, model};
use crate::activity::{self, Audit, NewEntry};
use crate::actor::ClientInfo;
use crate::assets::inspect::ImageLimits;
use crate::db::{stored, stored_json};
use crate::entities::{builds, project_assets, projects};
use crate::error::AppError;
use crate::state::AppState;
use crate::storage::{self, ObjectKey};

#[derive(Deserialize)]
struct Payload {
    build_id: Uuid,
}

/// What a build made.
struct Made {
    files: Vec<BundleFile>,
    size: i64,
}

/// Why it made nothing.
struct Failed {
    error: String,
    failures: Vec<SlotFailure>,
}

impl Failed {
    fn because(error: impl Into<String>) -> Self {
        Failed { error: error.into(), failures: Vec::new() }
    }
}

/// The lines of the build's log, each with the seconds since it started.
struct Log {
    started: Instant,
    lines: Vec<String>,
}

impl Log {
    fn line(&mut self, text: impl AsRef<str>) {
        self.lines.push(format!("[{:>5.2}s] {}", self.started.elapsed().as_secs_f64(), text.as_ref()));
    }
}

pub async fn run(state: AppState, payload: Value) -> anyhow::Result<()> {
    let Payload { build_id } = serde_json::from_value(payload)?;
    // A build deleted or finished since has nothing left to do.
    let Some(row) = builds::Entity::find_by_id(build_id).one(&state.db.conn).await? else { return Ok(()) };
    if model::status(&row)?.is_finished() {
        return Ok(());
    }
    let mut log = Log { started: Instant::now(), lines: Vec::new() };
    log.line(format!("Building the {} template", row.template));
    let txn = state.db.begin_write().await?;
    let mut building: builds::ActiveModel = row.clone().into();
    building.status = Set(BuildStatus::Building.as_str().into());
    building.started_at = Set(Some(Utc::now()));
    building.log = Set(json!(log.lines));
    let row = building.update(&*txn).await?;
    let wire = model::to_wire(&state, row.clone())?;
    txn.stage(crate::events::about("build.started", ResourceType::Build, Some(row.project_id), None, EventPayload::Build(wire)));
    txn.commit().await?;

    let (resolved, outcome) = match make(&state, &row, &mut log).await {
        Ok(made) => made,
        // The store or the database failing mid-build is not the build's fault, but leaving it
        // "building" would leave the team waiting: it fails with the reason, and they rebuild.
        Err(e) => {
            tracing::error!(error = %e, build = %row.id, "a build failed on an internal error");
            (None, Err(Failed::because("The build could not be stored (the file store or the database did not answer); build again.")))
        }
    };
    settle(&state, row, resolved, outcome, log).await
}

async fn make(state: &AppState, row: &builds::Model, log: &mut Log) -> anyhow::Result<(Option<Resolved>, Result<Made, Failed>)> {
    let conn = &state.db.conn;
    let project = projects::Entity::find_by_id(row.project_id).filter(projects::Column::DeletedAt.is_null()).one(conn).await?;
    let Some(project) = project else { return Ok((None, Err(Failed::because("The project has been deleted.")))) };
    let Some(template) = template::find(&row.template) else {
        return Ok((None, Err(Failed::because(format!("This server has no `{}` template.", row.template)))));
    };
    let package: PackageType = stored("projects.package_type", &project.package_type)?;
    let config: GameConfig = stored_json("projects.game_config", &project.game_config)?;
    let params: BTreeMap<String, Value> = stored_json("builds.params", &row.params)?;
    let slots: BTreeMap<String, Uuid> = stored_json("builds.slots", &row.slots)?;
    let texts: BTreeMap<String, String> = stored_json("builds.texts", &row.texts)?;
    // Checked when the build was asked for; the template is the same one, so no new errors.
    let resolved = template.resolve(package, &config, &params, &mut ValidationErrors::new());
    log.line(format!("{} package, {} difficulty: {}", package.as_str(), config.difficulty.as_str(), describe(&resolved)));

    let (chosen, mut failures) = check_slots(conn, &template, row.project_id, &slots).await?;
    if !failures.is_empty() {
        return Ok((Some(resolved), Err(slot_failures(failures))));
    }
    let Some(compiled) = dist::compiled(&template.id) else {
        return Ok((
            Some(resolved),
            Err(Failed::because(format!(
                "The {} template is not compiled into this server: run `cargo xtask build-games` and rebuild it.",
                template.name
            ))),
        ));
    };

    let limits = ImageLimits::from(&*state.config);
    let mut files = Vec::new();
    let mut manifest_files = BTreeMap::new();
    for (slot, asset) in chosen {
        match game_file(state, slot, &asset, limits).await? {
            Ok(file) => {
                log.line(format!(
                    "{}: {} -> {} ({})",
                    slot.key,
                    asset.filename,
                    file.name,
                    petpixel_types::asset::human_size(file.bytes.len() as u64)
                ));
                manifest_files.insert(slot.key.clone(), file.name.clone());
                files.push(file);
            }
            Err(reason) => failures.push(SlotFailure { slot: slot.key.clone(), reason: format!("{}: {reason}", asset.filename) }),
        }
    }
    if !failures.is_empty() {
        return Ok((Some(resolved), Err(slot_failures(failures))));
    }

    let title = texts.get("title").cloned().unwrap_or_else(|| format!("{}'s {}", project.pet_name, template.name));
    // The pet's name and what the game shows; never the customer's details or the notes.
    let manifest = GameManifest {
        template: template.id.clone(),
        title: title.clone(),
        pet_name: project.pet_name.clone(),
        values: resolved.values.clone(),
        ramp: resolved.ramp.clone(),
        files: manifest_files,
    };
    let manifest = serde_json::to_vec_pretty(&manifest)?;
    // The template's own compressed copies came with it from `build-games`.
    let js = File { name: bundle::hashed(&template.id, "js", &compiled.js), bytes: compiled.js, copies: compiled.js_copies };
    let wasm = File {
        name: bundle::hashed(&format!("{}_bg", template.id), "wasm", &compiled.wasm),
        bytes: compiled.wasm,
        copies: compiled.wasm_copies,
    };
    let manifest = File::new(bundle::hashed("manifest", "json", &manifest), manifest);
    let pictures: Vec<String> = files.iter().map(|f| f.name.clone()).filter(|n| n.ends_with(".png") || n.ends_with(".webp")).collect();
    let index = bundle::index_html(&title, &js.name, &wasm.name, &manifest.name, &pictures);
    let index = File::new("index.html".into(), index.into_bytes());
    files.extend([js, wasm, manifest, index]);

    let mut listed = Vec::new();
    for file in files {
        let content_type = super::preview::content_type(&file.name);
        let mut compressed = Vec::new();
        for (coding, bytes) in file.copies {
            let key = ObjectKey::new(format!("builds/{}/{}{}", row.id, file.name, coding.suffix()))?;
            let len = bytes.len() as u64;
            state.storage.put(&key, content_type, len, storage::once(bytes)).await?;
            compressed.push(CompressedCopy { encoding: coding.token().into(), size: i64::try_from(len)? });
        }
        let key = ObjectKey::new(format!("builds/{}/{}", row.id, file.name))?;
        let len = file.bytes.len() as u64;
        state.storage.put(&key, content_type, len, storage::once(file.bytes)).await?;
        listed.push(BundleFile { name: file.name, content_type: content_type.into(), size: i64::try_from(len)?, compressed });
    }
    let size = listed.iter().map(|f| f.size).sum();
    log.line(format!("Stored {} files, {} in all", listed.len(), petpixel_types::asset::human_size(u64::try_from(size)?)));
    Ok((Some(resolved), Ok(Made { files: listed, size })))
}

fn describe(resolved: &Resolved) -> String {
    resolved.values.iter().map(|(k, v)| format!("{k} = {}", serde_json::to_string(v).unwrap_or_default())).collect::<Vec<_>>().join(", ")
}

fn slot_failures(failures: Vec<SlotFailure>) -> Failed {
    let error = match failures.as_slice() {
        [one] => format!("The {} slot cannot be used: {}", one.slot, one.reason),
        many => format!("{} slots cannot be used: {}.", many.len(), many.iter().map(|f| f.slot.as_str()).collect::<Vec<_>>().join(", ")),
    };
    Failed { error, failures }
}

/// Each filled slot's asset, if it fits; and, per slot, why not.
async fn check_slots<'t>(
    conn: &impl sea_orm::ConnectionTrait,
    template: &'t Template,
    project_id: Uuid,
    slots: &BTreeMap<String, Uuid>,
) -> Result<(Vec<(&'t Slot, project_assets::Model)>, Vec<SlotFailure>), AppError> {
    let mut failures: Vec<SlotFailure> = template
        .missing_slots(slots)
        .map(|s| SlotFailure { slot: s.key.clone(), reason: format!("{} needs an asset: it has no fallback.", s.label) })
        .collect();
    let mut chosen = Vec::new();
    for (key, asset_id) in slots {
        let fail = |reason: String| SlotFailure { slot: key.clone(), reason };
        let Some(slot) = template.slot(key) else {
            failures.push(fail(format!("The {} template has no slot `{key}`.", template.name)));
            continue;
        };
        let asset =
            project_assets::Entity::find_by_id(*asset_id).filter(project_assets::Column::ProjectId.eq(project_id)).one(conn).await?;
        let Some(asset) = asset else {
            failures.push(fail(format!("The asset chosen for {} has been deleted.", slot.label)));
            continue;
        };
        match stored::<ProcessingStatus>("project_assets.processing_status", &asset.processing_status)? {
            ProcessingStatus::Ready => {}
            ProcessingStatus::Failed => {
                let why = asset.processing_error.as_deref().unwrap_or("no reason given");
                failures.push(fail(format!("{} could not be processed ({why}); upload it again.", asset.filename)));
                continue;
            }
            _ => {
                failures.push(fail(format!("{} is still being processed; build again in a moment.", asset.filename)));
                continue;
            }
        }
        let facts = AssetFacts::from_metadata(&asset.mime_type, asset.metadata.as_ref().unwrap_or(&Value::Null));
        if let Err(reason) = slot.kind.fits(&facts) {
            failures.push(fail(format!("{}: {reason}", asset.filename)));
            continue;
        }
        chosen.push((slot, asset));
    }
    Ok((chosen, failures))
}

/// The game's copy of one slot's asset; the inner error is the reason it cannot be made.
async fn game_file(
    state: &AppState,
    slot: &Slot,
    asset: &project_assets::Model,
    limits: ImageLimits,
) -> anyhow::Result<Result<File, String>> {
    let Some(media) = MediaType::from_mime(&asset.mime_type) else {
        return Ok(Err(format!("`{}` is not a type games use", asset.mime_type)));
    };
    // libheif is a separate program, run once at upload: a HEIC photo's game copy is made from
    // its preview.
    let source = match (media, &asset.preview_path) {
        (MediaType::Heic, Some(preview)) => preview.clone(),
        (MediaType::Heic, None) => return Ok(Err("this HEIC photo has no preview to make the game's picture from".into())),
        _ => asset.file_path.clone(),
    };
    let object = state.storage.get(&ObjectKey::new(&source)?).await?;
    let bytes = storage::collect(object.body).await?;
    let cut_out = matches!(slot.kind, SlotKind::Image { transparency: true, .. });
    let max_seconds = match slot.kind {
        SlotKind::Sound { max_seconds } => max_seconds,
        _ => 0.0,
    };
    let key = slot.key.clone();
    let made = tokio::task::spawn_blocking(move || match media.kind() {
        MediaKind::Image => bundle::picture(&bytes, limits, cut_out),
        MediaKind::Sound => bundle::sound(&bytes, media, max_seconds, limits),
    })
    .await?;
    Ok(made.and_then(|(bytes, ext)| {
        if bytes.len() > bundle::MAX_FILE_BYTES {
            return Err(format!(
                "the game's copy would be {}, more than the {} a game's file may be",
                petpixel_types::asset::human_size(bytes.len() as u64),
                petpixel_types::asset::human_size(bundle::MAX_FILE_BYTES as u64)
            ));
        }
        Ok(File::new(bundle::hashed(&key, ext, &bytes), bytes))
    }))
}

async fn settle(
    state: &AppState,
    row: builds::Model,
    resolved: Option<Resolved>,
    outcome: Result<Made, Failed>,
    mut log: Log,
) -> anyhow::Result<()> {
    let mut model: builds::ActiveModel = row.clone().into();
    model.finished_at = Set(Some(Utc::now()));
    model.resolved = Set(resolved.map(serde_json::to_value).transpose()?);
    let (action, details) = match outcome {
        Ok(made) => {
            log.line("Ready to play");
            model.status = Set(BuildStatus::Ready.as_str().into());
            model.files = Set(Some(serde_json::to_value(&made.files)?));
            model.bundle_size = Set(Some(made.size));
            ("build.ready", json!({ "template": row.template, "bundle_size": made.size }))
        }
        Err(failed) => {
            log.line(format!("Failed: {}", failed.error));
            tracing::info!(build = %row.id, error = %failed.error, "a build failed");
            model.status = Set(BuildStatus::Failed.as_str().into());
            model.error = Set(Some(failed.error.clone()));
            model.failures = Set(Some(serde_json::to_value(&failed.failures)?));
            ("build.failed", json!({ "template": row.template, "error": failed.error, "failures": failed.failures }))
        }
    };
    model.log = Set(json!(log.lines));
    let client = ClientInfo::system("builds");
    let txn = state.db.begin_write().await?;
    let done = model.update(&*txn).await?;
    let entry = NewEntry::new(action, ActionType::Update, ResourceType::Build, row.id).project(row.project_id).details(details);
    activity::record(&txn, &Audit::new(None, None, &client), entry).await?;
    txn.attach(EventPayload::Build(model::to_wire(state, done)?));
    txn.commit().await?;
    Ok(())
}
