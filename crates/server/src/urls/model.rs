//! What a stored game address is on the wire.

use petpixel_types::asset::GameUrl;

use crate::entities::game_urls;

pub fn to_wire(u: game_urls::Model) -> GameUrl {
    GameUrl {
        id: u.id,
        project_id: u.project_id,
        url_slug: u.url_slug,
        full_url: u.full_url,
        status: u.status,
        reserved_at: u.reserved_at,
        expires_at: u.expires_at,
        deployed_at: u.deployed_at,
        view_count: u.view_count,
        last_accessed: u.last_accessed,
    }
}
