//! `/api/files`: downloads and uploads through the folder backend's signed links.

pub mod handlers;
