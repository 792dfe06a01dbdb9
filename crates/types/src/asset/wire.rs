//! Assets on the wire.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{sanitize_filename, sniff, AssetType, MediaType, ProcessingStatus, MAX_FILENAME_BYTES};
use crate::ValidationErrors;

/// A file of a project, as its current version has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Asset {
    pub id: Uuid,
    pub project_id: Uuid,
    pub asset_type: AssetType,
    /// The name shown and offered on download; safe (no folders, control or reserved characters).
    pub filename: String,
    /// The name the file had on the uploader's machine, as sent (metadata only).
    pub original_filename: String,
    pub file_size: i64,
    /// Told from the content, never from the name or the declared type.
    pub mime_type: String,
    /// What processing found: `width`/`height` of a picture, `duration_seconds`/`bitrate_kbps`
    /// of a sound, and so on.
    pub metadata: Option<serde_json::Value>,
    pub processing_status: ProcessingStatus,
    /// Why processing failed, in words for the person who uploaded it.
    pub processing_error: Option<String>,
    /// The current version; earlier ones stay at `/assets/{id}/versions`.
    pub version: i32,
    pub uploaded_by: Option<Uuid>,
    pub uploaded_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
    /// A time-limited link to a 320 px thumbnail (WebP), once processed.
    pub thumbnail_url: Option<String>,
    /// A time-limited link to a web-sized preview (a picture without its EXIF data, or the
    /// sound itself), once processed.
    pub preview_url: Option<String>,
}

/// One version of an asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssetVersion {
    pub asset_id: Uuid,
    pub version: i32,
    pub original_filename: String,
    pub file_size: i64,
    pub mime_type: String,
    pub metadata: Option<serde_json::Value>,
    pub processing_status: ProcessingStatus,
    pub processing_error: Option<String>,
    pub uploaded_by: Option<Uuid>,
    pub uploaded_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
    /// Whether this is the asset's current version.
    pub current: bool,
    pub thumbnail_url: Option<String>,
}

/// Rename an asset or change what it is for.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateAsset {
    #[cfg_attr(feature = "openapi", schema(max_length = 255))]
    pub filename: Option<String>,
    pub asset_type: Option<AssetType>,
}

impl UpdateAsset {
    /// The safe name (if one was sent), and the checks every field passes.
    pub fn validate(&self) -> Result<(Option<String>, Option<AssetType>), ValidationErrors> {
        let mut e = ValidationErrors::new();
        let filename = self.filename.as_deref().map(|name| {
            if name.trim().is_empty() {
                e.add("filename", "required", "A file name cannot be empty.");
            } else if name.len() > MAX_FILENAME_BYTES {
                e.add("filename", "too_long", format!("At most {MAX_FILENAME_BYTES} bytes."));
            }
            sanitize_filename(name)
        });
        e.finish((filename, self.asset_type))
    }
}

/// Ask for a link to upload one file straight to storage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PresignUpload {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 1024, pattern = "\\S"))]
    pub filename: String,
    /// A picture type for a photo, sprite or background, a sound type for a sound.
    pub asset_type: AssetType,
    /// The exact size in bytes, at most the upload limit (`limits.max_upload_bytes` of
    /// `/auth/me`).
    #[cfg_attr(feature = "openapi", schema(minimum = 1))]
    pub size: u64,
    /// `image/jpeg`, `image/png`, `image/heic`, `image/webp`, `audio/mpeg`, `audio/ogg` or
    /// `audio/wav`: the upload must send it, and the content must turn out to be it.
    #[cfg_attr(feature = "openapi", schema(max_length = 100, pattern = "^(image/(jpeg|png|heic|webp)|audio/(mpeg|ogg|wav))$"))]
    pub content_type: String,
}

impl PresignUpload {
    /// The declared type, and the checks every field passes; `max_bytes` is the upload limit.
    pub fn validate(&self, max_bytes: u64) -> Result<MediaType, ValidationErrors> {
        let mut e = ValidationErrors::new();
        if self.filename.trim().is_empty() {
            e.add("filename", "required", "The file's name is needed.");
        } else if self.filename.len() > 1024 {
            e.add("filename", "too_long", "At most 1024 bytes.");
        }
        if self.size == 0 {
            e.add("size", "empty", "The file is empty.");
        } else if self.size > max_bytes {
            e.add("size", "too_large", too_large(max_bytes));
        }
        let media = MediaType::from_mime(&self.content_type);
        match media {
            None => e.add("content_type", "unsupported", unsupported()),
            Some(media) => {
                if let Err(message) = self.asset_type.accepts(media) {
                    e.add("asset_type", "wrong_kind", message);
                }
            }
        }
        e.finish(media.unwrap_or(MediaType::Png))
    }
}

/// Where to upload, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PresignedUpload {
    /// The asset the file becomes once `POST /assets/{id}/complete` has checked it.
    pub asset_id: Uuid,
    pub url: String,
    /// Always `PUT`.
    pub method: String,
    /// Headers the upload must send as given.
    pub headers: BTreeMap<String, String>,
    /// After this the link no longer works, and an upload never completed is removed.
    pub expires_at: DateTime<Utc>,
}

/// A time-limited link to a stored file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FileLink {
    pub url: String,
    pub expires_at: DateTime<Utc>,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
}

/// Which version a link is for.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "openapi", into_params(parameter_in = Query))]
#[serde(deny_unknown_fields)]
pub struct LinkQuery {
    /// A version number; the current version when left out.
    #[cfg_attr(feature = "openapi", param(minimum = 1))]
    pub version: Option<i32>,
}

/// The message for a file over the limit, the same on both sides.
pub fn too_large(max_bytes: u64) -> String {
    format!("The file is larger than the {} allowed.", human_size(max_bytes))
}

/// The message for content of a type not taken.
pub fn unsupported() -> String {
    "Only JPEG, PNG, HEIC and WebP pictures and MP3, OGG and WAV sounds are taken.".into()
}

/// `10 MB`, `512 KB`, `12 bytes`.
pub fn human_size(bytes: u64) -> String {
    const MB: u64 = 1024 * 1024;
    match bytes {
        b if b >= MB && b % MB == 0 => format!("{} MB", b / MB),
        b if b >= MB => format!("{:.1} MB", b as f64 / MB as f64),
        b if b >= 1024 => format!("{} KB", b / 1024),
        b => format!("{b} bytes"),
    }
}

/// What a client checks before sending a file: its first bytes (at least [`super::SNIFF_BYTES`]
/// or the whole file) and its size, by the same rules the server applies to what it receives.
pub fn check_before_upload(asset_type: AssetType, head: &[u8], size: u64, max_bytes: u64) -> Result<MediaType, String> {
    if size == 0 {
        return Err("The file is empty.".into());
    }
    if size > max_bytes {
        return Err(too_large(max_bytes));
    }
    let media = sniff(head).ok_or_else(unsupported)?;
    asset_type.accepts(media)?;
    Ok(media)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_presign_request_is_checked_field_by_field() {
        let ok = PresignUpload { filename: "rex.jpg".into(), asset_type: AssetType::Photo, size: 10, content_type: "image/jpeg".into() };
        assert_eq!(ok.validate(100), Ok(MediaType::Jpeg));
        let big = PresignUpload { size: 101, ..ok.clone() };
        assert_eq!(big.validate(100).unwrap_err().for_field("size").map(|f| f.code.as_str()), Some("too_large"));
        let exe = PresignUpload { content_type: "application/x-msdownload".into(), ..ok.clone() };
        assert!(exe.validate(100).unwrap_err().for_field("content_type").is_some());
        let song = PresignUpload { content_type: "audio/mpeg".into(), ..ok };
        assert!(song.validate(100).unwrap_err().for_field("asset_type").is_some());
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(human_size(10 * 1024 * 1024), "10 MB");
        assert_eq!(human_size(1536 * 1024), "1.5 MB");
        assert_eq!(human_size(2048), "2 KB");
        assert_eq!(too_large(10 * 1024 * 1024), "The file is larger than the 10 MB allowed.");
    }

    #[test]
    fn a_client_refuses_what_the_server_would() {
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
        assert_eq!(check_before_upload(AssetType::Sprite, png, 20, 100), Ok(MediaType::Png));
        assert!(check_before_upload(AssetType::Sprite, png, 101, 100).is_err());
        assert!(check_before_upload(AssetType::Sprite, b"MZ\x90\x00", 20, 100).is_err());
        assert!(check_before_upload(AssetType::Sound, png, 20, 100).is_err());
    }
}
