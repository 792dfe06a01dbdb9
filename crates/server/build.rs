//! Release builds embed the SPA bundle (`frontend/dist`) and the compiled game templates
//! (`games/dist`). The SPA's files carry content hashes, so a new build adds and removes files:
//! watching the directory (whose mtime changes then) makes cargo re-embed it; the templates keep
//! their names, so each file is watched. The directories are created if missing so that the
//! server builds before either ever was (it then says how to build them).
fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dist = root.join("frontend/dist");
    let _ = std::fs::create_dir_all(&dist);
    println!("cargo:rerun-if-changed={}", dist.display());
    println!("cargo:rerun-if-changed={}", dist.join("index.html").display());
    let games = root.join("games/dist");
    let _ = std::fs::create_dir_all(&games);
    println!("cargo:rerun-if-changed={}", games.display());
    for template in ["runner", "catcher", "memory"] {
        println!("cargo:rerun-if-changed={}", games.join(format!("{template}/{template}.js")).display());
        println!("cargo:rerun-if-changed={}", games.join(format!("{template}/{template}_bg.wasm")).display());
    }
}
