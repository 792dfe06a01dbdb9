//! Files that belong to a project, and the addresses its game is served at.

mod filename;
mod kind;
mod media;
mod wire;

pub use filename::{sanitize_filename, MAX_FILENAME_BYTES};
pub use kind::{AssetType, ProcessingStatus};
pub use media::{sniff, MediaKind, MediaType, SNIFF_BYTES};
pub use wire::{
    check_before_upload, human_size, too_large, unsupported, Asset, AssetVersion, FileLink, LinkQuery, PresignUpload, PresignedUpload,
    UpdateAsset,
};

/// A game's address; it lives in [`crate::url`] and is named here too, where it was first.
pub use crate::url::GameUrl;
