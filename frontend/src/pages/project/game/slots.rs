//! A template's slots, each filled with one of the project's assets: a list that shows what
//! fits and says why the others do not, or an asset dropped from the grid onto the slot.

use std::collections::BTreeMap;

use leptos::prelude::*;
use petpixel_types::asset::{Asset, AssetType, ProcessingStatus};
use petpixel_types::project::PackageType;
use petpixel_types::template::{AssetFacts, Slot, SlotKind, Template};
use petpixel_types::ValidationErrors;
use uuid::Uuid;

/// The data type the asset grid's cards carry when dragged.
pub const DRAG_TYPE: &str = "application/x-petpixel-asset";

/// Whether `asset` fits `slot`, and if not why.
fn fits(slot: &Slot, asset: &Asset) -> Result<(), String> {
    match asset.processing_status {
        ProcessingStatus::Ready => {}
        ProcessingStatus::Failed => return Err("processing failed".into()),
        _ => return Err("still being processed".into()),
    }
    let facts = AssetFacts::from_metadata(&asset.mime_type, asset.metadata.as_ref().unwrap_or(&serde_json::Value::Null));
    slot.kind.fits(&facts)
}

/// The asset type that usually fills a slot, for the first guess.
fn usual_type(slot: &Slot) -> Option<AssetType> {
    match &slot.kind {
        SlotKind::Image { transparency: true, .. } => Some(AssetType::Sprite),
        SlotKind::Image { min_width, .. } if *min_width >= 600 && slot.key != "background" => Some(AssetType::Photo),
        SlotKind::Image { .. } => Some(AssetType::Background),
        SlotKind::Sound { .. } => Some(AssetType::Sound),
        SlotKind::Text { .. } => None,
    }
}

/// A first filling: required slots first, then each slot the package may fill, with a fitting
/// asset of the usual type (any fitting one for a required slot) that no other slot has taken,
/// so the pet does not also fall from the sky as a treat.
pub fn autofill(template: &Template, package: PackageType, assets: &[Asset]) -> BTreeMap<String, Uuid> {
    let mut filled = BTreeMap::new();
    let mut slots: Vec<&Slot> =
        template.slots.iter().filter(|s| template.package_fills(package, &s.key) && !matches!(s.kind, SlotKind::Text { .. })).collect();
    slots.sort_by_key(|s| !s.required);
    for slot in slots {
        let usual = usual_type(slot);
        let free = |a: &&Asset| !filled.values().any(|id| *id == a.id) && fits(slot, a).is_ok();
        let pick = assets
            .iter()
            .filter(free)
            .find(|a| Some(a.asset_type) == usual)
            .or_else(|| slot.required.then(|| assets.iter().find(free)).flatten())
            .map(|a| a.id);
        if let Some(id) = pick {
            filled.insert(slot.key.clone(), id);
        }
    }
    filled
}

fn needs(kind: &SlotKind) -> String {
    match kind {
        SlotKind::Image { min_width, min_height, transparency, .. } => {
            format!("Picture, at least {min_width} × {min_height} px{}", if *transparency { ", transparent background" } else { "" })
        }
        SlotKind::Sound { max_seconds } => format!("Sound, up to {max_seconds} s"),
        SlotKind::Text { max_chars } => format!("Text, up to {max_chars} characters"),
    }
}

#[component]
pub fn SlotList(
    template: Template,
    package: PackageType,
    assets: RwSignal<Vec<Asset>>,
    slots: RwSignal<BTreeMap<String, Uuid>>,
    texts: RwSignal<BTreeMap<String, String>>,
    errors: RwSignal<ValidationErrors>,
    pet: String,
) -> impl IntoView {
    let rows = template.slots.clone().into_iter().map(|slot| {
        let open = template.package_fills(package, &slot.key);
        view! { <SlotRow spec=slot open=open assets=assets slots=slots texts=texts errors=errors template_name=template.name.clone() pet=pet.clone() /> }
    });
    view! { <ul class="slots">{rows.collect_view()}</ul> }
}

#[component]
fn SlotRow(
    spec: Slot,
    open: bool,
    assets: RwSignal<Vec<Asset>>,
    slots: RwSignal<BTreeMap<String, Uuid>>,
    texts: RwSignal<BTreeMap<String, String>>,
    errors: RwSignal<ValidationErrors>,
    template_name: String,
    pet: String,
) -> impl IntoView {
    let slot = spec;
    let key = slot.key.clone();
    let field = if matches!(slot.kind, SlotKind::Text { .. }) { format!("texts.{key}") } else { format!("slots.{key}") };
    let error = {
        let field = field.clone();
        move || errors.with(|e| e.for_field(&field).map(|f| f.message.clone()))
    };
    let dropped_reason = RwSignal::new(None::<String>);
    let badge = if slot.required {
        "Required"
    } else if open {
        "Optional: the template has its own"
    } else {
        "Custom and premium packages"
    };
    let control = match &slot.kind {
        SlotKind::Text { max_chars } => {
            let key = key.clone();
            let value = {
                let key = key.clone();
                move || texts.with(|t| t.get(&key).cloned().unwrap_or_default())
            };
            view! {
                <input type="text" maxlength=*max_chars disabled=!open aria-label=slot.label.clone()
                    placeholder=format!("{pet}'s {template_name}") prop:value=value
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        texts.update(|t| { if v.trim().is_empty() { t.remove(&key); } else { t.insert(key.clone(), v); } });
                    } />
            }
            .into_any()
        }
        _ => {
            let (s1, s2, key1, key2) = (slot.clone(), slot.clone(), key.clone(), key.clone());
            let options = move || {
                assets.with(|list| {
                    list.iter()
                        .filter(|a| usual_kind_matches(&s1.kind, a))
                        .map(|a| {
                            let fit = fits(&s1, a);
                            let label = match &fit {
                                Ok(()) => a.filename.clone(),
                                Err(why) => format!("{} ({})", a.filename, why.trim_end_matches('.')),
                            };
                            let (id, key) = (a.id, key1.clone());
                            let selected = move || slots.with(|s| s.get(&key) == Some(&id));
                            view! { <option value=a.id.to_string() disabled=fit.is_err() selected=selected>{label}</option> }
                        })
                        .collect_view()
                })
            };
            let on_drop = move |ev: leptos::ev::DragEvent| {
                ev.prevent_default();
                let Some(id) = ev.data_transfer().and_then(|d| d.get_data(DRAG_TYPE).ok()).and_then(|v| v.parse::<Uuid>().ok()) else {
                    return;
                };
                let Some(asset) = assets.with(|l| l.iter().find(|a| a.id == id).cloned()) else { return };
                match fits(&s2, &asset) {
                    Ok(()) => {
                        dropped_reason.set(None);
                        slots.update(|s| {
                            s.insert(key2.clone(), id);
                        });
                    }
                    Err(why) => dropped_reason.set(Some(format!("{} does not fit: {why}", asset.filename))),
                }
            };
            let key3 = key.clone();
            view! {
                <select aria-label=slot.label.clone() disabled=!open
                    on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default() on:drop=on_drop
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        slots.update(|s| match v.parse::<Uuid>() { Ok(id) => { s.insert(key3.clone(), id); } Err(_) => { s.remove(&key3); } });
                    }>
                    <option value="" selected=move || slots.with(|s| !s.contains_key(&key))>
                        {if slot.required { "Choose an asset" } else { "The template's own" }}
                    </option>
                    {options}
                </select>
            }
            .into_any()
        }
    };
    view! {
        <li class="slot" class:closed=!open data-slot=slot.key.clone()>
            <div>
                <strong>{slot.label.clone()}</strong>
                <span class="small muted">{needs(&slot.kind)}</span>
                <span class="badge">{badge}</span>
            </div>
            {control}
            {move || error().or_else(|| dropped_reason.get()).map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        </li>
    }
}

/// Pictures for picture slots, sounds for sound slots: the others would never fit.
fn usual_kind_matches(kind: &SlotKind, asset: &Asset) -> bool {
    match kind {
        SlotKind::Image { .. } => asset.mime_type.starts_with("image/"),
        SlotKind::Sound { .. } => asset.mime_type.starts_with("audio/"),
        SlotKind::Text { .. } => false,
    }
}
