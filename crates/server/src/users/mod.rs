//! `/api/v1/users`: the team.

pub mod handlers;
pub mod model;
pub mod service;
