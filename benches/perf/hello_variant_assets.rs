
// Added by benches/perf/variants.py to a copy of the hello-world app: the page is read at run time from the
// folder named by VARIANT_DIR instead of being embedded, so one build serves many page variants.

struct VariantDir(std::path::PathBuf);

impl<R: tauri::Runtime> tauri::Assets<R> for VariantDir {
    fn get(&self, key: &tauri::utils::assets::AssetKey) -> Option<std::borrow::Cow<'_, [u8]>> {
        std::fs::read(self.0.join(key.as_ref().trim_start_matches('/'))).ok().map(std::borrow::Cow::Owned)
    }

    fn iter(&self) -> Box<tauri::utils::assets::AssetsIter<'_>> {
        Box::new(std::iter::empty())
    }

    fn csp_hashes(
        &self,
        _: &tauri::utils::assets::AssetKey,
    ) -> Box<dyn Iterator<Item = tauri::utils::assets::CspHash<'_>> + '_> {
        Box::new(std::iter::empty())
    }
}

fn variant_context(mut context: tauri::Context) -> tauri::Context {
    context.set_assets(Box::new(VariantDir(std::env::var("VARIANT_DIR").expect("VARIANT_DIR").into())));
    context
}
