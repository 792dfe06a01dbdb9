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
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeepHealth {
    pub status: String,
    pub version: String,
    pub database: ComponentHealth,
    pub cache: ComponentHealth,
    pub storage: ComponentHealth,
}
