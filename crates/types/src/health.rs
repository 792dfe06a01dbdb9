use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Health {
    /// `ok` or `degraded`.
    pub status: String,
    pub version: String,
}

/// One dependency's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ComponentHealth {
    /// `ok` or `error`.
    pub status: String,
    /// Which implementation is in use: `sqlite`, `postgres`, `memory`, `redis`, `local`, `s3`.
    pub backend: String,
    pub latency_ms: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The filesystem under the folder store (the `local` backend only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disk: Option<DiskUsage>,
}

/// Space on a filesystem, as the process sees it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiskUsage {
    pub total_bytes: u64,
    /// Free for this process (what is reserved for root excluded).
    pub available_bytes: u64,
    /// 1 - available / total, from 0 to 1: what the disk-full alert watches.
    pub used_ratio: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeepHealth {
    pub status: String,
    pub version: String,
    pub database: ComponentHealth,
    pub cache: ComponentHealth,
    pub storage: ComponentHealth,
    /// The backups, when a schedule is set or one was ever made. Told, not counted in `status`:
    /// an old backup is an alert, not a reason to take a replica out of the balancer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<BackupHealth>,
}

/// The last backups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackupHealth {
    /// `ok`: the last good backup is younger than twice the schedule (or there is no schedule);
    /// `stale`: it is older; `failed`: the last attempt failed (why is in the server's log); `never`: none was made yet.
    pub status: String,
    pub last_success_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Seconds since the last good backup finished.
    pub age_seconds: Option<u64>,
    /// `PETPIXEL_BACKUP_SCHEDULE` in seconds.
    pub schedule_seconds: Option<u64>,
}
