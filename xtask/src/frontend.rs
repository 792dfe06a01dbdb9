//! `cargo xtask build-frontend`: the web app's release bundle, from the registries alone.
//!
//! wasm32 target (rustup) -> `cargo build --profile wasm-release` -> `wasm-split-cli` cuts the
//! lazy routes into chunks -> `wasm-bindgen` on the main module, at exactly the version Cargo.lock
//! pins (both installed with `cargo install` when missing) -> every file of the bundle in a
//! folder named by the hash of them all, in `frontend/dist/assets` (the loader and the glue import
//! each other by relative name, so the names stay and the folder changes). Where npm is available, `wasm-opt -Oz` from npm's binaryen 132
//! shrinks the bundle by about a third; never Debian's binaryen 108, whose wasm-opt silently breaks
//! the externref table and leaves a blank page. Without npm the bundle ships unoptimised (still
//! within budget); the browser tests always run against what ships.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{cargo, run};

/// The first load (main WASM, its glue and the chunk loader) as it crosses the wire (the brotli
/// copy the server sends), above this fails the build: login and the board must stay quick to
/// open whatever pages are added.
const FIRST_LOAD_BUDGET_BYTES: usize = 350 * 1024;
/// Each lazily loaded chunk, on the wire, above this fails the build.
const CHUNK_BUDGET_BYTES: usize = 100 * 1024;
/// The splitter, pinned by its install folder (it has no `--version`).
const WASM_SPLIT: &str = "wasm_split_cli_support";
const WASM_SPLIT_VERSION: &str = "0.2.4";

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

pub(crate) fn ensure_tools() -> Result<(), String> {
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

/// `wasm-split-cli`, installed once under the target dir.
fn wasm_split() -> Result<PathBuf, String> {
    let prefix = target_dir().join(format!("tools/wasm-split-{WASM_SPLIT_VERSION}"));
    let bin = prefix.join("bin/wasm-split-cli");
    if !bin.exists() {
        eprintln!("xtask: installing {WASM_SPLIT} {WASM_SPLIT_VERSION}; this takes a few minutes, once");
        let mut c = cargo();
        c.args(["install", "--locked", WASM_SPLIT, "--version", WASM_SPLIT_VERSION, "--features", "build-binary", "--root"]).arg(&prefix);
        run(c)?;
    }
    Ok(bin)
}

const BINARYEN: &str = "binaryen@132.0.0";

/// npm's wasm-opt, installed once under the target dir; `None` without npm.
pub(crate) fn wasm_opt() -> Option<PathBuf> {
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

pub(crate) fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

pub(crate) fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        // Quality 11, a 4 MB window: the smallest brotli makes, once, at build time.
        let mut writer = brotli::CompressorWriter::new(&mut out, 64 * 1024, 11, 22);
        let _ = writer.write_all(bytes);
    }
    out
}

/// Text and WASM; pictures are compressed formats already.
fn compressible(name: &str) -> bool {
    matches!(name.rsplit_once('.').map(|(_, ext)| ext), Some("html" | "js" | "css" | "json" | "wasm" | "svg"))
}

/// Writes `<file>.br` and `<file>.gz` beside `file`, which the server sends to the clients that
/// take them; answers the brotli copy's size, what a browser downloads.
pub(crate) fn write_compressed(file: &Path) -> Result<usize, String> {
    let bytes = fs::read(file).map_err(|e| format!("reading {}: {e}", file.display()))?;
    let (br, gz) = (brotli(&bytes), gzip(&bytes));
    let with = |suffix: &str| {
        let mut name = file.as_os_str().to_owned();
        name.push(suffix);
        PathBuf::from(name)
    };
    fs::write(with(".br"), &br).map_err(|e| format!("writing {}.br: {e}", file.display()))?;
    fs::write(with(".gz"), &gz).map_err(|e| format!("writing {}.gz: {e}", file.display()))?;
    Ok(br.len())
}

/// The page drawn before the web app has loaded, from the same CSS, so that nothing moves when
/// the app takes over: on `/login` the form itself (the app picks up what was typed; its button
/// waits for the app, so Enter cannot send the form as a plain GET), elsewhere the frame of the
/// studio. The app's own markup for both must stay the same as this.
fn shell(login: bool) -> &'static str {
    if login {
        r#"<main class="login"><form class="card" novalidate>
<h1>PetPixel Studio</h1><p class="muted">Log in to the studio.</p>
<label for="email">E-mail</label><input id="email" name="email" type="email" autocomplete="username" autofocus>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit" class="primary" disabled>Log in</button>
</form></main>"#
    } else {
        r#"<header class="topbar"><a class="brand" href="/">PetPixel Studio</a></header>
<main class="page"><p class="loading" aria-busy="true">Loading…</p></main>"#
    }
}

pub fn build() -> Result<(), String> {
    ensure_tools()?;
    let splitter = wasm_split()?;
    let mut c = cargo();
    c.args(["build", "--package", "petpixel-frontend", "--target", "wasm32-unknown-unknown", "--profile", "wasm-release"]);
    run(c)?;

    let wasm = target_dir().join("wasm32-unknown-unknown/wasm-release/petpixel-frontend.wasm");
    let staging = target_dir().join("frontend-staging");
    let (split, out) = (staging.join("split"), staging.join("out"));
    let _ = fs::remove_dir_all(&staging);
    let mut c = Command::new(splitter);
    c.arg(&wasm).arg(&split).args(["--target", "web", "--out-name", "app"]);
    run(c)?;

    let mut c = Command::new("wasm-bindgen");
    c.arg("--target")
        .arg("web")
        .arg("--no-typescript")
        .arg("--remove-name-section")
        .arg("--remove-producers-section")
        // The chunks link against the main module's table and functions.
        .arg("--keep-lld-exports")
        .arg("--out-name")
        .arg("app")
        .arg("--out-dir")
        .arg(&out)
        .arg(split.join("app.wasm"));
    run(c)?;
    let chunks = list(&split, |name| name.ends_with(".wasm") && name != "app.wasm")?;
    for name in chunks.iter().map(String::as_str).chain(["__wasm_split.js"]) {
        fs::copy(split.join(name), out.join(name)).map_err(|e| format!("copying {name}: {e}"))?;
    }

    if let Some(opt) = wasm_opt() {
        for name in chunks.iter().map(String::as_str).chain(["app_bg.wasm"]) {
            let file = out.join(name);
            let mut c = Command::new(&opt);
            // The features rustc's wasm32 target emits; wasm-opt must be told, as wasm-bindgen drops the section.
            c.arg("-Oz")
                .args(["--enable-reference-types", "--enable-bulk-memory", "--enable-sign-ext", "--enable-mutable-globals"])
                .args(["--enable-nontrapping-float-to-int", "--enable-multivalue", "--strip-debug", "--strip-producers"])
                .arg(&file)
                .arg("-o")
                .arg(&file);
            run(c)?;
        }
    }
    let frontend = root().join("frontend");
    let read = |p: &Path| fs::read(p).map_err(|e| format!("reading {}: {e}", p.display()));
    let main_wasm = read(&out.join("app_bg.wasm"))?;
    if main_wasm.windows(26).any(|w| w == b"__wasm_split_placeholder__") {
        return Err("the main module still imports from the split placeholder: the split did not happen".into());
    }
    let files: Vec<(String, Vec<u8>)> =
        list(&out, |_| true)?.into_iter().map(|name| read(&out.join(&name)).map(|b| (name, b))).collect::<Result<_, _>>()?;
    let bundle_hash = content_hash(&files.iter().flat_map(|(name, bytes)| name.bytes().chain(bytes.iter().copied())).collect::<Vec<u8>>());
    // The stylesheet goes into the page itself: the page then paints as soon as it arrives, one
    // round trip sooner than with a stylesheet of its own (the web app is one page, loaded once).
    let css = read(&frontend.join("style.css"))?;
    let css_text = String::from_utf8(css).map_err(|e| format!("style.css: {e}"))?;
    // The official Socket.IO client, vendored: loaded by the app after login, so never part of
    // the first load (see frontend/vendor/README.md).
    let socket_io = read(&frontend.join("vendor/socket.io.min.js"))?;
    let socket_io_name = format!("socket.io-{}.min.js", content_hash(&socket_io));

    let dist = frontend.join("dist");
    let assets = dist.join("assets");
    let _ = fs::remove_dir_all(&assets);
    let folder = assets.join(&bundle_hash);
    fs::create_dir_all(&folder).map_err(|e| format!("creating {}: {e}", folder.display()))?;
    for (name, bytes) in &files {
        fs::write(folder.join(name), bytes).map_err(|e| format!("writing {name}: {e}"))?;
    }
    fs::write(assets.join(&socket_io_name), &socket_io).map_err(|e| format!("writing {socket_io_name}: {e}"))?;
    let favicon = read(&frontend.join("favicon.svg"))?;
    let favicon_name = format!("favicon-{}.svg", content_hash(&favicon));
    fs::write(assets.join(&favicon_name), &favicon).map_err(|e| format!("writing {favicon_name}: {e}"))?;
    let template = fs::read_to_string(frontend.join("index.html"))
        .map_err(|e| format!("reading index.html: {e}"))?
        .replace("{{css}}", &minify_css(&css_text))
        .replace("{{favicon}}", &favicon_name)
        .replace("{{socket_io}}", &socket_io_name)
        .replace("{{js}}", &format!("{bundle_hash}/app.js"))
        .replace("{{wasm}}", &format!("{bundle_hash}/app_bg.wasm"));
    let mut pages_sent = Vec::new();
    for (page, login) in [("index.html", false), ("login.html", true)] {
        // The pages behind login show what the app draws, so its WASM is fetched at once; the
        // login page is whole in its HTML, and its WASM waits for the first paint.
        let preload = if login {
            String::new()
        } else {
            format!(
                "  <link rel=\"preload\" href=\"/assets/{bundle_hash}/app_bg.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin>\n"
            )
        };
        let html = template.replace("{{shell}}", shell(login)).replace("{{preload}}", &preload);
        fs::write(dist.join(page), html).map_err(|e| format!("writing {page}: {e}"))?;
        pages_sent.push(write_compressed(&dist.join(page))?);
    }
    // Every file in the compressed form the server sends, measured as the wire carries it.
    let mut wire = std::collections::HashMap::new();
    for (name, _) in &files {
        if compressible(name) {
            wire.insert(name.clone(), write_compressed(&folder.join(name))?);
        }
    }
    for name in [&socket_io_name, &favicon_name] {
        wire.insert(name.clone(), write_compressed(&assets.join(name))?);
    }

    let size = |name: &str| (files.iter().find(|(n, _)| n == name).map_or(0, |(_, b)| b.len()), wire.get(name).copied().unwrap_or(0));
    let first: Vec<_> = ["app_bg.wasm", "app.js", "__wasm_split.js"].iter().map(|n| size(n)).collect();
    let (first_raw, first_wire) = (first.iter().map(|s| s.0).sum::<usize>(), first.iter().map(|s| s.1).sum::<usize>());
    println!(
        "frontend: first load {} KB ({} KB on the wire, brotli; budget {} KB): wasm {} KB, js {} KB; the page with its stylesheet {} KB on the wire; after login socket.io {} KB -> {}",
        first_raw / 1024,
        first_wire / 1024,
        FIRST_LOAD_BUDGET_BYTES / 1024,
        first[0].0 / 1024,
        (first[1].0 + first[2].0) / 1024,
        pages_sent.iter().max().copied().unwrap_or(0) / 1024,
        wire[&socket_io_name] / 1024,
        folder.display()
    );
    let mut over = Vec::new();
    for name in &chunks {
        let (raw, sent) = size(name);
        if raw >= 1024 {
            println!("frontend: chunk {name}: {} KB ({} KB on the wire, budget {} KB)", raw / 1024, sent / 1024, CHUNK_BUDGET_BYTES / 1024);
        }
        if sent > CHUNK_BUDGET_BYTES {
            over.push(format!("the chunk {name} ({sent} bytes on the wire) is over its budget of {CHUNK_BUDGET_BYTES} bytes"));
        }
    }
    if first_wire > FIRST_LOAD_BUDGET_BYTES {
        over.push(format!("the first load ({first_wire} bytes on the wire) is over its budget of {FIRST_LOAD_BUDGET_BYTES} bytes"));
    }
    if over.is_empty() {
        Ok(())
    } else {
        Err(over.join("; "))
    }
}

/// The stylesheet without its comments and with its runs of blank space cut to one; nothing that
/// changes what it means (no value of ours holds a comment marker or a run of spaces).
fn minify_css(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        out.push_str(&rest[..start]);
        rest = rest[start..].find("*/").map_or("", |end| &rest[start + end + 2..]);
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The names of the files in `dir` that `keep` accepts, sorted.
fn list(dir: &Path, keep: impl Fn(&str) -> bool) -> Result<Vec<String>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    let mut names: Vec<String> = entries.filter_map(|e| e.ok()?.file_name().into_string().ok()).filter(|n| keep(n)).collect();
    names.sort();
    Ok(names)
}
