//! `cargo xtask build-games`: each game template compiled once, to WASM and its wasm-bindgen glue,
//! in `games/dist/<template>/`, where the server embeds them and the builder copies them into
//! every bundle. The same pinned wasm-bindgen and npm's wasm-opt as the web app.

use std::fs;

use crate::frontend::{ensure_tools, root, target_dir, wasm_opt, write_compressed};
use crate::{cargo, run};

/// A template's WASM and glue as they cross the wire (brotli), above this fails the build: a game
/// must open fast on a phone over a poor connection.
const TEMPLATE_BUDGET_BYTES: usize = 60 * 1024;
pub const TEMPLATES: [&str; 3] = ["runner", "catcher", "memory"];

pub fn build() -> Result<(), String> {
    ensure_tools()?;
    // Not the web app's flags (.cargo/config.toml): the games are not split, and the relocations
    // kept for the splitter would stay in their WASM. A target dir of their own, so the two sets
    // of flags do not rebuild each other's dependencies.
    let games_target = target_dir().join("games");
    let mut c = cargo();
    c.env("RUSTFLAGS", "").env("CARGO_TARGET_DIR", &games_target);
    c.args(["build", "--target", "wasm32-unknown-unknown", "--profile", "wasm-release"]);
    for t in TEMPLATES {
        c.args(["--package", &format!("petpixel-game-{t}")]);
    }
    run(c)?;
    let opt = wasm_opt();
    let dist = root().join("games/dist");
    let mut over = Vec::new();
    for t in TEMPLATES {
        let out = dist.join(t);
        let _ = fs::remove_dir_all(&out);
        let wasm = games_target.join(format!("wasm32-unknown-unknown/wasm-release/petpixel_game_{t}.wasm"));
        let mut c = std::process::Command::new("wasm-bindgen");
        c.args(["--target", "web", "--no-typescript", "--remove-name-section", "--remove-producers-section", "--out-name", t, "--out-dir"])
            .arg(&out)
            .arg(&wasm);
        run(c)?;
        let wasm_out = out.join(format!("{t}_bg.wasm"));
        if let Some(opt) = &opt {
            let mut c = std::process::Command::new(opt);
            c.arg("-Oz")
                .args(["--enable-reference-types", "--enable-bulk-memory", "--enable-sign-ext", "--enable-mutable-globals"])
                .args(["--enable-nontrapping-float-to-int", "--enable-multivalue", "--strip-debug", "--strip-producers"])
                .arg(&wasm_out)
                .arg("-o")
                .arg(&wasm_out);
            run(c)?;
        }
        let size = |name: String| fs::metadata(out.join(&name)).map(|m| m.len() as usize).map_err(|e| format!("reading {name}: {e}"));
        let (wasm, js) = (size(format!("{t}_bg.wasm"))?, size(format!("{t}.js"))?);
        // The compressed copies every build of the template stores beside its files.
        let sent = write_compressed(&out.join(format!("{t}_bg.wasm")))? + write_compressed(&out.join(format!("{t}.js")))?;
        println!(
            "games: {t}: wasm {} KB + glue {} KB = {} KB on the wire, brotli (budget {} KB)",
            wasm / 1024,
            js / 1024,
            sent / 1024,
            TEMPLATE_BUDGET_BYTES / 1024
        );
        if sent > TEMPLATE_BUDGET_BYTES {
            over.push(format!("the {t} template ({sent} bytes on the wire) is over its budget of {TEMPLATE_BUDGET_BYTES} bytes"));
        }
    }
    if over.is_empty() {
        Ok(())
    } else {
        Err(over.join("; "))
    }
}
