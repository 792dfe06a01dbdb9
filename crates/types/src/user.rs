//! Team members.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::email::{email_field, Email};
use crate::page::PageRequest;
use crate::patch;
use crate::permissions::{Permission, Role};
use crate::validate::{optional_text, optional_url};
use crate::ValidationErrors;

pub const MIN_PASSWORD: usize = 12;
pub const MAX_PASSWORD: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// The full name, or the e-mail address when no name is set.
    pub display_name: String,
    pub avatar_url: Option<String>,
    pub role: Role,
    /// Grants on top of the role's own.
    pub permissions: Vec<Permission>,
    pub active: bool,
    pub last_login: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Just enough of a user to show who did or owns something.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserSummary {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
}

pub fn display_name(first: Option<&str>, last: Option<&str>, email: &str) -> String {
    let name = [first, last].into_iter().flatten().map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        email.to_owned()
    } else {
        name
    }
}

fn check_password(errors: &mut ValidationErrors, field: &str, password: &str) {
    let len = password.chars().count();
    if len < MIN_PASSWORD {
        errors.add(field, "too_short", format!("At least {MIN_PASSWORD} characters."));
    } else if len > MAX_PASSWORD {
        errors.add(field, "too_long", format!("At most {MAX_PASSWORD} characters."));
    }
}

/// The body of `POST /api/v1/users`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, format = "email", max_length = 254))]
    pub email: String,
    /// 12 to 128 characters, and not one of the 10,000 most common passwords.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, format = "password", min_length = 12, max_length = 128))]
    pub password: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 100, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"))]
    pub first_name: Option<String>,
    #[cfg_attr(feature = "openapi", schema(max_length = 100, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"))]
    pub last_name: Option<String>,
    /// Defaults to `artist`.
    pub role: Option<Role>,
    #[serde(default)]
    pub permissions: Vec<Permission>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    pub email: Email,
    pub password: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub role: Role,
    pub permissions: Vec<Permission>,
}

impl CreateUser {
    pub fn validate(&self) -> Result<NewUser, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let email = email_field(&mut e, "email", &self.email);
        check_password(&mut e, "password", &self.password);
        let first_name = optional_text(&mut e, "first_name", self.first_name.as_deref(), 100);
        let last_name = optional_text(&mut e, "last_name", self.last_name.as_deref(), 100);
        let Some(email) = email else { return Err(e) };
        e.finish(NewUser {
            email,
            password: self.password.clone(),
            first_name,
            last_name,
            role: self.role.unwrap_or(Role::Artist),
            permissions: dedup(&self.permissions),
        })
    }
}

fn dedup(permissions: &[Permission]) -> Vec<Permission> {
    let mut out = permissions.to_vec();
    out.sort();
    out.dedup();
    out
}

/// The body of `PATCH /api/v1/users/{id}`. Anyone may change their own name, avatar and password
/// (the password with `current_password`); only admins change others, and `active`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    #[serde(default, deserialize_with = "patch::nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 100, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"))]
    pub first_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 100, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"))]
    pub last_name: Option<Option<String>>,
    /// An `http(s)` address.
    #[serde(default, deserialize_with = "patch::nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 500, pattern = "^\\s*(https?://\\S*)?\\s*$"))]
    pub avatar_url: Option<Option<String>>,
    /// 12 to 128 characters, not one of the 10,000 most common passwords; your own needs a login
    /// session (not an API token) and `current_password`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = "password", min_length = 12, max_length = 128))]
    pub password: Option<String>,
    /// Required to change your own password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = "password"))]
    pub current_password: Option<String>,
    /// Admins only: `false` deactivates the user and ends their sessions at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChanges {
    pub first_name: Option<Option<String>>,
    pub last_name: Option<Option<String>>,
    pub avatar_url: Option<Option<String>>,
    pub password: Option<String>,
    pub current_password: Option<String>,
    pub active: Option<bool>,
}

impl UpdateUser {
    pub fn validate(&self) -> Result<UserChanges, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let changes = UserChanges {
            first_name: self.first_name.as_ref().map(|v| optional_text(&mut e, "first_name", v.as_deref(), 100)),
            last_name: self.last_name.as_ref().map(|v| optional_text(&mut e, "last_name", v.as_deref(), 100)),
            avatar_url: self.avatar_url.as_ref().map(|v| optional_url(&mut e, "avatar_url", v.as_deref())),
            password: self.password.clone(),
            current_password: self.current_password.clone(),
            active: self.active,
        };
        if let Some(p) = &self.password {
            check_password(&mut e, "password", p);
        }
        e.finish(changes)
    }
}

/// The body of `PUT /api/v1/users/{id}/role`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetRole {
    pub role: Role,
    /// Grants on top of the role's; replaces the user's current ones.
    #[serde(default)]
    pub permissions: Vec<Permission>,
}

impl SetRole {
    pub fn normalized_permissions(&self) -> Vec<Permission> {
        dedup(&self.permissions)
    }
}

/// The query of `GET /api/v1/users`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct UserQuery {
    pub role: Option<Role>,
    pub active: Option<bool>,
    /// Words to find in the name or e-mail.
    #[cfg_attr(feature = "openapi", param(max_length = 200, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"))]
    pub q: Option<String>,
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<i64>,
    #[cfg_attr(feature = "openapi", param(minimum = 0))]
    pub offset: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub active: Option<bool>,
    pub q: Option<String>,
    pub page: PageRequest,
}

impl UserQuery {
    pub fn validate(&self) -> Result<UserFilter, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let q = optional_text(&mut e, "q", self.q.as_deref(), 200);
        let page = PageRequest::parse(&mut e, self.limit, self.offset);
        e.finish(UserFilter { role: self.role, active: self.active, q, page })
    }
}
