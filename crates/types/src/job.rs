//! Background jobs as admins see them: `GET /api/v1/jobs`, `POST /api/v1/jobs/{id}/retry`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::page::PageRequest;
use crate::ValidationErrors;

string_enum!(
    /// pending -> running -> done, or back to pending for a retry, or failed for good.
    JobStatus { Pending = "pending", Running = "running", Done = "done", Failed = "failed" }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Job {
    pub id: Uuid,
    /// What it does, as `area.verb`.
    pub kind: String,
    pub status: JobStatus,
    /// Tries so far, this one included while it runs.
    pub attempts: i32,
    pub max_attempts: i32,
    /// When it runs (next).
    pub run_at: DateTime<Utc>,
    /// The error of its latest failed try.
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// The query of `GET /api/v1/jobs`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct JobQuery {
    /// Only jobs in this state (failed ones, say).
    pub status: Option<JobStatus>,
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<i64>,
    #[cfg_attr(feature = "openapi", param(minimum = 0))]
    pub offset: Option<i64>,
}

impl JobQuery {
    pub fn validate(&self) -> Result<PageRequest, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let page = PageRequest::parse(&mut e, self.limit, self.offset);
        e.finish(page)
    }
}
