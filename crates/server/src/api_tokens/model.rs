//! What a stored API token is: its scopes and its wire shape.

use petpixel_types::api_token::ApiToken;
use petpixel_types::Permission;

use crate::entities::api_tokens;

pub fn scopes_of(token: &api_tokens::Model) -> Vec<Permission> {
    token.scopes.as_array().map(|a| a.iter().filter_map(|v| v.as_str()?.parse().ok()).collect()).unwrap_or_default()
}

pub fn to_wire(t: &api_tokens::Model) -> ApiToken {
    ApiToken {
        id: t.id,
        name: t.name.clone(),
        scopes: scopes_of(t),
        expires_at: t.expires_at,
        last_used_at: t.last_used_at,
        created_at: t.created_at,
    }
}
