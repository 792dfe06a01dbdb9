//! Database migrations. Each file is named `m<date>_<seq>_<name>.rs` and is never edited once it has
//! landed on main: a change to the schema is a new migration.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_users_and_auth;
mod m20261125_000002_create_projects;
mod m20261125_000003_create_assets_and_urls;
mod m20261125_000004_create_activity_and_notifications;
mod m20261125_000005_index_live_projects;
mod m20261127_000006_login_attempts_by_client;
mod m20261127_000007_create_jobs;
mod m20261127_000008_create_job_schedule_runs;
mod m20261127_000009_asset_versions_and_uploads;
mod m20261127_000010_create_builds;
mod m20261128_000011_game_url_lifecycle;
mod m20261128_000012_notifications_and_outbox;
mod m20261128_000013_idempotency_keys;
mod m20261128_000014_webhooks;
mod m20261207_000015_security_review;
mod m20261207_000016_index_every_sort;
mod m20261207_000017_idempotency_applied;
mod m20261207_000018_job_trace_parent;
mod m20261208_000019_backups;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_users_and_auth::Migration),
            Box::new(m20261125_000002_create_projects::Migration),
            Box::new(m20261125_000003_create_assets_and_urls::Migration),
            Box::new(m20261125_000004_create_activity_and_notifications::Migration),
            Box::new(m20261125_000005_index_live_projects::Migration),
            Box::new(m20261127_000006_login_attempts_by_client::Migration),
            Box::new(m20261127_000007_create_jobs::Migration),
            Box::new(m20261127_000008_create_job_schedule_runs::Migration),
            Box::new(m20261127_000009_asset_versions_and_uploads::Migration),
            Box::new(m20261127_000010_create_builds::Migration),
            Box::new(m20261128_000011_game_url_lifecycle::Migration),
            Box::new(m20261128_000012_notifications_and_outbox::Migration),
            Box::new(m20261128_000013_idempotency_keys::Migration),
            Box::new(m20261128_000014_webhooks::Migration),
            Box::new(m20261207_000015_security_review::Migration),
            Box::new(m20261207_000016_index_every_sort::Migration),
            Box::new(m20261207_000017_idempotency_applied::Migration),
            Box::new(m20261207_000018_job_trace_parent::Migration),
            Box::new(m20261208_000019_backups::Migration),
        ]
    }
}

/// Shorthands for the column shapes every table uses.
pub(crate) mod cols {
    use sea_orm_migration::prelude::*;

    pub fn uuid_pk(name: impl IntoIden) -> ColumnDef {
        ColumnDef::new(name).uuid().not_null().primary_key().to_owned()
    }
    pub fn uuid(name: impl IntoIden) -> ColumnDef {
        ColumnDef::new(name).uuid().not_null().to_owned()
    }
    pub fn uuid_null(name: impl IntoIden) -> ColumnDef {
        ColumnDef::new(name).uuid().null().to_owned()
    }
    pub fn string(name: impl IntoIden, len: u32) -> ColumnDef {
        ColumnDef::new(name).string_len(len).not_null().to_owned()
    }
    pub fn string_null(name: impl IntoIden, len: u32) -> ColumnDef {
        ColumnDef::new(name).string_len(len).null().to_owned()
    }
    pub fn text_null(name: impl IntoIden) -> ColumnDef {
        ColumnDef::new(name).text().null().to_owned()
    }
    pub fn timestamp(name: impl IntoIden) -> ColumnDef {
        ColumnDef::new(name).timestamp_with_time_zone().not_null().to_owned()
    }
    pub fn timestamp_null(name: impl IntoIden) -> ColumnDef {
        ColumnDef::new(name).timestamp_with_time_zone().null().to_owned()
    }
    pub fn json(name: impl IntoIden) -> ColumnDef {
        ColumnDef::new(name).json_binary().not_null().to_owned()
    }
    pub fn json_null(name: impl IntoIden) -> ColumnDef {
        ColumnDef::new(name).json_binary().null().to_owned()
    }
    pub fn int_null(name: impl IntoIden) -> ColumnDef {
        ColumnDef::new(name).integer().null().to_owned()
    }
}
