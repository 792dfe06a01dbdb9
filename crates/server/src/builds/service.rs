//! Asking for builds, reading and deleting them.

use chrono::Utc;
use petpixel_types::activity::{ActionType, ResourceType};
use petpixel_types::build::{Build, BuildQuery, BuildStatus, CreateBuild};
use petpixel_types::event::Payload;
use petpixel_types::project::{GameConfig, PackageType};
use petpixel_types::{Action, Page, Resource, ValidationErrors};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::json;
use uuid::Uuid;

use super::{model, BUILD};
use crate::activity::{self, Audit, NewEntry};
use crate::actor::Actor;
use crate::assets::upload::find_project;
use crate::assets::REMOVE_OBJECTS;
use crate::db::{stored, stored_json};
use crate::entities::{builds, game_urls, project_assets};
use crate::error::{ApiResult, AppError};
use crate::jobs::{self, NewJob};
use crate::policy;
use crate::state::AppState;

/// How often the builder tries a build whose job failed on the way (a crash, say).
const ATTEMPTS: i32 = 3;

/// Queues a build; 202 with it. The slots' fit is the build's to check, as an asset just
/// uploaded may still be processing; what the request itself gets wrong is a 422 here.
#[tracing::instrument(name = "builds.create", skip_all, fields(project.id = %project_id))]
pub async fn create(state: &AppState, actor: &Actor, project_id: Uuid, request: &CreateBuild) -> ApiResult<Build> {
    let project = find_project(&state.db.conn, project_id).await?;
    policy::require_on_project(actor, Resource::Builds, Action::Create, project.assigned_artist_id)?;
    let package: PackageType = stored("projects.package_type", &project.package_type)?;
    let config: GameConfig = stored_json("projects.game_config", &project.game_config)?;
    let (template, _) = request.validate(package, &config)?;
    let mut errors = ValidationErrors::new();
    for (key, asset_id) in &request.slots {
        let found = project_assets::Entity::find_by_id(*asset_id)
            .filter(project_assets::Column::ProjectId.eq(project_id))
            .count(&state.db.conn)
            .await?;
        if found == 0 {
            errors.add(&format!("slots.{key}"), "not_found", format!("This project has no asset {asset_id}."));
        }
    }
    errors.finish(())?;

    let id = Uuid::now_v7();
    let row = builds::ActiveModel {
        id: Set(id),
        project_id: Set(project_id),
        template: Set(template.id.clone()),
        status: Set(BuildStatus::Queued.as_str().into()),
        slots: Set(json!(request.slots)),
        texts: Set(json!(request.texts)),
        params: Set(json!(request.params)),
        resolved: Set(None),
        failures: Set(None),
        error: Set(None),
        log: Set(json!([])),
        files: Set(None),
        bundle_size: Set(None),
        created_by: Set(Some(actor.user_id)),
        created_at: Set(Utc::now()),
        started_at: Set(None),
        finished_at: Set(None),
    };
    let txn = state.db.begin_write().await?;
    let row = row.insert(&*txn).await?;
    jobs::enqueue(&*txn, NewJob::new(BUILD, json!({ "build_id": id })).dedupe(id.to_string()).max_attempts(ATTEMPTS)).await?;
    let details = json!({ "template": template.id, "slots": request.slots.len() });
    let entry = NewEntry::new("build.queued", ActionType::Create, ResourceType::Build, id).project(project_id).details(details);
    activity::record(&txn, &Audit::from(actor), entry).await?;
    let wire = model::to_wire(state, row)?;
    txn.attach(Payload::Build(wire.clone()));
    txn.commit().await?;
    Ok(wire)
}

/// A project's builds, newest first.
pub async fn list(state: &AppState, actor: &Actor, project_id: Uuid, query: &BuildQuery) -> ApiResult<Page<Build>> {
    policy::require(actor, Resource::Projects, Action::Read)?;
    let page = query.validate()?;
    find_project(&state.db.conn, project_id).await?;
    let select = builds::Entity::find().filter(builds::Column::ProjectId.eq(project_id));
    let total = select.clone().count(&state.db.conn).await?;
    let rows = select
        .order_by_desc(builds::Column::CreatedAt)
        .order_by_desc(builds::Column::Id)
        .limit(u64::from(page.limit))
        .offset(page.offset)
        .all(&state.db.conn)
        .await?;
    let items = rows.into_iter().map(|r| model::to_wire(state, r)).collect::<ApiResult<Vec<_>>>()?;
    Ok(Page { items, total, limit: page.limit, offset: page.offset })
}

/// A project's newest build, for its page (the caller has checked it may read the project).
pub async fn latest(state: &AppState, project_id: Uuid) -> ApiResult<Option<Build>> {
    let row = builds::Entity::find()
        .filter(builds::Column::ProjectId.eq(project_id))
        .order_by_desc(builds::Column::CreatedAt)
        .order_by_desc(builds::Column::Id)
        .one(&state.db.conn)
        .await?;
    row.map(|r| model::to_wire(state, r)).transpose()
}

async fn find(state: &AppState, id: Uuid) -> ApiResult<builds::Model> {
    builds::Entity::find_by_id(id).one(&state.db.conn).await?.ok_or_else(|| AppError::not_found("build"))
}

/// A build, with a fresh preview link when it is ready.
pub async fn get(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Build> {
    policy::require(actor, Resource::Projects, Action::Read)?;
    let row = find(state, id).await?;
    find_project(&state.db.conn, row.project_id).await?;
    model::to_wire(state, row)
}

/// The live address serving `build`, if any: a build that is live cannot be deleted.
async fn serving(conn: &impl sea_orm::ConnectionTrait, build: Uuid) -> ApiResult<Option<String>> {
    Ok(game_urls::Entity::find()
        .filter(game_urls::Column::BuildId.eq(build))
        .filter(game_urls::Column::Status.is_in(["reserved", "active"]))
        .one(conn)
        .await?
        .map(|u| u.url_slug))
}

/// The row goes at once, its files in a job enqueued in the same transaction.
pub async fn delete(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<()> {
    let row = find(state, id).await?;
    let project = find_project(&state.db.conn, row.project_id).await?;
    policy::require_on_project(actor, Resource::Builds, Action::Delete, project.assigned_artist_id)?;
    if !model::status(&row)?.is_finished() {
        return Err(AppError::conflict("This build is still being made; delete it once it is ready or has failed."));
    }
    if let Some(slug) = serving(&state.db.conn, id).await? {
        return Err(AppError::conflict(format!(
            "This build is live at /g/{slug}; deploy another build there or release the address before deleting it."
        )));
    }
    let txn = state.db.begin_write().await?;
    builds::Entity::delete_by_id(id).exec(&*txn).await?;
    jobs::enqueue(&*txn, NewJob::new(REMOVE_OBJECTS, json!({ "prefix": format!("builds/{id}/") }))).await?;
    let entry = NewEntry::new("build.deleted", ActionType::Delete, ResourceType::Build, id)
        .project(row.project_id)
        .details(json!({ "template": row.template, "status": row.status }));
    activity::record(&txn, &Audit::from(actor), entry).await?;
    txn.commit().await?;
    Ok(())
}
