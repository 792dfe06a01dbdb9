//! The workload at a glance: `GET /api/v1/projects/stats`.

use serde::{Deserialize, Serialize};

use super::ProjectStatus;
use crate::user::UserSummary;

/// How many projects are in one status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusCount {
    pub status: ProjectStatus,
    pub count: u64,
}

/// One artist's load (or the unassigned projects', with no artist).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArtistLoad {
    pub artist: Option<UserSummary>,
    /// Every status, in workflow order, zeros included.
    pub counts: Vec<StatusCount>,
    pub total: u64,
}

/// The workload at a glance: the body of `GET /api/v1/projects/stats`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectStats {
    pub total: u64,
    /// Every status, in workflow order.
    pub by_status: Vec<StatusCount>,
    /// Artists with the most projects first; unassigned projects last.
    pub by_artist: Vec<ArtistLoad>,
    /// Not complete, with a deadline within the next seven days (today included).
    pub due_this_week: u64,
    /// Not complete, with a deadline in the past.
    pub overdue: u64,
}
