//! A project as the API answers it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{GameConfig, PackageType, Priority, ProjectStatus};
use crate::asset::{Asset, GameUrl};
use crate::build::Build;
use crate::user::UserSummary;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Project {
    pub id: Uuid,
    pub customer_name: String,
    /// The customer's e-mail address; `null` with `contact_hidden` for whom it is not shown
    /// (an artist, on a project that is not theirs).
    pub customer_email: Option<String>,
    pub customer_phone: Option<String>,
    /// The customer's e-mail and phone are withheld from this reader: they are shown to those who
    /// manage projects and to the project's artist.
    #[serde(default)]
    pub contact_hidden: bool,
    pub pet_name: String,
    pub pet_breed: Option<String>,
    pub pet_age: Option<i32>,
    pub pet_personality: Option<String>,
    pub package_type: PackageType,
    pub status: ProjectStatus,
    pub priority: Priority,
    pub assigned_artist_id: Option<Uuid>,
    pub assigned_artist: Option<UserSummary>,
    pub deadline: Option<NaiveDate>,
    /// The deadline has passed and the project is not complete.
    pub overdue: bool,
    pub estimated_hours: Option<i32>,
    pub actual_hours: Option<i32>,
    pub game_config: GameConfig,
    pub notes: Option<String>,
    /// The pet's first photo as a small thumbnail, to find a project by its pet at a glance.
    #[serde(default)]
    pub pet_photo: Option<PetPhoto>,
    /// Goes up by one with every change; send it back in `If-Match` to refuse a stale edit.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    /// When it was deleted: only in the admins' list of deleted projects (`?deleted=true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A photo's thumbnail (320 px at most on its longer side), with its size, so a page can make room
/// for it before it arrives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PetPhoto {
    /// A time-limited link (see the asset's `thumbnail_url`).
    pub thumbnail_url: String,
    pub width: u32,
    pub height: u32,
}

impl Project {
    /// The project as someone who may not see the customer's contact details reads it.
    pub fn without_contact(&self) -> Project {
        Project { customer_email: None, customer_phone: None, contact_hidden: true, ..self.clone() }
    }
}

/// A project with what belongs to it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectDetail {
    #[serde(flatten)]
    pub project: Project,
    pub assets: Vec<Asset>,
    pub urls: Vec<GameUrl>,
    /// The newest build of its game, if any.
    pub latest_build: Option<Build>,
}

// Deserialised by hand: serde's `flatten` buffers every field through generic machinery that
// costs the web bundle tens of kilobytes. The JSON is the same.
impl<'de> Deserialize<'de> for ProjectDetail {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut value = serde_json::Value::deserialize(deserializer)?;
        let assets = crate::take_field(&mut value, "assets")?;
        let urls = crate::take_field(&mut value, "urls")?;
        let latest_build = crate::take_field(&mut value, "latest_build")?;
        let project = serde_json::from_value(value).map_err(serde::de::Error::custom)?;
        Ok(ProjectDetail { project, assets, urls, latest_build })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::Difficulty;

    #[test]
    fn project_detail_round_trips_through_its_flat_json() {
        let project = Project {
            id: Uuid::nil(),
            customer_name: "Sunny".into(),
            customer_email: Some("s@example.com".into()),
            customer_phone: None,
            contact_hidden: false,
            pet_photo: None,
            pet_name: "Buttercup".into(),
            pet_breed: None,
            pet_age: Some(3),
            pet_personality: None,
            package_type: PackageType::Custom,
            status: ProjectStatus::Review,
            priority: Priority::High,
            assigned_artist_id: None,
            assigned_artist: None,
            deadline: None,
            overdue: false,
            estimated_hours: None,
            actual_hours: None,
            game_config: GameConfig { theme: "space".into(), difficulty: Difficulty::Easy, features: vec![] },
            notes: None,
            version: 2,
            created_at: DateTime::<Utc>::from_timestamp(0, 0).unwrap(),
            updated_at: DateTime::<Utc>::from_timestamp(0, 0).unwrap(),
            completed_at: None,
            deleted_at: None,
        };
        let detail = ProjectDetail { project, assets: vec![], urls: vec![], latest_build: None };
        let json = serde_json::to_value(&detail).unwrap();
        assert_eq!(json["pet_name"], "Buttercup");
        assert_eq!(json["assets"], serde_json::json!([]));
        assert_eq!(serde_json::from_value::<ProjectDetail>(json).unwrap(), detail);
    }
}
