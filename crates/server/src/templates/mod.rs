//! `/api/v1/templates`: the game templates the studio builds from, with their slots, parameters,
//! presets and package rules (the manifests live in `types`, shared with the web app and games).

pub mod handlers;
