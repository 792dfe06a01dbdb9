//! Named, scoped, expiring tokens for integrations.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::permissions::Permission;
use crate::validate::required_text;
use crate::ValidationErrors;

pub const DEFAULT_TOKEN_DAYS: u32 = 90;
pub const MAX_TOKEN_DAYS: u32 = 365;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiToken {
    pub id: Uuid,
    pub name: String,
    pub scopes: Vec<Permission>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// The answer to creating a token: the only time its secret is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedApiToken {
    #[serde(flatten)]
    pub token: ApiToken,
    /// Use as `Authorization: Bearer <secret>`. It is stored hashed and cannot be shown again.
    pub secret: String,
}

// By hand for the same reason as `ProjectDetail`: no `flatten` machinery in the web bundle.
impl<'de> Deserialize<'de> for CreatedApiToken {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut value = serde_json::Value::deserialize(deserializer)?;
        let secret = crate::take_field(&mut value, "secret")?;
        let token = serde_json::from_value(value).map_err(serde::de::Error::custom)?;
        Ok(CreatedApiToken { token, secret })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateApiToken {
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            example = "shop integration",
            min_length = 1,
            max_length = 100,
            pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x1F\\x7F-\\x9F][^\\x00-\\x1F\\x7F-\\x9F]*$"
        )
    )]
    pub name: String,
    /// Permissions the token carries, each among your own; for example `["projects:read"]`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, min_items = 1))]
    pub scopes: Vec<Permission>,
    /// 1 to 365; default 90.
    #[serde(default, deserialize_with = "crate::patch::whole")]
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 365))]
    pub expires_in_days: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiToken {
    pub name: String,
    pub scopes: Vec<Permission>,
    pub expires_in_days: u32,
}

impl CreateApiToken {
    pub fn validate(&self) -> Result<NewApiToken, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = required_text(&mut e, "name", &self.name, 100);
        if self.scopes.is_empty() {
            e.add("scopes", "required", "Give the token at least one permission.");
        }
        let days = match self.expires_in_days {
            None => DEFAULT_TOKEN_DAYS,
            Some(d) if (1..=i64::from(MAX_TOKEN_DAYS)).contains(&d) => d as u32,
            Some(_) => {
                e.add("expires_in_days", "out_of_range", format!("Must be between 1 and {MAX_TOKEN_DAYS}."));
                DEFAULT_TOKEN_DAYS
            }
        };
        let mut scopes = self.scopes.clone();
        scopes.sort();
        scopes.dedup();
        e.finish(NewApiToken { name, scopes, expires_in_days: days })
    }
}
