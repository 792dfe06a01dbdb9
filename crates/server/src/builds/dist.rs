//! The compiled templates (`games/dist/<template>/`, made by `cargo xtask build-games`), embedded
//! in release builds and read from the folder in debug builds.

#[derive(rust_embed::Embed)]
#[folder = "../../games/dist/"]
#[allow_missing = true]
struct Dist;

/// A template's JS glue and WASM.
pub struct Compiled {
    pub js: Vec<u8>,
    pub wasm: Vec<u8>,
}

pub fn compiled(template: &str) -> Option<Compiled> {
    let js = Dist::get(&format!("{template}/{template}.js"))?.data.into_owned();
    let wasm = Dist::get(&format!("{template}/{template}_bg.wasm"))?.data.into_owned();
    Some(Compiled { js, wasm })
}
