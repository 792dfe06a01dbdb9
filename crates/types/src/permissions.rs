//! Roles, permissions and what they allow.
//!
//! A permission is written `resource:action` (`projects:read`), `resource:*` or `*`. A user's
//! effective permissions are their role's grants plus their own extra grants; an API token holds the
//! intersection of its scopes with its owner's current permissions, so it can never exceed them.
//! The server's policy module decides with this; the SPA uses it to hide what would be refused.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

string_enum!(Role { Admin = "admin", Manager = "manager", Artist = "artist" });

impl Role {
    /// What the role grants before any per-user additions.
    pub fn grants(self) -> Vec<Grant> {
        use Action::*;
        use Resource::*;
        let any = |resource, action| Grant { permission: Permission::new(resource, action), scope: Scope::Any };
        let assigned = |resource, action| Grant { permission: Permission::new(resource, action), scope: Scope::Assigned };
        match self {
            Role::Admin => vec![Grant { permission: Permission::ALL, scope: Scope::Any }],
            Role::Manager => vec![
                Grant { permission: Permission::every_action(Projects), scope: Scope::Any },
                Grant { permission: Permission::every_action(Assets), scope: Scope::Any },
                Grant { permission: Permission::every_action(Urls), scope: Scope::Any },
                Grant { permission: Permission::every_action(Builds), scope: Scope::Any },
                any(Users, Read),
                any(Analytics, Read),
                any(Notifications, Create),
            ],
            Role::Artist => vec![
                any(Projects, Read),
                assigned(Projects, Update),
                any(Assets, Read),
                assigned(Assets, Create),
                assigned(Assets, Update),
                assigned(Assets, Delete),
                any(Urls, Read),
                assigned(Builds, Create),
            ],
        }
    }
}

string_enum!(Resource {
    Projects = "projects",
    Assets = "assets",
    Urls = "urls",
    Builds = "builds",
    Users = "users",
    Analytics = "analytics",
    Notifications = "notifications",
});

string_enum!(Action { Read = "read", Create = "create", Update = "update", Delete = "delete" });

/// `resource:action`, where `None` on either side means every one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Permission {
    pub resource: Option<Resource>,
    pub action: Option<Action>,
}

impl Permission {
    pub const ALL: Permission = Permission { resource: None, action: None };

    pub const fn new(resource: Resource, action: Action) -> Self {
        Self { resource: Some(resource), action: Some(action) }
    }

    pub const fn every_action(resource: Resource) -> Self {
        Self { resource: Some(resource), action: None }
    }

    pub fn covers(&self, resource: Resource, action: Action) -> bool {
        self.resource.is_none_or(|r| r == resource) && self.action.is_none_or(|a| a == action)
    }

    /// Every concrete `resource:action` pair this permission stands for.
    pub fn expand(&self) -> impl Iterator<Item = (Resource, Action)> + '_ {
        Resource::ALL.into_iter().flat_map(|r| Action::ALL.into_iter().map(move |a| (r, a))).filter(|(r, a)| self.covers(*r, *a))
    }

    fn intersect(&self, other: &Permission) -> Option<Permission> {
        let resource = match (self.resource, other.resource) {
            (Some(a), Some(b)) if a != b => return None,
            (a, b) => a.or(b),
        };
        let action = match (self.action, other.action) {
            (Some(a), Some(b)) if a != b => return None,
            (a, b) => a.or(b),
        };
        Some(Permission { resource, action })
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.resource, self.action) {
            (None, None) => f.write_str("*"),
            (Some(r), None) => write!(f, "{}:*", r.as_str()),
            (Some(r), Some(a)) => write!(f, "{}:{}", r.as_str(), a.as_str()),
            (None, Some(a)) => write!(f, "*:{}", a.as_str()),
        }
    }
}

impl FromStr for Permission {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "*" {
            return Ok(Permission::ALL);
        }
        let unknown = || format!("unknown permission `{s}`: expected `resource:action`, `resource:*` or `*`");
        let (r, a) = s.split_once(':').ok_or_else(unknown)?;
        let resource = if r == "*" { None } else { Some(Resource::ALL.into_iter().find(|x| x.as_str() == r).ok_or_else(unknown)?) };
        let action = if a == "*" { None } else { Some(Action::ALL.into_iter().find(|x| x.as_str() == a).ok_or_else(unknown)?) };
        Ok(Permission { resource, action })
    }
}

impl TryFrom<String> for Permission {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Permission> for String {
    fn from(value: Permission) -> Self {
        value.to_string()
    }
}

string_enum!(
    /// How far a grant reaches.
    Scope {
        /// Only on projects assigned to the user (and what belongs to them).
        Assigned = "assigned",
        /// On everything.
        Any = "any",
    }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Grant {
    pub permission: Permission,
    pub scope: Scope,
}

/// The effective permissions of a user or an API token.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Permissions {
    pub grants: Vec<Grant>,
}

impl Permissions {
    /// The role's grants plus the user's own; explicit grants reach every project.
    pub fn for_user(role: Role, extra: &[Permission]) -> Self {
        let mut grants = role.grants();
        grants.extend(extra.iter().map(|p| Grant { permission: *p, scope: Scope::Any }));
        Self { grants }
    }

    /// How far `resource:action` is allowed, if at all; `Any` wins over `Assigned`.
    pub fn scope(&self, resource: Resource, action: Action) -> Option<Scope> {
        self.grants.iter().filter(|g| g.permission.covers(resource, action)).map(|g| g.scope).max()
    }

    pub fn allows(&self, resource: Resource, action: Action) -> bool {
        self.scope(resource, action).is_some()
    }

    pub fn allows_anywhere(&self, resource: Resource, action: Action) -> bool {
        self.scope(resource, action) == Some(Scope::Any)
    }

    /// `resource:action` on a project assigned to `assignee`, for the user `me`: a grant on
    /// assigned projects reaches only the user's own.
    pub fn allows_on_project(&self, resource: Resource, action: Action, me: uuid::Uuid, assignee: Option<uuid::Uuid>) -> bool {
        match self.scope(resource, action) {
            Some(Scope::Any) => true,
            Some(Scope::Assigned) => assignee == Some(me),
            None => false,
        }
    }

    /// Managing projects (assigning them, reopening complete ones) is for those who may update
    /// every project.
    pub fn manages_projects(&self) -> bool {
        self.allows_anywhere(Resource::Projects, Action::Update)
    }

    /// Whether every pair `permission` stands for is allowed somewhere; an API token may only be
    /// given such scopes.
    pub fn covers(&self, permission: &Permission) -> bool {
        permission.expand().all(|(r, a)| self.allows(r, a))
    }

    /// Whether these permissions hold `grant` with at least its reach, for every pair it stands
    /// for: an assigned-only `projects:update` does not include an all-projects one.
    pub fn includes_grant(&self, grant: &Grant) -> bool {
        grant.permission.expand().all(|(r, a)| self.scope(r, a) >= Some(grant.scope))
    }

    /// The first of `other`'s grants these permissions do not include, if any.
    pub fn first_missing<'a>(&self, other: &'a Permissions) -> Option<&'a Grant> {
        other.grants.iter().find(|g| !self.includes_grant(g))
    }

    /// These permissions cut down to `scopes` (an API token's view of its owner).
    pub fn restrict_to(&self, scopes: &[Permission]) -> Self {
        let grants = scopes
            .iter()
            .flat_map(|s| {
                self.grants.iter().filter_map(move |g| s.intersect(&g.permission).map(|p| Grant { permission: p, scope: g.scope }))
            })
            .collect();
        Self { grants }
    }

    /// Every concrete pair with its reach, sorted, for showing a user what they may do.
    pub fn expanded(&self) -> Vec<Grant> {
        let mut out: Vec<Grant> = Resource::ALL
            .into_iter()
            .flat_map(|r| Action::ALL.into_iter().map(move |a| (r, a)))
            .filter_map(|(r, a)| self.scope(r, a).map(|scope| Grant { permission: Permission::new(r, a), scope }))
            .collect();
        out.sort_by_key(|g| g.permission);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use Resource::*;

    #[test]
    fn parses_and_prints() {
        for s in ["*", "projects:*", "projects:read", "users:update"] {
            assert_eq!(s.parse::<Permission>().unwrap().to_string(), s);
        }
        for bad in ["", "projects", "projects:fly", "pets:read", "projects:read:x"] {
            assert!(bad.parse::<Permission>().is_err(), "{bad}");
        }
    }

    #[test]
    fn roles_follow_the_contract() {
        let admin = Permissions::for_user(Role::Admin, &[]);
        assert!(admin.allows_anywhere(Users, Delete));
        let manager = Permissions::for_user(Role::Manager, &[]);
        assert!(manager.allows_anywhere(Projects, Delete));
        assert!(manager.allows(Users, Read));
        assert!(!manager.allows(Users, Create));
        let artist = Permissions::for_user(Role::Artist, &[]);
        assert_eq!(artist.scope(Projects, Update), Some(Scope::Assigned));
        assert_eq!(artist.scope(Projects, Read), Some(Scope::Any));
        assert_eq!(artist.scope(Assets, Read), Some(Scope::Any));
        assert_eq!(artist.scope(Assets, Delete), Some(Scope::Assigned));
        assert!(!artist.allows(Projects, Create));
        assert!(!artist.allows(Urls, Create));
    }

    #[test]
    fn extra_grants_add_to_the_role() {
        let artist = Permissions::for_user(Role::Artist, &["projects:create".parse().unwrap()]);
        assert!(artist.allows_anywhere(Projects, Create));
    }

    #[test]
    fn tokens_never_exceed_their_owner() {
        let artist = Permissions::for_user(Role::Artist, &[]);
        let token = artist.restrict_to(&[Permission::ALL]);
        assert_eq!(token, Permissions { grants: artist.grants.clone() });
        let read_only = artist.restrict_to(&["projects:*".parse().unwrap()]);
        assert!(read_only.allows(Projects, Read));
        assert_eq!(read_only.scope(Projects, Update), Some(Scope::Assigned));
        assert!(!read_only.allows(Assets, Read));
        assert!(artist.covers(&"projects:read".parse().unwrap()));
        assert!(!artist.covers(&"projects:*".parse().unwrap()));
    }

    #[test]
    fn artists_act_on_their_own_projects_and_managers_on_all() {
        let (me, colleague) = (uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
        let artist = Permissions::for_user(Role::Artist, &[]);
        assert!(artist.allows_on_project(Projects, Update, me, Some(me)));
        assert!(!artist.allows_on_project(Projects, Update, me, Some(colleague)));
        assert!(!artist.allows_on_project(Projects, Update, me, None));
        assert!(!artist.manages_projects());
        let manager = Permissions::for_user(Role::Manager, &[]);
        assert!(manager.allows_on_project(Projects, Update, me, None));
        assert!(manager.manages_projects());
        assert!(!Permissions::default().allows_on_project(Projects, Read, me, Some(me)));
    }

    #[test]
    fn including_compares_reach() {
        let artist = Permissions::for_user(Role::Artist, &[]);
        let update_everywhere = Grant { permission: Permission::new(Projects, Update), scope: Scope::Any };
        assert!(!artist.includes_grant(&update_everywhere), "assigned-only does not include everywhere");
        assert!(artist.includes_grant(&Grant { scope: Scope::Assigned, ..update_everywhere }));
        let manager = Permissions::for_user(Role::Manager, &["users:update".parse().unwrap()]);
        let admin = Permissions::for_user(Role::Admin, &[]);
        assert!(manager.first_missing(&admin).is_some());
        assert!(manager.first_missing(&artist).is_none());
        assert!(admin.first_missing(&manager).is_none());
    }
}

#[cfg(feature = "openapi")]
crate::string_schema!(Permission, "`resource:action`, `resource:*` or `*`; resources: projects, assets, urls, builds, users, analytics, notifications; actions: read, create, update, delete.", "projects:read", pattern = "^(\\*|(\\*|projects|assets|urls|builds|users|analytics|notifications):(\\*|read|create|update|delete))$");
