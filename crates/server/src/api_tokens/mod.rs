//! `/api/v1/api-tokens`: named, scoped, expiring tokens for integrations.

pub mod handlers;
pub mod model;
pub mod service;
