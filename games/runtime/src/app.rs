//! The browser side: loading the bundle, the canvas, the loop and the event listeners.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, HtmlImageElement, KeyboardEvent, PointerEvent, Window};

use crate::flow::Flow;
use crate::{Audio, Env, GameManifest, Gfx, Input, Play, Rng};

/// The device pixel ratio is capped: past 2 a phone draws four times the pixels for no visible gain.
const MAX_PIXEL_RATIO: f64 = 2.0;
/// A frame after a long pause (a hidden tab) counts as this long, so nothing jumps.
const MAX_FRAME_SECONDS: f64 = 0.05;

fn err(message: &str) -> JsValue {
    JsValue::from_str(message)
}

/// Loads the game whose manifest is at `manifest_url` into `<canvas id="game">` and plays it.
pub async fn run<P: Play>(manifest_url: &str) -> Result<(), JsValue> {
    // Where it went wrong, without the panic message: formatting it would pull the whole of
    // core's formatter (floats included) into every game.
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map(|l| l.file()).unwrap_or("?");
        web_sys::console::error_2(&"the game stopped on an internal error in".into(), &at.into());
    }));
    let window = web_sys::window().ok_or_else(|| err("no window"))?;
    let document = window.document().ok_or_else(|| err("no document"))?;
    let canvas: HtmlCanvasElement = document.get_element_by_id("game").ok_or_else(|| err("no <canvas id=game>"))?.dyn_into()?;
    let ctx: CanvasRenderingContext2d = canvas.get_context("2d")?.ok_or_else(|| err("no 2d context"))?.dyn_into()?;
    let gfx = Gfx { ctx, width: std::cell::Cell::new(0.0), overflow: std::cell::Cell::new(0.0) };
    let (w, h) = fit(&window, &canvas, &gfx);
    gfx.width.set(w);
    gfx.rect(0.0, 0.0, w, h, "#1d1b2c");
    gfx.text("Loading…", w / 2.0, h / 2.0, 22.0, "#ffffff", "center");

    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(manifest_url)).await?.dyn_into()?;
    let text = JsFuture::from(response.text()?).await?.as_string().unwrap_or_default();
    let manifest = crate::manifest::parse(&text).map_err(|e| err(&e))?;

    let images = load_images(&manifest).await;
    let audio = Audio::new();
    // Sounds are wanted at the first tap, not for the title card: they load behind it.
    let sounds: Vec<(String, String)> = manifest.files.iter().filter(|(_, f)| is_sound(f)).map(|(s, f)| (s.clone(), f.clone())).collect();
    let decoder = audio.context();
    let query = web_sys::UrlSearchParams::new_with_str(&window.location().search()?)?;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let seed = query.get("seed").and_then(|s| s.parse::<u64>().ok()).unwrap_or_else(|| (js_sys::Math::random() * 9e15) as u64);
    let env = Env { w, h, manifest, images, audio, rng: Rng::new(seed), time: 0.0 };
    let flow = Rc::new(RefCell::new(Flow::<P>::new(env)));

    if let Some(ctx) = decoder {
        let flow = flow.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let decoded = crate::audio::fetch_all(ctx, sounds).await;
            flow.borrow_mut().env.audio.add(decoded);
        });
    }
    listen(&window, &canvas, &flow)?;
    if query.get("autotest").as_deref() == Some("1") {
        expose(&window, &flow)?;
    }
    start_loop(window, canvas, gfx, flow);
    Ok(())
}

fn is_sound(file: &str) -> bool {
    [".mp3", ".wav", ".ogg"].iter().any(|ext| file.ends_with(ext))
}

/// Every picture of the bundle, decoded before the title card shows; one that fails is left out
/// (its slot plays the template's fallback) and said on the console.
async fn load_images(manifest: &GameManifest) -> HashMap<String, HtmlImageElement> {
    let mut images = HashMap::new();
    // Every picture starts loading before the first is awaited.
    let mut loading = Vec::new();
    for (slot, file) in manifest.files.iter().filter(|(_, f)| !is_sound(f)) {
        let Ok(img) = HtmlImageElement::new() else { continue };
        // Served with CORS, so drawing it keeps the canvas readable (the tests compare frames).
        img.set_cross_origin(Some("anonymous"));
        img.set_src(file);
        loading.push((slot, img));
    }
    for (slot, img) in loading {
        match JsFuture::from(img.decode()).await {
            Ok(_) => {
                images.insert(slot.clone(), img);
            }
            Err(e) => web_sys::console::warn_2(&format!("picture `{slot}` could not be loaded").into(), &e),
        }
    }
    images
}

/// Sizes the canvas to the viewport at the capped pixel ratio; the viewport in CSS pixels.
fn fit(window: &Window, canvas: &HtmlCanvasElement, gfx: &Gfx) -> (f64, f64) {
    let w = window.inner_width().ok().and_then(|v| v.as_f64()).unwrap_or(800.0).max(1.0);
    let h = window.inner_height().ok().and_then(|v| v.as_f64()).unwrap_or(600.0).max(1.0);
    let ratio = window.device_pixel_ratio().clamp(1.0, MAX_PIXEL_RATIO);
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let (pw, ph) = ((w * ratio).round() as u32, (h * ratio).round() as u32);
    if canvas.width() != pw || canvas.height() != ph {
        canvas.set_width(pw);
        canvas.set_height(ph);
    }
    let _ = gfx.ctx.set_transform(ratio, 0.0, 0.0, ratio, 0.0, 0.0);
    (w, h)
}

fn listen<P: Play>(window: &Window, canvas: &HtmlCanvasElement, flow: &Rc<RefCell<Flow<P>>>) -> Result<(), JsValue> {
    for (name, make) in [
        ("pointerdown", Input::Down as fn(f64, f64) -> Input),
        ("pointermove", Input::Move as fn(f64, f64) -> Input),
        ("pointerup", Input::Up as fn(f64, f64) -> Input),
    ] {
        let flow = flow.clone();
        let target = canvas.clone();
        let handler = Closure::<dyn FnMut(PointerEvent)>::new(move |e: PointerEvent| {
            e.prevent_default();
            if e.type_() == "pointerdown" {
                // Keeps the drag coming when the finger leaves the canvas.
                let _ = target.set_pointer_capture(e.pointer_id());
            }
            flow.borrow_mut().input(&make(f64::from(e.offset_x()), f64::from(e.offset_y())));
        });
        canvas.add_event_listener_with_callback(name, handler.as_ref().unchecked_ref())?;
        handler.forget();
    }
    let keys = flow.clone();
    let on_key = Closure::<dyn FnMut(KeyboardEvent)>::new(move |e: KeyboardEvent| {
        if e.repeat() {
            return;
        }
        let code = e.code();
        if matches!(code.as_str(), "Space" | "ArrowUp" | "ArrowDown" | "ArrowLeft" | "ArrowRight") {
            e.prevent_default();
        }
        keys.borrow_mut().input(&Input::Key(code));
    });
    window.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref())?;
    on_key.forget();
    // iOS silences audio after a lock or a switch away; these bring it back.
    for (target, name) in [(window.as_ref(), "touchend"), (window.as_ref(), "visibilitychange")] {
        let flow = flow.clone();
        let unlock = Closure::<dyn FnMut()>::new(move || flow.borrow().env.audio.unlock());
        let target: &web_sys::EventTarget = target;
        target.add_event_listener_with_callback(name, unlock.as_ref().unchecked_ref())?;
        unlock.forget();
    }
    Ok(())
}

/// `window.__game.state()` for the browser tests.
fn expose<P: Play>(window: &Window, flow: &Rc<RefCell<Flow<P>>>) -> Result<(), JsValue> {
    let flow = flow.clone();
    let state = Closure::<dyn Fn() -> JsValue>::new(move || flow.borrow().debug().into_js());
    let hook = js_sys::Object::new();
    js_sys::Reflect::set(&hook, &"state".into(), state.as_ref())?;
    state.forget();
    js_sys::Reflect::set(window, &"__game".into(), &hook)?;
    Ok(())
}

/// The loop's frame closure, which asks for the next frame with itself.
type FrameCallback = Closure<dyn FnMut(f64)>;

fn start_loop<P: Play>(window: Window, canvas: HtmlCanvasElement, gfx: Gfx, flow: Rc<RefCell<Flow<P>>>) {
    let next: Rc<RefCell<Option<FrameCallback>>> = Rc::new(RefCell::new(None));
    let again = next.clone();
    let mut last: Option<f64> = None;
    let frame_window = window.clone();
    *again.borrow_mut() = Some(Closure::new(move |now: f64| {
        let dt = last.map_or(0.0, |t| ((now - t) / 1000.0).clamp(0.0, MAX_FRAME_SECONDS));
        last = Some(now);
        let (w, h) = fit(&frame_window, &canvas, &gfx);
        gfx.width.set(w);
        gfx.overflow.set(0.0);
        {
            let mut flow = flow.borrow_mut();
            flow.env.w = w;
            flow.env.h = h;
            flow.frame(dt);
            flow.draw(&gfx);
            flow.text_overflow = gfx.overflow.get();
            if flow.frames == 1 {
                flow.first_frame_ms = frame_window.performance().map_or(0.0, |p| p.now());
            }
        }
        if let Some(cb) = next.borrow().as_ref() {
            let _ = frame_window.request_animation_frame(cb.as_ref().unchecked_ref());
        }
    }));
    let first = again.borrow();
    if let Some(cb) = first.as_ref() {
        let _ = window.request_animation_frame(cb.as_ref().unchecked_ref());
    }
}
