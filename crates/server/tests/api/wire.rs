//! What crosses the wire: files in the best coding the client takes, from copies made once (a
//! game's bundle, the API docs), JSON answers compressed as they go out, each with `Vary` and
//! its own length; a first visit's refresh that asks nothing of anyone; the pet's photo on
//! projects and addresses, and the project named in the activity feed.

use std::io::Read;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use http_body_util::BodyExt;
use petpixel_types::Role;
use serde_json::{json, Value};

use crate::assets::process;
use crate::builds::{build, demo_project};
use crate::support::TestApp;

/// Status, headers and the raw bytes of a GET sent with `Accept-Encoding: accept`.
async fn fetch(app: &TestApp, path: &str, accept: &str, token: Option<&str>) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut request = Request::get(path).header(header::ACCEPT_ENCODING, accept);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let reply = app.router_response(request.body(Body::empty()).unwrap()).await;
    let (status, headers) = (reply.status(), reply.headers().clone());
    (status, headers, reply.into_body().collect().await.unwrap().to_bytes().to_vec())
}

fn decode(coding: Option<&str>, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match coding {
        Some("br") => brotli::Decompressor::new(bytes, 4096).read_to_end(&mut out).unwrap(),
        Some("gzip") => flate2::read::GzDecoder::new(bytes).read_to_end(&mut out).unwrap(),
        None => return bytes.to_vec(),
        Some(other) => panic!("a coding this test does not know: {other}"),
    };
    out
}

/// The same file in each coding the client may take: the best one, `Vary` and its own length,
/// and the same bytes once decoded.
async fn same_in_every_coding(app: &TestApp, path: &str, compressible: bool) -> usize {
    let (status, plain_headers, plain) = fetch(app, path, "identity", None).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    assert!(plain_headers.get(header::CONTENT_ENCODING).is_none(), "{path}");
    let mut sizes = Vec::new();
    for (accept, want) in [("gzip, deflate, br, zstd", "br"), ("gzip", "gzip")] {
        let (status, headers, bytes) = fetch(app, path, accept, None).await;
        assert_eq!(status, StatusCode::OK);
        let coding = headers.get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap().to_owned());
        if compressible {
            assert_eq!(coding.as_deref(), Some(want), "{path} for {accept}");
            assert!(headers[header::VARY].to_str().unwrap().to_lowercase().contains("accept-encoding"), "{path}");
            assert!(bytes.len() < plain.len(), "{path}: {} of {}", bytes.len(), plain.len());
        } else {
            assert_eq!(coding, None, "{path}: pictures and sounds go as they are");
        }
        assert_eq!(headers[header::CONTENT_LENGTH].to_str().unwrap(), bytes.len().to_string(), "{path}");
        assert_eq!(decode(coding.as_deref(), &bytes), plain, "{path}");
        sizes.push(bytes.len());
    }
    sizes[0]
}

#[tokio::test]
async fn a_games_files_go_out_in_the_coding_the_browser_takes_from_copies_made_once() {
    let app = TestApp::new().await;
    let d = demo_project(&app).await;
    let slots = json!({ "hero": d.hero, "background": d.background, "jump_sound": d.sound });
    let built = build(&app, &d.manager.token, &d.project, json!({ "template": "runner", "slots": slots, "params": {} })).await;
    assert_eq!(built["status"], "ready", "{built}");
    // Each text and WASM file has its copies beside it, stored once by the build.
    let files = built["files"].as_array().unwrap();
    let wasm = files.iter().find(|f| f["name"].as_str().unwrap().ends_with(".wasm")).unwrap();
    let codings: Vec<&str> = wasm["compressed"].as_array().unwrap().iter().map(|c| c["encoding"].as_str().unwrap()).collect();
    assert_eq!(codings, ["br", "gzip"]);
    assert!(wasm["compressed"][0]["size"].as_i64().unwrap() < wasm["size"].as_i64().unwrap() / 2, "{wasm}");
    let picture = files.iter().find(|f| f["name"].as_str().unwrap().ends_with(".webp")).unwrap();
    assert!(picture.get("compressed").is_none(), "{picture}");
    let stored = app.state.storage.list(&format!("builds/{}/", built["id"].as_str().unwrap())).await.unwrap();
    assert!(
        stored.iter().any(|o| o.key.as_str().ends_with(".wasm.br")) && stored.iter().any(|o| o.key.as_str().ends_with("index.html.gz"))
    );

    let url = app.post(&format!("/api/v1/projects/{}/urls", d.project), &d.manager.token, json!({ "slug": "biscuit-squeezed" })).await;
    let deploy = format!("/api/v1/urls/{}/deploy", url.body["id"].as_str().unwrap());
    assert_eq!(app.post(&deploy, &d.manager.token, json!({ "build_id": built["id"] })).await.status, StatusCode::OK);
    same_in_every_coding(&app, "/g/biscuit-squeezed", true).await;
    let base = format!("/g/biscuit-squeezed/{}", built["id"].as_str().unwrap());
    for f in files.iter().filter(|f| f["name"] != "index.html") {
        let name = f["name"].as_str().unwrap();
        let compressible = name.ends_with(".js") || name.ends_with(".wasm") || name.ends_with(".json");
        let sent = same_in_every_coding(&app, &format!("{base}/{name}"), compressible).await;
        if compressible {
            assert_eq!(sent as i64, f["compressed"][0]["size"].as_i64().unwrap(), "{name}: the stored copy is what is sent");
        }
    }
    // A copy is never asked for by its own name.
    assert_eq!(fetch(&app, &format!("{base}/{}.br", wasm["name"].as_str().unwrap()), "br", None).await.0, StatusCode::NOT_FOUND);
    // The preview link serves the same copies.
    let preview = built["preview_url"].as_str().unwrap().strip_prefix(app.state.config.public_url.as_str()).unwrap().to_owned();
    same_in_every_coding(&app, &format!("{preview}{}", wasm["name"].as_str().unwrap()), true).await;
    same_in_every_coding(&app, &preview, true).await;
}

#[tokio::test]
async fn json_answers_over_a_kilobyte_are_compressed_and_the_docs_once() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    for i in 0..8 {
        app.project(&manager.token, json!({ "pet_name": format!("Pet {i}"), "notes": "Loves long walks and squeaky toys." })).await;
    }
    let (status, headers, bytes) = fetch(&app, "/api/v1/projects", "br, gzip", Some(&manager.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_ENCODING], "br");
    assert!(headers[header::VARY].to_str().unwrap().to_lowercase().contains("accept-encoding"));
    let page: Value = serde_json::from_slice(&decode(Some("br"), &bytes)).unwrap();
    assert_eq!(page["total"], 8);
    let (_, headers, plain) = fetch(&app, "/api/v1/projects", "identity", Some(&manager.token)).await;
    assert!(headers.get(header::CONTENT_ENCODING).is_none());
    assert!(bytes.len() * 3 < plain.len(), "{} of {}", bytes.len(), plain.len());
    assert_eq!(headers[header::CONTENT_LENGTH], plain.len().to_string().as_str());
    // The same page again is the copy already made; a changed page, never an old copy.
    let (_, headers, again) = fetch(&app, "/api/v1/projects", "br, gzip", Some(&manager.token)).await;
    assert_eq!(again, bytes);
    assert_eq!(headers[header::CONTENT_LENGTH], bytes.len().to_string().as_str());
    app.project(&manager.token, json!({ "pet_name": "Pet 8", "notes": "Loves long walks and squeaky toys." })).await;
    let (_, _, changed) = fetch(&app, "/api/v1/projects", "br, gzip", Some(&manager.token)).await;
    assert_eq!(serde_json::from_slice::<Value>(&decode(Some("br"), &changed)).unwrap()["total"], 9);
    let (_, headers, gzipped) = fetch(&app, "/api/v1/projects", "gzip", Some(&manager.token)).await;
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
    assert_eq!(serde_json::from_slice::<Value>(&decode(Some("gzip"), &gzipped)).unwrap()["total"], 9);
    // Small answers go as they are: compressing them would cost more than it saves.
    let (_, headers, _) = fetch(&app, "/api/health", "br, gzip", None).await;
    assert!(headers.get(header::CONTENT_ENCODING).is_none());
    // The OpenAPI document and the docs' own files, compressed once and kept.
    for path in ["/api/openapi.json", "/api/docs/swagger-ui.css", "/api/docs/swagger-ui-bundle.js"] {
        same_in_every_coding(&app, path, true).await;
    }
}

#[tokio::test]
async fn a_first_visit_asks_for_nothing_and_a_login_leaves_a_hint() {
    let app = TestApp::new().await;
    let manager = app.user(Role::Manager).await;
    // No refresh token at all: no session to renew, which is no error.
    let none = app.request(Method::POST, "/api/v1/auth/refresh", None, Some(json!({}))).await;
    assert_eq!(none.status, StatusCode::NO_CONTENT);
    let cleared: Vec<&str> = none.headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap()).collect();
    assert!(cleared.iter().any(|c| c.starts_with("petpixel_session=;") && c.contains("Max-Age=0")), "{cleared:?}");
    // A browser's login sets the HttpOnly refresh cookie and a readable hint beside it.
    let login = app
        .request(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({ "email": manager.email, "password": crate::support::PASSWORD, "refresh_cookie": true })),
        )
        .await;
    let set: Vec<String> = login.headers.get_all(header::SET_COOKIE).iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    let hint = set.iter().find(|c| c.starts_with("petpixel_session=1")).expect("the hint");
    assert!(!hint.contains("HttpOnly") && hint.contains("Path=/") && hint.contains("SameSite=Strict"), "{hint}");
    assert!(set.iter().any(|c| c.starts_with("petpixel_refresh=") && c.contains("HttpOnly")), "{set:?}");
    // A wrong token is still refused, and clears both.
    let refused = app
        .send(
            Request::post("/api/v1/auth/refresh")
                .header(header::COOKIE, "petpixel_refresh=nope.nope; petpixel_session=1")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(refused.headers.get_all(header::SET_COOKIE).iter().count(), 2);
}

#[tokio::test]
async fn projects_and_addresses_show_the_pets_photo_and_the_feed_names_the_project() {
    let app = TestApp::new().await;
    let d = demo_project(&app).await;
    process(&app).await;
    let list = app.get("/api/v1/projects", &d.manager.token).await;
    let item = list.body["items"].as_array().unwrap().iter().find(|p| p["id"] == d.project.as_str()).unwrap().clone();
    let photo = &item["pet_photo"];
    assert!(photo["thumbnail_url"].is_string(), "{item}");
    assert!(photo["width"].as_u64().unwrap() <= 320 && photo["height"].as_u64().unwrap() <= 320, "{photo}");
    let detail = app.get(&format!("/api/v1/projects/{}", d.project), &d.manager.token).await;
    assert_eq!(detail.body["pet_photo"]["width"], photo["width"]);
    // A project without a photo has none.
    let bare = app.project(&d.manager.token, json!({})).await;
    assert!(bare["pet_photo"].is_null());

    app.post(&format!("/api/v1/projects/{}/urls", d.project), &d.manager.token, json!({ "slug": "biscuit-pictured" })).await;
    let urls = app.get("/api/v1/urls", &d.manager.token).await;
    assert_eq!(urls.body["items"][0]["pet_photo"]["width"], photo["width"]);

    let feed = app.get(&format!("/api/v1/activity?project_id={}", d.project), &d.manager.token).await;
    let entry = &feed.body["items"][0];
    assert_eq!(entry["project_name"], "Biscuit for Zelda Quartermaine", "{entry}");
}
