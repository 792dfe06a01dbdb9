//! The three templates the studio sells: a one-tap runner, a treat catcher and a memory match.

use std::collections::BTreeMap;

use super::{PackageRule, Param, ParamSpec, ParamValue, Preset, Ramp, Slot, SlotKind, Template};
use crate::project::{Difficulty, PackageType};

/// Every template, in the order the studio shows them.
pub fn catalogue() -> Vec<Template> {
    vec![runner(), catcher(), memory()]
}

pub fn find(id: &str) -> Option<Template> {
    catalogue().into_iter().find(|t| t.id == id)
}

fn slot(key: &str, label: &str, kind: SlotKind, required: bool) -> Slot {
    Slot { key: key.into(), label: label.into(), kind, required }
}

/// A cut-out character: at least 128 px, roughly square, transparent around it.
fn cut_out() -> SlotKind {
    SlotKind::Image { min_width: 128, min_height: 128, min_aspect: 0.5, max_aspect: 2.0, transparency: true }
}

/// A landscape backdrop.
fn backdrop() -> SlotKind {
    SlotKind::Image { min_width: 640, min_height: 360, min_aspect: 1.2, max_aspect: 2.5, transparency: false }
}

fn effect() -> SlotKind {
    SlotKind::Sound { max_seconds: 3.0 }
}

fn title() -> SlotKind {
    SlotKind::Text { max_chars: 40 }
}

fn param(key: &str, label: &str, spec: ParamSpec) -> Param {
    Param { key: key.into(), label: label.into(), spec }
}

fn int(min: i64, max: i64, default: i64) -> ParamSpec {
    ParamSpec::Integer { min, max, default }
}

fn float(min: f64, max: f64, default: f64) -> ParamSpec {
    ParamSpec::Float { min, max, default }
}

fn colour(default: &str) -> ParamSpec {
    ParamSpec::Colour { default: default.into() }
}

fn preset(difficulty: Difficulty, values: &[(&str, ParamValue)], ramp: (&str, f64, f64)) -> Preset {
    Preset {
        difficulty,
        values: values.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect::<BTreeMap<_, _>>(),
        ramp: Ramp { param: ramp.0.into(), per_minute: ramp.1, cap: ramp.2 },
    }
}

/// Express plays with the pet and the template's own extras; custom fills every slot; premium
/// also switches on the extra features.
fn packages(custom_slots: &[&str], premium_features: &[&str]) -> Vec<PackageRule> {
    let names = |keys: &[&str]| keys.iter().map(|k| (*k).to_owned()).collect::<Vec<_>>();
    vec![
        PackageRule { package: PackageType::Express, slots: vec![], features: vec![] },
        PackageRule { package: PackageType::Custom, slots: names(custom_slots), features: vec![] },
        PackageRule { package: PackageType::Premium, slots: names(custom_slots), features: names(premium_features) },
    ]
}

use ParamValue::{Float as F, Integer as I};

fn runner() -> Template {
    Template {
        id: "runner".into(),
        name: "Runner".into(),
        description: "One tap to jump: the pet runs through its world, over obstacles, for as long as it can.".into(),
        slots: vec![
            slot("hero", "The pet", cut_out(), true),
            slot("background", "Background", backdrop(), false),
            slot("jump_sound", "Jump sound", effect(), false),
            slot("music", "Music", SlotKind::Sound { max_seconds: 180.0 }, false),
            slot("title", "Title", title(), false),
        ],
        params: vec![
            param("speed", "Running speed", float(2.0, 12.0, 5.0)),
            param("gap", "Room between obstacles (px)", int(160, 640, 360)),
            param("lives", "Lives", int(1, 5, 3)),
            param("sky", "Sky colour", colour("#8fd3ff")),
            param("night_mode", "Night mode", ParamSpec::Flag { default: false }),
        ],
        presets: vec![
            preset(Difficulty::Easy, &[("speed", F(4.0)), ("gap", I(480)), ("lives", I(5))], ("speed", 0.5, 7.0)),
            preset(Difficulty::Medium, &[("speed", F(5.5)), ("gap", I(360)), ("lives", I(3))], ("speed", 0.8, 9.0)),
            preset(Difficulty::Hard, &[("speed", F(7.0)), ("gap", I(240)), ("lives", I(1))], ("speed", 1.2, 12.0)),
        ],
        packages: packages(&["background", "jump_sound", "music", "title"], &["night_mode"]),
    }
}

fn catcher() -> Template {
    Template {
        id: "catcher".into(),
        name: "Treat catcher".into(),
        description: "Drag the pet to catch the falling treats and dodge the bath-time things.".into(),
        slots: vec![
            slot("hero", "The pet", cut_out(), true),
            slot("background", "Background", backdrop(), false),
            slot("treat", "Treat", cut_out(), false),
            slot("bath_item", "Thing to dodge", cut_out(), false),
            slot("catch_sound", "Catch sound", effect(), false),
            slot("title", "Title", title(), false),
        ],
        params: vec![
            param("spawn_rate", "Things falling per second", float(0.3, 4.0, 1.0)),
            param("fall_speed", "Falling speed", float(1.0, 10.0, 3.0)),
            param("round_seconds", "Round length (s)", int(30, 180, 60)),
            param("accent", "Accent colour", colour("#ff9f43")),
            param("golden_treats", "Golden bonus treats", ParamSpec::Flag { default: false }),
        ],
        presets: vec![
            preset(Difficulty::Easy, &[("spawn_rate", F(0.7)), ("fall_speed", F(2.0))], ("spawn_rate", 0.2, 1.5)),
            preset(Difficulty::Medium, &[("spawn_rate", F(1.2)), ("fall_speed", F(3.5))], ("spawn_rate", 0.4, 2.5)),
            preset(Difficulty::Hard, &[("spawn_rate", F(2.0)), ("fall_speed", F(5.0))], ("spawn_rate", 0.6, 4.0)),
        ],
        packages: packages(&["background", "treat", "bath_item", "catch_sound", "title"], &["golden_treats"]),
    }
}

fn memory() -> Template {
    Template {
        id: "memory".into(),
        name: "Memory match".into(),
        description: "Cards cut from the pet's photo: turn two at a time and match them all before the clock runs out.".into(),
        slots: vec![
            slot(
                "photo",
                "The pet's photo",
                SlotKind::Image { min_width: 600, min_height: 600, min_aspect: 0.5, max_aspect: 2.0, transparency: false },
                true,
            ),
            slot(
                "card_back",
                "Card back",
                SlotKind::Image { min_width: 128, min_height: 128, min_aspect: 0.5, max_aspect: 2.0, transparency: false },
                false,
            ),
            slot("flip_sound", "Flip sound", effect(), false),
            slot("title", "Title", title(), false),
        ],
        params: vec![
            param("grid", "Cards", ParamSpec::Choice { options: vec!["3x4".into(), "4x4".into(), "4x5".into()], default: "4x4".into() }),
            param("time_limit", "Time limit (s)", int(30, 300, 120)),
            param("accent", "Accent colour", colour("#7c5cff")),
            param("hints", "A hint after three misses", ParamSpec::Flag { default: true }),
        ],
        presets: vec![
            preset(Difficulty::Easy, &[("grid", ParamValue::Text("3x4".into())), ("time_limit", I(180))], ("time_limit", 0.0, 180.0)),
            preset(Difficulty::Medium, &[("grid", ParamValue::Text("4x4".into())), ("time_limit", I(120))], ("time_limit", 0.0, 120.0)),
            preset(
                Difficulty::Hard,
                &[("grid", ParamValue::Text("4x5".into())), ("time_limit", I(90)), ("hints", ParamValue::Flag(false))],
                ("time_limit", 0.0, 90.0),
            ),
        ],
        packages: packages(&["card_back", "flip_sound", "title"], &[]),
    }
}
