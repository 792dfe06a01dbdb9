//! HTTP-level tests of every endpoint, over the real router, each on a fresh database.

mod activity;
mod api_tokens;
mod assets;
mod auth;
mod builds;
mod client;
mod errors;
mod events;
mod health;
mod idempotency;
mod jobs;
mod notifications;
mod openapi;
mod probe;
mod processes;
mod projects;
mod realtime;
mod security;
mod seed;
mod smtp;
mod storage;
mod support;
mod templates;
mod urls;
mod users;
mod web;
