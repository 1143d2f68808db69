//! Exports never land on the app's own files: not inside the data or configuration
//! folder (however the path gets there), never over a link, folder, pipe or device,
//! and over an earlier export only when asked. Folders and files they make are the
//! owner's alone.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly on anything unexpected"
)]

mod common;

use std::path::{Path, PathBuf};

use common::{regen, stderr, stdout};
use regen_planner::store::{AppDirs, ExportGuard, Replace, StoreError, write_export};

struct Desk {
    dir: tempfile::TempDir,
    dirs: AppDirs,
    plan: String,
}

impl Desk {
    /// A data folder with one saved plan, a configuration folder with settings and a
    /// protocol file, and the index written.
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().canonicalize().unwrap();
        let dirs = AppDirs {
            data: base.join("data"),
            config: base.join("config"),
        };
        std::fs::create_dir_all(dirs.config.join("protocols")).unwrap();
        std::fs::write(
            dirs.config.join("settings.ron"),
            "(format_version: 1, physician_name: \"Dr. Vega\")",
        )
        .unwrap();
        std::fs::write(
            dirs.config.join("protocols/clinic.ron"),
            "// the clinic's own\n",
        )
        .unwrap();
        let mut args = vec!["plan"];
        args.extend_from_slice(common::STRETCH_MARKS);
        args.extend_from_slice(&["--save", "--patient-name", "Ana Souza"]);
        let output = regen(&dirs.data, &dirs.config, &args);
        assert!(output.status.success(), "{}", stderr(&output));
        let plan = stdout(&output).trim().to_owned();
        let listed = regen(&dirs.data, &dirs.config, &["plans", "list"]);
        assert!(listed.status.success());
        Desk { dir, dirs, plan }
    }

    fn plan_dir(&self) -> PathBuf {
        self.dirs.data.join("plans").join(&self.plan)
    }

    fn everything(&self) -> std::collections::BTreeMap<String, Vec<u8>> {
        let mut files = common::snapshot(&self.dirs.data);
        files.retain(|name, _| !name.starts_with("tmp"));
        files.extend(common::snapshot(&self.dirs.config));
        files
    }

    fn export(&self, args: &[&str]) -> std::process::Output {
        let mut all = vec!["export", self.plan.as_str()];
        all.extend_from_slice(args);
        regen(&self.dirs.data, &self.dirs.config, &all)
    }
}

/// The one error line of a failed command.
fn one_sentence(output: &std::process::Output) -> String {
    assert!(
        !output.status.success(),
        "expected a failure: {}",
        stdout(output)
    );
    let text = stderr(output);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 1, "one sentence on stderr, got:\n{text}");
    lines[0].to_owned()
}

#[test]
fn no_path_into_the_app_folders_is_written() {
    let desk = Desk::new();
    let before = desk.everything();
    let guard = ExportGuard::new(&desk.dirs);
    let plan = desk.plan_dir();
    let outside = desk.dir.path().canonicalize().unwrap().join("outside");
    std::fs::create_dir_all(&outside).unwrap();
    let mut inside: Vec<PathBuf> = vec![
        plan.join("revision-000001.ron"),
        plan.join("head.ron"),
        plan.join("revision-000002.ron"),
        desk.dirs.data.join("index.json"),
        desk.dirs.data.join("new-folder/handout.pdf"),
        desk.dirs.config.join("settings.ron"),
        desk.dirs.config.join("protocols/clinic.ron"),
        outside
            .join("../data/plans")
            .join(&desk.plan)
            .join("revision-000001.ron"),
        outside.join("not-yet/../../data/index.json"),
    ];
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(&desk.dirs.data, outside.join("shortcut")).unwrap();
        inside.push(
            outside
                .join("shortcut/plans")
                .join(&desk.plan)
                .join("head.ron"),
        );
    }
    for path in &inside {
        for replace in [Replace::Never, Replace::Existing] {
            let error = guard.check(path, replace).unwrap_err();
            assert!(
                matches!(error, StoreError::ExportInsideAppFolder { .. }),
                "{}: {error:?}",
                path.display()
            );
            let message = error.to_string();
            assert!(message.contains("nothing was written"), "{message}");
        }
    }
    assert_eq!(
        before,
        desk.everything(),
        "a refused export changed the app's files"
    );

    // The command line says so in one sentence, whichever export it is.
    for flag in ["--json", "--handout", "--consent", "--calendar", "--fhir"] {
        let target = plan.join("revision-000001.ron");
        let output = desk.export(&[flag, target.to_str().unwrap(), "--force"]);
        let sentence = one_sentence(&output);
        assert!(
            sentence.contains("lies inside the app's data folder"),
            "{flag}: {sentence}"
        );
    }
    let settings = desk.dirs.config.join("settings.ron");
    let sentence = one_sentence(&desk.export(&["--json", settings.to_str().unwrap(), "--force"]));
    assert!(sentence.contains("configuration folder"), "{sentence}");
    assert_eq!(before, desk.everything());
}

#[cfg(unix)]
#[test]
fn only_a_file_is_ever_replaced() {
    let desk = Desk::new();
    let guard = ExportGuard::new(&desk.dirs);
    let place = desk.dir.path().join("exports");
    std::fs::create_dir_all(place.join("a-folder")).unwrap();
    let secret = desk.dir.path().join("secret.txt");
    std::fs::write(&secret, "keep me").unwrap();
    std::os::unix::fs::symlink(&secret, place.join("link.json")).unwrap();
    let fifo = place.join("pipe.json");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for (path, what) in [
        (PathBuf::from("/dev/null"), "a device"),
        (place.join("link.json"), "a symbolic link"),
        (fifo.clone(), "a named pipe"),
        (place.join("a-folder"), "a folder"),
        (place.join("a-folder/.."), "a folder"),
    ] {
        let error = guard.check(&path, Replace::Existing).unwrap_err();
        assert!(
            matches!(&error, StoreError::ExportNotAFile { what: found, .. } if found.starts_with(what)),
            "{}: {error:?}",
            path.display()
        );
    }
    assert_eq!(std::fs::read_to_string(&secret).unwrap(), "keep me");
    {
        use std::os::unix::fs::FileTypeExt as _;
        assert!(
            std::fs::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
    }

    let sentence = one_sentence(&desk.export(&["--json", "/dev/null", "--force"]));
    assert!(sentence.contains("/dev/null: it is a device"), "{sentence}");
}

#[test]
fn an_earlier_export_is_replaced_only_when_asked() {
    let desk = Desk::new();
    let guard = ExportGuard::new(&desk.dirs);
    let out = desk.dir.path().join("exports").join("plan.json");
    let target = guard.check(&out, Replace::Never).unwrap();
    assert!(!target.exists);
    write_export(&target, b"first").unwrap();
    let error = guard.check(&out, Replace::Never).unwrap_err();
    assert!(
        matches!(error, StoreError::ExportExists { .. }),
        "{error:?}"
    );
    // A target checked while free, then taken: still not replaced.
    let other = desk.dir.path().join("exports").join("other.json");
    let late = guard.check(&other, Replace::Never).unwrap();
    std::fs::write(&other, "someone else's").unwrap();
    assert!(matches!(
        write_export(&late, b"mine").unwrap_err(),
        StoreError::ExportExists { .. }
    ));
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "someone else's");
    let target = guard.check(&out, Replace::Existing).unwrap();
    assert!(target.exists);
    write_export(&target, b"second").unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), b"second");

    // The command line: refused without --force, and nothing at all is written then.
    let json = desk.dir.path().join("cli").join("plan.json");
    let ics = desk.dir.path().join("cli").join("plan.ics");
    let output = desk.export(&["--json", json.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let first = std::fs::read(&json).unwrap();
    std::fs::write(&json, "kept").unwrap();
    let sentence = one_sentence(&desk.export(&[
        "--calendar",
        ics.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
    ]));
    assert!(
        sentence.contains("plan.json already exists; add --force to replace it"),
        "{sentence}"
    );
    assert_eq!(std::fs::read_to_string(&json).unwrap(), "kept");
    assert!(
        !ics.exists(),
        "an export was written although another was refused"
    );
    let output = desk.export(&["--json", json.to_str().unwrap(), "--force"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(std::fs::read(&json).unwrap(), first);
    let twice = one_sentence(&desk.export(&[
        "--json",
        json.to_str().unwrap(),
        "--fhir",
        json.to_str().unwrap(),
        "--force",
    ]));
    assert!(twice.contains("is named for two exports"), "{twice}");
}

#[cfg(unix)]
#[test]
fn export_folders_and_files_are_the_owners_alone_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt as _;
    let desk = Desk::new();
    let folder = desk.dir.path().join("made/by/export");
    let out = folder.join("plan.ics");
    let script = format!(
        "umask 000; exec \"$0\" export {} --calendar \"$1\"",
        desk.plan
    );
    let output = std::process::Command::new("sh")
        .args(["-c", &script, env!("CARGO_BIN_EXE_regen-planner")])
        .arg(&out)
        .env("REGEN_PLANNER_DATA_DIR", &desk.dirs.data)
        .env("REGEN_PLANNER_CONFIG_DIR", &desk.dirs.config)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    for made in [
        desk.dir.path().join("made"),
        desk.dir.path().join("made/by"),
        folder,
    ] {
        assert_eq!(mode(&made), 0o700, "{}", made.display());
    }
    assert_eq!(mode(&out), 0o600);
}

#[test]
fn a_screenshot_is_never_written_into_the_data_folder() {
    let desk = Desk::new();
    let before = desk.everything();
    let target = desk.plan_dir().join("revision-000001.ron");
    let output = regen(
        &desk.dirs.data,
        &desk.dirs.config,
        &["--screenshot", target.to_str().unwrap()],
    );
    let sentence = one_sentence(&output);
    assert!(
        sentence.contains("inside the app's data folder"),
        "{sentence}"
    );
    assert_eq!(before, desk.everything());
}
