//! Order intake: `POST /api/v1/projects`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{GameConfig, GameConfigInput, PackageType, Priority, MAX_HOURS, MAX_LONG_TEXT, MAX_NAME, MAX_PET_NAME};
use crate::email::{email_field, Email};
use crate::patch;
use crate::validate::{int_in_range, optional_phone, optional_text, required_text};
use crate::ValidationErrors;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::Difficulty;

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
}
