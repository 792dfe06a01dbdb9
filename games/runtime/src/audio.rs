//! Sound through Web Audio. Browsers (iOS above all) keep an audio context silent until a tap, and
//! silence it again after the screen locks: the runtime calls [`Audio::unlock`] on every tap, key
//! and return to the page. A slot without a sound plays a short synthesised blip instead.

use std::collections::HashMap;

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AudioBuffer, AudioBufferSourceNode, AudioContext, AudioContextState, OscillatorType};

#[derive(Default)]
pub struct Audio {
    ctx: Option<AudioContext>,
    buffers: HashMap<String, AudioBuffer>,
    music: Option<AudioBufferSourceNode>,
}

impl Audio {
    pub fn new() -> Self {
        Audio { ctx: AudioContext::new().ok(), ..Audio::default() }
    }

    /// The context sounds are decoded in, for [`fetch_all`].
    pub fn context(&self) -> Option<AudioContext> {
        self.ctx.clone()
    }

    /// Sounds fetched and decoded by [`fetch_all`], now playable.
    pub fn add(&mut self, decoded: Vec<(String, AudioBuffer)>) {
        self.buffers.extend(decoded);
    }

    pub fn unlock(&self) {
        if let Some(ctx) = &self.ctx {
            if ctx.state() != AudioContextState::Running {
                let _ = ctx.resume();
            }
        }
    }

    /// Plays a slot's sound, or a blip at `fallback_hz`.
    pub fn play(&self, slot: &str, fallback_hz: f32) {
        let Some(ctx) = &self.ctx else { return };
        if let Some(buffer) = self.buffers.get(slot) {
            let _ = self.source(ctx, buffer, 0.9).and_then(|s| s.start());
            return;
        }
        let blip = || -> Result<(), JsValue> {
            let osc = ctx.create_oscillator()?;
            let gain = ctx.create_gain()?;
            let now = ctx.current_time();
            osc.set_type(OscillatorType::Triangle);
            osc.frequency().set_value_at_time(fallback_hz, now)?;
            osc.frequency().exponential_ramp_to_value_at_time(fallback_hz * 1.5, now + 0.1)?;
            gain.gain().set_value_at_time(0.18, now)?;
            gain.gain().exponential_ramp_to_value_at_time(0.001, now + 0.14)?;
            osc.connect_with_audio_node(&gain)?;
            gain.connect_with_audio_node(&ctx.destination())?;
            osc.start()?;
            osc.stop_with_when(now + 0.15)
        };
        let _ = blip();
    }

    /// Loops a slot's sound under the game, if it has one.
    pub fn start_music(&mut self, slot: &str) {
        self.stop_music();
        let (Some(ctx), Some(buffer)) = (&self.ctx, self.buffers.get(slot)) else { return };
        if let Ok(source) = self.source(ctx, buffer, 0.35) {
            source.set_loop(true);
            if source.start().is_ok() {
                self.music = Some(source);
            }
        }
    }

    pub fn stop_music(&mut self) {
        if let Some(source) = self.music.take() {
            let _ = web_sys::AudioScheduledSourceNode::stop(&source);
        }
    }

    fn source(&self, ctx: &AudioContext, buffer: &AudioBuffer, volume: f32) -> Result<AudioBufferSourceNode, JsValue> {
        let source = ctx.create_buffer_source()?;
        source.set_buffer(Some(buffer));
        let gain = ctx.create_gain()?;
        gain.gain().set_value(volume);
        source.connect_with_audio_node(&gain)?;
        gain.connect_with_audio_node(&ctx.destination())?;
        Ok(source)
    }
}

/// Fetches and decodes every slot's sound at once; one that fails is left out (its slot plays the
/// fallback) and said on the console.
pub async fn fetch_all(ctx: AudioContext, files: Vec<(String, String)>) -> Vec<(String, AudioBuffer)> {
    let Some(window) = web_sys::window() else { return Vec::new() };
    // Every request starts before the first answer is awaited.
    let pending: Vec<(String, js_sys::Promise)> = files.into_iter().map(|(slot, url)| (slot, window.fetch_with_str(&url))).collect();
    let mut decoding = Vec::new();
    for (slot, fetched) in pending {
        let bytes = async {
            let response: web_sys::Response = JsFuture::from(fetched).await?.dyn_into()?;
            let bytes = JsFuture::from(response.array_buffer()?).await?;
            ctx.decode_audio_data(&bytes.dyn_into()?)
        }
        .await;
        match bytes {
            Ok(promise) => decoding.push((slot, promise)),
            Err(e) => warn(&slot, &e),
        }
    }
    let mut out = Vec::new();
    for (slot, promise) in decoding {
        match JsFuture::from(promise).await.and_then(|b| b.dyn_into::<AudioBuffer>()) {
            Ok(buffer) => out.push((slot, buffer)),
            Err(e) => warn(&slot, &e),
        }
    }
    out
}

fn warn(slot: &str, e: &JsValue) {
    web_sys::console::warn_2(&format!("sound `{slot}` could not be loaded; playing the fallback").into(), e);
}
