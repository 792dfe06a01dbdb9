//! What a built game reads at start: `manifest.json` in its bundle. Only what the game shows goes
//! in: the pet's name, the title, the resolved parameters and its files. Never the customer's
//! contact details or the studio's notes, as the bundle is public.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{ParamValue, Ramp};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GameManifest {
    pub template: String,
    pub title: String,
    pub pet_name: String,
    pub values: BTreeMap<String, ParamValue>,
    pub ramp: Option<Ramp>,
    /// Slot key -> file name in the bundle (content-hashed); a slot not here plays with the
    /// template's own fallback.
    pub files: BTreeMap<String, String>,
}

impl GameManifest {
    pub fn float(&self, key: &str, default: f64) -> f64 {
        match self.values.get(key) {
            Some(ParamValue::Float(x)) => *x,
            #[allow(clippy::cast_precision_loss)]
            Some(ParamValue::Integer(n)) => *n as f64,
            _ => default,
        }
    }

    pub fn int(&self, key: &str, default: i64) -> i64 {
        match self.values.get(key) {
            Some(ParamValue::Integer(n)) => *n,
            #[allow(clippy::cast_possible_truncation)]
            Some(ParamValue::Float(x)) => x.round() as i64,
            _ => default,
        }
    }

    pub fn text<'a>(&'a self, key: &str, default: &'a str) -> &'a str {
        match self.values.get(key) {
            Some(ParamValue::Text(s)) => s,
            _ => default,
        }
    }

    pub fn flag(&self, key: &str) -> bool {
        matches!(self.values.get(key), Some(ParamValue::Flag(true)))
    }

    /// `key`'s value after `minutes` of play: its start plus the ramp, never past the cap.
    pub fn ramped(&self, key: &str, default: f64, minutes: f64) -> f64 {
        let start = self.float(key, default);
        match &self.ramp {
            Some(r) if r.param == key && r.per_minute > 0.0 => (start + r.per_minute * minutes).min(r.cap.max(start)),
            _ => start,
        }
    }
}
