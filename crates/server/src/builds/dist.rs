//! The compiled templates (`games/dist/<template>/`, made by `cargo xtask build-games`), embedded
//! in release builds and read from the folder in debug builds.

#[derive(rust_embed::Embed)]
#[folder = "../../games/dist/"]
#[allow_missing = true]
struct Dist;

use crate::encoding::Coding;

/// A template's JS glue and WASM, with the compressed copies `build-games` made of each.
pub struct Compiled {
    pub js: Vec<u8>,
    pub wasm: Vec<u8>,
    pub js_copies: Vec<(Coding, Vec<u8>)>,
    pub wasm_copies: Vec<(Coding, Vec<u8>)>,
}

pub fn compiled(template: &str) -> Option<Compiled> {
    let file = |name: String| Dist::get(&name).map(|f| f.data.into_owned());
    let copies = |name: String| Coding::ALL.into_iter().filter_map(|c| file(format!("{name}{}", c.suffix())).map(|b| (c, b))).collect();
    let (js, wasm) = (format!("{template}/{template}.js"), format!("{template}/{template}_bg.wasm"));
    Some(Compiled { js: file(js.clone())?, wasm: file(wasm.clone())?, js_copies: copies(js), wasm_copies: copies(wasm) })
}
