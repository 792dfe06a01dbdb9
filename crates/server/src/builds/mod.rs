//! The game builder: a project's assets dropped into a template's slots, its parameters resolved,
//! and the game's bundle (`index.html`, the template's JS and WASM, `manifest.json`, game-sized
//! pictures and sounds, every name content-hashed) written once to storage under `builds/<id>/`.
//!
//! A build is a durable job (queued -> building -> ready | failed, with per-slot reasons). The
//! templates are compiled once per release (`cargo xtask build-games`) and embedded in the
//! binary; a build compiles nothing. A ready build is played at a signed, time-limited preview
//! link, served sandboxed so that a game never runs with the staff's authority.

mod bundle;
mod dist;
pub mod handlers;
mod job;
mod model;
pub mod preview;
pub mod service;

use crate::jobs::Registry;

/// Makes one build's bundle: `{"build_id"}`.
pub const BUILD: &str = "builds.build";

pub fn register(registry: Registry) -> Registry {
    registry.register(BUILD, job::run)
}
