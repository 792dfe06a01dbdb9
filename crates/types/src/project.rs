//! Projects: one customer's game, from order intake to delivery.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::asset::{Asset, GameUrl};
use crate::email::{email_field, Email};
use crate::page::PageRequest;
use crate::patch;
use crate::user::UserSummary;
use crate::validate::{int_in_range, optional_phone, optional_text, required_text};
use crate::ValidationErrors;

string_enum!(
    /// Where a project stands: backlog -> in_progress -> review -> complete.
    ProjectStatus { Backlog = "backlog", InProgress = "in_progress", Review = "review", Complete = "complete" }
);
string_enum!(PackageType { Express = "express", Custom = "custom", Premium = "premium" });
string_enum!(
    /// Ordered from least to most pressing.
    Priority { Low = "low", Normal = "normal", High = "high", Urgent = "urgent" }
);
string_enum!(Difficulty { Easy = "easy", Medium = "medium", Hard = "hard" });

/// Why a status change was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionError {
    /// Not a step of the workflow at all.
    NotAllowed,
    /// Reopening a complete project, which only managers may do.
    ReopenNeedsManager,
}

impl TransitionError {
    /// What to tell the person who tried `from -> to`; the server and the web app say the same.
    pub fn message(self, from: ProjectStatus, to: ProjectStatus, may_reopen: bool) -> String {
        match self {
            TransitionError::ReopenNeedsManager => "Only managers may reopen a complete project.".into(),
            TransitionError::NotAllowed => {
                let next: Vec<&str> = from.next(may_reopen).iter().map(|s| s.label()).collect();
                format!(
                    "A project cannot go from {} to {}; from {} it can go to {}.",
                    from.label(),
                    to.label(),
                    from.label(),
                    if next.is_empty() { "nowhere".to_owned() } else { next.join(" or ") }
                )
            }
        }
    }
}

impl ProjectStatus {
    /// Checks the move `self -> to`. `may_reopen` says whether the actor may take a complete
    /// project back to in_progress.
    pub fn check_transition(self, to: ProjectStatus, may_reopen: bool) -> Result<(), TransitionError> {
        use ProjectStatus::*;
        match (self, to) {
            (Backlog, InProgress) | (InProgress, Review) | (Review, Complete) | (Review, InProgress) => Ok(()),
            (Complete, InProgress) if may_reopen => Ok(()),
            (Complete, InProgress) => Err(TransitionError::ReopenNeedsManager),
            _ => Err(TransitionError::NotAllowed),
        }
    }

    /// The statuses reachable from this one, for offering only moves that can succeed.
    pub fn next(self, may_reopen: bool) -> Vec<ProjectStatus> {
        ProjectStatus::ALL.iter().copied().filter(|to| self.check_transition(*to, may_reopen).is_ok()).collect()
    }

    pub fn label(self) -> &'static str {
        match self {
            ProjectStatus::Backlog => "Backlog",
            ProjectStatus::InProgress => "In progress",
            ProjectStatus::Review => "Review",
            ProjectStatus::Complete => "Complete",
        }
    }
}

pub const MAX_NAME: usize = 255;
pub const MAX_PET_NAME: usize = 100;
pub const MAX_LONG_TEXT: usize = 10_000;
pub const MAX_FEATURES: usize = 20;
pub const MAX_HOURS: i32 = 10_000;

/// Theme, difficulty and features of the game to build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GameConfig {
    pub theme: String,
    pub difficulty: Difficulty,
    pub features: Vec<String>,
}

/// `game_config` as sent; [`GameConfigInput::validate`] makes a [`GameConfig`] of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GameConfigInput {
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            example = "space adventure",
            min_length = 1,
            max_length = 100,
            pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x1F\\x7F-\\x9F][^\\x00-\\x1F\\x7F-\\x9F]*$"
        )
    )]
    pub theme: String,
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub difficulty: Option<Difficulty>,
    /// Up to 20, each 1 to 100 characters.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = features_schema))]
    pub features: Vec<String>,
}

#[cfg(feature = "openapi")]
fn features_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    let feature = ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(100))
        .pattern(Some("^[^\\x00-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x1F\\x7F-\\x9F][^\\x00-\\x1F\\x7F-\\x9F]*$"));
    ArrayBuilder::new().items(feature).max_items(Some(MAX_FEATURES)).build()
}

impl GameConfigInput {
    pub fn validate(&self, errors: &mut ValidationErrors, field: &str) -> Option<GameConfig> {
        let theme = required_text(errors, &format!("{field}.theme"), &self.theme, 100);
        if self.difficulty.is_none() {
            errors.add(&format!("{field}.difficulty"), "required", "Choose easy, medium or hard.");
        }
        if self.features.len() > MAX_FEATURES {
            errors.add(&format!("{field}.features"), "too_many", format!("At most {MAX_FEATURES} features."));
        }
        let mut features = Vec::with_capacity(self.features.len());
        for (i, f) in self.features.iter().enumerate() {
            let name = format!("{field}.features[{i}]");
            let f = required_text(errors, &name, f, 100);
            if !features.contains(&f) {
                features.push(f);
            }
        }
        Some(GameConfig { theme, difficulty: self.difficulty?, features })
    }
}

impl From<GameConfig> for GameConfigInput {
    fn from(c: GameConfig) -> Self {
        Self { theme: c.theme, difficulty: Some(c.difficulty), features: c.features }
    }
}

/// Order intake: the body of `POST /api/v1/projects`.
///
/// Required fields default to empty here so that validation can report every missing one at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateProject {
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            example = "Sunny Lee",
            min_length = 1,
            max_length = 255,
            pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x1F\\x7F-\\x9F][^\\x00-\\x1F\\x7F-\\x9F]*$"
        )
    )]
    pub customer_name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true, format = "email", example = "sunny@example.com", max_length = 254))]
    pub customer_email: String,
    /// Digits with spaces, dots, dashes, parentheses and a leading `+`; 5 to 20 digits.
    #[cfg_attr(feature = "openapi", schema(max_length = 50, pattern = "^ *(\\+?[ .()-]*([0-9][ .()-]*){5,20})? *$"))]
    pub customer_phone: Option<String>,
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            example = "Buttercup",
            min_length = 1,
            max_length = 100,
            pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x1F\\x7F-\\x9F][^\\x00-\\x1F\\x7F-\\x9F]*$"
        )
    )]
    pub pet_name: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 100, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"))]
    pub pet_breed: Option<String>,
    #[serde(default, deserialize_with = "patch::whole")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 40))]
    pub pet_age: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(max_length = 10000, pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"))]
    pub pet_personality: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub package_type: Option<PackageType>,
    #[cfg_attr(feature = "openapi", schema(required = true, nullable = false))]
    pub game_config: Option<GameConfigInput>,
    /// Defaults to `normal`.
    pub priority: Option<Priority>,
    pub deadline: Option<NaiveDate>,
    #[serde(default, deserialize_with = "patch::whole")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 10000))]
    pub estimated_hours: Option<i64>,
    #[cfg_attr(feature = "openapi", schema(max_length = 10000, pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"))]
    pub notes: Option<String>,
}

/// A validated order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProject {
    pub customer_name: String,
    pub customer_email: Email,
    pub customer_phone: Option<String>,
    pub pet_name: String,
    pub pet_breed: Option<String>,
    pub pet_age: Option<i32>,
    pub pet_personality: Option<String>,
    pub package_type: PackageType,
    pub game_config: GameConfig,
    pub priority: Priority,
    pub deadline: Option<NaiveDate>,
    pub estimated_hours: Option<i32>,
    pub notes: Option<String>,
}

impl CreateProject {
    pub fn validate(&self) -> Result<NewProject, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let customer_name = required_text(&mut e, "customer_name", &self.customer_name, MAX_NAME);
        let customer_email = email_field(&mut e, "customer_email", &self.customer_email);
        let customer_phone = optional_phone(&mut e, "customer_phone", self.customer_phone.as_deref());
        let pet_name = required_text(&mut e, "pet_name", &self.pet_name, MAX_PET_NAME);
        let pet_breed = optional_text(&mut e, "pet_breed", self.pet_breed.as_deref(), MAX_PET_NAME);
        let pet_age = self.pet_age.map(|a| int_in_range(&mut e, "pet_age", a, 0, 40));
        let pet_personality = optional_text(&mut e, "pet_personality", self.pet_personality.as_deref(), MAX_LONG_TEXT);
        if self.package_type.is_none() {
            e.add("package_type", "required", "Choose express, custom or premium.");
        }
        let game_config = match &self.game_config {
            Some(c) => c.validate(&mut e, "game_config"),
            None => {
                e.add("game_config", "required", "Describe the game: theme, difficulty and features.");
                None
            }
        };
        let estimated_hours = self.estimated_hours.map(|h| int_in_range(&mut e, "estimated_hours", h, 0, MAX_HOURS));
        let notes = optional_text(&mut e, "notes", self.notes.as_deref(), MAX_LONG_TEXT);
        let (Some(customer_email), Some(package_type), Some(game_config)) = (customer_email, self.package_type, game_config) else {
            return Err(e);
        };
        e.finish(NewProject {
            customer_name,
            customer_email,
            customer_phone,
            pet_name,
            pet_breed,
            pet_age,
            pet_personality,
            package_type,
            game_config,
            priority: self.priority.unwrap_or(Priority::Normal),
            deadline: self.deadline,
            estimated_hours,
            notes,
        })
    }
}

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Project {
    pub id: Uuid,
    pub customer_name: String,
    pub customer_email: String,
    pub customer_phone: Option<String>,
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
    /// Goes up by one with every change; send it back in `If-Match` to refuse a stale edit.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// A project with what belongs to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectDetail {
    #[serde(flatten)]
    pub project: Project,
    pub assets: Vec<Asset>,
    pub urls: Vec<GameUrl>,
}

// Deserialised by hand: serde's `flatten` buffers every field through generic machinery that
// costs the web bundle tens of kilobytes. The JSON is the same.
impl<'de> Deserialize<'de> for ProjectDetail {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut value = serde_json::Value::deserialize(deserializer)?;
        let assets = crate::take_field(&mut value, "assets")?;
        let urls = crate::take_field(&mut value, "urls")?;
        let project = serde_json::from_value(value).map_err(serde::de::Error::custom)?;
        Ok(ProjectDetail { project, assets, urls })
    }
}

/// Who a list is filtered on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    User(Uuid),
    Me,
    Nobody,
}

/// What a project list can be ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    CreatedAt,
    UpdatedAt,
    Deadline,
    Priority,
    Status,
    PetName,
    CustomerName,
}

impl SortKey {
    pub const ALL: [(SortKey, &'static str); 7] = [
        (SortKey::CreatedAt, "created_at"),
        (SortKey::UpdatedAt, "updated_at"),
        (SortKey::Deadline, "deadline"),
        (SortKey::Priority, "priority"),
        (SortKey::Status, "status"),
        (SortKey::PetName, "pet_name"),
        (SortKey::CustomerName, "customer_name"),
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Default for Sort {
    /// Newest first.
    fn default() -> Self {
        Sort { key: SortKey::CreatedAt, descending: true }
    }
}

impl FromStr for Sort {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (descending, name) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        SortKey::ALL.iter().find(|(_, n)| *n == name).map(|(key, _)| Sort { key: *key, descending }).ok_or_else(|| {
            let names: Vec<&str> = SortKey::ALL.iter().map(|(_, n)| *n).collect();
            format!("Sort by one of {}, with a leading - for descending.", names.join(", "))
        })
    }
}

/// The query of `GET /api/v1/projects`, as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct ProjectQuery {
    /// One status or several, comma-separated (`backlog,review`).
    #[cfg_attr(
        feature = "openapi",
        param(pattern = "^ *((backlog|in_progress|review|complete) *(, *(backlog|in_progress|review|complete) *)*)?$")
    )]
    pub status: Option<String>,
    /// A user id, `me` or `none`.
    #[cfg_attr(
        feature = "openapi",
        param(pattern = "^ *(me|none|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})? *$")
    )]
    pub assigned_to: Option<String>,
    /// One priority or several, comma-separated.
    #[cfg_attr(feature = "openapi", param(pattern = "^ *((low|normal|high|urgent) *(, *(low|normal|high|urgent) *)*)?$"))]
    pub priority: Option<String>,
    /// One package type or several, comma-separated.
    #[cfg_attr(feature = "openapi", param(pattern = "^ *((express|custom|premium) *(, *(express|custom|premium) *)*)?$"))]
    pub package_type: Option<String>,
    /// Words to find in the customer's name or e-mail, the pet's name or the notes.
    #[cfg_attr(feature = "openapi", param(max_length = 200, pattern = "^[^\\x00-\\x1F\\x7F-\\x9F]*$"))]
    pub q: Option<String>,
    /// Only projects with a deadline before this day.
    pub due_before: Option<NaiveDate>,
    /// Only projects past their deadline and not complete (`true`), or only the others (`false`).
    pub overdue: Option<bool>,
    /// `created_at`, `updated_at`, `deadline`, `priority`, `status`, `pet_name` or `customer_name`;
    /// a leading `-` sorts descending. Default `-created_at`.
    #[cfg_attr(feature = "openapi", param(pattern = "^ *(-?(created_at|updated_at|deadline|priority|status|pet_name|customer_name))? *$"))]
    pub sort: Option<String>,
    #[cfg_attr(feature = "openapi", param(minimum = 1, maximum = 100))]
    pub limit: Option<i64>,
    #[cfg_attr(feature = "openapi", param(minimum = 0))]
    pub offset: Option<i64>,
}

/// A validated project list query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectFilter {
    pub statuses: Vec<ProjectStatus>,
    pub assigned_to: Option<AssigneeFilter>,
    pub priorities: Vec<Priority>,
    pub package_types: Vec<PackageType>,
    pub q: Option<String>,
    pub due_before: Option<NaiveDate>,
    pub overdue: Option<bool>,
    pub sort: Sort,
    pub page: PageRequest,
}

fn list_of<T: FromStr<Err = String>>(errors: &mut ValidationErrors, field: &str, raw: Option<&str>) -> Vec<T> {
    let mut out = Vec::new();
    for part in raw.unwrap_or("").split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.parse() {
            Ok(v) => out.push(v),
            Err(msg) => errors.add(field, "invalid_value", msg),
        }
    }
    out
}

impl ProjectQuery {
    pub fn validate(&self) -> Result<ProjectFilter, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let statuses = list_of(&mut e, "status", self.status.as_deref());
        let priorities = list_of(&mut e, "priority", self.priority.as_deref());
        let package_types = list_of(&mut e, "package_type", self.package_type.as_deref());
        let assigned_to = match self.assigned_to.as_deref().map(str::trim) {
            None | Some("") => None,
            Some("me") => Some(AssigneeFilter::Me),
            Some("none") => Some(AssigneeFilter::Nobody),
            Some(id) => match Uuid::parse_str(id) {
                Ok(id) => Some(AssigneeFilter::User(id)),
                Err(_) => {
                    e.add("assigned_to", "invalid_value", "A user id, `me` or `none`.");
                    None
                }
            },
        };
        let q = optional_text(&mut e, "q", self.q.as_deref(), 200);
        let sort = match self.sort.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => Sort::default(),
            Some(s) => s.parse().unwrap_or_else(|msg| {
                e.add("sort", "invalid_value", msg);
                Sort::default()
            }),
        };
        let page = PageRequest::parse(&mut e, self.limit, self.offset);
        e.finish(ProjectFilter {
            statuses,
            assigned_to,
            priorities,
            package_types,
            q,
            due_before: self.due_before,
            overdue: self.overdue,
            sort,
            page,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order() -> CreateProject {
        CreateProject {
            customer_name: "Sunny Lee".into(),
            customer_email: "sunny@example.com".into(),
            pet_name: "Buttercup".into(),
            package_type: Some(PackageType::Custom),
            game_config: Some(GameConfigInput { theme: "space".into(), difficulty: Some(Difficulty::Easy), features: vec![] }),
            ..Default::default()
        }
    }

    #[test]
    fn a_complete_order_validates() {
        let p = order().validate().unwrap();
        assert_eq!(p.priority, Priority::Normal);
        assert_eq!(p.customer_email.as_str(), "sunny@example.com");
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = CreateProject { customer_email: "nope".into(), pet_age: Some(41), ..Default::default() };
        let errors = bad.validate().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["customer_name", "customer_email", "pet_name", "pet_age", "package_type", "game_config"]);
        assert_eq!(errors.for_field("customer_email").unwrap().code, "invalid_email");
    }

    #[test]
    fn workflow_moves() {
        use ProjectStatus::*;
        assert!(Backlog.check_transition(InProgress, false).is_ok());
        assert_eq!(Backlog.check_transition(Review, true), Err(TransitionError::NotAllowed));
        assert!(Review.check_transition(InProgress, false).is_ok());
        assert_eq!(Complete.check_transition(InProgress, false), Err(TransitionError::ReopenNeedsManager));
        assert!(Complete.check_transition(InProgress, true).is_ok());
        assert_eq!(Backlog.next(false), vec![InProgress]);
        assert_eq!(
            TransitionError::NotAllowed.message(InProgress, Complete, false),
            "A project cannot go from In progress to Complete; from In progress it can go to Review."
        );
        assert_eq!(
            TransitionError::ReopenNeedsManager.message(Complete, InProgress, false),
            "Only managers may reopen a complete project."
        );
    }

    #[test]
    fn list_queries_parse() {
        let q = ProjectQuery { status: Some("backlog, review".into()), sort: Some("-deadline".into()), ..Default::default() };
        let f = q.validate().unwrap();
        assert_eq!(f.statuses, vec![ProjectStatus::Backlog, ProjectStatus::Review]);
        assert_eq!(f.sort, Sort { key: SortKey::Deadline, descending: true });
        let bad = ProjectQuery { status: Some("done".into()), limit: Some(500), sort: Some("colour".into()), ..Default::default() };
        let fields: Vec<String> = bad.validate().unwrap_err().iter().map(|e| e.field.clone()).collect();
        assert_eq!(fields, ["status", "sort", "limit"]);
    }
}

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

#[cfg(test)]
mod detail_tests {
    use super::*;

    #[test]
    fn project_detail_round_trips_through_its_flat_json() {
        let project = Project {
            id: Uuid::nil(),
            customer_name: "Sunny".into(),
            customer_email: "s@example.com".into(),
            customer_phone: None,
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
        };
        let detail = ProjectDetail { project, assets: vec![], urls: vec![] };
        let json = serde_json::to_value(&detail).unwrap();
        assert_eq!(json["pet_name"], "Buttercup");
        assert_eq!(json["assets"], serde_json::json!([]));
        assert_eq!(serde_json::from_value::<ProjectDetail>(json).unwrap(), detail);
    }
}
