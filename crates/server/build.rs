//! The SPA bundle in `frontend/dist` is embedded in release builds. Its files carry content
//! hashes, so a new build adds and removes files: watching the directory (whose mtime changes
//! then) makes cargo re-embed it. The directory is created if missing so that the server builds,
//! and says how to build the app, before the SPA ever was.
fn main() {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../frontend/dist");
    let _ = std::fs::create_dir_all(&dist);
    println!("cargo:rerun-if-changed={}", dist.display());
    println!("cargo:rerun-if-changed={}", dist.join("index.html").display());
}
