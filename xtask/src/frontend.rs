//! `cargo xtask build-frontend`: the web app's release bundle, from the registries alone.
//!
//! wasm32 target (rustup) -> `cargo build --profile wasm-release` -> `wasm-bindgen` at exactly the
//! version Cargo.lock pins (installed with `cargo install` when missing) -> content-hashed file
//! names in `frontend/dist`. Where npm is available, `wasm-opt -Oz` from npm's binaryen 132
//! shrinks the bundle by about a third; never Debian's binaryen 108, whose wasm-opt silently breaks
//! the externref table and leaves a blank page. Without npm the bundle ships unoptimised (still
//! within budget); the browser tests always run against what ships.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, run};

/// Gzipped WASM above this fails the build.
const WASM_BUDGET_GZIP_BYTES: usize = 350 * 1024;

/// The workspace root. Read at run time: `cargo run` sets `CARGO_MANIFEST_DIR` for the process,
/// and a compile-time path could name another checkout sharing the same target dir.
pub(crate) fn root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest.parent().map(Path::to_path_buf).unwrap_or(manifest)
}

pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root().join("target"))
}

/// The wasm-bindgen version Cargo.lock resolved.
fn locked_wasm_bindgen() -> Result<String, String> {
    let lock = fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("reading Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_owned());
            }
        }
    }
    Err("wasm-bindgen is not in Cargo.lock".into())
}

fn ensure_tools() -> Result<(), String> {
    let installed = Command::new("rustup").args(["target", "list", "--installed"]).output().map_err(|e| format!("rustup: {e}"))?;
    if !String::from_utf8_lossy(&installed.stdout).lines().any(|l| l.trim() == "wasm32-unknown-unknown") {
        let mut c = Command::new("rustup");
        c.args(["target", "add", "wasm32-unknown-unknown"]);
        run(c)?;
    }
    let want = locked_wasm_bindgen()?;
    let have = Command::new("wasm-bindgen").arg("--version").output().ok().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    if have.as_deref() != Some(&format!("wasm-bindgen {want}")) {
        eprintln!("xtask: installing wasm-bindgen-cli {want} (found {have:?}); this takes a few minutes, once");
        // Not --locked: the registry lacks a pinned dependency of its lock file.
        let mut c = cargo();
        c.args(["install", "wasm-bindgen-cli", "--version", &want]);
        run(c)?;
    }
    Ok(())
}

const BINARYEN: &str = "binaryen@132.0.0";

/// npm's wasm-opt, installed once under the target dir; `None` without npm.
fn wasm_opt() -> Option<PathBuf> {
    let prefix = target_dir().join("tools/binaryen-132");
    let bin = prefix.join("node_modules/.bin/wasm-opt");
    if bin.exists() {
        return Some(bin);
    }
    let npm_ok = Command::new("npm").arg("--version").output().is_ok_and(|o| o.status.success());
    if !npm_ok {
        eprintln!("xtask: npm not found; the bundle is not run through wasm-opt");
        return None;
    }
    let mut c = Command::new("npm");
    c.args(["install", "--no-audit", "--no-fund", "--prefix"]).arg(&prefix).arg(BINARYEN);
    run(c).ok()?;
    bin.exists().then_some(bin)
}

/// 64-bit FNV-1a: enough to give each build's files distinct names.
fn content_hash(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3));
    format!("{hash:016x}")
}

fn gzip_len(bytes: &[u8]) -> usize {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = encoder.write_all(bytes);
    encoder.finish().map(|v| v.len()).unwrap_or(0)
}

pub fn build() -> Result<(), String> {
    ensure_tools()?;
    let mut c = cargo();
    c.args(["build", "--package", "petpixel-frontend", "--target", "wasm32-unknown-unknown", "--profile", "wasm-release"]);
    run(c)?;

    let wasm = target_dir().join("wasm32-unknown-unknown/wasm-release/petpixel-frontend.wasm");
    let staging = target_dir().join("frontend-staging");
    let _ = fs::remove_dir_all(&staging);
    let mut c = Command::new("wasm-bindgen");
    c.arg("--target")
        .arg("web")
        .arg("--no-typescript")
        .arg("--remove-name-section")
        .arg("--remove-producers-section")
        .arg("--out-name")
        .arg("app")
        .arg("--out-dir")
        .arg(&staging)
        .arg(&wasm);
    run(c)?;

    if let Some(opt) = wasm_opt() {
        let bundle = staging.join("app_bg.wasm");
        let mut c = Command::new(opt);
        // The features rustc's wasm32 target emits; wasm-opt must be told, as wasm-bindgen drops the section.
        c.arg("-Oz")
            .args(["--enable-reference-types", "--enable-bulk-memory", "--enable-sign-ext", "--enable-mutable-globals"])
            .args(["--enable-nontrapping-float-to-int", "--enable-multivalue"])
            .arg(&bundle)
            .arg("-o")
            .arg(&bundle);
        run(c)?;
    }
    let frontend = root().join("frontend");
    let read = |p: &Path| fs::read(p).map_err(|e| format!("reading {}: {e}", p.display()));
    let js = read(&staging.join("app.js"))?;
    let wasm_bytes = read(&staging.join("app_bg.wasm"))?;
    let css = read(&frontend.join("style.css"))?;
    let names = [
        ("js", format!("app-{}.js", content_hash(&js)), js),
        ("wasm", format!("app-{}.wasm", content_hash(&wasm_bytes)), wasm_bytes),
        ("css", format!("style-{}.css", content_hash(&css)), css),
    ];

    let dist = frontend.join("dist");
    let assets = dist.join("assets");
    let _ = fs::remove_dir_all(&assets);
    fs::create_dir_all(&assets).map_err(|e| format!("creating {}: {e}", assets.display()))?;
    let mut index = fs::read_to_string(frontend.join("index.html")).map_err(|e| format!("reading index.html: {e}"))?;
    for (key, name, bytes) in &names {
        fs::write(assets.join(name), bytes).map_err(|e| format!("writing {name}: {e}"))?;
        index = index.replace(&format!("{{{{{key}}}}}"), name);
    }
    fs::write(dist.join("index.html"), index).map_err(|e| format!("writing index.html: {e}"))?;

    let wasm_len = names[1].2.len();
    let wasm_gz = gzip_len(&names[1].2);
    println!(
        "frontend: {} KB wasm ({} KB gzipped, budget {} KB), {} KB js, {} KB css -> {}",
        wasm_len / 1024,
        wasm_gz / 1024,
        WASM_BUDGET_GZIP_BYTES / 1024,
        names[0].2.len() / 1024,
        names[2].2.len() / 1024,
        dist.display()
    );
    if wasm_gz > WASM_BUDGET_GZIP_BYTES {
        return Err(format!("the gzipped wasm ({wasm_gz} bytes) is over its budget of {WASM_BUDGET_GZIP_BYTES} bytes"));
    }
    Ok(())
}
