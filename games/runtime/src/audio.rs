//! Sound through Web Audio. Browsers (iOS above all) keep an audio context silent until a tap, and
//! silence it again after the screen locks: the runtime calls [`Audio::unlock`] on every tap, key
//! and return to the page. A slot without a sound plays a short synthesised blip instead.

use std::collections::HashMap;

use wasm_bindgen::JsCast;
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

    /// Fetches and decodes one slot's sound; one that fails to load plays the fallback.
    pub async fn load(&mut self, slot: &str, url: &str) {
        let Some(ctx) = &self.ctx else { return };
        let Some(window) = web_sys::window() else { return };
        let decoded = async {
            let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url)).await?.dyn_into()?;
            let bytes = JsFuture::from(response.array_buffer()?).await?;
            JsFuture::from(ctx.decode_audio_data(&bytes.dyn_into()?)?).await?.dyn_into::<AudioBuffer>()
        }
        .await;
        match decoded {
            Ok(buffer) => {
                self.buffers.insert(slot.to_owned(), buffer);
            }
            Err(e) => web_sys::console::warn_2(&format!("sound `{slot}` could not be loaded; playing the fallback").into(), &e),
        }
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
        let blip = || -> Result<(), wasm_bindgen::JsValue> {
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

    fn source(&self, ctx: &AudioContext, buffer: &AudioBuffer, volume: f32) -> Result<AudioBufferSourceNode, wasm_bindgen::JsValue> {
        let source = ctx.create_buffer_source()?;
        source.set_buffer(Some(buffer));
        let gain = ctx.create_gain()?;
        gain.gain().set_value(volume);
        source.connect_with_audio_node(&gain)?;
        gain.connect_with_audio_node(&ctx.destination())?;
        Ok(source)
    }
}
