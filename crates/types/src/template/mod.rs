//! Game templates, as the server, the web app and the games themselves read them: what a template
//! takes (its slots: pictures, sounds, texts), what it can be tuned by (its parameters, with
//! bounds and defaults), what each difficulty sets, and what each package may use. The builder
//! checks a build against this, the web app draws its form from it, and a game reads the resolved
//! values from its bundle's manifest.

mod catalogue;
mod manifest;
mod params;
mod slots;

pub use catalogue::{catalogue, find};
pub use manifest::GameManifest;
pub use params::{Param, ParamSpec, ParamValue, Preset, Ramp, Resolved};
pub use slots::{AssetFacts, Slot, SlotKind};

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::project::{GameConfig, PackageType};
use crate::ValidationErrors;

/// One game template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Template {
    /// `runner`, `catcher`, `memory`.
    pub id: String,
    pub name: String,
    pub description: String,
    pub slots: Vec<Slot>,
    pub params: Vec<Param>,
    /// One per difficulty.
    pub presets: Vec<Preset>,
    /// What each package may fill and switch on beyond the required slots.
    pub packages: Vec<PackageRule>,
}

/// What a package may use of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PackageRule {
    pub package: PackageType,
    /// Optional slots this package may fill (required ones always can be; the others play with
    /// their fallback).
    pub slots: Vec<String>,
    /// Flag parameters this package may switch on.
    pub features: Vec<String>,
}

impl Template {
    pub fn slot(&self, key: &str) -> Option<&Slot> {
        self.slots.iter().find(|s| s.key == key)
    }

    pub fn param(&self, key: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.key == key)
    }

    fn rule(&self, package: PackageType) -> Option<&PackageRule> {
        self.packages.iter().find(|r| r.package == package)
    }

    /// Whether `package` may fill the slot `key`.
    pub fn package_fills(&self, package: PackageType, key: &str) -> bool {
        self.slot(key).is_some_and(|s| s.required || self.rule(package).is_some_and(|r| r.slots.iter().any(|k| k == key)))
    }

    /// Whether `package` may switch on the flag `key`; flags no rule names are open to all.
    pub fn package_allows(&self, package: PackageType, key: &str) -> bool {
        let gated = self.packages.iter().any(|r| r.features.iter().any(|f| f == key));
        !gated || self.rule(package).is_some_and(|r| r.features.iter().any(|f| f == key))
    }

    /// Checks which slots a build fills: each known, open to the package, and every required one
    /// filled. Whether each asset fits its slot is [`SlotKind::fits`], on the asset's facts.
    pub fn check_slots(&self, package: PackageType, filled: &BTreeMap<String, Uuid>, errors: &mut ValidationErrors) {
        self.check_slot_keys(package, filled.keys(), errors);
        for slot in self.missing_slots(filled) {
            errors.add(&format!("slots.{}", slot.key), "required", format!("{} needs an asset: it has no fallback.", slot.label));
        }
    }

    /// The required slots `filled` leaves empty.
    pub fn missing_slots<'a>(&'a self, filled: &'a BTreeMap<String, Uuid>) -> impl Iterator<Item = &'a Slot> + 'a {
        self.slots.iter().filter(|s| s.required && !matches!(s.kind, SlotKind::Text { .. }) && !filled.contains_key(&s.key))
    }

    /// Checks that each key names a slot of this template that `package` may fill.
    pub fn check_slot_keys<'a>(&self, package: PackageType, keys: impl Iterator<Item = &'a String>, errors: &mut ValidationErrors) {
        for key in keys {
            match self.slot(key) {
                None => errors.add(&format!("slots.{key}"), "unknown", format!("The {} template has no slot `{key}`.", self.name)),
                Some(slot) if !self.package_fills(package, key) => errors.add(
                    &format!("slots.{key}"),
                    "not_in_package",
                    format!("The {} package plays {} with its own; a custom or premium package may fill it.", package.as_str(), slot.label),
                ),
                Some(_) => {}
            }
        }
    }

    /// The parameters a build plays with: each one sent (checked against its bounds), else the
    /// difficulty's preset, else its default; flags the package may not use stay off.
    pub fn resolve(
        &self,
        package: PackageType,
        config: &GameConfig,
        sent: &BTreeMap<String, serde_json::Value>,
        errors: &mut ValidationErrors,
    ) -> Resolved {
        for key in sent.keys().filter(|k| self.param(k).is_none()) {
            errors.add(&format!("params.{key}"), "unknown", format!("The {} template has no parameter `{key}`.", self.name));
        }
        let preset = self.presets.iter().find(|p| p.difficulty == config.difficulty);
        let mut values = BTreeMap::new();
        for param in &self.params {
            let field = format!("params.{}", param.key);
            let value = match sent.get(&param.key) {
                Some(raw) => match param.spec.check(raw) {
                    Ok(v) => v,
                    Err(message) => {
                        errors.add(&field, "invalid", message);
                        param.spec.default()
                    }
                },
                None => preset.and_then(|p| p.values.get(&param.key).cloned()).unwrap_or_else(|| param.spec.default()),
            };
            let value = match value {
                ParamValue::Flag(true) if !self.package_allows(package, &param.key) => {
                    if sent.contains_key(&param.key) {
                        errors.add(&field, "not_in_package", format!("{} is part of the premium package.", param.label));
                    }
                    ParamValue::Flag(false)
                }
                other => other,
            };
            values.insert(param.key.clone(), value);
        }
        Resolved { values, ramp: preset.map(|p| p.ramp.clone()) }
    }
}

#[cfg(test)]
mod tests;
