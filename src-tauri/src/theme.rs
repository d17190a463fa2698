//! The window's colour theme: the user's choice in Settings (System, Light, Dark) and, for System, the
//! desktop's own setting. WebKitGTK does not report `prefers-color-scheme`, so on Linux the shell reads the
//! freedesktop portal's `org.freedesktop.appearance color-scheme` over D-Bus (and follows its
//! `SettingChanged` signal), else GNOME's `org.gnome.desktop.interface color-scheme` through `gsettings`
//! (and follows dconf's change signal for that key); on macOS and Windows it takes the window's theme. The effective theme goes to the window as the
//! `theme-changed` event and the `current_theme` command.

use serde::{Deserialize, Serialize};
use std::sync::Mutex;
use std::time::Duration;
use tauri::{Emitter, Manager};
use tokio::sync::watch;
use ts_rs::TS;

/// The event carrying the effective theme ([`Appearance`]) whenever it changes.
pub const THEME_EVENT: &str = "theme-changed";

/// How long `current_theme` waits for the desktop's setting at start-up before answering without it.
const FIRST_READING_WAIT: Duration = Duration::from_millis(500);

/// What the user chose in Settings; `System` (the default) follows the desktop.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub enum ThemeChoice {
    #[default]
    System,
    Light,
    Dark,
}

impl ThemeChoice {
    pub fn as_str(self) -> &'static str {
        match self {
            ThemeChoice::System => "system",
            ThemeChoice::Light => "light",
            ThemeChoice::Dark => "dark",
        }
    }

    pub fn parse(s: &str) -> Option<ThemeChoice> {
        match s {
            "system" => Some(ThemeChoice::System),
            "light" => Some(ThemeChoice::Light),
            "dark" => Some(ThemeChoice::Dark),
            _ => None,
        }
    }
}

/// The theme the window is drawn in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub enum Appearance {
    Light,
    Dark,
}

/// The theme for a choice, given what the desktop prefers (`None`: it says nothing, or was not read).
pub fn effective(choice: ThemeChoice, desktop: Option<Appearance>) -> Appearance {
    match choice {
        ThemeChoice::Light => Appearance::Light,
        ThemeChoice::Dark => Appearance::Dark,
        ThemeChoice::System => desktop.unwrap_or(Appearance::Light),
    }
}

/// The portal's `color-scheme`: 0 no preference (light), 1 prefer dark, 2 prefer light; other values are
/// not known and say nothing.
pub fn from_portal(value: u64) -> Option<Appearance> {
    match value {
        1 => Some(Appearance::Dark),
        0 | 2 => Some(Appearance::Light),
        _ => None,
    }
}

/// What `gsettings get org.gnome.desktop.interface color-scheme` prints: `'prefer-dark'`,
/// `'prefer-light'` or `'default'` (GNOME 42 and later; older GNOME has no such key and prints an error).
pub fn from_gsettings(output: &str) -> Option<Appearance> {
    match output.trim().trim_matches('\'') {
        "prefer-dark" => Some(Appearance::Dark),
        "prefer-light" | "default" => Some(Appearance::Light),
        _ => None,
    }
}

/// GNOME's colour-scheme key as dconf names it.
pub const GNOME_COLOR_SCHEME_PATH: &str = "/org/gnome/desktop/interface/color-scheme";

/// Whether dconf's change notice (`prefix` and the paths under it that changed; `""` is the prefix itself, a
/// path ending in `/` a whole folder) touches GNOME's colour-scheme key.
pub fn dconf_touches_color_scheme(prefix: &str, changes: &[String]) -> bool {
    changes.iter().any(|c| {
        let path = format!("{prefix}{c}");
        path == GNOME_COLOR_SCHEME_PATH || (path.ends_with('/') && GNOME_COLOR_SCHEME_PATH.starts_with(&path))
    })
}

/// What the desktop prefers, as last read; `None` inside the channel until the first reading is done.
pub struct ThemeState {
    desktop: watch::Sender<Option<Option<Appearance>>>,
    /// The theme last sent to the window, so an unchanged one is not sent again.
    sent: Mutex<Option<Appearance>>,
}

impl Default for ThemeState {
    fn default() -> Self {
        ThemeState { desktop: watch::channel(None).0, sent: Mutex::new(None) }
    }
}

impl ThemeState {
    /// What the desktop prefers, waiting a little for the first reading.
    pub async fn desktop(&self) -> Option<Appearance> {
        let mut rx = self.desktop.subscribe();
        let read = tokio::time::timeout(FIRST_READING_WAIT, rx.wait_for(|v| v.is_some())).await;
        match read {
            Ok(Ok(v)) => v.flatten(),
            _ => None,
        }
    }
}

/// The saved choice (System when none was saved).
pub fn saved_choice<R: tauri::Runtime>(app: &tauri::AppHandle<R>) -> ThemeChoice {
    use tauri_plugin_store::StoreExt;
    app.store(callback_desk::paths::settings_file())
        .ok()
        .and_then(|s| s.get("theme"))
        .and_then(|v| v.as_str().and_then(ThemeChoice::parse))
        .unwrap_or_default()
}

/// The theme the window should be drawn in now.
pub async fn current<R: tauri::Runtime>(app: &tauri::AppHandle<R>) -> Appearance {
    let desktop = app.state::<crate::state::AppState>().theme.desktop().await;
    effective(saved_choice(app), desktop)
}

/// Records what the desktop prefers now and tells the window when its theme changes.
pub fn desktop_changed<R: tauri::Runtime>(app: &tauri::AppHandle<R>, desktop: Option<Appearance>) {
    let state = app.state::<crate::state::AppState>();
    state.theme.desktop.send_replace(Some(desktop));
    publish(app, effective(saved_choice(app), desktop));
}

/// Tells the window its theme after the choice changed.
pub fn choice_changed<R: tauri::Runtime>(app: &tauri::AppHandle<R>, choice: ThemeChoice) {
    let desktop = app.state::<crate::state::AppState>().theme.desktop.borrow().flatten();
    publish(app, effective(choice, desktop));
}

fn publish<R: tauri::Runtime>(app: &tauri::AppHandle<R>, theme: Appearance) {
    let state = app.state::<crate::state::AppState>();
    let mut sent = state.theme.sent.lock().unwrap_or_else(|e| e.into_inner());
    if *sent == Some(theme) {
        return;
    }
    *sent = Some(theme);
    tracing::info!(?theme, "window theme");
    // On Linux GTK's own widgets (the window frame, menus of native controls) follow too.
    #[cfg(target_os = "linux")]
    if let Some(window) = app.get_webview_window(crate::window::MAIN) {
        let _ = window.set_theme(Some(match theme {
            Appearance::Light => tauri::Theme::Light,
            Appearance::Dark => tauri::Theme::Dark,
        }));
    }
    let _ = app.emit(THEME_EVENT, theme);
}

/// The window's theme as the operating system reports it (macOS, Windows).
pub fn from_window_theme(theme: tauri::Theme) -> Option<Appearance> {
    match theme {
        tauri::Theme::Dark => Some(Appearance::Dark),
        tauri::Theme::Light => Some(Appearance::Light),
        _ => None,
    }
}

/// Starts following the desktop's setting: on Linux a thread reads the portal (else gsettings) and then
/// waits for the portal's change signal (or dconf's, without a portal); elsewhere the main window's theme is read now and its
/// `ThemeChanged` events are handled in `main`.
pub fn follow_desktop<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    #[cfg(target_os = "linux")]
    {
        let handle = app.clone();
        let spawned = std::thread::Builder::new().name("desktop-theme".into()).spawn(move || {
            linux::follow(move |desktop| desktop_changed(&handle, desktop));
        });
        if spawned.is_err() {
            desktop_changed(app, None);
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let desktop =
            app.get_webview_window(crate::window::MAIN).and_then(|w| w.theme().ok()).and_then(from_window_theme);
        desktop_changed(app, desktop);
    }
}

#[cfg(target_os = "linux")]
mod linux {
    //! The desktop's colour scheme on Linux, over the session bus (libdbus, which GTK and the keyring
    //! already load).
    use super::{dconf_touches_color_scheme, from_gsettings, from_portal, Appearance};
    use dbus::arg::{RefArg, Variant};
    use dbus::blocking::Connection;
    use dbus::message::MatchRule;
    use std::sync::Arc;
    use std::time::Duration;

    const PORTAL: &str = "org.freedesktop.portal.Desktop";
    const PORTAL_PATH: &str = "/org/freedesktop/portal/desktop";
    const SETTINGS: &str = "org.freedesktop.portal.Settings";
    const NAMESPACE: &str = "org.freedesktop.appearance";
    const KEY: &str = "color-scheme";
    /// dconf's writer announces every change of a setting with this signal.
    const DCONF_WRITER: &str = "ca.desrt.dconf.Writer";

    /// The number inside a portal answer: `ReadOne` answers `v` holding a `u`; the older `Read` wraps it in
    /// a second variant.
    pub fn portal_number(arg: &dyn RefArg) -> Option<u64> {
        if let Some(n) = arg.as_u64() {
            return Some(n);
        }
        let mut inner = arg.as_iter()?;
        portal_number(inner.next()?)
    }

    fn read_portal(conn: &Connection) -> Option<Appearance> {
        let proxy = conn.with_proxy(PORTAL, PORTAL_PATH, Duration::from_secs(2));
        let answer: Result<(Variant<Box<dyn RefArg>>,), _> = proxy.method_call(SETTINGS, "ReadOne", (NAMESPACE, KEY));
        let (value,) = match answer {
            Ok(v) => v,
            Err(_) => proxy.method_call(SETTINGS, "Read", (NAMESPACE, KEY)).ok()?,
        };
        from_portal(portal_number(&value.0)?)
    }

    fn read_gsettings() -> Option<Appearance> {
        let out = std::process::Command::new("gsettings")
            .args(["get", "org.gnome.desktop.interface", "color-scheme"])
            .stderr(std::process::Stdio::null())
            .output()
            .ok()?;
        if !out.status.success() {
            return None;
        }
        from_gsettings(&String::from_utf8_lossy(&out.stdout))
    }

    /// Reads the setting once, then calls `changed` at each change the portal signals, or (without a
    /// portal) at each change of GNOME's key that dconf signals (runs until the session bus goes away).
    pub fn follow(changed: impl Fn(Option<Appearance>) + Send + Sync + 'static) {
        let conn = Connection::new_session().ok();
        let portal_reading = conn.as_ref().and_then(read_portal);
        let portal = portal_reading.is_some();
        let first = portal_reading.or_else(read_gsettings);
        tracing::info!(desktop = ?first, portal, "desktop colour scheme");
        changed(first);
        let Some(conn) = conn else { return };
        let changed = Arc::new(changed);
        if !portal {
            let on_dconf = changed.clone();
            let added = conn.add_match(MatchRule::new_signal(DCONF_WRITER, "Notify"), move |(): (), _, msg| {
                if let (Some(prefix), Some(changes)) = msg.get2::<String, Vec<String>>() {
                    if dconf_touches_color_scheme(&prefix, &changes) {
                        on_dconf(read_gsettings());
                    }
                }
                true
            });
            if added.is_err() {
                tracing::warn!("cannot follow dconf's changes of the colour scheme");
            }
        }
        let rule = MatchRule::new_signal(SETTINGS, "SettingChanged");
        let on_signal = changed.clone();
        let added = conn.add_match(rule, move |(): (), _, msg| {
            if let (Some(namespace), Some(key), Some(value)) = msg.get3::<String, String, Variant<Box<dyn RefArg>>>() {
                if namespace == NAMESPACE && key == KEY {
                    if let Some(theme) = portal_number(&value.0).and_then(from_portal) {
                        on_signal(Some(theme));
                    }
                }
            }
            true
        });
        if added.is_err() {
            return;
        }
        while conn.process(Duration::from_secs(3600)).is_ok() {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_portal_answer_gives_the_theme() {
        assert_eq!(from_portal(1), Some(Appearance::Dark));
        assert_eq!(from_portal(2), Some(Appearance::Light));
        assert_eq!(from_portal(0), Some(Appearance::Light));
        assert_eq!(from_portal(7), None);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_portal_number_is_found_inside_one_or_two_variants() {
        use dbus::arg::{RefArg, Variant};
        let read_one: Variant<Box<dyn RefArg>> = Variant(Box::new(1u32));
        assert_eq!(linux::portal_number(&read_one.0), Some(1));
        let read: Variant<Box<dyn RefArg>> = Variant(Box::new(Variant(2u32)));
        assert_eq!(linux::portal_number(&read.0), Some(2));
        let text: Variant<Box<dyn RefArg>> = Variant(Box::new("dark".to_string()));
        assert_eq!(linux::portal_number(&text.0), None);
    }

    #[test]
    fn the_gsettings_answer_gives_the_theme() {
        assert_eq!(from_gsettings("'prefer-dark'\n"), Some(Appearance::Dark));
        assert_eq!(from_gsettings("'prefer-light'\n"), Some(Appearance::Light));
        assert_eq!(from_gsettings("'default'\n"), Some(Appearance::Light));
        assert_eq!(from_gsettings("No such key “color-scheme”\n"), None);
        assert_eq!(from_gsettings(""), None);
    }

    #[test]
    fn a_dconf_notice_of_the_colour_scheme_key_or_its_folder_is_followed() {
        let c = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(dconf_touches_color_scheme("/org/gnome/desktop/interface/color-scheme", &c(&[""])));
        assert!(dconf_touches_color_scheme("/org/gnome/desktop/interface/", &c(&["gtk-theme", "color-scheme"])));
        assert!(dconf_touches_color_scheme("/org/gnome/", &c(&["desktop/"])));
        assert!(!dconf_touches_color_scheme("/org/gnome/desktop/interface/", &c(&["gtk-theme"])));
        assert!(!dconf_touches_color_scheme("/org/gnome/desktop/interface/color-scheme-extra", &c(&[""])));
    }

    #[test]
    fn the_choice_wins_over_the_desktop_unless_it_is_system() {
        use Appearance::*;
        assert_eq!(effective(ThemeChoice::System, Some(Dark)), Dark);
        assert_eq!(effective(ThemeChoice::System, None), Light);
        assert_eq!(effective(ThemeChoice::Light, Some(Dark)), Light);
        assert_eq!(effective(ThemeChoice::Dark, Some(Light)), Dark);
        for c in [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark] {
            assert_eq!(ThemeChoice::parse(c.as_str()), Some(c));
        }
    }
}
