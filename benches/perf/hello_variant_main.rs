//! The hello-world app with its page read at run time from the folder named by VARIANT_DIR (benches/perf/variants.py).

use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;
use tauri::utils::assets::{AssetKey, AssetsIter, CspHash};

struct Started(Instant, AtomicBool);

#[tauri::command]
fn ui_ready(started: tauri::State<'_, Started>, painted: Option<f64>) {
    if !started.1.swap(true, Ordering::SeqCst) {
        let since_start_ms = started.0.elapsed().as_millis();
        let page = painted.map(|p| format!(" page_began_ms={} painted_ms={}", since_start_ms as f64 - p.round(), p.round()));
        eprintln!("window interactive since_start_ms={since_start_ms}{}", page.unwrap_or_default());
    }
}

struct Dir(std::path::PathBuf);
impl<R: tauri::Runtime> tauri::Assets<R> for Dir {
    fn get(&self, key: &AssetKey) -> Option<Cow<'_, [u8]>> {
        std::fs::read(self.0.join(key.as_ref().trim_start_matches('/'))).ok().map(Cow::Owned)
    }
    fn iter(&self) -> Box<AssetsIter<'_>> { Box::new(std::iter::empty()) }
    fn csp_hashes(&self, _: &AssetKey) -> Box<dyn Iterator<Item = CspHash<'_>> + '_> { Box::new(std::iter::empty()) }
}

fn main() {
    let started = Started(Instant::now(), AtomicBool::new(false));
    let mut ctx = tauri::generate_context!();
    ctx.set_assets(Box::new(Dir(std::env::var("VARIANT_DIR").expect("VARIANT_DIR").into())));
    tauri::Builder::default()
        .manage(started)
        .invoke_handler(tauri::generate_handler![ui_ready])
        .run(ctx)
        .expect("error while running");
}
