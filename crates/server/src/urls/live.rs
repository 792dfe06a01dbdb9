//! What `/g/<slug>` serves, kept in memory so that a warm game costs no database or storage read:
//! each slug's state (its page, ready to send, when a game is live) and the live builds' files,
//! bounded by `PETPIXEL_GAME_CACHE_MB`. A build's files never change, so they are kept by build
//! and name and never go stale; what a slug serves changes on a deploy or a release, and every
//! process forgets its slugs when the event bus tells it of any change to an address.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use petpixel_types::activity::ResourceType;
use petpixel_types::event::Event;
use uuid::Uuid;

use crate::cache::Guarded;
use crate::encoding::Coding;
use crate::events::{Barrier, Listener};

/// What an address answers.
#[derive(Clone)]
pub enum Site {
    Live(Arc<Deployment>),
    /// Reserved, no game deployed yet.
    NotYet,
    /// Expired or released: 410.
    Gone,
    Unknown,
}

/// A live game: its address, the build it serves and that build's page, pointed at the build's
/// files (`<base href="/g/<slug>/<build>/">`), so a page loaded just before a redeploy still gets
/// its own files, never half of each build's. The page's compressed copies are made once, when
/// the address is looked up.
pub struct Deployment {
    pub url_id: Uuid,
    pub project_id: Uuid,
    pub build_id: Uuid,
    pub page: Bytes,
    pub page_copies: Vec<(Coding, Bytes)>,
}

/// A file a build may serve: its size, and its compressed copies' sizes.
#[derive(Debug, Clone, Default)]
pub struct Listed {
    pub size: u64,
    pub copies: Vec<(Coding, u64)>,
}

/// One file of a build.
pub struct File {
    /// The build's project: a file is served only under an address of the same project.
    pub project_id: Uuid,
    pub body: Bytes,
}

/// Slugs known at once (unknown ones included, so that a scan of made-up slugs is bounded too).
const SLUGS: u64 = 20_000;

/// A project's ready builds and, for each, its files by name with their sizes: what its
/// addresses may serve. A build or a file not listed is answered 404 without a read.
pub type Catalogue = HashMap<Uuid, HashMap<String, Listed>>;

pub struct LiveGames {
    pub sites: Guarded<String, Site>,
    pub catalogues: Guarded<Uuid, Arc<Catalogue>>,
    /// The small files' bodies, by build and stored name (a compressed copy's name ends in its
    /// coding's suffix); larger ones stream from the store ([`KEPT_FILE_BYTES`]).
    pub files: moka::sync::Cache<(Uuid, String), Arc<File>>,
}

/// Files up to this size are kept in memory; larger ones (a game's music as WAV can be tens of
/// megabytes) are streamed from the store on each request, never read whole.
pub const KEPT_FILE_BYTES: u64 = 1 << 20;

/// Projects whose catalogues are kept at once.
const PROJECTS: u64 = 10_000;

impl LiveGames {
    /// `ttl` bounds how long a slug's state is kept should an event be lost; `bytes` bounds the
    /// files.
    pub fn new(ttl: Duration, bytes: u64, barrier: Barrier) -> Arc<Self> {
        let files = moka::sync::Cache::builder()
            .max_capacity(bytes)
            .weigher(|(_, name): &(Uuid, String), file: &Arc<File>| u32::try_from(file.body.len() + name.len() + 64).unwrap_or(u32::MAX))
            .support_invalidation_closures()
            .build();
        Arc::new(LiveGames { sites: Guarded::new(SLUGS, ttl, barrier.clone()), catalogues: Guarded::new(PROJECTS, ttl, barrier), files })
    }
}

impl Listener for LiveGames {
    fn heard(&self, event: &Event) {
        match (event.resource_type, event.resource_id) {
            // Reserved, deployed, released, expired: which slug it was is not in the event, and
            // addresses change a few times a day, so every slug is looked up again.
            (ResourceType::Url, _) => self.sites.forget_all(),
            (ResourceType::Project, _) if event.action == "project.deleted" => self.sites.forget_all(),
            (ResourceType::Build, build) => {
                // A build became ready, failed or went: its project's catalogue is read again.
                match event.project_id {
                    Some(project) => self.catalogues.forget(&project),
                    None => self.catalogues.forget_all(),
                }
                if let Some(build) = build.filter(|_| event.action == "build.deleted") {
                    if self.files.invalidate_entries_if(move |(b, _), _| *b == build).is_err() {
                        self.files.invalidate_all();
                    }
                }
            }
            _ => {}
        }
    }

    fn gap(&self, live: bool) {
        self.sites.gap(live);
        self.catalogues.gap(live);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn event(resource_type: ResourceType, action: &str, id: Uuid) -> Event {
        Event {
            id: Uuid::now_v7(),
            action: action.into(),
            resource_type,
            resource_id: Some(id),
            project_id: None,
            actor_id: None,
            at: Utc::now(),
            entry: None,
            payload: None,
        }
    }

    #[tokio::test]
    async fn any_change_to_an_address_forgets_every_slug_and_a_deleted_build_its_files() {
        let games = LiveGames::new(Duration::from_secs(60), 1 << 20, crate::events::Barrier::none());
        let load = |site: Site| async move { Ok::<_, ()>(site) };
        games.sites.get_or_load("rex-runs".into(), || load(Site::NotYet)).await.unwrap();
        games.sites.get_or_load("nobody".into(), || load(Site::Unknown)).await.unwrap();
        let (build, other) = (Uuid::now_v7(), Uuid::now_v7());
        for b in [build, other] {
            games.files.insert((b, "a.js".into()), Arc::new(File { project_id: Uuid::now_v7(), body: Bytes::from_static(b"x") }));
        }
        games.heard(&event(ResourceType::Project, "project.updated", Uuid::now_v7()));
        assert!(games.sites.get(&"rex-runs".to_owned()).is_some(), "other changes keep them");
        games.heard(&event(ResourceType::Url, "url.reserved", Uuid::now_v7()));
        assert!(games.sites.get(&"rex-runs".to_owned()).is_none() && games.sites.get(&"nobody".to_owned()).is_none());
        games.heard(&event(ResourceType::Build, "build.deleted", build));
        games.files.run_pending_tasks();
        assert!(games.files.get(&(build, "a.js".into())).is_none());
        assert!(games.files.get(&(other, "a.js".into())).is_some());
    }
}
