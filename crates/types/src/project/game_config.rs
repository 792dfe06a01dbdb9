//! The game a project builds: theme, difficulty and features.

use serde::{Deserialize, Serialize};

use super::{Difficulty, MAX_FEATURES};
use crate::validate::required_text;
use crate::ValidationErrors;

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
