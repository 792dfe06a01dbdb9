//! What an asset is for in the game, and which media each use takes.

use super::{MediaKind, MediaType};

string_enum!(
    /// What an asset is for: the pet's photos come in, sprites, backgrounds and sounds go out to
    /// the game, and config holds any other file a template takes.
    AssetType { Photo = "photo", Sprite = "sprite", Background = "background", Sound = "sound", Config = "config" }
);

string_enum!(
    /// Where an asset's processing stands.
    ProcessingStatus { Pending = "pending", Processing = "processing", Ready = "ready", Failed = "failed" }
);

impl AssetType {
    /// Whether an asset of this type may hold `media`; the message says what it takes instead.
    pub fn accepts(self, media: MediaType) -> Result<(), String> {
        let wanted = match self {
            AssetType::Photo | AssetType::Sprite | AssetType::Background => Some(MediaKind::Image),
            AssetType::Sound => Some(MediaKind::Sound),
            AssetType::Config => None,
        };
        match wanted {
            Some(kind) if kind != media.kind() => Err(format!(
                "A {} must be {}; this file is {}.",
                self.as_str(),
                match kind {
                    MediaKind::Image => "a picture (JPEG, PNG, HEIC or WebP)",
                    MediaKind::Sound => "a sound (MP3, OGG or WAV)",
                },
                media.description()
            )),
            _ => Ok(()),
        }
    }
}

impl ProcessingStatus {
    /// Still to settle: a client keeps watching an asset in this state.
    pub fn is_settling(self) -> bool {
        matches!(self, ProcessingStatus::Pending | ProcessingStatus::Processing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_go_to_picture_slots_and_sounds_to_sounds() {
        assert!(AssetType::Photo.accepts(MediaType::Heic).is_ok());
        assert!(AssetType::Sprite.accepts(MediaType::Png).is_ok());
        assert!(AssetType::Sound.accepts(MediaType::Ogg).is_ok());
        assert!(AssetType::Config.accepts(MediaType::Wav).is_ok());
        let refused = AssetType::Photo.accepts(MediaType::Mp3).unwrap_err();
        assert!(refused.contains("photo") && refused.contains("MP3"), "{refused}");
        assert!(AssetType::Sound.accepts(MediaType::Jpeg).is_err());
    }
}
