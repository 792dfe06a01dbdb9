//! What a stored game address is on the wire.

use petpixel_types::url::GameUrl;

use crate::db::stored;
use crate::entities::game_urls;
use crate::error::ApiResult;

pub fn to_wire(u: game_urls::Model) -> ApiResult<GameUrl> {
    Ok(GameUrl {
        id: u.id,
        project_id: u.project_id,
        status: stored("game_urls.status", &u.status)?,
        url_slug: u.url_slug,
        full_url: u.full_url,
        reserved_at: u.reserved_at,
        expires_at: u.expires_at,
        deployed_at: u.deployed_at,
        build_id: u.build_id,
        view_count: u.view_count,
        last_accessed: u.last_accessed,
    })
}
