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

/// Ids kept in all the list's orders together (16 MB): the seventy orders of the documented
/// sorts over four statuses and all, to their full depth, several times over (searches and other
/// filters have orders of their own); past it the least used are read again.
const ORDERED_IDS: u64 = 1_000_000;
/// Projects kept as the list shows them (a few KB each).
const PROJECT_ROWS: u64 = 20_000;

/// The first ids of a list's order (a filter and a sort).
#[derive(Clone)]
pub struct Order {
    pub ids: Arc<[Uuid]>,
    /// The order ends within them: they are all its ids.
    pub whole: bool,
}

pub struct Caches {
    pub credentials: Guarded<CredentialKey, Arc<Credential>>,
    /// The first ids of a list's order, as deep as its pages have been asked for (up to
    /// `PETPIXEL_LIST_ORDER_DEPTH`), by filter and order.
    pub project_orders: Guarded<String, Order>,
    /// A list's total, by its filter, for orders longer than what is kept of them.
    pub project_counts: Guarded<String, u64>,
    /// A project as the list shows it, by id and the day (which `overdue` depends on).
    pub project_rows: Guarded<(Uuid, NaiveDate), Project>,
    /// A project with its assets and URLs, by id and the day (which `overdue` depends on).
    pub project_details: Guarded<(Uuid, NaiveDate), ProjectDetail>,
}

impl Caches {
    /// `ttl` zero turns caching off; `barrier` is the event bus's (see `events::Barrier`).
    pub fn new(ttl: Duration, barrier: Barrier) -> Arc<Self> {
        Arc::new(Caches {
            credentials: Guarded::new(10_000, ttl, barrier.clone()),
            project_orders: Guarded::weighted(ORDERED_IDS, |_, order| order.ids.len().try_into().unwrap_or(u32::MAX), ttl, barrier.clone()),
            project_counts: Guarded::new(1_000, ttl, barrier.clone()),
            project_rows: Guarded::new(PROJECT_ROWS, ttl, barrier.clone()),
            project_details: Guarded::new(2_000, ttl, barrier),
        })
    }

    /// Any project's change may move it in any order or in or out of any filter.
    fn forget_orders(&self) {
        self.project_orders.forget_all();
        self.project_counts.forget_all();
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
                self.forget_orders();
                self.project_rows.forget_all();
                self.project_details.forget_all();
            }
            (ResourceType::ApiToken, Some(id)) => self.credentials.forget(&CredentialKey::ApiToken(id)),
            _ => {}
        }
        // A project's own changes, and those of its assets, URLs and builds.
        let project = event.project_id.or((event.resource_type == ResourceType::Project).then_some(event.resource_id).flatten());
        if let Some(project) = project {
            self.forget_orders();
            self.project_rows.forget_if(move |(id, _), _| *id == project);
            self.project_details.forget_if(move |(id, _), _| *id == project);
        }
    }

    fn gap(&self, live: bool) {
        self.credentials.gap(live);
        self.project_orders.gap(live);
        self.project_counts.gap(live);
        self.project_rows.gap(live);
        self.project_details.gap(live);
    }
}

#[cfg(test)]
mod tests;
