//! Builds the app's command wiring from `commands.list`, the one place the window's commands are named:
//! the handler and the list of names (`$OUT_DIR/commands.rs`, included by `src/commands/mod.rs`), the app
//! manifest (an `allow-<command>` permission per command), and a check that the window's capability
//! (`capabilities/main-window.json`) grants exactly those commands.

use std::collections::BTreeSet;
use std::path::Path;

/// The capability that gives the main window its commands.
const CAPABILITY: &str = "capabilities/main-window.json";

fn main() {
    println!("cargo:rerun-if-changed=commands.list");
    println!("cargo:rerun-if-changed={CAPABILITY}");
    startup_layout();
    let list = std::fs::read_to_string("commands.list").expect("read commands.list");
    let paths = command_paths(&list);
    let names: Vec<&'static str> =
        paths.iter().map(|p| -> &'static str { p.rsplit("::").next().unwrap_or(p).to_owned().leak() }).collect();

    write_handler(&paths, &names);
    check_capability(&names);
    remove_stale_permissions(&names);

    // Each command gets `allow-<command>`/`deny-<command>` permissions, which a capability must grant.
    let manifest = tauri_build::AppManifest::new().commands(Box::leak(names.into_boxed_slice()));
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json").app_manifest(manifest))
        .expect("failed to run tauri-build");
}

/// Release builds for x86-64 Linux linked by rust-lld put the code and data the app uses while starting next to
/// each other, in the order of `startup-order.txt` (made by `scripts/startup-order.sh`): the kernel maps a
/// binary's pages around each one used, so start-up code spread over the whole binary made nearly all of it
/// resident (docs/performance.md). Names the file lists that a build no longer has are skipped, so a stale file
/// costs memory, never a failed build. Other linkers do not take the option: builds with them (an older or a
/// distribution's rustc, or `CALLBACK_DESK_STARTUP_LAYOUT=off` with a linker of one's own) are linked as before.
/// `CALLBACK_DESK_LINK_MAP=path` also writes the linker's map there (where each symbol was put), which the
/// script reads.
fn startup_layout() {
    const ORDER: &str = "startup-order.txt";
    println!("cargo:rerun-if-changed={ORDER}");
    println!("cargo:rerun-if-env-changed=CALLBACK_DESK_LINK_MAP");
    println!("cargo:rerun-if-env-changed=CALLBACK_DESK_STARTUP_LAYOUT");
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    let wanted = var("PROFILE") == "release"
        && var("CALLBACK_DESK_STARTUP_LAYOUT") != "off"
        && var("CARGO_CFG_TARGET_OS") == "linux"
        && var("CARGO_CFG_TARGET_ARCH") == "x86_64"
        && var("CARGO_CFG_TARGET_ENV") == "gnu";
    if !wanted || !rustc_links_with_rust_lld(&var("RUSTC")) {
        return;
    }
    let order = Path::new(&var("CARGO_MANIFEST_DIR")).join(ORDER);
    if order.exists() {
        println!("cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}", order.display());
        println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
    }
    if let Ok(map) = std::env::var("CALLBACK_DESK_LINK_MAP") {
        // Symbols as the ordering file names them (the map demangles them otherwise).
        println!("cargo:rustc-link-arg-bins=-Wl,-Map={map},--no-demangle");
    }
}

/// Rust 1.90 and later link x86-64 Linux with the rust-lld of their own sysroot (its `gcc-ld` folder), where the
/// toolchain ships it (rustup's do).
fn rustc_links_with_rust_lld(rustc: &str) -> bool {
    let rustc = if rustc.is_empty() { "rustc" } else { rustc };
    let output = |arg: &str| {
        std::process::Command::new(rustc)
            .arg(arg)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    // "rustc 1.95.0 (59807616e 2026-04-14)" -> (1, 95)
    let version = output("--version");
    let mut numbers = version.split_whitespace().nth(1).unwrap_or("").split('.').map(|n| n.parse::<u32>().unwrap_or(0));
    let major_minor = (numbers.next().unwrap_or(0), numbers.next().unwrap_or(0));
    let sysroot = output("--print=sysroot");
    major_minor >= (1, 90)
        && Path::new(&sysroot).join("lib/rustlib/x86_64-unknown-linux-gnu/bin/gcc-ld/ld.lld").exists()
}

/// `module::function` per line; blank lines and `#` comments skipped.
fn command_paths(list: &str) -> Vec<String> {
    let paths: Vec<String> =
        list.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_owned).collect();
    for p in &paths {
        let ok = p.split("::").count() == 2
            && p.split("::").all(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_'));
        assert!(ok, "commands.list: `{p}` is not `module::function`");
    }
    let unique: BTreeSet<&str> = paths.iter().map(|p| p.rsplit("::").next().unwrap_or(p)).collect();
    assert_eq!(unique.len(), paths.len(), "commands.list names a command twice");
    paths
}

fn write_handler(paths: &[String], names: &[&str]) {
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("commands.rs");
    let code = format!(
        "// Generated by build.rs from commands.list.\n\n\
         /// Every command the window may call, in the order of commands.list.\n\
         #[cfg_attr(not(test), allow(dead_code))]\n\
         pub const NAMES: &[&str] = &[{names}];\n\n\
         /// Tauri's invoke handler for the commands of commands.list.\n\
         pub fn handler<R: tauri::Runtime>() -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {{\n    \
         tauri::generate_handler![{paths}]\n}}\n",
        names = names.iter().map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", "),
        paths = paths.join(", "),
    );
    std::fs::write(out, code).expect("write commands.rs");
}

/// The capability's app permissions (those without a `plugin:` prefix) must be exactly `allow-<command>`
/// for each listed command: a command is neither forgotten nor granted without being declared.
fn check_capability(names: &[&str]) {
    let text = std::fs::read_to_string(CAPABILITY).expect("read the main window's capability");
    let capability: serde_json::Value = serde_json::from_str(&text).expect("capability JSON");
    let granted: BTreeSet<String> = capability["permissions"]
        .as_array()
        .expect("capability permissions")
        .iter()
        .filter_map(|p| p.as_str().or_else(|| p["identifier"].as_str()))
        .filter(|p| !p.contains(':'))
        .map(str::to_owned)
        .collect();
    let wanted: BTreeSet<String> = names.iter().map(|n| format!("allow-{}", n.replace('_', "-"))).collect();
    let missing: Vec<_> = wanted.difference(&granted).collect();
    let extra: Vec<_> = granted.difference(&wanted).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{CAPABILITY} must grant exactly the commands of commands.list: missing {missing:?}, not declared {extra:?}"
    );
}

/// tauri-build writes `permissions/autogenerated/<command>.toml` for each command but never deletes one:
/// a command removed from the list must lose its permissions too.
fn remove_stale_permissions(names: &[&str]) {
    let Ok(dir) = std::fs::read_dir("permissions/autogenerated") else { return };
    for entry in dir.flatten() {
        let path = entry.path();
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_owned();
        if path.extension().is_some_and(|e| e == "toml") && !names.contains(&stem.as_str()) {
            let _ = std::fs::remove_file(&path);
        }
    }
}
