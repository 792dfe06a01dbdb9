//! Reading `manifest.json` into the shared [`GameManifest`] through the browser's own JSON parser:
//! serde_json would be a third of a game's WASM (its number and error formatting above all).

use std::collections::BTreeMap;

use js_sys::{Object, Reflect, JSON};
use petpixel_types::template::{ParamValue, Ramp};
use wasm_bindgen::JsValue;

use crate::GameManifest;

fn field(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn text(obj: &JsValue, key: &str) -> Result<String, String> {
    field(obj, key).as_string().ok_or_else(|| format!("manifest.json: `{key}` is missing"))
}

/// The entries of a JSON object.
fn entries(obj: &JsValue) -> Vec<(String, JsValue)> {
    if !obj.is_object() {
        return Vec::new();
    }
    Object::entries(&Object::from(obj.clone()))
        .iter()
        .filter_map(|pair| {
            let pair = js_sys::Array::from(&pair);
            Some((pair.get(0).as_string()?, pair.get(1)))
        })
        .collect()
}

fn value(v: &JsValue) -> Option<ParamValue> {
    if let Some(b) = v.as_bool() {
        return Some(ParamValue::Flag(b));
    }
    if let Some(s) = v.as_string() {
        return Some(ParamValue::Text(s));
    }
    let x = v.as_f64()?;
    #[allow(clippy::cast_possible_truncation)]
    let whole = x.fract() == 0.0 && x.abs() < 9.0e15;
    Some(if whole { ParamValue::Integer(x as i64) } else { ParamValue::Float(x) })
}

pub fn parse(json: &str) -> Result<GameManifest, String> {
    let root = JSON::parse(json).map_err(|_| "manifest.json is not JSON".to_owned())?;
    let values: BTreeMap<String, ParamValue> =
        entries(&field(&root, "values")).into_iter().filter_map(|(k, v)| Some((k, value(&v)?))).collect();
    let files = entries(&field(&root, "files")).into_iter().filter_map(|(k, v)| Some((k, v.as_string()?))).collect();
    let ramp = field(&root, "ramp");
    let ramp = ramp.is_object().then(|| {
        Some(Ramp {
            param: field(&ramp, "param").as_string()?,
            per_minute: field(&ramp, "per_minute").as_f64()?,
            cap: field(&ramp, "cap").as_f64()?,
        })
    });
    Ok(GameManifest {
        template: text(&root, "template")?,
        title: text(&root, "title")?,
        pet_name: text(&root, "pet_name")?,
        values,
        ramp: ramp.flatten(),
        files,
    })
}
