//! Logging in, refreshing and who am I.

use serde::{Deserialize, Serialize};

use crate::permissions::Grant;
use crate::user::User;
use crate::ValidationErrors;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, format = "email", min_length = 1, max_length = 254))]
    pub email: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, format = "password", min_length = 1, max_length = 128))]
    pub password: String,
    /// For browsers: keep the refresh token in an HttpOnly cookie scoped to `/api/v1/auth`
    /// instead of the answer's body, out of reach of page scripts.
    #[serde(default)]
    pub refresh_cookie: bool,
}

impl LoginRequest {
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut e = ValidationErrors::new();
        // Checked before anything is looked up or stored.
        if self.email.trim().is_empty() {
            e.add("email", "required", "Enter your e-mail address.");
        } else if self.email.trim().chars().count() > crate::Email::MAX_LEN {
            e.add("email", "too_long", format!("At most {} characters.", crate::Email::MAX_LEN));
        }
        if self.password.is_empty() {
            e.add("password", "required", "Enter your password.");
        } else if self.password.chars().count() > crate::user::MAX_PASSWORD {
            e.add("password", "too_long", format!("At most {} characters.", crate::user::MAX_PASSWORD));
        }
        e.finish(())
    }
}

/// A fresh pair of tokens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenResponse {
    /// A short-lived JWT for the `Authorization: Bearer` header.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// Trade it for a new pair at `/api/v1/auth/refresh`; it works once. Absent when it was set
    /// as a cookie instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Seconds until the refresh token expires.
    pub refresh_expires_in: u64,
    pub user: User,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token; omit it to use the refresh cookie set at login.
    #[serde(default)]
    pub refresh_token: Option<String>,
}

string_enum!(
    /// How the caller authenticated.
    AuthMethod { Session = "session", ApiToken = "api_token" }
);

/// The body of `GET /api/v1/auth/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub user: User,
    pub auth_method: AuthMethod,
    /// Everything the caller may do, one `resource:action` a line, with its reach.
    pub permissions: Vec<Grant>,
    /// The server's limits a client checks before sending.
    pub limits: Limits,
}

/// Limits a client should know before it sends something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Limits {
    /// The largest file an upload may carry, in bytes.
    pub max_upload_bytes: u64,
}
