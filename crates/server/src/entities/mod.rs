//! sea-orm entities, one per table, in the shape `sea-orm-cli generate entity` gives. Queries live
//! in each resource's `service` module, not here.

pub mod activity_logs;
pub mod api_tokens;
pub mod asset_uploads;
pub mod asset_versions;
pub mod backups;
pub mod builds;
pub mod email_outbox;
pub mod game_urls;
pub mod idempotency_keys;
pub mod jobs;
pub mod login_attempts;
pub mod notification_preferences;
pub mod notifications;
pub mod project_assets;
pub mod projects;
pub mod refresh_tokens;
pub mod sessions;
pub mod url_daily_views;
pub mod users;
pub mod webhook_attempts;
pub mod webhook_deliveries;
pub mod webhook_endpoints;
