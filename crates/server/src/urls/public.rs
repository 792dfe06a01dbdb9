//! `GET /g/{slug}`: a customer's game, and `GET /g/{slug}/{build}/{file}`: its files.
//!
//! Served like the builder's preview: `Content-Security-Policy: sandbox allow-scripts` on every
//! answer, so a game runs in an opaque origin, without the studio's cookies or storage, whoever
//! opens it (and on its own origin when `PETPIXEL_GAMES_URL` is set). Once warm, an answer is made
//! from memory ([`super::live`]) and a view is a counter bumped in memory ([`super::views`]).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use bytes::Bytes;
use chrono::Utc;
use petpixel_types::build::{BuildStatus, BundleFile};
use petpixel_types::url::{check_slug_syntax, UrlStatus};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::live::{Catalogue, Deployment, File, Listed, Site, KEPT_FILE_BYTES};
use crate::builds::preview::{content_type, page, IMMUTABLE, REVALIDATE, SANDBOX};
use crate::encoding::{self, Coding};
use crate::entities::{builds, game_urls};
use crate::state::AppState;
use crate::storage::{self, ObjectKey, StorageError};

/// `GET /g/{slug}` (and `/g/{slug}/`): the game's page; a GET counts as a view.
pub async fn serve_page(State(state): State<AppState>, method: Method, headers: HeaderMap, Path(slug): Path<String>) -> Response {
    match site(&state, &slug).await {
        Ok(Site::Live(game)) => {
            if method == Method::GET && state.config.count_views {
                state.views.count(game.url_id);
            }
            let (body, coding) = match encoding::best(&encoding::accepted(&headers), &game.page_copies) {
                Some((coding, body)) => (body.clone(), Some(*coding)),
                None => (game.page.clone(), None),
            };
            let length = body.len();
            let mut response = respond(body, "text/html; charset=utf-8", REVALIDATE);
            encoding::mark(&mut response, coding, length);
            response
        }
        Ok(Site::NotYet) => page(StatusCode::NOT_FOUND, "Coming soon", "This game is being made. Come back soon!"),
        Ok(Site::Gone) => page(
            StatusCode::GONE,
            "This game has moved on",
            "The game that lived at this address is no longer here. If it was yours, ask us for its new link.",
        ),
        Ok(Site::Unknown) => not_found(),
        Err(()) => unavailable(),
    }
}

/// `GET /g/{slug}/{build}/{file}`: a file of a ready build of the address's project. The page
/// names its own build, so a page loaded just before a redeploy keeps getting its own files.
pub async fn serve_file(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((slug, build, file)): Path<(String, String, String)>,
) -> Response {
    let Ok(build) = build.parse::<Uuid>() else { return not_found() };
    let game = match site(&state, &slug).await {
        Ok(Site::Live(game)) => game,
        Ok(Site::Gone) => return page(StatusCode::GONE, "This game has moved on", "The game is no longer here."),
        Ok(_) => return not_found(),
        Err(()) => return unavailable(),
    };
    let valid = file != "index.html"
        && !file.is_empty()
        && !file.starts_with('.')
        && file.len() <= 200
        && file.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !valid {
        return not_found();
    }
    let listed = match catalogue(&state, game.project_id).await {
        Ok(catalogue) => catalogue.get(&build).and_then(|files| files.get(&file)).cloned(),
        Err(()) => return unavailable(),
    };
    // Made-up builds and names end here, having cost no read.
    let Some(listed) = listed else { return not_found() };
    // The best copy the client takes, by its stored name.
    let (coding, size) =
        encoding::best(&encoding::accepted(&headers), &listed.copies).map_or((None, listed.size), |(copy, size)| (Some(*copy), *size));
    let stored = format!("{file}{}", coding.map_or("", |c| c.suffix()));
    let mut response = if size > KEPT_FILE_BYTES {
        stream(&state, build, &stored, content_type(&file)).await
    } else {
        match game_file(&state, &game, build, &stored).await {
            Ok(Some(f)) => respond(f.body.clone(), content_type(&file), IMMUTABLE),
            Ok(None) => return not_found(),
            Err(()) => return unavailable(),
        }
    };
    if response.status() == StatusCode::OK && !listed.copies.is_empty() {
        encoding::mark(&mut response, coding, usize::try_from(size).unwrap_or(usize::MAX));
    }
    response
}

/// A large file straight from the store to the client, a chunk at a time.
async fn stream(state: &AppState, build: Uuid, name: &str, content_type: &'static str) -> Response {
    let object = match ObjectKey::new(format!("builds/{build}/{name}")) {
        Ok(key) => state.storage.get(&key).await,
        Err(_) => return not_found(),
    };
    match object {
        Ok(object) => {
            let mut response = respond_with(Body::from_stream(object.body), content_type, IMMUTABLE);
            response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(object.meta.size));
            response
        }
        Err(StorageError::NotFound(_)) => not_found(),
        Err(e) => {
            tracing::error!(error = %e, %build, name, "a game file could not be read");
            unavailable()
        }
    }
}

/// The project's ready builds and their files: from memory, or read once (one query).
async fn catalogue(state: &AppState, project: Uuid) -> Result<Arc<Catalogue>, ()> {
    let load = || async {
        let rows: Vec<(Uuid, Option<serde_json::Value>)> = builds::Entity::find()
            .select_only()
            .column(builds::Column::Id)
            .column(builds::Column::Files)
            .filter(builds::Column::ProjectId.eq(project))
            .filter(builds::Column::Status.eq(BuildStatus::Ready.as_str()))
            .into_tuple()
            .all(&state.db.conn)
            .await?;
        let mut catalogue = Catalogue::new();
        let size = |n: i64| u64::try_from(n).unwrap_or(0);
        for (id, files) in rows {
            let files: Vec<BundleFile> = files.map(serde_json::from_value).transpose()?.unwrap_or_default();
            let listed = files.into_iter().map(|f| {
                let copies = f.compressed.iter().filter_map(|c| Coding::parse(&c.encoding).map(|coding| (coding, size(c.size)))).collect();
                (f.name, Listed { size: size(f.size), copies })
            });
            catalogue.insert(id, listed.collect());
        }
        anyhow::Ok(Arc::new(catalogue))
    };
    state.games.catalogues.get_or_load(project, load).await.map_err(|e| {
        tracing::error!(error = %e, %project, "a project's games could not be looked up");
    })
}

fn respond(body: Bytes, content_type: &'static str, cache: &'static str) -> Response {
    respond_with(Body::from(body), content_type, cache)
}

fn respond_with(body: Body, content_type: &'static str, cache: &'static str) -> Response {
    let mut response = Response::new(body);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(SANDBOX));
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}

fn not_found() -> Response {
    page(StatusCode::NOT_FOUND, "No game here", "There is no game at this address. Check the link for typos.")
}

fn unavailable() -> Response {
    let mut response = page(StatusCode::SERVICE_UNAVAILABLE, "The game could not be loaded", "Try again in a moment.");
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    response
}

/// What `slug` serves: from memory, or looked up once (concurrent misses share one lookup).
async fn site(state: &AppState, slug: &str) -> Result<Site, ()> {
    if check_slug_syntax(slug).is_err() {
        return Ok(Site::Unknown);
    }
    let games = &state.games;
    if let Some(site) = games.sites.get(&slug.to_owned()) {
        return Ok(site);
    }
    games.sites.get_or_load(slug.to_owned(), || load_site(state, slug)).await.map_err(|e: anyhow::Error| {
        tracing::error!(error = %e, slug, "a game address could not be looked up");
    })
}

async fn load_site(state: &AppState, slug: &str) -> anyhow::Result<Site> {
    let rows = game_urls::Entity::find()
        .filter(game_urls::Column::UrlSlug.eq(slug))
        .order_by_desc(game_urls::Column::ReservedAt)
        .limit(20)
        .all(&state.db.conn)
        .await?;
    if rows.is_empty() {
        return Ok(Site::Unknown);
    }
    let live = rows.iter().find(|r| r.status.parse::<UrlStatus>().is_ok_and(UrlStatus::is_live));
    let Some(url) = live else { return Ok(Site::Gone) };
    match (url.status.parse::<UrlStatus>(), url.build_id) {
        (Ok(UrlStatus::Active), Some(build)) => {
            let index = read(state, build, "index.html").await?.ok_or_else(|| anyhow::anyhow!("build {build} has no index.html"))?;
            let page = with_base(&index, &format!("/g/{slug}/{build}/"));
            // Once per lookup of the address, not per request.
            let page_copies = Coding::ALL.into_iter().map(|c| (c, Bytes::from(encoding::compress(&page, c)))).collect();
            Ok(Site::Live(Arc::new(Deployment {
                url_id: url.id,
                project_id: url.project_id,
                build_id: build,
                page: Bytes::from(page),
                page_copies,
            })))
        }
        _ if url.expires_at <= Utc::now() => Ok(Site::Gone),
        _ => Ok(Site::NotYet),
    }
}

/// The build's page with its files resolved under `base`.
fn with_base(index: &[u8], base: &str) -> Vec<u8> {
    let tag = format!("<head>\n<base href=\"{base}\">");
    let text = String::from_utf8_lossy(index);
    text.replacen("<head>", &tag, 1).into_bytes()
}

async fn game_file(state: &AppState, game: &Deployment, build: Uuid, name: &str) -> Result<Option<Arc<File>>, ()> {
    let key = (build, name.to_owned());
    if let Some(file) = state.games.files.get(&key) {
        return Ok((file.project_id == game.project_id).then_some(file));
    }
    let loaded = async {
        // The catalogue said the file is the project's; only its bytes are read.
        let Some(body) = read(state, build, name).await? else { return Ok(None) };
        let file = Arc::new(File { project_id: game.project_id, body: Bytes::from(body) });
        state.games.files.insert(key, file.clone());
        anyhow::Ok(Some(file))
    };
    loaded.await.map_err(|e| tracing::error!(error = %e, %build, name, "a game file could not be read"))
}

async fn read(state: &AppState, build: Uuid, name: &str) -> anyhow::Result<Option<Vec<u8>>> {
    let key = ObjectKey::new(format!("builds/{build}/{name}"))?;
    match state.storage.get(&key).await {
        Ok(object) => Ok(Some(storage::collect(object.body).await?)),
        Err(StorageError::NotFound(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_page_points_at_its_build() {
        let page = super::with_base(b"<!doctype html>\n<html>\n<head>\n<meta charset=\"utf-8\">", "/g/rex-sunny/b1/");
        assert_eq!(
            String::from_utf8(page).unwrap(),
            "<!doctype html>\n<html>\n<head>\n<base href=\"/g/rex-sunny/b1/\">\n<meta charset=\"utf-8\">"
        );
    }
}
