//! What a stored asset is on the wire.

use petpixel_types::asset::Asset;

use crate::entities::project_assets;

pub fn to_wire(a: project_assets::Model) -> Asset {
    Asset {
        id: a.id,
        project_id: a.project_id,
        asset_type: a.asset_type,
        filename: a.filename,
        original_filename: a.original_filename,
        file_size: a.file_size,
        mime_type: a.mime_type,
        metadata: a.metadata,
        processing_status: a.processing_status,
        version: a.version,
        uploaded_by: a.uploaded_by,
        uploaded_at: a.uploaded_at,
        processed_at: a.processed_at,
    }
}
