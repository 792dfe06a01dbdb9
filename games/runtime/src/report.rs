//! A round's state for the browser tests, built straight as a JS object: serde_json's writer
//! would cost a game more WASM than its whole gameplay.

use wasm_bindgen::JsValue;

pub struct Report(js_sys::Object);

impl Default for Report {
    fn default() -> Self {
        Report(js_sys::Object::new())
    }
}

impl Report {
    pub fn new() -> Self {
        Report::default()
    }

    fn set(self, key: &str, value: &JsValue) -> Self {
        let _ = js_sys::Reflect::set(&self.0, &key.into(), value);
        self
    }

    pub fn num(self, key: &str, value: f64) -> Self {
        self.set(key, &value.into())
    }

    #[allow(clippy::cast_precision_loss)]
    pub fn int(self, key: &str, value: i64) -> Self {
        self.set(key, &(value as f64).into())
    }

    pub fn flag(self, key: &str, value: bool) -> Self {
        self.set(key, &value.into())
    }

    pub fn text(self, key: &str, value: &str) -> Self {
        self.set(key, &value.into())
    }

    /// A number, or `null` for none.
    pub fn maybe(self, key: &str, value: Option<f64>) -> Self {
        self.set(key, &value.map_or(JsValue::NULL, JsValue::from))
    }

    pub fn obj(self, key: &str, value: Report) -> Self {
        self.set(key, &value.0)
    }

    pub fn list(self, key: &str, items: impl IntoIterator<Item = Report>) -> Self {
        let array: js_sys::Array = items.into_iter().map(|r| JsValue::from(r.0)).collect();
        self.set(key, &array)
    }

    pub fn into_js(self) -> JsValue {
        self.0.into()
    }
}
