//! The main window, created in code (not from `tauri.conf.json` alone) so its webview gets a navigation
//! guard: it may only show the app's own bundled pages. A script that got into the webview cannot carry
//! history or account data off by navigating the window to another site (the CSP does not govern
//! top-level navigation), and cannot open other windows. On Linux it also gets the script naming the
//! desktop's interface font (desktop_font.rs).

use tauri::webview::NewWindowResponse;
use tauri::Url;

/// The label of the main window; the `main-window` capability in tauri.conf.json is granted to it.
pub const MAIN: &str = "main";

/// True for the origin Tauri serves the embedded UI from: `tauri://localhost` (Linux, macOS) or
/// `http(s)://tauri.localhost` (Windows). No development server is configured, so nothing else is the
/// app.
pub fn is_app_url(url: &Url) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost") && url.port().is_none(),
        "http" | "https" => url.host_str() == Some("tauri.localhost") && url.port().is_none(),
        _ => false,
    }
}

/// Creates the main window from its entry in tauri.conf.json (`"create": false` there, so Tauri does not
/// create it first), with the navigation guard, new windows refused and the desktop font's script. Refused
/// attempts are logged with their scheme and host only (the rest of the URL may carry the data being leaked).
pub fn create_main(app: &tauri::App) -> Result<(), Box<dyn std::error::Error>> {
    let config = app
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN)
        .cloned()
        .ok_or("the window `main` is missing from tauri.conf.json")?;
    let mut builder = tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?;
    if let Some(script) = crate::desktop_font::page_script() {
        builder = builder.initialization_script(script);
    }
    builder
        .on_navigation(|url| {
            let allowed = is_app_url(url);
            if !allowed {
                tracing::warn!(scheme = url.scheme(), host = url.host_str().unwrap_or(""), "navigation refused");
            }
            allowed
        })
        .on_new_window(|url, _| {
            tracing::warn!(scheme = url.scheme(), host = url.host_str().unwrap_or(""), "new window refused");
            NewWindowResponse::Deny
        })
        .build()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_bundled_app_is_the_app() {
        for ok in [
            "tauri://localhost",
            "tauri://localhost/index.html",
            "http://tauri.localhost/",
            "https://tauri.localhost/x",
        ] {
            assert!(is_app_url(&Url::parse(ok).unwrap()), "{ok}");
        }
        for no in [
            "https://example.com/",
            "http://127.0.0.1:8080/leak?x=1",
            "http://localhost/",
            "tauri://localhost.example.com/",
            "tauri://evil/",
            "http://tauri.localhost:8080/",
            "https://tauri.localhost.example.com/",
            "file:///etc/passwd",
            "data:text/html,hi",
            "about:blank",
            "javascript:alert(1)",
        ] {
            assert!(!is_app_url(&Url::parse(no).unwrap()), "{no}");
        }
    }
}
