//! Proposing, checking, reserving, deploying and releasing game addresses, and their views.
//!
//! A slug is held by at most one live (reserved or active) address and a project has at most one
//! live address: partial unique indexes decide both, so of concurrent reservations exactly one
//! commits, whatever the database. A reservation past its expiry no longer holds its slug: it is
//! marked expired by whichever comes first, a reservation of the same slug or project, or the
//! sweeper.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use petpixel_types::activity::{ActionType, ResourceType};
use petpixel_types::event::Payload;
use petpixel_types::project::GameConfig;
use petpixel_types::url::{
    DailyViews, DeployUrl, GameUrl, ReserveUrl, SlugCheck, SlugOption, SlugProblem, SlugProposals, UrlAnalytics, UrlFilter, UrlListItem,
    UrlSort, UrlStatus,
};
use petpixel_types::{Action, Page, Resource, ValidationErrors};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde_json::json;
use uuid::Uuid;

use super::model::to_wire;
use super::slug::{self, Seed};
use crate::activity::{self, Audit, NewEntry};
use crate::actor::{Actor, ClientInfo};
use crate::assets::upload::find_project;
use crate::db::{contains_ci, is_unique_violation, stored, stored_json, WriteTxn};
use crate::entities::{builds, game_urls, projects, url_daily_views};
use crate::error::{ApiResult, AppError};
use crate::policy;
use crate::state::AppState;

/// How many proposals `generate` answers, and alternatives a taken slug gets.
const PROPOSALS: usize = 8;
const ALTERNATIVES: usize = 4;
const LIVE: [&str; 2] = ["reserved", "active"];

fn live_statuses() -> Vec<String> {
    LIVE.iter().map(|s| (*s).to_owned()).collect()
}

/// Which of `slugs` are held now, and how.
async fn held(state: &AppState, slugs: &[String]) -> ApiResult<HashMap<String, SlugProblem>> {
    if slugs.is_empty() {
        return Ok(HashMap::new());
    }
    let now = Utc::now();
    let rows = game_urls::Entity::find()
        .filter(game_urls::Column::UrlSlug.is_in(slugs.iter().cloned()))
        .filter(game_urls::Column::Status.is_in(live_statuses()))
        .all(&state.db.conn)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|r| match r.status.as_str() {
            "active" => Some((r.url_slug, SlugProblem::Taken)),
            _ if r.expires_at > now => Some((r.url_slug, SlugProblem::Reserved)),
            _ => None,
        })
        .collect())
}

/// Up to `n` of `candidates` that are free now.
async fn available(state: &AppState, candidates: Vec<String>, n: usize) -> ApiResult<Vec<String>> {
    let taken = held(state, &candidates).await?;
    Ok(candidates.into_iter().filter(|s| !taken.contains_key(s)).take(n).collect())
}

fn base_url(state: &AppState) -> &str {
    state.config.games_url.as_deref().unwrap_or(&state.config.public_url)
}

/// `POST /projects/{id}/urls/generate`.
pub async fn generate(state: &AppState, actor: &Actor, project_id: Uuid) -> ApiResult<SlugProposals> {
    policy::require(actor, Resource::Urls, Action::Read)?;
    let project = find_project(&state.db.conn, project_id).await?;
    let config: GameConfig = stored_json("projects.game_config", &project.game_config)?;
    let seed = Seed {
        pet_name: &project.pet_name,
        personality: project.pet_personality.as_deref(),
        breed: project.pet_breed.as_deref(),
        theme: &config.theme,
        salt: slug::salt_of(&project_id.to_string()),
    };
    // The best few, taken or not (so that one sees `buttercup-sunny` is gone), topped up with
    // available ones when most of them are held; available ones first, each group in order.
    let candidates = slug::candidates(&seed);
    let taken = held(state, &candidates).await?;
    let option = |s: &String| SlugOption { slug: s.clone(), available: !taken.contains_key(s), reason: taken.get(s).copied() };
    let mut options: Vec<SlugOption> = candidates.iter().take(PROPOSALS).map(option).collect();
    let mut spare = candidates.iter().skip(PROPOSALS).filter(|s| !taken.contains_key(*s)).map(option);
    while options.iter().filter(|o| o.available).count() < PROPOSALS / 2 {
        let Some(o) = spare.next() else { break };
        options.push(o);
    }
    if !options.iter().any(|o| o.available) {
        let first = candidates.first().cloned().unwrap_or_else(|| "pet".into());
        for s in available(state, slug::alternatives_to(&first, seed.salt), PROPOSALS / 2).await? {
            options.push(SlugOption { slug: s, available: true, reason: None });
        }
    }
    options.sort_by_key(|o| !o.available);
    Ok(SlugProposals { options })
}

/// `GET /urls/check?slug=`.
pub async fn check(state: &AppState, actor: &Actor, slug: &str) -> ApiResult<SlugCheck> {
    policy::require(actor, Resource::Urls, Action::Read)?;
    let salt = slug::salt_of(slug);
    let (reason, message) = match slug::problem(slug) {
        Some((reason, message)) => (Some(reason), Some(message)),
        None => match held(state, &[slug.to_owned()]).await?.get(slug) {
            Some(SlugProblem::Taken) => (Some(SlugProblem::Taken), Some("A game is live at this address.".to_owned())),
            Some(reason) => (Some(*reason), Some("Someone has reserved this address.".to_owned())),
            None => (None, None),
        },
    };
    let alternatives = match reason {
        None => Vec::new(),
        Some(_) => available(state, slug::alternatives_to(slug, salt), ALTERNATIVES).await?,
    };
    Ok(SlugCheck { slug: slug.to_owned(), available: reason.is_none(), reason, message, alternatives })
}

/// Marks reservations of `slug` or of `project` that are past their expiry as expired, each
/// with its activity entry.
async fn expire_stale(txn: &WriteTxn, slug: &str, project: Uuid) -> ApiResult<()> {
    let now = Utc::now();
    let stale = game_urls::Entity::find()
        .filter(game_urls::Column::Status.eq("reserved"))
        .filter(game_urls::Column::ExpiresAt.lte(now))
        .filter(Condition::any().add(game_urls::Column::UrlSlug.eq(slug)).add(game_urls::Column::ProjectId.eq(project)))
        .all(&**txn)
        .await?;
    for row in stale {
        mark_expired(txn, row).await?;
    }
    Ok(())
}

async fn mark_expired(txn: &WriteTxn, row: game_urls::Model) -> ApiResult<bool> {
    let done = game_urls::Entity::update_many()
        .col_expr(game_urls::Column::Status, Expr::value(UrlStatus::Expired.as_str()))
        .filter(game_urls::Column::Id.eq(row.id))
        .filter(game_urls::Column::Status.eq("reserved"))
        .exec(&**txn)
        .await?;
    if done.rows_affected == 1 {
        let client = ClientInfo::system("urls");
        let entry = NewEntry::new("url.expired", ActionType::Update, ResourceType::Url, row.id)
            .project(row.project_id)
            .details(json!({ "slug": row.url_slug, "expires_at": row.expires_at }));
        activity::record(txn, &Audit::new(None, None, &client), entry).await?;
        txn.attach(Payload::Url(to_wire(game_urls::Model { status: UrlStatus::Expired.as_str().into(), ..row })?));
    }
    Ok(done.rows_affected == 1)
}

async fn project_live_url(conn: &impl sea_orm::ConnectionTrait, project: Uuid) -> ApiResult<Option<game_urls::Model>> {
    Ok(game_urls::Entity::find()
        .filter(game_urls::Column::ProjectId.eq(project))
        .filter(game_urls::Column::Status.is_in(live_statuses()))
        .one(conn)
        .await?)
}

fn project_has_one(url: &game_urls::Model) -> AppError {
    AppError::conflict(format!(
        "This project already has the address `{}` ({}); release it before reserving another.",
        url.url_slug, url.status
    ))
}

/// `POST /projects/{id}/urls`: 201 with the reservation; 409 with alternatives when the slug is
/// held, or when the project already has a live address.
pub async fn reserve(state: &AppState, actor: &Actor, project_id: Uuid, request: &ReserveUrl) -> ApiResult<GameUrl> {
    let project = find_project(&state.db.conn, project_id).await?;
    policy::require_on_project(actor, Resource::Urls, Action::Create, project.assigned_artist_id)?;
    let slug = request.slug.as_str();
    if let Some((reason, message)) = slug::problem(slug) {
        return Err(ValidationErrors::single("slug", reason.as_str(), message).into());
    }
    let now = Utc::now();
    let expires_at = now + Duration::from_std(state.config.url_reservation_ttl).map_err(anyhow::Error::from)?;
    let row = game_urls::ActiveModel {
        id: Set(Uuid::now_v7()),
        project_id: Set(project_id),
        url_slug: Set(slug.to_owned()),
        full_url: Set(format!("{}/g/{slug}", base_url(state))),
        status: Set(UrlStatus::Reserved.as_str().into()),
        reserved_at: Set(now),
        expires_at: Set(expires_at),
        deployed_at: Set(None),
        build_id: Set(None),
        view_count: Set(0),
        last_accessed: Set(None),
    };
    let txn = state.db.begin_write().await?;
    expire_stale(&txn, slug, project_id).await?;
    if let Some(url) = project_live_url(&*txn, project_id).await? {
        return Err(project_has_one(&url));
    }
    let row = match row.insert(&*txn).await {
        Ok(row) => row,
        Err(e) if is_unique_violation(&e) => {
            drop(txn);
            // The slug, or (a concurrent reservation for the same project) the project's one address.
            if let Some(url) = project_live_url(&state.db.conn, project_id).await? {
                return Err(project_has_one(&url));
            }
            return Err(taken(state, slug).await);
        }
        Err(e) => return Err(e.into()),
    };
    let entry = NewEntry::new("url.reserved", ActionType::Create, ResourceType::Url, row.id)
        .project(project_id)
        .details(json!({ "slug": row.url_slug, "expires_at": row.expires_at }));
    activity::record(&txn, &Audit::from(actor), entry).await?;
    let wire = to_wire(row)?;
    txn.attach(Payload::Url(wire.clone()));
    txn.commit().await?;
    Ok(wire)
}

async fn taken(state: &AppState, slug: &str) -> AppError {
    let alternatives = available(state, slug::alternatives_to(slug, slug::salt_of(slug)), ALTERNATIVES).await.unwrap_or_default();
    AppError::Conflict { detail: format!("`{slug}` has just been taken; try one of the alternatives."), alternatives: Some(alternatives) }
}

async fn find(state: &AppState, id: Uuid) -> ApiResult<game_urls::Model> {
    game_urls::Entity::find_by_id(id).one(&state.db.conn).await?.ok_or_else(|| AppError::not_found("address"))
}

/// `GET /urls/{id}`.
pub async fn get(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<GameUrl> {
    policy::require(actor, Resource::Urls, Action::Read)?;
    let url = find(state, id).await?;
    find_project(&state.db.conn, url.project_id).await?;
    Ok(with_pending(state, to_wire(url)?))
}

/// This process's views not yet written, added in (the next flush writes them).
fn with_pending(state: &AppState, mut url: GameUrl) -> GameUrl {
    if let Some(p) = state.views.pending(url.id) {
        url.view_count += i64::try_from(p.total()).unwrap_or(i64::MAX);
        url.last_accessed = url.last_accessed.max(Some(p.last));
    }
    url
}

/// A live address, or 409 saying why not.
fn require_live(url: &game_urls::Model) -> ApiResult<UrlStatus> {
    let status: UrlStatus = stored("game_urls.status", &url.status)?;
    match status {
        UrlStatus::Reserved if url.expires_at <= Utc::now() => {
            Err(AppError::conflict(format!("The reservation of `{}` has expired; reserve it again.", url.url_slug)))
        }
        s if s.is_live() => Ok(s),
        s => Err(AppError::conflict(format!("This address is {s}; reserve a new one."))),
    }
}

/// `POST /urls/{id}/deploy`: the address serves `build_id` (a ready build of its project) from
/// the moment this commits; every process switches on the event. Deploying the build already
/// live changes nothing.
pub async fn deploy(state: &AppState, actor: &Actor, id: Uuid, request: &DeployUrl) -> ApiResult<GameUrl> {
    let url = find(state, id).await?;
    let project = find_project(&state.db.conn, url.project_id).await?;
    policy::require_on_project(actor, Resource::Urls, Action::Update, project.assigned_artist_id)?;
    let before = require_live(&url)?;
    let build = builds::Entity::find_by_id(request.build_id)
        .filter(builds::Column::ProjectId.eq(url.project_id))
        .one(&state.db.conn)
        .await?
        .ok_or_else(|| ValidationErrors::single("build_id", "not_found", "This project has no such build."))?;
    if build.status != "ready" {
        return Err(
            ValidationErrors::single("build_id", "not_ready", format!("This build is {}; deploy a ready one.", build.status)).into()
        );
    }
    if before == UrlStatus::Active && url.build_id == Some(build.id) {
        return to_wire(url);
    }
    let now = Utc::now();
    let txn = state.db.begin_write().await?;
    let done = game_urls::Entity::update_many()
        .col_expr(game_urls::Column::Status, Expr::value(UrlStatus::Active.as_str()))
        .col_expr(game_urls::Column::BuildId, Expr::value(build.id))
        .col_expr(game_urls::Column::DeployedAt, Expr::value(now))
        .filter(game_urls::Column::Id.eq(id))
        .filter(game_urls::Column::Status.eq(before.as_str()))
        .filter(match url.build_id {
            Some(b) => game_urls::Column::BuildId.eq(b),
            None => game_urls::Column::BuildId.is_null(),
        })
        .exec(&*txn)
        .await?;
    if done.rows_affected != 1 {
        return Err(AppError::conflict("This address changed meanwhile; reload it and try again."));
    }
    let entry = NewEntry::new("url.deployed", ActionType::Update, ResourceType::Url, id).project(url.project_id).details(json!({
        "slug": url.url_slug,
        "build_id": build.id,
        "template": build.template,
        "previous_build_id": url.build_id,
    }));
    activity::record(&txn, &Audit::from(actor), entry).await?;
    let after = game_urls::Entity::find_by_id(id).one(&*txn).await?.ok_or_else(|| AppError::not_found("address"))?;
    let wire = to_wire(after)?;
    txn.attach(Payload::Url(wire.clone()));
    txn.commit().await?;
    Ok(wire)
}

/// `DELETE /urls/{id}`: the address is released (its page answers 410) and its slug is free.
pub async fn release(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<()> {
    let url = find(state, id).await?;
    let project = find_project(&state.db.conn, url.project_id).await?;
    policy::require_on_project(actor, Resource::Urls, Action::Delete, project.assigned_artist_id)?;
    let status: UrlStatus = stored("game_urls.status", &url.status)?;
    if !status.is_live() {
        return Err(AppError::conflict(format!("This address is already {status}.")));
    }
    let txn = state.db.begin_write().await?;
    if !release_row(&txn, &Audit::from(actor), &url).await? {
        return Err(AppError::conflict("This address changed meanwhile; reload it and try again."));
    }
    txn.commit().await?;
    Ok(())
}

async fn release_row(txn: &WriteTxn, audit: &Audit<'_>, url: &game_urls::Model) -> ApiResult<bool> {
    let done = game_urls::Entity::update_many()
        .col_expr(game_urls::Column::Status, Expr::value(UrlStatus::Deleted.as_str()))
        // A released address keeps no build, so the build may be deleted.
        .col_expr(game_urls::Column::BuildId, Expr::value(Option::<Uuid>::None))
        .filter(game_urls::Column::Id.eq(url.id))
        .filter(game_urls::Column::Status.is_in(live_statuses()))
        .exec(&**txn)
        .await?;
    if done.rows_affected != 1 {
        return Ok(false);
    }
    let entry = NewEntry::new("url.released", ActionType::Delete, ResourceType::Url, url.id)
        .project(url.project_id)
        .details(json!({ "slug": url.url_slug, "status": url.status, "build_id": url.build_id }));
    activity::record(txn, audit, entry).await?;
    let released = game_urls::Model { status: UrlStatus::Deleted.as_str().into(), build_id: None, ..url.clone() };
    txn.attach(Payload::Url(to_wire(released)?));
    Ok(true)
}

/// Releases a project's live address in the transaction that deletes the project.
pub async fn release_for_project(txn: &WriteTxn, audit: &Audit<'_>, project: Uuid) -> ApiResult<()> {
    if let Some(url) = project_live_url(&**txn, project).await? {
        release_row(txn, audit, &url).await?;
    }
    Ok(())
}

/// `GET /urls`.
pub async fn list(state: &AppState, actor: &Actor, filter: &UrlFilter) -> ApiResult<Page<UrlListItem>> {
    policy::require(actor, Resource::Urls, Action::Read)?;
    let mut projects_of_interest = Query::select();
    projects_of_interest.column(projects::Column::Id).from(projects::Entity).and_where(projects::Column::DeletedAt.is_null());
    let mut select = game_urls::Entity::find();
    if let Some(q) = &filter.q {
        let mut matching = Query::select();
        matching.column(projects::Column::Id).from(projects::Entity).cond_where(
            Condition::any().add(contains_ci(projects::Column::PetName, q)).add(contains_ci(projects::Column::CustomerName, q)),
        );
        select = select.filter(
            Condition::any().add(contains_ci(game_urls::Column::UrlSlug, q)).add(game_urls::Column::ProjectId.in_subquery(matching)),
        );
    }
    select = select.filter(game_urls::Column::ProjectId.in_subquery(projects_of_interest));
    if let Some(status) = filter.status {
        select = select.filter(game_urls::Column::Status.eq(status.as_str()));
    }
    let total = select.clone().count(&state.db.conn).await?;
    select = match filter.sort {
        UrlSort::NewestFirst => select.order_by_desc(game_urls::Column::ReservedAt),
        UrlSort::Slug => select.order_by_asc(game_urls::Column::UrlSlug).order_by_desc(game_urls::Column::ReservedAt),
        UrlSort::MostViewed => select.order_by_desc(game_urls::Column::ViewCount).order_by_desc(game_urls::Column::ReservedAt),
        UrlSort::ExpiresSoonest => select.order_by_asc(game_urls::Column::ExpiresAt),
    };
    let rows = select
        .order_by_desc(game_urls::Column::Id)
        .limit(u64::from(filter.page.limit))
        .offset(filter.page.offset)
        .all(&state.db.conn)
        .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.project_id).collect();
    let names: HashMap<Uuid, (String, String)> = projects::Entity::find()
        .filter(projects::Column::Id.is_in(ids))
        .all(&state.db.conn)
        .await?
        .into_iter()
        .map(|p| (p.id, (p.pet_name, p.customer_name)))
        .collect();
    let photos = crate::assets::photos::first_photos(state, &state.db.conn, &names.keys().copied().collect::<Vec<_>>()).await?;
    let items = rows
        .into_iter()
        .map(|r| {
            let (pet_name, customer_name) = names.get(&r.project_id).cloned().unwrap_or_default();
            let pet_photo = photos.get(&r.project_id).cloned();
            Ok(UrlListItem { url: with_pending(state, to_wire(r)?), pet_name, customer_name, pet_photo })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Page { items, total, limit: filter.page.limit, offset: filter.page.offset })
}

/// `GET /urls/{id}/analytics`: totals and a daily series ending today (UTC), this process's
/// views not yet written included.
pub async fn analytics(state: &AppState, actor: &Actor, id: Uuid, days: u32) -> ApiResult<UrlAnalytics> {
    policy::require(actor, Resource::Analytics, Action::Read)?;
    let url = find(state, id).await?;
    find_project(&state.db.conn, url.project_id).await?;
    let today = Utc::now().date_naive();
    let first = today - Duration::days(i64::from(days) - 1);
    let rows = url_daily_views::Entity::find()
        .filter(url_daily_views::Column::UrlId.eq(id))
        .filter(url_daily_views::Column::Day.gte(first))
        .all(&state.db.conn)
        .await?;
    let mut by_day: HashMap<NaiveDate, i64> = rows.into_iter().map(|r| (r.day, r.views)).collect();
    let mut view_count = url.view_count;
    let mut last_accessed: Option<DateTime<Utc>> = url.last_accessed;
    if let Some(pending) = state.views.pending(id) {
        for (day, n) in &pending.days {
            *by_day.entry(*day).or_default() += i64::try_from(*n).unwrap_or(i64::MAX);
        }
        view_count += i64::try_from(pending.total()).unwrap_or(i64::MAX);
        last_accessed = last_accessed.max(Some(pending.last));
    }
    let daily: Vec<DailyViews> =
        first.iter_days().take(days as usize).map(|day| DailyViews { day, views: by_day.get(&day).copied().unwrap_or(0) }).collect();
    let period_views = daily.iter().map(|d| d.views).sum();
    Ok(UrlAnalytics { url_id: id, view_count, last_accessed, period_views, daily })
}

/// The sweeper: every reservation past its expiry is marked expired; answers how many.
pub async fn expire_due(state: &AppState) -> ApiResult<usize> {
    let due = game_urls::Entity::find()
        .filter(game_urls::Column::Status.eq("reserved"))
        .filter(game_urls::Column::ExpiresAt.lte(Utc::now()))
        .order_by_asc(game_urls::Column::ExpiresAt)
        .limit(500)
        .all(&state.db.conn)
        .await?;
    let mut expired = 0;
    for row in due {
        let txn = state.db.begin_write().await?;
        if mark_expired(&txn, row).await? {
            expired += 1;
        }
        txn.commit().await?;
    }
    Ok(expired)
}
