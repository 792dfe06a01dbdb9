//! From the security review of the pipeline:
//! - an idempotent answer is bound to the credential that made it, with the permissions it held;
//! - customers' e-mail and phone are sealed at rest (the server seals existing rows when it
//!   starts, with its key): the columns take the longer sealed text, and a keyed hash of the
//!   e-mail finds a customer by exact address;
//! - notifications record who caused them, so mentions and messages are capped per author and hour;
//! - the activity log keeps no webhook address beyond its scheme and host (chat hooks carry
//!   their secret in the path) and no customer contact details (they are sealed elsewhere; the
//!   log says that they changed, not to what).

use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, JsonValue, Statement};
use sea_orm_migration::prelude::*;

use crate::cols::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Credential,
    Permissions,
}

#[derive(DeriveIden)]
enum Projects {
    Table,
    CustomerEmail,
    CustomerPhone,
    CustomerEmailHash,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    ActorId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ActivityLogs {
    Table,
    Id,
    Details,
}

#[derive(FromQueryResult)]
struct Entry {
    id: uuid::Uuid,
    action: String,
    resource_type: String,
    details: JsonValue,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(Table::alter().table(IdempotencyKeys::Table).add_column(string_null(IdempotencyKeys::Credential, 80)).to_owned())
            .await?;
        m.alter_table(Table::alter().table(IdempotencyKeys::Table).add_column(text_null(IdempotencyKeys::Permissions)).to_owned()).await?;
        m.alter_table(Table::alter().table(Projects::Table).add_column(string_null(Projects::CustomerEmailHash, 64)).to_owned()).await?;
        m.create_index(
            Index::create().name("idx_projects_customer_email_hash").table(Projects::Table).col(Projects::CustomerEmailHash).to_owned(),
        )
        .await?;
        // SQLite does not enforce a text's length (nor alter a column); PostgreSQL must widen them.
        if m.get_database_backend() == DbBackend::Postgres {
            for column in [Projects::CustomerEmail, Projects::CustomerPhone] {
                let nullable = matches!(column, Projects::CustomerPhone);
                let mut def = ColumnDef::new(column);
                def.text();
                if !nullable {
                    def.not_null();
                }
                m.alter_table(Table::alter().table(Projects::Table).modify_column(def).to_owned()).await?;
            }
        }
        m.alter_table(Table::alter().table(Notifications::Table).add_column(uuid_null(Notifications::ActorId)).to_owned()).await?;
        m.create_index(
            Index::create()
                .name("idx_notifications_actor")
                .table(Notifications::Table)
                .col(Notifications::ActorId)
                .col(Notifications::CreatedAt)
                .to_owned(),
        )
        .await?;
        scrub_activity(m).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(Index::drop().name("idx_notifications_actor").table(Notifications::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(Notifications::Table).drop_column(Notifications::ActorId).to_owned()).await?;
        m.drop_index(Index::drop().name("idx_projects_customer_email_hash").table(Projects::Table).to_owned()).await?;
        m.alter_table(Table::alter().table(Projects::Table).drop_column(Projects::CustomerEmailHash).to_owned()).await?;
        m.alter_table(Table::alter().table(IdempotencyKeys::Table).drop_column(IdempotencyKeys::Permissions).to_owned()).await?;
        m.alter_table(Table::alter().table(IdempotencyKeys::Table).drop_column(IdempotencyKeys::Credential).to_owned()).await
    }
}

/// Rewrites the entries that hold a webhook's full address or a customer's contact details.
async fn scrub_activity(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let conn = m.get_connection();
    let backend = m.get_database_backend();
    let select = "SELECT id, action, resource_type, details FROM activity_logs \
                  WHERE resource_type = 'webhook' OR action LIKE 'project.%'";
    let entries = Entry::find_by_statement(Statement::from_string(backend, select)).all(conn).await?;
    for entry in entries {
        let mut details = entry.details.clone();
        if entry.resource_type == "webhook" {
            scrub_webhook(&mut details);
        } else {
            scrub_contact(&entry.action, &mut details);
        }
        if details != entry.details {
            let update = Query::update()
                .table(ActivityLogs::Table)
                .value(ActivityLogs::Details, details)
                .and_where(Expr::col(ActivityLogs::Id).eq(entry.id))
                .to_owned();
            conn.execute(&update).await?;
        }
    }
    Ok(())
}

/// `https://hooks.example.com/services/T0/B0/secret` -> `https://hooks.example.com`.
pub fn origin(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return String::new() };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    format!("{scheme}://{host}")
}

fn scrub_webhook(details: &mut JsonValue) {
    if let Some(url) = details.get_mut("url") {
        if let Some(text) = url.as_str() {
            *url = JsonValue::String(origin(text));
        }
    }
    if let Some(change) = details.get_mut("changes").and_then(|c| c.get_mut("url")) {
        for side in ["from", "to"] {
            if let Some(value) = change.get_mut(side) {
                if let Some(text) = value.as_str() {
                    *value = JsonValue::String(origin(text));
                }
            }
        }
    }
}

const CONTACT: [&str; 2] = ["customer_email", "customer_phone"];

fn scrub_contact(action: &str, details: &mut JsonValue) {
    if action == "project.created" {
        if let Some(project) = details.get_mut("project").and_then(JsonValue::as_object_mut) {
            for field in CONTACT {
                project.remove(field);
            }
        }
    }
    if let Some(changes) = details.get_mut("changes").and_then(JsonValue::as_object_mut) {
        for field in CONTACT {
            if let Some(change) = changes.get_mut(field) {
                *change = serde_json::json!({ "changed": true });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_keep_their_scheme_and_host_only() {
        assert_eq!(origin("https://hooks.slack.example/services/T0/B0/abc?x=1"), "https://hooks.slack.example");
        assert_eq!(origin("http://user:pw@10.0.0.1:8080/x"), "http://10.0.0.1:8080");
        assert_eq!(origin("not a url"), "");
    }

    #[test]
    fn contact_details_leave_the_log() {
        let mut created = serde_json::json!({ "project": { "pet_name": "Rex", "customer_email": "a@b.c", "customer_phone": "1" } });
        scrub_contact("project.created", &mut created);
        assert_eq!(created, serde_json::json!({ "project": { "pet_name": "Rex" } }));
        let mut updated = serde_json::json!({ "changes": { "customer_email": { "from": "a@b.c", "to": "d@e.f" }, "pet_name": { "from": "A", "to": "B" } } });
        scrub_contact("project.updated", &mut updated);
        assert_eq!(updated["changes"]["customer_email"], serde_json::json!({ "changed": true }));
        assert_eq!(updated["changes"]["pet_name"]["to"], "B");
    }
}
