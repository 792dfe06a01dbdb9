//! A template's slots: the pictures, sounds and texts it is filled with, and what fits each.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Slot {
    pub key: String,
    pub label: String,
    pub kind: SlotKind,
    /// Required slots have no fallback; the others play with the one the template ships.
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SlotKind {
    /// A picture at least this large, of a width / height ratio within the bounds; one that must
    /// show what is behind it needs transparency.
    Image {
        min_width: u32,
        min_height: u32,
        min_aspect: f64,
        max_aspect: f64,
        transparency: bool,
    },
    Sound {
        max_seconds: f64,
    },
    Text {
        max_chars: u32,
    },
}

/// What processing found of an asset, as much as a slot asks about.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssetFacts {
    pub is_image: bool,
    pub is_sound: bool,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub has_alpha: bool,
    pub duration_seconds: Option<f64>,
}

impl AssetFacts {
    /// From an asset's `metadata` as processing leaves it.
    pub fn from_metadata(mime_type: &str, metadata: &serde_json::Value) -> Self {
        AssetFacts {
            is_image: mime_type.starts_with("image/"),
            is_sound: mime_type.starts_with("audio/"),
            width: metadata["width"].as_u64().and_then(|w| u32::try_from(w).ok()),
            height: metadata["height"].as_u64().and_then(|h| u32::try_from(h).ok()),
            has_alpha: metadata["has_alpha"].as_bool().unwrap_or(false),
            duration_seconds: metadata["duration_seconds"].as_f64(),
        }
    }
}

impl SlotKind {
    /// Whether an asset fits; the message says why not, for the person choosing it.
    pub fn fits(&self, facts: &AssetFacts) -> Result<(), String> {
        match self {
            SlotKind::Image { min_width, min_height, min_aspect, max_aspect, transparency } => {
                if !facts.is_image {
                    return Err("This slot takes a picture.".into());
                }
                let (Some(w), Some(h)) = (facts.width, facts.height) else {
                    return Err("This picture has not been processed yet.".into());
                };
                if w < *min_width || h < *min_height {
                    return Err(format!("The picture is {w} × {h} px; this slot needs at least {min_width} × {min_height}."));
                }
                let aspect = f64::from(w) / f64::from(h.max(1));
                if aspect < *min_aspect || aspect > *max_aspect {
                    return Err(format!(
                        "The picture's shape ({aspect:.2}:1) does not fit; this slot takes {min_aspect:.2}:1 to {max_aspect:.2}:1."
                    ));
                }
                if *transparency && !facts.has_alpha {
                    return Err("This slot needs a picture with a transparent background (a PNG or WebP cut-out).".into());
                }
                Ok(())
            }
            SlotKind::Sound { max_seconds } => {
                if !facts.is_sound {
                    return Err("This slot takes a sound.".into());
                }
                match facts.duration_seconds {
                    None => Err("This sound has not been processed yet.".into()),
                    Some(d) if d > *max_seconds => Err(format!("The sound lasts {d:.1} s; this slot takes at most {max_seconds} s.")),
                    Some(_) => Ok(()),
                }
            }
            SlotKind::Text { .. } => Err("This slot takes text, not a file.".into()),
        }
    }
}
