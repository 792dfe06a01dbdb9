//! A game's public addresses (`/g/<slug>`).

pub mod model;
