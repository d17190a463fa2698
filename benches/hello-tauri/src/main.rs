//! Hello-world Tauri app: one window, one page, one command that reports when the page is painted.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

struct Started(Instant, AtomicBool);

#[tauri::command]
fn ui_ready(started: tauri::State<'_, Started>) {
    if !started.1.swap(true, Ordering::SeqCst) {
        eprintln!("window interactive since_start_ms={}", started.0.elapsed().as_millis());
    }
}

fn main() {
    tauri::Builder::default()
        .manage(Started(Instant::now(), AtomicBool::new(false)))
        .invoke_handler(tauri::generate_handler![ui_ready])
        .run(tauri::generate_context!())
        .expect("error while running the hello-world app");
}
