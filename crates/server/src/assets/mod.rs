//! A project's files: photos, sprites, backgrounds and sounds.
//!
//! An upload (multipart through the API, or a signed PUT straight to storage) is recorded in
//! `asset_uploads` before its object is written, checked from its content (type, completeness,
//! a picture's size, the virus scanner when one is set), and only then becomes an asset (or a new
//! version of one) in the transaction that records its activity and enqueues its processing.
//! Processing is a durable job: metadata, a thumbnail and a preview without EXIF. A periodic
//! sweep removes uploads that never completed, with their objects.

pub mod demo;
pub mod derive;
pub mod fixtures;
pub mod handlers;
pub mod inspect;
pub mod model;
pub mod photos;
mod process;
mod scan;
pub mod service;
pub mod spool;
mod store;
mod sweep;
pub mod upload;

use std::time::Duration;

use crate::jobs::Registry;

/// Processes one version: `{"asset_id", "version"}`.
pub const PROCESS: &str = "assets.process";
/// Removes a deleted asset's or build's objects: `{"prefix"}`.
pub const REMOVE_OBJECTS: &str = "assets.remove_objects";
/// Removes expired uploads and settles versions whose processing gave up.
pub const SWEEP: &str = "assets.sweep";

/// This capability's jobs.
pub fn register(registry: Registry) -> Registry {
    registry.register(PROCESS, process::run).register(REMOVE_OBJECTS, sweep::remove_objects).register(SWEEP, sweep::run).every(
        SWEEP,
        Duration::from_secs(60),
        SWEEP,
        serde_json::Value::Null,
    )
}
