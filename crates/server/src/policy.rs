//! Every permission decision. Handlers and services ask here; nothing else compares roles.

use petpixel_types::activity::ResourceType;
use petpixel_types::auth::AuthMethod;
use petpixel_types::user::UpdateUser;
use petpixel_types::{Action, Grant, Permission, Permissions, Resource, Role, Scope};
use uuid::Uuid;

use crate::actor::Actor;
use crate::error::{ApiResult, AppError};

fn missing(resource: Resource, action: Action) -> AppError {
    AppError::forbidden(format!("You need the `{}:{}` permission for this.", resource.as_str(), action.as_str()))
}

/// The caller holds `resource:action` somewhere; answers how far it reaches.
pub fn require(actor: &Actor, resource: Resource, action: Action) -> ApiResult<Scope> {
    actor.permissions.scope(resource, action).ok_or_else(|| missing(resource, action))
}

/// The caller holds `resource:action` on everything, not only their assigned projects.
pub fn require_anywhere(actor: &Actor, resource: Resource, action: Action) -> ApiResult<()> {
    match require(actor, resource, action)? {
        Scope::Any => Ok(()),
        Scope::Assigned => {
            Err(AppError::forbidden(format!("Only managers may {} {} that are not assigned to them.", action.as_str(), resource.as_str())))
        }
    }
}

/// `resource:action` on a project assigned to `assignee`: artists act only on their own projects.
pub fn require_on_project(actor: &Actor, resource: Resource, action: Action, assignee: Option<Uuid>) -> ApiResult<()> {
    require(actor, resource, action)?;
    if actor.permissions.allows_on_project(resource, action, actor.user_id, assignee) {
        Ok(())
    } else {
        Err(AppError::forbidden("This project is not assigned to you; only its artist or a manager may change it."))
    }
}

/// Taking a complete project back into work is for managers.
pub fn may_reopen(actor: &Actor) -> bool {
    actor.permissions.manages_projects()
}

/// Assigning projects to artists is for managers.
pub fn require_assign(actor: &Actor) -> ApiResult<()> {
    if actor.permissions.manages_projects() {
        Ok(())
    } else {
        Err(AppError::forbidden("Only managers may assign projects."))
    }
}

/// Everyone sees their own profile; others need `users:read`.
pub fn require_read_user(actor: &Actor, target: Uuid) -> ApiResult<()> {
    if target == actor.user_id {
        return Ok(());
    }
    require(actor, Resource::Users, Action::Read).map(|_| ())
}

/// Everyone edits their own name, avatar and password; only `users:update` edits others or
/// changes whether an account is active, and only over someone whose permissions the actor holds
/// all of (a manager given `users:update` cannot reset an admin's password). A password change
/// needs a login session: an API token that leaked must not be able to take the account.
pub fn require_update_user(actor: &Actor, target: Uuid, target_permissions: &Permissions, changes: &UpdateUser) -> ApiResult<()> {
    if target != actor.user_id || changes.active.is_some() {
        require(actor, Resource::Users, Action::Update)?;
    }
    if target != actor.user_id {
        require_includes(actor, target_permissions)?;
    }
    if target == actor.user_id && changes.active == Some(false) {
        return Err(AppError::conflict("You cannot deactivate your own account."));
    }
    if target == actor.user_id && changes.password.is_some() && actor.method != AuthMethod::Session {
        return Err(AppError::forbidden("Changing your password needs a login session; API tokens cannot do it."));
    }
    Ok(())
}

/// Changing roles and grants is for `users:update` (admins), over someone whose permissions the
/// actor holds all of, and nobody hands out more, or further-reaching, than they hold.
pub fn require_grant(actor: &Actor, target_permissions: &Permissions, role: Role, permissions: &[Permission]) -> ApiResult<()> {
    require(actor, Resource::Users, Action::Update)?;
    require_includes(actor, target_permissions)?;
    match actor.permissions.first_missing(&Permissions::for_user(role, permissions)) {
        Some(g) if actor.permissions.covers(&g.permission) => Err(AppError::forbidden(format!(
            "You cannot grant `{}` on every project: you hold it only on the projects assigned to you.",
            g.permission
        ))),
        Some(g) => Err(AppError::forbidden(format!("You cannot grant `{}`: you do not hold it yourself.", g.permission))),
        None => Ok(()),
    }
}

/// Acting on another member's account needs every permission they hold.
fn require_includes(actor: &Actor, target_permissions: &Permissions) -> ApiResult<()> {
    match actor.permissions.first_missing(target_permissions) {
        Some(g) => Err(AppError::forbidden(format!(
            "This member holds `{}`, which you do not; only someone who does may change their account.",
            g.permission
        ))),
        None => Ok(()),
    }
}

/// Admins hold every permission everywhere (`*`); some things are theirs alone.
pub fn is_admin(actor: &Actor) -> bool {
    actor.permissions.includes_grant(&Grant { permission: Permission::ALL, scope: Scope::Any })
}

/// `/metrics` on the public address is for admins.
pub fn require_admin(actor: &Actor) -> ApiResult<()> {
    if is_admin(actor) {
        Ok(())
    } else {
        Err(AppError::forbidden("Only admins (holding `*`) may read this."))
    }
}

/// Customers' e-mail and phone: those who manage projects (`projects:update` on every project)
/// see them everywhere; an artist on the projects assigned to them only.
pub fn sees_contact_everywhere(actor: &Actor) -> bool {
    actor.permissions.manages_projects()
}

/// Whether `actor` sees the contact details of a project assigned to `assignee`.
pub fn sees_contact(actor: &Actor, assignee: Option<Uuid>) -> bool {
    sees_contact_everywhere(actor) || assignee == Some(actor.user_id)
}

/// A project as `actor` may read it: without the customer's contact details where they are
/// not theirs to see.
pub fn project_for(actor: &Actor, project: petpixel_types::project::Project) -> petpixel_types::project::Project {
    if sees_contact(actor, project.assigned_artist_id) {
        project
    } else {
        project.without_contact()
    }
}

/// Colleagues' addresses and browsers in the activity log are for those who manage the team.
pub fn sees_client_details(actor: &Actor) -> bool {
    actor.permissions.allows(Resource::Users, Action::Read)
}

/// API tokens are managed from a login session, never by another API token.
pub fn require_session(actor: &Actor) -> ApiResult<()> {
    match actor.method {
        AuthMethod::Session => Ok(()),
        AuthMethod::ApiToken => Err(AppError::forbidden("API tokens cannot manage API tokens; log in instead.")),
    }
}

/// The activity a caller may read: project work with `projects:read`, team changes with
/// `users:read`, and the integrations' (webhooks: where the studio's data goes) for admins only,
/// who alone manage them.
pub fn readable_activity_types(actor: &Actor) -> Vec<ResourceType> {
    let mut types = Vec::new();
    if actor.permissions.allows(Resource::Projects, Action::Read) {
        types.extend([ResourceType::Project, ResourceType::Asset, ResourceType::Url, ResourceType::Build]);
    }
    if actor.permissions.allows(Resource::Users, Action::Read) {
        types.extend([ResourceType::User, ResourceType::ApiToken, ResourceType::Notification, ResourceType::Job]);
    }
    if is_admin(actor) {
        types.push(ResourceType::Webhook);
    }
    types
}
