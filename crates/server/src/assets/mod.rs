//! A project's files: photos, sprites, backgrounds and sounds.

pub mod model;
