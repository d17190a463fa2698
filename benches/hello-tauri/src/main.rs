//! Hello-world Tauri app: one window, one page, one command that reports when the page is painted.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

struct Started(Instant, AtomicBool);

#[tauri::command]
fn ui_ready(started: tauri::State<'_, Started>, painted: Option<f64>) {
    if !started.1.swap(true, Ordering::SeqCst) {
        let since_start_ms = started.0.elapsed().as_millis();
        // `painted` is the page's own clock (ms since it began loading): what came before it is the
        // process and the web view starting.
        let page = painted.map(|p| format!(" page_began_ms={} painted_ms={}", since_start_ms as f64 - p.round(), p.round()));
        eprintln!("window interactive since_start_ms={since_start_ms}{}", page.unwrap_or_default());
    }
}

fn main() {
    tauri::Builder::default()
        .manage(Started(Instant::now(), AtomicBool::new(false)))
        .invoke_handler(tauri::generate_handler![ui_ready])
        .run(tauri::generate_context!())
        .expect("error while running the hello-world app");
}
