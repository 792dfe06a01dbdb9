//! Changing a project: `PATCH /api/v1/projects/{id}`, its status and its artist.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{GameConfig, GameConfigInput, PackageType, Priority, ProjectStatus, MAX_HOURS, MAX_LONG_TEXT, MAX_NAME, MAX_PET_NAME};
use crate::email::{email_field, Email};
use crate::patch;
use crate::validate::{int_in_range, optional_phone, optional_text, required_text};
use crate::ValidationErrors;

/// The body of `PATCH /api/v1/projects/{id}`: absent fields stay as they are, `null` clears an
/// optional one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateProject {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 255,
            pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x1F\\x7F-\\x9F][^\\x00-\\x1F\\x7F-\\x9F]*$"
        )
    )]
    pub customer_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(format = "email", max_length = 254))]
    pub customer_email: Option<String>,
    #[serde(default, deserialize_with = "patch::nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 50, pattern = "^ *(\\+?[ .()-]*([0-9][ .()-]*){5,20})? *$"))]
    pub customer_phone: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(
        feature = "openapi",
        schema(
            min_length = 1,
            max_length = 100,
            pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x1F\\x7F-\\x9F][^\\x00-\\x1F\\x7F-\\x9F]*$"
        )
    )]
    pub pet_name: Option<String>,
    #[serde(default, deserialize_with = "patch::nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 100, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"))]
    pub pet_breed: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch::whole_nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>, minimum = 0, maximum = 40))]
    pub pet_age: Option<Option<i64>>,
    #[serde(default, deserialize_with = "patch::nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 10000, pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"))]
    pub pet_personality: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package_type: Option<PackageType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, deserialize_with = "patch::nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<NaiveDate>))]
    pub deadline: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch::whole_nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>, minimum = 0, maximum = 10000))]
    pub estimated_hours: Option<Option<i64>>,
    #[serde(default, deserialize_with = "patch::whole_nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>, minimum = 0, maximum = 10000))]
    pub actual_hours: Option<Option<i64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub game_config: Option<GameConfigInput>,
    #[serde(default, deserialize_with = "patch::nullable", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 10000, pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"))]
    pub notes: Option<Option<String>>,
}

/// Validated changes to a project; `None` leaves a field alone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectChanges {
    pub customer_name: Option<String>,
    pub customer_email: Option<Email>,
    pub customer_phone: Option<Option<String>>,
    pub pet_name: Option<String>,
    pub pet_breed: Option<Option<String>>,
    pub pet_age: Option<Option<i32>>,
    pub pet_personality: Option<Option<String>>,
    pub package_type: Option<PackageType>,
    pub priority: Option<Priority>,
    pub deadline: Option<Option<NaiveDate>>,
    pub estimated_hours: Option<Option<i32>>,
    pub actual_hours: Option<Option<i32>>,
    pub game_config: Option<GameConfig>,
    pub notes: Option<Option<String>>,
}

impl UpdateProject {
    pub fn validate(&self) -> Result<ProjectChanges, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let hours =
            |e: &mut ValidationErrors, field: &str, v: &Option<Option<i64>>| v.map(|h| h.map(|h| int_in_range(e, field, h, 0, MAX_HOURS)));
        let changes = ProjectChanges {
            customer_name: self.customer_name.as_deref().map(|v| required_text(&mut e, "customer_name", v, MAX_NAME)),
            customer_email: match &self.customer_email {
                Some(v) => email_field(&mut e, "customer_email", v),
                None => None,
            },
            customer_phone: self.customer_phone.as_ref().map(|v| optional_phone(&mut e, "customer_phone", v.as_deref())),
            pet_name: self.pet_name.as_deref().map(|v| required_text(&mut e, "pet_name", v, MAX_PET_NAME)),
            pet_breed: self.pet_breed.as_ref().map(|v| optional_text(&mut e, "pet_breed", v.as_deref(), MAX_PET_NAME)),
            pet_age: self.pet_age.map(|v| v.map(|a| int_in_range(&mut e, "pet_age", a, 0, 40))),
            pet_personality: self.pet_personality.as_ref().map(|v| optional_text(&mut e, "pet_personality", v.as_deref(), MAX_LONG_TEXT)),
            package_type: self.package_type,
            priority: self.priority,
            deadline: self.deadline,
            estimated_hours: hours(&mut e, "estimated_hours", &self.estimated_hours),
            actual_hours: hours(&mut e, "actual_hours", &self.actual_hours),
            game_config: self.game_config.as_ref().and_then(|c| c.validate(&mut e, "game_config")),
            notes: self.notes.as_ref().map(|v| optional_text(&mut e, "notes", v.as_deref(), MAX_LONG_TEXT)),
        };
        e.finish(changes)
    }
}

/// The body of `PUT /api/v1/projects/{id}/status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetStatus {
    pub status: ProjectStatus,
}

/// The body of `PUT /api/v1/projects/{id}/assignee`; `null` unassigns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetAssignee {
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub artist_id: Option<Uuid>,
}
