//! PetPixel Studio's server: the REST API (`/api/v1`), health and metrics, and the OpenAPI docs.
//!
//! A route's code sits in the module named after its URL: `/api/v1/projects/{id}/status` is
//! `projects::handlers::update_project_status`, which calls `projects::service::set_status`.

pub mod activity;
pub mod actor;
pub mod api_tokens;
pub mod app;
pub mod assets;
pub mod auth;
pub mod backup;
pub mod builds;
pub mod cache;
pub mod cli;
pub mod client_errors;
pub mod config;
pub mod customers;
pub mod db;
pub mod email;
pub mod encoding;
pub mod entities;
pub mod error;
pub mod error_reports;
pub mod events;
pub mod extract;
pub mod files;
pub mod health;
pub mod idempotency;
pub mod jobs;
pub mod notifications;
pub mod openapi;
pub mod policy;
pub mod projects;
pub mod realtime;
pub mod security_headers;
pub mod seed;
pub mod state;
pub mod storage;
pub mod telemetry;
pub mod templates;
pub mod traces;
pub mod urls;
pub mod users;
pub mod web;
pub mod webhooks;

pub use app::{openapi, router, serve};
pub use config::Config;
pub use state::AppState;
