//! What a stored user is: role, grants, permissions, and the wire shapes. Pure functions over the
//! row, so that authentication and every service can read a user without the users service.

use petpixel_types::user::{display_name, User, UserSummary};
use petpixel_types::{Permission, Permissions, Role};

use crate::db::{stored, stored_json};
use crate::entities::users;
use crate::error::ApiResult;

pub fn role_of(user: &users::Model) -> ApiResult<Role> {
    stored("users.role", &user.role)
}

/// The user's own grants, beyond their role's.
pub fn grants_of(user: &users::Model) -> ApiResult<Vec<Permission>> {
    stored_json("users.permissions", &user.permissions)
}

pub fn permissions_of(user: &users::Model) -> ApiResult<Permissions> {
    Ok(Permissions::for_user(role_of(user)?, &grants_of(user)?))
}

pub fn to_wire(u: &users::Model) -> ApiResult<User> {
    Ok(User {
        id: u.id,
        email: u.email.clone(),
        first_name: u.first_name.clone(),
        last_name: u.last_name.clone(),
        display_name: display_name(u.first_name.as_deref(), u.last_name.as_deref(), &u.email),
        avatar_url: u.avatar_url.clone(),
        role: role_of(u)?,
        permissions: grants_of(u)?,
        active: u.active,
        last_login: u.last_login,
        created_at: u.created_at,
        updated_at: u.updated_at,
    })
}

pub fn summary(u: &users::Model) -> ApiResult<UserSummary> {
    Ok(UserSummary {
        id: u.id,
        email: u.email.clone(),
        display_name: display_name(u.first_name.as_deref(), u.last_name.as_deref(), &u.email),
        role: role_of(u)?,
    })
}
