//! Uploads with progress: `fetch` cannot report the bytes sent, so uploads go through
//! XMLHttpRequest, whose `upload.onprogress` can. The token comes from the API client; a 401
//! (the access token expired meanwhile) renews the session once and sends again.

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::oneshot;
use petpixel_types::asset::Asset;
use petpixel_types::Problem;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{File, FormData, ProgressEvent, XmlHttpRequest};

use crate::session::api;

/// Posts `file` as the form `{asset_type?, file}` to `path`, telling `progress(sent, total)`.
pub async fn upload(
    path: &str,
    asset_type: Option<&str>,
    file: &File,
    progress: impl Fn(f64, f64) + Clone + 'static,
) -> Result<Asset, String> {
    let (status, body) = send(path, asset_type, file, progress.clone()).await?;
    let (status, body) =
        if status == 401 && api().refresh().await.is_ok() { send(path, asset_type, file, progress).await? } else { (status, body) };
    if (200..300).contains(&status) {
        return serde_json::from_str(&body).map_err(|e| format!("The server's answer was not understood ({e})."));
    }
    let problem: Option<Problem> = serde_json::from_str(&body).ok();
    Err(problem
        .map(|p| {
            let fields: Vec<String> = p.errors.iter().map(|e| e.message.clone()).collect();
            if fields.is_empty() {
                p.detail.unwrap_or(p.title)
            } else {
                fields.join(" ")
            }
        })
        .unwrap_or_else(|| format!("The upload failed (HTTP {status}).")))
}

async fn send(path: &str, asset_type: Option<&str>, file: &File, progress: impl Fn(f64, f64) + 'static) -> Result<(u16, String), String> {
    let js = |e: wasm_bindgen::JsValue| format!("The browser refused the upload ({e:?}).");
    let form = FormData::new().map_err(js)?;
    if let Some(t) = asset_type {
        form.append_with_str("asset_type", t).map_err(js)?;
    }
    form.append_with_blob_and_filename("file", file, &file.name()).map_err(js)?;
    let xhr = XmlHttpRequest::new().map_err(js)?;
    xhr.open_with_async("POST", path, true).map_err(js)?;
    if let Some(token) = api().token() {
        xhr.set_request_header("Authorization", &format!("Bearer {token}")).map_err(js)?;
    }
    let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
        if e.length_computable() {
            progress(e.loaded(), e.total());
        }
    });
    xhr.upload().map_err(js)?.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    let (tx, rx) = oneshot::channel::<()>();
    let tx = Rc::new(RefCell::new(Some(tx)));
    let on_end = Closure::<dyn FnMut()>::new(move || {
        if let Some(tx) = tx.borrow_mut().take() {
            let _ = tx.send(());
        }
    });
    xhr.set_onloadend(Some(on_end.as_ref().unchecked_ref()));
    xhr.send_with_opt_form_data(Some(&form)).map_err(js)?;
    let _ = rx.await;
    // The closures live until the request has ended.
    drop((on_progress, on_end));
    let status = xhr.status().unwrap_or(0);
    if status == 0 {
        return Err("The server could not be reached; check the connection and try again.".into());
    }
    Ok((status, xhr.response_text().ok().flatten().unwrap_or_default()))
}

/// The first bytes of `file`, to tell its type the way the server will.
pub async fn head(file: &File, len: i32) -> Result<Vec<u8>, String> {
    let blob = file.slice_with_i32_and_i32(0, len).map_err(|e| format!("{e:?}"))?;
    let buffer = wasm_bindgen_futures::JsFuture::from(blob.array_buffer()).await.map_err(|e| format!("{e:?}"))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
