//! What a stored API token is: its scopes and its wire shape.

use petpixel_types::api_token::ApiToken;
use petpixel_types::Permission;

use crate::db::stored_json;
use crate::entities::api_tokens;
use crate::error::ApiResult;

pub fn scopes_of(token: &api_tokens::Model) -> ApiResult<Vec<Permission>> {
    stored_json("api_tokens.scopes", &token.scopes)
}

pub fn to_wire(t: &api_tokens::Model) -> ApiResult<ApiToken> {
    Ok(ApiToken {
        id: t.id,
        name: t.name.clone(),
        scopes: scopes_of(t)?,
        expires_at: t.expires_at,
        last_used_at: t.last_used_at,
        created_at: t.created_at,
    })
}
