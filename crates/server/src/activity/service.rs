use chrono::Utc;
use petpixel_types::activity::{ActionType, ActivityEntry, ActivityPage, ActivityQuery, CursorQuery, ResourceType};
use petpixel_types::{Action, Resource};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::actor::Actor;
use crate::actor::ClientInfo;
use petpixel_types::event::Event;

use crate::db::{stored, WriteTxn};
use crate::entities::{activity_logs, projects};
use crate::error::{ApiResult, AppError};
use crate::policy;

/// Who acts, and from where.
pub struct Audit<'a> {
    pub user_id: Option<Uuid>,
    pub user_email: Option<&'a str>,
    pub client: &'a ClientInfo,
}

impl<'a> Audit<'a> {
    pub fn new(user_id: Option<Uuid>, user_email: Option<&'a str>, client: &'a ClientInfo) -> Self {
        Audit { user_id, user_email, client }
    }
}

impl<'a> From<&'a Actor> for Audit<'a> {
    fn from(actor: &'a Actor) -> Self {
        Audit { user_id: Some(actor.user_id), user_email: Some(&actor.email), client: &actor.client }
    }
}

/// What happened.
pub struct NewEntry {
    action: &'static str,
    action_type: ActionType,
    resource_type: ResourceType,
    resource_id: Option<Uuid>,
    project_id: Option<Uuid>,
    details: Value,
}

impl NewEntry {
    pub fn new(action: &'static str, action_type: ActionType, resource_type: ResourceType, resource_id: Uuid) -> Self {
        Self::about(action, action_type, resource_type, Some(resource_id))
    }

    /// An entry whose resource may be unknown (a failed login for an address with no account).
    pub fn about(action: &'static str, action_type: ActionType, resource_type: ResourceType, resource_id: Option<Uuid>) -> Self {
        let project_id = if resource_type == ResourceType::Project { resource_id } else { None };
        NewEntry { action, action_type, resource_type, resource_id, project_id, details: json!({}) }
    }

    pub fn project(mut self, project_id: Uuid) -> Self {
        self.project_id = Some(project_id);
        self
    }

    pub fn details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// Details of an update: `{"changes": {field: {"from": .., "to": ..}}}`.
    pub fn changes(self, changes: Map<String, Value>) -> Self {
        self.details(json!({ "changes": changes }))
    }
}

/// Records `entry` on the change's transaction, and stages its event, published once the
/// transaction commits.
pub async fn record(txn: &WriteTxn, audit: &Audit<'_>, entry: NewEntry) -> ApiResult<ActivityEntry> {
    let model = activity_logs::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(audit.user_id),
        user_email: Set(audit.user_email.map(str::to_owned)),
        action: Set(entry.action.to_owned()),
        action_type: Set(entry.action_type.as_str().to_owned()),
        resource_type: Set(entry.resource_type.as_str().to_owned()),
        resource_id: Set(entry.resource_id),
        project_id: Set(entry.project_id),
        details: Set(entry.details),
        ip_address: Set(audit.client.ip.clone()),
        user_agent: Set(audit.client.user_agent.clone()),
        created_at: Set(Utc::now()),
    }
    .insert(&**txn)
    .await?;
    let mut entry = to_wire(model)?;
    if let Some(project) = entry.project_id {
        entry.project_name = names(&**txn, &[project]).await?.remove(&project);
    }
    txn.stage(Event::from(&entry));
    Ok(entry)
}

/// How each of `projects` is named in the feed ("Buttercup for Sunny Lee"): one query.
async fn names(conn: &impl ConnectionTrait, projects: &[Uuid]) -> ApiResult<std::collections::HashMap<Uuid, String>> {
    if projects.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(Uuid, String, String)> = projects::Entity::find()
        .select_only()
        .column(projects::Column::Id)
        .column(projects::Column::PetName)
        .column(projects::Column::CustomerName)
        .filter(projects::Column::Id.is_in(projects.iter().copied()))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(|(id, pet, customer)| (id, petpixel_types::activity::project_name(&pet, &customer))).collect())
}

/// The top-level fields that differ between two JSON objects, as `{field: {from, to}}`.
pub fn diff(before: &Value, after: &Value, ignore: &[&str]) -> Map<String, Value> {
    let empty = Map::new();
    let (before, after) = (before.as_object().unwrap_or(&empty), after.as_object().unwrap_or(&empty));
    let mut changes: Map<String, Value> = after
        .iter()
        .filter(|(k, _)| !ignore.contains(&k.as_str()))
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), json!({ "from": before.get(k).cloned().unwrap_or(Value::Null), "to": v })))
        .collect();
    // A field the wire leaves out when empty, emptied.
    for (k, v) in before.iter().filter(|(k, v)| !after.contains_key(*k) && !v.is_null() && !ignore.contains(&k.as_str())) {
        changes.insert(k.clone(), json!({ "from": v, "to": Value::Null }));
    }
    changes
}

/// The feed the caller may read: the resource types their permissions reach (or the one asked for,
/// if they may read it), with colleagues' addresses for those who manage the team, and deleted
/// projects' entries for admins.
pub async fn feed(conn: &impl ConnectionTrait, actor: &Actor, query: &ActivityQuery) -> ApiResult<ActivityPage> {
    let readable = policy::readable_activity_types(actor);
    let resource_types = match query.resource_type {
        Some(t) if readable.contains(&t) => vec![t],
        Some(t) => return Err(AppError::forbidden(format!("You may not read `{}` activity.", t.as_str()))),
        None if readable.is_empty() => return Err(AppError::forbidden("You may not read the activity feed.")),
        None => readable,
    };
    let limit = query.validate()?;
    let filter = Filter {
        resource_types,
        resource_id: query.resource_id,
        user_id: query.user_id,
        project_id: query.project_id,
        after: query.after,
        include_deleted_projects: policy::is_admin(actor),
    };
    list(conn, filter, View::for_actor(actor), query.before, limit).await
}

/// One live project's history, its assets', URLs' and builds' included.
pub async fn project_feed(conn: &impl ConnectionTrait, actor: &Actor, project_id: Uuid, query: &CursorQuery) -> ApiResult<ActivityPage> {
    policy::require(actor, Resource::Projects, Action::Read)?;
    let (before, limit) = (query.before, query.validate()?);
    let live = projects::Entity::find_by_id(project_id).filter(projects::Column::DeletedAt.is_null()).count(conn).await? > 0;
    if !live {
        return Err(AppError::not_found("project"));
    }
    let filter = Filter {
        resource_types: vec![],
        resource_id: None,
        user_id: None,
        project_id: Some(project_id),
        after: None,
        include_deleted_projects: false,
    };
    list(conn, filter, View::for_actor(actor), before, limit).await
}

pub struct Filter {
    pub resource_types: Vec<ResourceType>,
    pub resource_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    /// Only entries newer than this one.
    pub after: Option<Uuid>,
    /// Entries of soft-deleted projects too (admins).
    pub include_deleted_projects: bool,
}

/// What a reader is shown of each entry.
#[derive(Debug, Clone, Copy)]
pub struct View {
    /// The actor's IP address and user agent (for those who manage the team).
    pub client_details: bool,
}

impl View {
    pub fn for_actor(actor: &Actor) -> Self {
        View { client_details: policy::sees_client_details(actor) }
    }
}

/// A page of entries, newest first. Ids are UUIDv7, so `id < before` is "older than the cursor".
pub async fn list(conn: &impl ConnectionTrait, filter: Filter, view: View, before: Option<Uuid>, limit: u32) -> ApiResult<ActivityPage> {
    let mut cond = Condition::all();
    if !filter.include_deleted_projects {
        let deleted = Query::select()
            .column(projects::Column::Id)
            .from(projects::Entity)
            .and_where(projects::Column::DeletedAt.is_not_null())
            .to_owned();
        cond = cond.add(
            Condition::any().add(activity_logs::Column::ProjectId.is_null()).add(activity_logs::Column::ProjectId.not_in_subquery(deleted)),
        );
    }
    if !filter.resource_types.is_empty() {
        cond = cond.add(activity_logs::Column::ResourceType.is_in(filter.resource_types.iter().map(|r| r.as_str())));
    }
    if let Some(id) = filter.resource_id {
        cond = cond.add(activity_logs::Column::ResourceId.eq(id));
    }
    if let Some(id) = filter.user_id {
        cond = cond.add(activity_logs::Column::UserId.eq(id));
    }
    if let Some(id) = filter.project_id {
        cond = cond.add(activity_logs::Column::ProjectId.eq(id));
    }
    if let Some(before) = before {
        cond = cond.add(activity_logs::Column::Id.lt(before));
    }
    if let Some(after) = filter.after {
        cond = cond.add(activity_logs::Column::Id.gt(after));
    }
    let mut rows =
        activity_logs::Entity::find().filter(cond).order_by_desc(activity_logs::Column::Id).limit(u64::from(limit) + 1).all(conn).await?;
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next_cursor = if more { rows.last().map(|r| r.id) } else { None };
    let mut projects: Vec<Uuid> = rows.iter().filter_map(|r| r.project_id).collect();
    projects.sort();
    projects.dedup();
    let named = names(conn, &projects).await?;
    let items = rows
        .into_iter()
        .map(|row| {
            let mut entry = to_wire(row)?;
            entry.project_name = entry.project_id.and_then(|p| named.get(&p).cloned());
            if !view.client_details {
                entry.ip_address = None;
                entry.user_agent = None;
            }
            Ok(entry)
        })
        .collect::<ApiResult<_>>()?;
    Ok(ActivityPage { items, next_cursor, limit })
}

fn to_wire(m: activity_logs::Model) -> ApiResult<ActivityEntry> {
    Ok(ActivityEntry {
        id: m.id,
        user_id: m.user_id,
        user_email: m.user_email,
        action: m.action,
        action_type: stored("activity_logs.action_type", &m.action_type)?,
        resource_type: stored("activity_logs.resource_type", &m.resource_type)?,
        resource_id: m.resource_id,
        project_id: m.project_id,
        details: m.details,
        ip_address: m.ip_address,
        user_agent: m.user_agent,
        created_at: m.created_at,
        project_name: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_lists_changed_fields_only() {
        let before = json!({"a": 1, "b": "x", "updated_at": 1});
        let after = json!({"a": 2, "b": "x", "updated_at": 2});
        let d = diff(&before, &after, &["updated_at"]);
        assert_eq!(Value::Object(d), json!({"a": {"from": 1, "to": 2}}));
    }
}
