use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use petpixel_types::activity::{ActionType, ResourceType};
use petpixel_types::event::Payload;
use petpixel_types::project::{
    AssigneeFilter, CreateProject, Project, ProjectDetail, ProjectFilter, ProjectQuery, ProjectStatus, SortKey, TransitionError,
    UpdateProject,
};
use petpixel_types::user::UserSummary;
use petpixel_types::{Action, Page, Resource};
use sea_orm::sea_query::{Expr, Func, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, Order, QueryFilter, QueryOrder, QuerySelect, Select, Set,
    TryIntoModel,
};
use serde_json::json;
use uuid::Uuid;

use crate::activity::{self, Audit, NewEntry};
use crate::actor::Actor;
use crate::assets::photos::first_photos;
use crate::cache::Order as KeptOrder;
use crate::customers::keys::context;
use crate::customers::DataKeys;
use crate::db::{contains_ci, stored, stored_json};
use crate::entities::{game_urls, project_assets, projects, users};
use crate::error::{ApiResult, AppError};
use crate::policy;
use crate::state::AppState;
use crate::users::model as user_model;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

pub fn to_wire(keys: &DataKeys, p: &projects::Model, artist: Option<UserSummary>, today: NaiveDate) -> ApiResult<Project> {
    let status: ProjectStatus = stored("projects.status", &p.status)?;
    let open = |value: &str, field: &str| {
        keys.open(value, &context(p.id, field)).map_err(|e| AppError::Internal(anyhow::anyhow!("project {}'s {field}: {e}", p.id)))
    };
    Ok(Project {
        id: p.id,
        customer_name: p.customer_name.clone(),
        customer_email: Some(open(&p.customer_email, "customer_email")?),
        customer_phone: p.customer_phone.as_deref().map(|phone| open(phone, "customer_phone")).transpose()?,
        contact_hidden: false,
        pet_name: p.pet_name.clone(),
        pet_breed: p.pet_breed.clone(),
        pet_age: p.pet_age,
        pet_personality: p.pet_personality.clone(),
        package_type: stored("projects.package_type", &p.package_type)?,
        status,
        priority: stored("projects.priority", &p.priority)?,
        assigned_artist_id: p.assigned_artist_id,
        assigned_artist: artist,
        deadline: p.deadline,
        overdue: status != ProjectStatus::Complete && p.deadline.is_some_and(|d| d < today),
        estimated_hours: p.estimated_hours,
        actual_hours: p.actual_hours,
        game_config: stored_json("projects.game_config", &p.game_config)?,
        notes: p.notes.clone(),
        pet_photo: None,
        version: p.version,
        created_at: p.created_at,
        updated_at: p.updated_at,
        completed_at: p.completed_at,
        deleted_at: p.deleted_at,
    })
}

/// A project that is not deleted, or 404.
pub async fn find(conn: &impl ConnectionTrait, id: Uuid) -> ApiResult<projects::Model> {
    projects::Entity::find_by_id(id)
        .filter(projects::Column::DeletedAt.is_null())
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("project"))
}

/// Whether `actor` may read the project (it exists, is not deleted, and is theirs to read).
pub async fn readable(conn: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> ApiResult<()> {
    policy::require(actor, Resource::Projects, Action::Read)?;
    let project = find(conn, id).await?;
    policy::require_on_project(actor, Resource::Projects, Action::Read, project.assigned_artist_id)
}

async fn with_artist(state: &AppState, conn: &impl ConnectionTrait, p: &projects::Model) -> ApiResult<Project> {
    let artist = match p.assigned_artist_id {
        Some(id) => users::Entity::find_by_id(id).one(conn).await?.map(|u| user_model::summary(&u)).transpose()?,
        None => None,
    };
    let mut wire = to_wire(&state.data_keys, p, artist, today())?;
    wire.pet_photo = first_photos(state, conn, &[p.id]).await?.remove(&p.id);
    Ok(wire)
}

/// The contact fields as the activity log records a change of them: that they changed, never
/// their values (they are sealed in the project; the log is not).
const CONTACT: [&str; 2] = ["customer_email", "customer_phone"];

fn without_contact_values(mut changes: serde_json::Map<String, serde_json::Value>) -> serde_json::Map<String, serde_json::Value> {
    for field in CONTACT {
        if let Some(change) = changes.get_mut(field) {
            *change = json!({ "changed": true });
        }
    }
    changes
}

fn filter_condition(keys: &DataKeys, filter: &ProjectFilter, actor: &Actor) -> Condition {
    use projects::Column as C;
    let mut cond = Condition::all().add(if filter.deleted { C::DeletedAt.is_not_null() } else { C::DeletedAt.is_null() });
    if !filter.statuses.is_empty() {
        cond = cond.add(C::Status.is_in(filter.statuses.iter().map(|s| s.as_str())));
    }
    if !filter.priorities.is_empty() {
        cond = cond.add(C::Priority.is_in(filter.priorities.iter().map(|s| s.as_str())));
    }
    if !filter.package_types.is_empty() {
        cond = cond.add(C::PackageType.is_in(filter.package_types.iter().map(|s| s.as_str())));
    }
    match filter.assigned_to {
        Some(AssigneeFilter::User(id)) => cond = cond.add(C::AssignedArtistId.eq(id)),
        Some(AssigneeFilter::Me) => cond = cond.add(C::AssignedArtistId.eq(actor.user_id)),
        Some(AssigneeFilter::Nobody) => cond = cond.add(C::AssignedArtistId.is_null()),
        None => {}
    }
    if let Some(q) = &filter.q {
        let mut any = Condition::any().add(contains_ci(C::CustomerName, q)).add(contains_ci(C::PetName, q)).add(contains_ci(C::Notes, q));
        // E-mail addresses are sealed: found by their keyed hash, the whole address only.
        if q.contains('@') {
            any = any.add(C::CustomerEmailHash.eq(keys.lookup(q)));
        }
        cond = cond.add(any);
    }
    if let Some(day) = filter.due_before {
        cond = cond.add(C::Deadline.lt(day));
    }
    let complete = ProjectStatus::Complete.as_str();
    match filter.overdue {
        Some(true) => cond = cond.add(C::Deadline.lt(today())).add(C::Status.ne(complete)),
        Some(false) => {
            cond = cond.add(Condition::any().add(C::Deadline.is_null()).add(C::Deadline.gte(today())).add(C::Status.eq(complete)))
        }
        None => {}
    }
    cond
}

fn rank(column: &str, values: &[&str]) -> SimpleExpr {
    let arms: String = values.iter().enumerate().map(|(i, v)| format!(" WHEN '{v}' THEN {i}")).collect();
    Expr::cust(format!("CASE {column}{arms} ELSE {} END", values.len()))
}

/// A page of the list, from caches kept by the events: the first ids of the filter's order (as
/// deep as pages have been asked for, up to `PETPIXEL_LIST_ORDER_DEPTH`), each project as the list
/// shows it, and the filter's total (needed only when the kept ids are not the whole order). A page
/// that browses (another sort, another page within what is kept) reads no database once they are
/// warm; a change to one project forgets its row, the orders and the totals, not every row, and an
/// order is read again only as deep as the next page needs (then twice as deep as it was), so a
/// first page after a change costs a short read.
#[tracing::instrument(name = "projects.list", skip_all)]
pub async fn list(state: &AppState, actor: &Actor, query: &ProjectQuery) -> ApiResult<Page<Project>> {
    policy::require(actor, Resource::Projects, Action::Read)?;
    let filter = &query.validate()?;
    if filter.deleted {
        return list_deleted(state, actor, filter).await;
    }
    let (limit, offset) = (filter.page.limit, filter.page.offset);
    let need = offset + u64::from(limit);
    let cap = state.config.list_order_depth;
    let order = if need <= cap {
        let key = format!("{}|{:?}", count_key(filter, actor), filter.sort);
        let enough = |order: &KeptOrder| order.whole || order.ids.len() as u64 >= need;
        let deeper = |before: Option<KeptOrder>| {
            // At first a twenty-fifth of the most kept (200 ids, ten pages, by default).
            let depth = need.max(before.map_or(0, |o| 2 * o.ids.len() as u64)).max(cap / 25).min(cap);
            load_order(state, actor, filter, depth)
        };
        Some(state.caches.project_orders.get_or_load_where(key, enough, deeper).await?)
    } else {
        None
    };
    let items = match &order {
        Some(order) => {
            let start = usize::try_from(offset).unwrap_or(usize::MAX).min(order.ids.len());
            let end = start.saturating_add(limit as usize).min(order.ids.len());
            rows(state, &order.ids[start..end]).await?
        }
        // Deeper than any kept order: the page's ids from the index.
        None => {
            let ids: Vec<Uuid> = page_ids(&state.data_keys, filter, actor).into_tuple().all(&state.db.conn).await?;
            rows(state, &ids).await?
        }
    };
    let total = match &order {
        Some(order) if order.whole => order.ids.len() as u64,
        _ => {
            let cond = || count(&state.db.conn, filter_condition(&state.data_keys, filter, actor));
            state.caches.project_counts.get_or_load(count_key(filter, actor), cond).await?
        }
    };
    Ok(Page { items: items.into_iter().map(|p| policy::project_for(actor, p)).collect(), total, limit, offset })
}

/// The deleted projects the removal job has not purged yet, for admins: rarely asked, so read
/// from the database each time, none of the lists' caches involved.
async fn list_deleted(state: &AppState, actor: &Actor, filter: &ProjectFilter) -> ApiResult<Page<Project>> {
    policy::require_admin(actor)?;
    let conn = &state.db.conn;
    let ids: Vec<Uuid> = page_ids(&state.data_keys, filter, actor).into_tuple().all(conn).await?;
    let loaded =
        projects::Entity::find().filter(projects::Column::Id.is_in(ids.iter().copied())).find_also_related(users::Entity).all(conn).await?;
    let mut by_id = HashMap::new();
    for (p, artist) in &loaded {
        by_id.insert(p.id, to_wire(&state.data_keys, p, artist.as_ref().map(user_model::summary).transpose()?, today())?);
    }
    let total = count(conn, filter_condition(&state.data_keys, filter, actor)).await?;
    let items = ids.iter().filter_map(|id| by_id.remove(id)).collect();
    Ok(Page { items, total, limit: filter.page.limit, offset: filter.page.offset })
}

/// Brings a deleted project back (admins), before the removal job purges it. Its game address
/// was released when it was deleted and stays so: a new one is reserved as for any project.
#[tracing::instrument(name = "projects.restore", skip_all, fields(project.id = %id))]
pub async fn restore(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<Project> {
    policy::require_admin(actor)?;
    let txn = state.db.begin_write().await?;
    let before = projects::Entity::find_by_id(id).one(&*txn).await?.ok_or_else(|| AppError::not_found("project"))?;
    if before.deleted_at.is_none() {
        return Err(AppError::conflict("The project is not deleted."));
    }
    let mut model: projects::ActiveModel = before.clone().into();
    model.deleted_at = Set(None);
    save(state, txn, actor, &before, model, "project.restored").await
}

/// The list's order for `filter`, with `id` as the tie-breaker: each expression is one an index
/// of migration `m20261207_000016_index_every_sort` holds, so the order is read from an index
/// instead of sorting every matching row (`plans::every_sort_walks_an_index` checks the plans).
fn ordered(query: Select<projects::Entity>, filter: &ProjectFilter) -> Select<projects::Entity> {
    use projects::Column as C;
    let dir = if filter.sort.descending { Order::Desc } else { Order::Asc };
    let query = match filter.sort.key {
        SortKey::CreatedAt => query.order_by(C::CreatedAt, dir.clone()),
        SortKey::UpdatedAt => query.order_by(C::UpdatedAt, dir.clone()),
        // Projects without a deadline come last whichever way the list is sorted: descending,
        // the dated come first as `deadline IS NOT NULL` descending, all in one direction.
        SortKey::Deadline if filter.sort.descending => query.order_by_desc(Expr::cust("deadline IS NOT NULL")).order_by_desc(C::Deadline),
        SortKey::Deadline => query.order_by_asc(Expr::cust("deadline IS NULL")).order_by_asc(C::Deadline),
        SortKey::Priority => {
            let names: Vec<&str> = petpixel_types::project::Priority::ALL.iter().map(|p| p.as_str()).collect();
            query.order_by(rank("priority", &names), dir.clone())
        }
        // Projects of one status, by status: the rank is the same for all.
        SortKey::Status if filter.statuses.len() == 1 => query,
        SortKey::Status => {
            let names: Vec<&str> = ProjectStatus::ALL.iter().map(|s| s.as_str()).collect();
            query.order_by(rank("status", &names), dir.clone())
        }
        SortKey::PetName => query.order_by(Expr::cust("LOWER(pet_name)"), dir.clone()),
        SortKey::CustomerName => query.order_by(Expr::cust("LOWER(customer_name)"), dir.clone()),
    };
    query.order_by(C::Id, dir)
}

/// The ids of the first `depth` projects `filter` matches, in the list's order.
pub(crate) fn order_ids(keys: &DataKeys, filter: &ProjectFilter, actor: &Actor, depth: u64) -> Select<projects::Entity> {
    ordered(projects::Entity::find().filter(filter_condition(keys, filter, actor)), filter)
        .select_only()
        .column(projects::Column::Id)
        .limit(depth)
}

/// The ids of the page `filter` asks for, in order: for a page deeper than the kept orders, read
/// from the index however deep the offset.
pub(crate) fn page_ids(keys: &DataKeys, filter: &ProjectFilter, actor: &Actor) -> Select<projects::Entity> {
    ordered(projects::Entity::find().filter(filter_condition(keys, filter, actor)), filter)
        .select_only()
        .column(projects::Column::Id)
        .limit(u64::from(filter.page.limit))
        .offset(filter.page.offset)
}

/// The first `depth` ids of `filter`'s order.
async fn load_order(state: &AppState, actor: &Actor, filter: &ProjectFilter, depth: u64) -> ApiResult<KeptOrder> {
    let ids: Vec<Uuid> = order_ids(&state.data_keys, filter, actor, depth).into_tuple().all(&state.db.conn).await?;
    Ok(KeptOrder { whole: (ids.len() as u64) < depth, ids: ids.into() })
}

/// `ids`' projects as the list shows them, in that order: the cached ones as they are, the rest
/// in one query (with their artists and first photos) and kept unless a change came meanwhile.
/// One deleted since the order was read is left out.
async fn rows(state: &AppState, ids: &[Uuid]) -> ApiResult<Vec<Project>> {
    let rows = &state.caches.project_rows;
    let today = today();
    let trusted = rows.caught_up().await;
    let mut found: HashMap<Uuid, Project> =
        if trusted { ids.iter().filter_map(|id| rows.get(&(*id, today)).map(|p| (*id, p))).collect() } else { HashMap::new() };
    let missing: Vec<Uuid> = ids.iter().copied().filter(|id| !found.contains_key(id)).collect();
    if !missing.is_empty() {
        let ticket = rows.ticket();
        let conn = &state.db.conn;
        let loaded = projects::Entity::find()
            .filter(projects::Column::Id.is_in(missing.iter().copied()))
            .filter(projects::Column::DeletedAt.is_null())
            .find_also_related(users::Entity)
            .all(conn)
            .await?;
        let mut photos = first_photos(state, conn, &missing).await?;
        for (p, artist) in &loaded {
            let mut wire = to_wire(&state.data_keys, p, artist.as_ref().map(user_model::summary).transpose()?, today)?;
            wire.pet_photo = photos.remove(&p.id);
            rows.keep(ticket, (p.id, today), wire.clone());
            found.insert(p.id, wire);
        }
    }
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

/// The workload: one grouped query, folded here.
#[tracing::instrument(name = "projects.stats", skip_all)]
pub async fn stats(state: &AppState, actor: &Actor) -> ApiResult<petpixel_types::project::ProjectStats> {
    use petpixel_types::project::{ArtistLoad, ProjectStats, StatusCount};
    policy::require(actor, Resource::Projects, Action::Read)?;
    use projects::Column as C;
    let conn = &state.db.conn;
    let rows: Vec<(Option<Uuid>, String, i64)> = projects::Entity::find()
        .select_only()
        .column(C::AssignedArtistId)
        .column(C::Status)
        .column_as(Expr::from(Func::count(Expr::col((projects::Entity, C::Id)))), "n")
        .filter(C::DeletedAt.is_null())
        .group_by(C::AssignedArtistId)
        .group_by(C::Status)
        .into_tuple()
        .all(conn)
        .await?;
    let today = today();
    let open = || Condition::all().add(C::DeletedAt.is_null()).add(C::Status.ne(ProjectStatus::Complete.as_str()));
    let overdue = count(conn, open().add(C::Deadline.lt(today))).await?;
    let due_this_week = count(conn, open().add(C::Deadline.gte(today)).add(C::Deadline.lt(today + chrono::Duration::days(7)))).await?;

    let zeroes = || ProjectStatus::ALL.iter().map(|s| StatusCount { status: *s, count: 0 }).collect::<Vec<_>>();
    let mut by_status = zeroes();
    let mut loads: Vec<(Option<Uuid>, Vec<StatusCount>)> = Vec::new();
    for (artist, status, n) in rows {
        let status: ProjectStatus = stored("projects.status", &status)?;
        let n = n.max(0) as u64;
        let i = ProjectStatus::ALL.iter().position(|s| *s == status).unwrap_or(0);
        by_status[i].count += n;
        match loads.iter_mut().find(|(a, _)| *a == artist) {
            Some((_, counts)) => counts[i].count += n,
            None => {
                let mut counts = zeroes();
                counts[i].count = n;
                loads.push((artist, counts));
            }
        }
    }
    let ids: Vec<Uuid> = loads.iter().filter_map(|(a, _)| *a).collect();
    let people = users::Entity::find().filter(users::Column::Id.is_in(ids)).all(conn).await?;
    let mut by_artist: Vec<ArtistLoad> = loads
        .into_iter()
        .map(|(artist, counts)| {
            Ok(ArtistLoad {
                artist: artist.and_then(|id| people.iter().find(|u| u.id == id)).map(user_model::summary).transpose()?,
                total: counts.iter().map(|c| c.count).sum(),
                counts,
            })
        })
        .collect::<ApiResult<_>>()?;
    by_artist.sort_by_key(|l| (l.artist.is_none(), std::cmp::Reverse(l.total), l.artist.as_ref().map(|a| a.display_name.clone())));
    Ok(ProjectStats { total: by_status.iter().map(|c| c.count).sum(), by_status, by_artist, due_this_week, overdue })
}

/// `SELECT COUNT(*) ... WHERE cond`. sea-orm's `count()` wraps the whole row selection in a
/// subquery, which keeps PostgreSQL from answering from the index alone.
/// What a list's total depends on: its filter (not its order or page), with `me` and today's date
/// (which `overdue` compares with) made explicit.
fn count_key(filter: &ProjectFilter, actor: &Actor) -> String {
    let assignee = match filter.assigned_to {
        Some(AssigneeFilter::Me) => Some(AssigneeFilter::User(actor.user_id)),
        other => other,
    };
    let ProjectFilter { statuses, priorities, package_types, q, due_before, overdue, .. } = filter;
    format!("{statuses:?}|{assignee:?}|{priorities:?}|{package_types:?}|{q:?}|{due_before:?}|{overdue:?}|{}", today())
}

async fn count(conn: &impl ConnectionTrait, cond: Condition) -> ApiResult<u64> {
    let n: Option<i64> = projects::Entity::find()
        .select_only()
        .column_as(Expr::from(Func::count(Expr::col((projects::Entity, projects::Column::Id)))), "n")
        .filter(cond)
        .into_tuple()
        .one(conn)
        .await?;
    Ok(n.unwrap_or(0).max(0) as u64)
}

#[tracing::instrument(name = "projects.get", skip_all, fields(project.id = %id))]
pub async fn get(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<ProjectDetail> {
    policy::require(actor, Resource::Projects, Action::Read)?;
    let detail = state.caches.project_details.get_or_load((id, today()), || load_detail(state, id)).await?;
    Ok(ProjectDetail { project: policy::project_for(actor, detail.project), ..detail })
}

async fn load_detail(state: &AppState, id: Uuid) -> ApiResult<ProjectDetail> {
    let conn = &state.db.conn;
    // The artist comes in the same query, as in the list.
    let (project, artist) = projects::Entity::find_by_id(id)
        .filter(projects::Column::DeletedAt.is_null())
        .find_also_related(users::Entity)
        .one(conn)
        .await?
        .ok_or_else(|| AppError::not_found("project"))?;
    let assets = project_assets::Entity::find()
        .filter(project_assets::Column::ProjectId.eq(id))
        .order_by_desc(project_assets::Column::UploadedAt)
        .all(conn)
        .await?;
    let urls = game_urls::Entity::find()
        .filter(game_urls::Column::ProjectId.eq(id))
        .order_by_desc(game_urls::Column::ReservedAt)
        .all(conn)
        .await?;
    let mut wire = to_wire(&state.data_keys, &project, artist.as_ref().map(user_model::summary).transpose()?, today())?;
    wire.pet_photo = first_photos(state, conn, &[id]).await?.remove(&id);
    Ok(ProjectDetail {
        project: wire,
        assets: {
            let mut wire = Vec::with_capacity(assets.len());
            for a in assets {
                wire.push(crate::assets::model::to_wire(state, a).await?);
            }
            wire
        },
        urls: urls.into_iter().map(crate::urls::model::to_wire).collect::<ApiResult<Vec<_>>>()?,
        latest_build: crate::builds::service::latest(state, id).await?,
    })
}

#[tracing::instrument(name = "projects.create", skip_all)]
pub async fn create(state: &AppState, actor: &Actor, order: &CreateProject) -> ApiResult<Project> {
    policy::require(actor, Resource::Projects, Action::Create)?;
    let new = order.validate()?;
    let now = Utc::now();
    let id = Uuid::now_v7();
    let keys = &state.data_keys;
    let email = new.customer_email.to_string();
    let txn = state.db.begin_write().await?;
    let project = projects::ActiveModel {
        id: Set(id),
        customer_name: Set(new.customer_name),
        customer_email: Set(keys.seal(&email, &context(id, "customer_email"))),
        customer_email_hash: Set(Some(keys.lookup(&email))),
        customer_phone: Set(new.customer_phone.map(|phone| keys.seal(&phone, &context(id, "customer_phone")))),
        pet_name: Set(new.pet_name),
        pet_breed: Set(new.pet_breed),
        pet_age: Set(new.pet_age),
        pet_personality: Set(new.pet_personality),
        package_type: Set(new.package_type.as_str().into()),
        status: Set(ProjectStatus::Backlog.as_str().into()),
        priority: Set(new.priority.as_str().into()),
        assigned_artist_id: Set(None),
        deadline: Set(new.deadline),
        estimated_hours: Set(new.estimated_hours),
        actual_hours: Set(None),
        game_config: Set(json!(new.game_config)),
        notes: Set(new.notes),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        completed_at: Set(None),
        deleted_at: Set(None),
    }
    .insert(&*txn)
    .await?;
    let wire = to_wire(keys, &project, None, today())?;
    let mut logged = json!(wire);
    if let Some(fields) = logged.as_object_mut() {
        for field in CONTACT.iter().chain(&["contact_hidden"]) {
            fields.remove(*field);
        }
    }
    let entry =
        NewEntry::new("project.created", ActionType::Create, ResourceType::Project, project.id).details(json!({ "project": logged }));
    activity::record(&txn, &Audit::from(actor), entry).await?;
    // Whoever the order's notes mention hears of it.
    let blank = projects::Model { notes: None, ..project.clone() };
    crate::notifications::rules::project_changed(state, &txn, actor, &blank, &project).await?;
    txn.attach(Payload::Project(wire.clone()));
    txn.commit().await?;
    Ok(policy::project_for(actor, wire))
}

/// Fields that change with every write and say nothing of their own in a change log.
const NOT_CHANGES: &[&str] = &["updated_at", "version", "assigned_artist", "overdue"];

#[tracing::instrument(name = "projects.update", skip_all, fields(project.id = %id))]
pub async fn update(state: &AppState, actor: &Actor, id: Uuid, request: &UpdateProject, if_match: Option<i32>) -> ApiResult<Project> {
    let txn = state.db.begin_write().await?;
    let before = find(&*txn, id).await?;
    policy::require_on_project(actor, Resource::Projects, Action::Update, before.assigned_artist_id)?;
    let changes = request.validate()?;
    if let Some(expected) = if_match {
        if expected != before.version {
            return Err(AppError::conflict(format!(
                "Someone changed this project since you loaded it (you had version {expected}, it is now {}). Reload and try again.",
                before.version
            )));
        }
    }
    let mut model: projects::ActiveModel = before.clone().into();
    macro_rules! apply {
        ($($field:ident),*) => { $( if let Some(v) = changes.$field { model.$field = Set(v); } )* };
    }
    apply!(customer_name, pet_name, pet_breed, pet_age, pet_personality, deadline, estimated_hours, actual_hours, notes);
    let keys = &state.data_keys;
    if let Some(v) = changes.customer_email {
        let email = v.to_string();
        model.customer_email = Set(keys.seal(&email, &context(id, "customer_email")));
        model.customer_email_hash = Set(Some(keys.lookup(&email)));
    }
    if let Some(phone) = changes.customer_phone {
        model.customer_phone = Set(phone.map(|p| keys.seal(&p, &context(id, "customer_phone"))));
    }
    if let Some(v) = changes.package_type {
        model.package_type = Set(v.as_str().into());
    }
    if let Some(v) = changes.priority {
        model.priority = Set(v.as_str().into());
    }
    if let Some(v) = changes.game_config {
        model.game_config = Set(json!(v));
    }
    save(state, txn, actor, &before, model, "project.updated").await
}

/// Writes a changed project with its activity entry, or returns it untouched if nothing changed.
async fn save(
    state: &AppState,
    txn: crate::db::WriteTxn,
    actor: &Actor,
    before: &projects::Model,
    mut model: projects::ActiveModel,
    action: &'static str,
) -> ApiResult<Project> {
    let keys = &state.data_keys;
    let before_wire = to_wire(keys, before, None, today())?;
    // `is_changed` is true for a field set to its old value, so compare the results instead.
    let candidate = to_wire(keys, &model.clone().try_into_model()?, None, today())?;
    let changes = without_contact_values(activity::diff(&json!(before_wire), &json!(candidate), NOT_CHANGES));
    if changes.is_empty() {
        return Ok(policy::project_for(actor, with_artist(state, &*txn, before).await?));
    }
    model.version = Set(before.version + 1);
    model.updated_at = Set(Utc::now());
    // Conditional on the version read: of two changes racing from the same version (on
    // PostgreSQL, where they really run at once), the second finds nothing to update.
    let written = projects::Entity::update_many()
        .set(model.clone())
        .filter(projects::Column::Id.eq(before.id))
        .filter(projects::Column::Version.eq(before.version))
        .exec(&*txn)
        .await?
        .rows_affected;
    if written != 1 {
        return Err(AppError::conflict("Someone changed this project at the same moment. Reload and try again."));
    }
    let after = model.try_into_model()?;
    activity::record(
        &txn,
        &Audit::from(actor),
        NewEntry::new(action, ActionType::Update, ResourceType::Project, after.id).changes(changes),
    )
    .await?;
    crate::notifications::rules::project_changed(state, &txn, actor, before, &after).await?;
    let wire = with_artist(state, &*txn, &after).await?;
    txn.attach(Payload::Project(wire.clone()));
    txn.commit().await?;
    Ok(policy::project_for(actor, wire))
}

#[tracing::instrument(name = "projects.set_status", skip_all, fields(project.id = %id))]
pub async fn set_status(state: &AppState, actor: &Actor, id: Uuid, to: ProjectStatus) -> ApiResult<Project> {
    let txn = state.db.begin_write().await?;
    let before = find(&*txn, id).await?;
    policy::require_on_project(actor, Resource::Projects, Action::Update, before.assigned_artist_id)?;
    let from: ProjectStatus = stored("projects.status", &before.status)?;
    if from == to {
        return Ok(policy::project_for(actor, with_artist(state, &*txn, &before).await?));
    }
    let may_reopen = policy::may_reopen(actor);
    match from.check_transition(to, may_reopen) {
        Ok(()) => {}
        Err(e @ TransitionError::ReopenNeedsManager) => return Err(AppError::forbidden(e.message(from, to, may_reopen))),
        Err(e @ TransitionError::NotAllowed) => return Err(AppError::conflict(e.message(from, to, may_reopen))),
    }
    let mut model: projects::ActiveModel = before.clone().into();
    model.status = Set(to.as_str().into());
    model.completed_at = Set(if to == ProjectStatus::Complete { Some(Utc::now()) } else { None });
    save(state, txn, actor, &before, model, "project.status_changed").await
}

#[tracing::instrument(name = "projects.set_assignee", skip_all, fields(project.id = %id))]
pub async fn set_assignee(state: &AppState, actor: &Actor, id: Uuid, artist_id: Option<Uuid>) -> ApiResult<Project> {
    policy::require_assign(actor)?;
    let txn = state.db.begin_write().await?;
    let before = find(&*txn, id).await?;
    if let Some(artist_id) = artist_id {
        let artist = users::Entity::find_by_id(artist_id).one(&*txn).await?;
        if !artist.is_some_and(|a| a.active) {
            return Err(AppError::field("artist_id", "not_found", "No active team member has that id."));
        }
    }
    let mut model: projects::ActiveModel = before.clone().into();
    model.assigned_artist_id = Set(artist_id);
    let action = if artist_id.is_some() { "project.assigned" } else { "project.unassigned" };
    save(state, txn, actor, &before, model, action).await
}

#[tracing::instrument(name = "projects.delete", skip_all, fields(project.id = %id))]
pub async fn delete(state: &AppState, actor: &Actor, id: Uuid) -> ApiResult<()> {
    policy::require_anywhere(actor, Resource::Projects, Action::Delete)?;
    let txn = state.db.begin_write().await?;
    let project = find(&*txn, id).await?;
    let summary = json!({ "pet_name": project.pet_name, "customer_name": project.customer_name, "status": project.status });
    let mut model: projects::ActiveModel = project.into();
    model.deleted_at = Set(Some(Utc::now()));
    model.update(&*txn).await?;
    // Its game goes with it: the address answers 410 and its slug is free.
    crate::urls::service::release_for_project(&txn, &Audit::from(actor), id).await?;
    activity::record(
        &txn,
        &Audit::from(actor),
        NewEntry::new("project.deleted", ActionType::Delete, ResourceType::Project, id).details(summary),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
