//! Caches of what nearly every request reads (who is calling, the project list and its totals, a
//! project), kept right by the event bus: each is told of every committed change synchronously in
//! the process that made it and through Redis in every other, and forgets what the change touched.
//! A cache serves nothing while the bus may be missing events (the Redis subscription is down),
//! and keeps nothing longer than its time to live, a bound should a message ever be lost.

mod guarded;

use std::sync::atomic::AtomicI64;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use petpixel_types::activity::ResourceType;
use petpixel_types::event::Event;
use petpixel_types::project::{Project, ProjectDetail};
use petpixel_types::Page;
use uuid::Uuid;

use crate::entities::{api_tokens, sessions, users};
use crate::events::{Barrier, Listener};
pub use guarded::Guarded;

/// What a credential was found to be: its row and its user's, as the database had them.
pub enum Credential {
    Session {
        session: sessions::Model,
        user: users::Model,
    },
    /// `last_used` (Unix seconds) is when this process last wrote the token's `last_used_at`.
    ApiToken {
        token: api_tokens::Model,
        user: users::Model,
        last_used: AtomicI64,
    },
}

impl Credential {
    fn user_id(&self) -> Uuid {
        match self {
            Credential::Session { user, .. } | Credential::ApiToken { user, .. } => user.id,
        }
    }
}

/// A credential's cache key: the session id of an access token, or an API token's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CredentialKey {
    Session(Uuid),
    ApiToken(Uuid),
}

pub struct Caches {
    pub credentials: Guarded<CredentialKey, Arc<Credential>>,
    /// A project list's total, by its filter (see `projects::service`).
    pub project_counts: Guarded<String, u64>,
    /// A page of the project list, by its filter, order and page.
    pub project_pages: Guarded<String, Page<Project>>,
    /// A project with its assets and URLs, by id and the day (which `overdue` depends on).
    pub project_details: Guarded<(Uuid, NaiveDate), ProjectDetail>,
}

impl Caches {
    /// `ttl` zero turns caching off; `barrier` is the event bus's (see `events::Barrier`).
    pub fn new(ttl: Duration, barrier: Barrier) -> Arc<Self> {
        Arc::new(Caches {
            credentials: Guarded::new(10_000, ttl, barrier.clone()),
            project_counts: Guarded::new(1_000, ttl, barrier.clone()),
            project_pages: Guarded::new(500, ttl, barrier.clone()),
            project_details: Guarded::new(2_000, ttl, barrier),
        })
    }

    fn forget_projects(&self) {
        self.project_counts.forget_all();
        self.project_pages.forget_all();
    }
}

impl Listener for Caches {
    fn heard(&self, event: &Event) {
        match (event.resource_type, event.resource_id) {
            // Logins, logouts, password and role changes, deactivation: whatever happens to an
            // account may end its sessions or tokens or change its rights, or its name as shown
            // on the projects assigned to it.
            (ResourceType::User, Some(user_id)) => {
                self.credentials.forget_if(move |_, c| c.user_id() == user_id);
                self.forget_projects();
                self.project_details.forget_all();
            }
            (ResourceType::ApiToken, Some(id)) => self.credentials.forget(&CredentialKey::ApiToken(id)),
            _ => {}
        }
        // A project's own changes, and those of its assets, URLs and builds.
        let project = event.project_id.or((event.resource_type == ResourceType::Project).then_some(event.resource_id).flatten());
        if let Some(project) = project {
            self.forget_projects();
            self.project_details.forget_if(move |(id, _), _| *id == project);
        }
    }

    fn gap(&self, live: bool) {
        self.credentials.gap(live);
        self.project_counts.gap(live);
        self.project_pages.gap(live);
        self.project_details.gap(live);
    }
}

#[cfg(test)]
mod tests;
