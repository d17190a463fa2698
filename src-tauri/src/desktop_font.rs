//! The desktop's interface font, named to the window's page before its first layout.
//!
//! styles.css draws text in `var(--desktop-font, system-ui), sans-serif`. CSS's `system-ui` is the desktop's
//! own interface font everywhere, but WebKitGTK looks it up again for each text style of a page, which cost
//! about 20 ms of the first screen's layout on Linux (docs/performance.md). There the shell reads the family
//! GTK draws its own interface in (`gtk-font-name`) and sets `--desktop-font` from a script that runs as each
//! page begins, so the page names the family itself. Elsewhere nothing is set and `system-ui` stays.

/// The script that names the desktop's interface font to the page, if the desktop says which it is.
#[cfg(target_os = "linux")]
pub fn page_script() -> Option<String> {
    use gtk::prelude::*;
    let name = gtk::Settings::default()?.gtk_font_name()?;
    let family = gtk::pango::FontDescription::from_string(&name).family()?;
    let css = css_family(&family)?;
    tracing::info!(family = %family, css = %css, "desktop interface font");
    Some(script_setting(&css))
}

#[cfg(not(target_os = "linux"))]
pub fn page_script() -> Option<String> {
    None
}

/// A font family as CSS names it: the fontconfig aliases of the generic families as those generics, any other
/// family quoted. None for a name that is not a plain family name (empty, or with control characters).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn css_family(family: &str) -> Option<String> {
    let family = family.trim();
    if family.is_empty() || family.chars().any(char::is_control) {
        return None;
    }
    let generic = match family.to_ascii_lowercase().as_str() {
        "sans" | "sans serif" | "sans-serif" => Some("sans-serif"),
        "serif" => Some("serif"),
        "monospace" | "mono" => Some("monospace"),
        _ => None,
    };
    Some(match generic {
        Some(g) => g.to_string(),
        None => format!("\"{}\"", family.replace('\\', "\\\\").replace('"', "\\\"")),
    })
}

/// The page script setting `--desktop-font` to `css` on the document's root element (a JSON string literal,
/// so nothing in the family name can end the script).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn script_setting(css: &str) -> String {
    let value = serde_json::to_string(css).expect("a string serializes");
    format!(
        "(() => {{ const set = () => document.documentElement.style.setProperty(\"--desktop-font\", {value}); \
         if (document.documentElement) set(); else document.addEventListener(\"readystatechange\", set, {{ once: true }}); }})();"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_aliases_become_css_generics_and_other_families_are_quoted() {
        assert_eq!(css_family("Sans").as_deref(), Some("sans-serif"));
        assert_eq!(css_family("Sans Serif").as_deref(), Some("sans-serif"));
        assert_eq!(css_family("Monospace").as_deref(), Some("monospace"));
        assert_eq!(css_family("Cantarell").as_deref(), Some("\"Cantarell\""));
        assert_eq!(css_family(" Noto Sans ").as_deref(), Some("\"Noto Sans\""));
        assert_eq!(css_family(r#"Odd "Font" \ Name"#).as_deref(), Some(r#""Odd \"Font\" \\ Name""#));
        assert_eq!(css_family(""), None);
        assert_eq!(css_family("Evil\n}"), None);
    }

    #[test]
    fn the_family_reaches_the_page_as_one_string_literal() {
        let css = css_family(r#"X"); alert(1); (""#).unwrap();
        let script = script_setting(&css);
        // Nothing in the name ends the literal: parsing it back gives the CSS text unchanged.
        let start = script.find("\"--desktop-font\", ").unwrap() + "\"--desktop-font\", ".len();
        let end = script[start..].find("); if").unwrap() + start;
        assert_eq!(serde_json::from_str::<String>(&script[start..end]).unwrap(), css);
    }
}
