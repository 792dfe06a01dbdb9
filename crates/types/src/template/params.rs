//! A template's parameters: typed, bounded, with defaults, and set per difficulty.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::project::Difficulty;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Param {
    pub key: String,
    pub label: String,
    pub spec: ParamSpec,
}

/// What values a parameter takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ParamSpec {
    Integer {
        min: i64,
        max: i64,
        default: i64,
    },
    Float {
        min: f64,
        max: f64,
        default: f64,
    },
    Choice {
        options: Vec<String>,
        default: String,
    },
    /// `#rrggbb`.
    Colour {
        default: String,
    },
    Flag {
        default: bool,
    },
}

/// A parameter's value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ParamValue {
    Flag(bool),
    Integer(i64),
    Float(f64),
    Text(String),
}

// By hand: derived, an untagged enum buffers every value first, and that code is a third of a
// game's WASM (the games read these from their manifest).
impl<'de> Deserialize<'de> for ParamValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = ParamValue;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a flag, a number or a text")
            }
            fn visit_bool<E>(self, v: bool) -> Result<ParamValue, E> {
                Ok(ParamValue::Flag(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<ParamValue, E> {
                Ok(ParamValue::Integer(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ParamValue, E> {
                i64::try_from(v).map(ParamValue::Integer).map_err(|_| E::custom("a whole number too large"))
            }
            fn visit_f64<E>(self, v: f64) -> Result<ParamValue, E> {
                Ok(ParamValue::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<ParamValue, E> {
                Ok(ParamValue::Text(v.to_owned()))
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

// By hand: derived, the untagged variants would be a `oneOf` of integer and number, which a
// whole number matches twice.
#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ParamValue {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AnyOfBuilder, ObjectBuilder, Type};
        AnyOfBuilder::new()
            .item(ObjectBuilder::new().schema_type(Type::Boolean))
            .item(ObjectBuilder::new().schema_type(Type::Number))
            .item(ObjectBuilder::new().schema_type(Type::String))
            .description(Some("A parameter's value: a flag, a number or a text (a choice or a colour)."))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ParamValue {}

/// What a difficulty sets, and how the game speeds up as it goes on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Preset {
    pub difficulty: Difficulty,
    pub values: BTreeMap<String, ParamValue>,
    pub ramp: Ramp,
}

/// `param` grows by `per_minute` each minute of play, never past `cap`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Ramp {
    pub param: String,
    pub per_minute: f64,
    pub cap: f64,
}

/// The values a build plays with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Resolved {
    pub values: BTreeMap<String, ParamValue>,
    pub ramp: Option<Ramp>,
}

impl ParamSpec {
    pub fn default(&self) -> ParamValue {
        match self {
            ParamSpec::Integer { default, .. } => ParamValue::Integer(*default),
            ParamSpec::Float { default, .. } => ParamValue::Float(*default),
            ParamSpec::Choice { default, .. } | ParamSpec::Colour { default } => ParamValue::Text(default.clone()),
            ParamSpec::Flag { default } => ParamValue::Flag(*default),
        }
    }

    /// A sent value, if it is of this parameter's kind and within its bounds; else why not.
    pub fn check(&self, raw: &serde_json::Value) -> Result<ParamValue, String> {
        match self {
            ParamSpec::Integer { min, max, .. } => match raw.as_i64() {
                Some(n) if (*min..=*max).contains(&n) => Ok(ParamValue::Integer(n)),
                _ => Err(format!("A whole number from {min} to {max}.")),
            },
            ParamSpec::Float { min, max, .. } => match raw.as_f64() {
                Some(x) if x.is_finite() && *min <= x && x <= *max => Ok(ParamValue::Float(x)),
                _ => Err(format!("A number from {min} to {max}.")),
            },
            ParamSpec::Choice { options, .. } => match raw.as_str() {
                Some(s) if options.iter().any(|o| o == s) => Ok(ParamValue::Text(s.to_owned())),
                _ => Err(format!("One of {}.", options.join(", "))),
            },
            ParamSpec::Colour { .. } => match raw.as_str() {
                Some(s) if is_colour(s) => Ok(ParamValue::Text(s.to_ascii_lowercase())),
                _ => Err("A colour as #rrggbb.".into()),
            },
            ParamSpec::Flag { .. } => raw.as_bool().map(ParamValue::Flag).ok_or_else(|| "true or false.".into()),
        }
    }
}

fn is_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())
}
