use std::collections::BTreeMap;

use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::project::Difficulty;

fn config(difficulty: Difficulty) -> GameConfig {
    GameConfig { theme: "park".into(), difficulty, features: vec![] }
}

fn resolve(t: &Template, package: PackageType, difficulty: Difficulty, sent: serde_json::Value) -> (Resolved, ValidationErrors) {
    let sent: BTreeMap<String, serde_json::Value> = serde_json::from_value(sent).unwrap();
    let mut errors = ValidationErrors::new();
    let resolved = t.resolve(package, &config(difficulty), &sent, &mut errors);
    (resolved, errors)
}

#[test]
fn every_template_is_consistent_with_itself() {
    let all = catalogue();
    assert_eq!(all.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["runner", "catcher", "memory"]);
    for t in &all {
        for d in Difficulty::ALL {
            let preset = t.presets.iter().find(|p| p.difficulty == d).unwrap_or_else(|| panic!("{}: no {d} preset", t.id));
            for (key, value) in &preset.values {
                let param = t.param(key).unwrap_or_else(|| panic!("{}: preset sets unknown `{key}`", t.id));
                let raw = serde_json::to_value(value).unwrap();
                assert!(param.spec.check(&raw).is_ok(), "{}: {d} sets {key} out of bounds", t.id);
            }
            assert!(t.param(&preset.ramp.param).is_some(), "{}: the ramp moves an unknown parameter", t.id);
        }
        for p in &t.params {
            let raw = serde_json::to_value(p.spec.default()).unwrap();
            assert!(p.spec.check(&raw).is_ok(), "{}: {}'s default is out of its bounds", t.id, p.key);
        }
        for rule in &t.packages {
            for key in &rule.slots {
                assert!(t.slot(key).is_some_and(|s| !s.required), "{}: {} names `{key}`", t.id, rule.package);
            }
            for key in &rule.features {
                assert!(matches!(t.param(key).map(|p| &p.spec), Some(ParamSpec::Flag { .. })), "{}: feature `{key}`", t.id);
            }
        }
        assert!(t.slots.iter().any(|s| s.required), "{}: the pet fills at least one slot", t.id);
    }
}

#[test]
fn parameters_come_from_the_request_then_the_preset_then_the_default() {
    let runner = find("runner").unwrap();
    let (r, errors) = resolve(&runner, PackageType::Custom, Difficulty::Hard, json!({ "lives": 2 }));
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(r.values["lives"], ParamValue::Integer(2), "sent");
    assert_eq!(r.values["speed"], ParamValue::Float(7.0), "the hard preset");
    assert_eq!(r.values["sky"], ParamValue::Text("#8fd3ff".into()), "the default");
    assert_eq!(r.ramp.as_ref().map(|r| r.cap), Some(12.0));
}

#[test]
fn parameters_out_of_bounds_or_unknown_are_named() {
    let runner = find("runner").unwrap();
    let (_, errors) =
        resolve(&runner, PackageType::Custom, Difficulty::Easy, json!({ "lives": 9, "sky": "blue", "speed": "fast", "warp": 1 }));
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["params.warp", "params.speed", "params.lives", "params.sky"], "unknown first, then in the template's order");
    assert_eq!(errors.for_field("params.lives").unwrap().message, "A whole number from 1 to 5.");
    let memory = find("memory").unwrap();
    let (_, errors) = resolve(&memory, PackageType::Custom, Difficulty::Easy, json!({ "grid": "5x5" }));
    assert_eq!(errors.for_field("params.grid").unwrap().message, "One of 3x4, 4x4, 4x5.");
}

#[test]
fn packages_gate_slots_and_features() {
    let runner = find("runner").unwrap();
    let (r, errors) = resolve(&runner, PackageType::Custom, Difficulty::Easy, json!({ "night_mode": true }));
    assert_eq!(errors.for_field("params.night_mode").map(|e| e.code.as_str()), Some("not_in_package"));
    assert_eq!(r.values["night_mode"], ParamValue::Flag(false));
    let (r, errors) = resolve(&runner, PackageType::Premium, Difficulty::Easy, json!({ "night_mode": true }));
    assert!(errors.is_empty());
    assert_eq!(r.values["night_mode"], ParamValue::Flag(true));

    let filled = |keys: &[&str]| keys.iter().map(|k| ((*k).to_owned(), Uuid::nil())).collect::<BTreeMap<_, _>>();
    let mut errors = ValidationErrors::new();
    runner.check_slots(PackageType::Express, &filled(&["hero", "music", "cape"]), &mut errors);
    let codes: Vec<(&str, &str)> = errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect();
    assert_eq!(codes, [("slots.cape", "unknown"), ("slots.music", "not_in_package")]);
    let mut errors = ValidationErrors::new();
    runner.check_slots(PackageType::Premium, &filled(&["music"]), &mut errors);
    assert_eq!(errors.iter().map(|e| (e.field.as_str(), e.code.as_str())).collect::<Vec<_>>(), [("slots.hero", "required")]);
}

#[test]
fn a_slot_says_why_an_asset_does_not_fit() {
    let runner = find("runner").unwrap();
    let hero = &runner.slot("hero").unwrap().kind;
    let picture = |w, h, alpha| AssetFacts { is_image: true, width: Some(w), height: Some(h), has_alpha: alpha, ..Default::default() };
    assert_eq!(hero.fits(&picture(256, 256, true)), Ok(()));
    assert_eq!(hero.fits(&picture(64, 64, true)).unwrap_err(), "The picture is 64 × 64 px; this slot needs at least 128 × 128.");
    assert!(hero.fits(&picture(256, 256, false)).unwrap_err().contains("transparent"));
    assert!(hero.fits(&picture(1000, 200, true)).unwrap_err().contains("shape"));
    let sound = &runner.slot("jump_sound").unwrap().kind;
    let clip = |d| AssetFacts { is_sound: true, duration_seconds: Some(d), ..Default::default() };
    assert_eq!(sound.fits(&clip(0.4)), Ok(()));
    assert_eq!(sound.fits(&clip(12.0)).unwrap_err(), "The sound lasts 12.0 s; this slot takes at most 3 s.");
    assert_eq!(sound.fits(&picture(256, 256, true)).unwrap_err(), "This slot takes a sound.");
    let facts = AssetFacts::from_metadata("image/png", &json!({ "width": 300, "height": 200, "has_alpha": true }));
    assert_eq!((facts.width, facts.height, facts.has_alpha, facts.is_image), (Some(300), Some(200), true, true));
}

#[test]
fn a_manifest_goes_over_the_wire_and_back() {
    for t in catalogue() {
        let json = serde_json::to_string(&t).unwrap();
        let back: Template = serde_json::from_str(&json).unwrap();
        assert_eq!(back, t);
    }
    let json = serde_json::to_value(find("memory").unwrap()).unwrap();
    assert_eq!(json["slots"][0]["kind"]["kind"], "image");
    assert_eq!(json["params"][0]["spec"]["type"], "choice");
}

#[test]
fn parameter_values_read_back_as_they_were_written() {
    use super::ParamValue;
    for (json, value) in [
        ("true", ParamValue::Flag(true)),
        ("3", ParamValue::Integer(3)),
        ("-3", ParamValue::Integer(-3)),
        ("2.5", ParamValue::Float(2.5)),
        ("\"#ff00aa\"", ParamValue::Text("#ff00aa".into())),
    ] {
        assert_eq!(serde_json::from_str::<ParamValue>(json).unwrap(), value, "{json}");
        assert_eq!(serde_json::to_string(&value).unwrap(), json);
    }
    assert!(serde_json::from_str::<ParamValue>("null").is_err());
    assert!(serde_json::from_str::<ParamValue>("18446744073709551615").is_err());
}
