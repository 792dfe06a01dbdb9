//! What a stored user is: role, grants, permissions, and the wire shapes. Pure functions over the
//! row, so that authentication and every service can read a user without the users service.

use petpixel_types::user::{display_name, User, UserSummary};
use petpixel_types::{Permission, Permissions, Role};

use crate::entities::users;

pub fn role_of(user: &users::Model) -> Role {
    user.role.parse().unwrap_or(Role::Artist)
}

/// The user's own grants; an unknown string (say, from a newer release) is skipped, not fatal.
pub fn grants_of(user: &users::Model) -> Vec<Permission> {
    user.permissions.as_array().map(|a| a.iter().filter_map(|v| v.as_str()?.parse().ok()).collect()).unwrap_or_default()
}

pub fn permissions_of(user: &users::Model) -> Permissions {
    Permissions::for_user(role_of(user), &grants_of(user))
}

pub fn to_wire(u: &users::Model) -> User {
    User {
        id: u.id,
        email: u.email.clone(),
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        display_name: display_name(u.first_name.as_deref(), u.last_name.as_deref(), &u.email),
        avatar_url: u.avatar_url.clone(),
        role: role_of(u),
        permissions: grants_of(u),
        active: u.active,
        last_login: u.last_login,
        created_at: u.created_at,
        updated_at: u.updated_at,
    }
}

pub fn summary(u: &users::Model) -> UserSummary {
    UserSummary {
        id: u.id,
        email: u.email.clone(),
        display_name: display_name(u.first_name.as_deref(), u.last_name.as_deref(), &u.email),
        role: role_of(u),
    }
}
