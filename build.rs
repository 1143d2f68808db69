//! Embeds every built-in protocol file of `assets/protocols/` and every outcome scale
//! of `assets/scales/` in the binary, so the app works from any folder.

#![allow(
    clippy::expect_used,
    reason = "a build script that cannot read its own source tree must stop the build"
)]

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn main() {
    let manifest_dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let out_dir = env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for (folder, output) in [
        ("protocols", "builtin_protocols.rs"),
        ("scales", "builtin_scales.rs"),
    ] {
        let dir = Path::new(&manifest_dir).join("assets").join(folder);
        let code = embed(&dir);
        fs::write(Path::new(&out_dir).join(output), code).expect("OUT_DIR is writable");
    }
}

/// A Rust slice of `(file name, include_str!(path))` for every `*.ron` file of `dir`,
/// ordered by name.
fn embed(dir: &Path) -> String {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("the assets folders are part of the source tree")
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| {
            Path::new(name)
                .extension()
                .is_some_and(|extension| extension.eq_ignore_ascii_case("ron"))
        })
        .collect();
    names.sort();

    let mut code = String::from("&[\n");
    for name in &names {
        let path = dir.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            path.display().to_string()
        )
        .expect("writing to a String cannot fail");
    }
    code.push(']');
    code
}
