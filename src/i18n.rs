//! The window's texts in Rust, for what the core writes for people (the readable history export): the
//! catalogs of `ui/src/locales/`, embedded at build time, read as i18next reads them (keys that may hold
//! dots, `{{name}}` placeholders, plural forms `_one`/`_other` chosen by `count`), with numbers and times
//! written as the window writes them in each language.

use chrono::{Datelike, Offset, TimeZone, Timelike};
use serde_json::{Map, Value};
use std::sync::OnceLock;

/// A language of the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    En,
    ZhCn,
    PtBr,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::En, Language::ZhCn, Language::PtBr];

    /// The language of a BCP 47 tag as the window picks it (`zh…` Chinese, `pt…` Portuguese, else English).
    pub fn from_tag(tag: &str) -> Language {
        let t = tag.to_ascii_lowercase();
        if t.starts_with("zh") {
            Language::ZhCn
        } else if t.starts_with("pt") {
            Language::PtBr
        } else {
            Language::En
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::ZhCn => "zh-CN",
            Language::PtBr => "pt-BR",
        }
    }

    fn source(self) -> &'static str {
        match self {
            Language::En => include_str!("../ui/src/locales/en.json"),
            Language::ZhCn => include_str!("../ui/src/locales/zh-CN.json"),
            Language::PtBr => include_str!("../ui/src/locales/pt-BR.json"),
        }
    }

    /// The plural form of `n` (CLDR): English `one` for 1; Brazilian Portuguese `one` for 0 and 1;
    /// Chinese has only `other`.
    fn plural(self, n: f64) -> &'static str {
        match self {
            Language::En if n == 1.0 => "one",
            Language::PtBr if n == 0.0 || n == 1.0 => "one",
            _ => "other",
        }
    }

    /// A whole number as the window writes it (`Intl.NumberFormat`): `1,234` in English and Chinese,
    /// `1.234` in Portuguese.
    pub fn number(self, n: i64) -> String {
        let sep = if self == Language::PtBr { '.' } else { ',' };
        let digits = n.unsigned_abs().to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
        if n < 0 {
            out.push('-');
        }
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(c);
        }
        out
    }
}

/// Where times are written: the computer's time zone, or UTC (the window's choice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Zone {
    Local,
    Utc,
}

impl Zone {
    /// The zone's name for people: the computer's zone name (`America/Sao_Paulo`), or `UTC`.
    pub fn name(self) -> String {
        match self {
            Zone::Utc => "UTC".to_owned(),
            Zone::Local => iana_time_zone::get_timezone().unwrap_or_else(|_| {
                let offset = chrono::Local::now().offset().fix().local_minus_utc();
                format!("UTC{}", offset_text(offset))
            }),
        }
    }
}

/// `+HH:MM` / `−HH:MM` of an offset in seconds.
fn offset_text(seconds: i32) -> String {
    let m = seconds.unsigned_abs() / 60;
    format!("{}{:02}:{:02}", if seconds < 0 { '\u{2212}' } else { '+' }, m / 60, m % 60)
}

/// A moment as the window writes it in `language` (its date fields' order: day/month/year in English and
/// Portuguese, year/month/day in Chinese; 24-hour clock with seconds), in `zone`. Moments chrono cannot
/// place are written as the number of milliseconds.
pub fn format_time(ms: i64, language: Language, zone: Zone) -> String {
    let Some(utc) = chrono::DateTime::from_timestamp_millis(ms) else { return ms.to_string() };
    let (y, mo, d, h, mi, s) = match zone {
        Zone::Utc => (utc.year(), utc.month(), utc.day(), utc.hour(), utc.minute(), utc.second()),
        Zone::Local => {
            let t = chrono::Local.from_utc_datetime(&utc.naive_utc());
            (t.year(), t.month(), t.day(), t.hour(), t.minute(), t.second())
        }
    };
    match language {
        Language::ZhCn => format!("{y:04}/{mo:02}/{d:02} {h:02}:{mi:02}:{s:02}"),
        Language::En | Language::PtBr => format!("{d:02}/{mo:02}/{y:04} {h:02}:{mi:02}:{s:02}"),
    }
}

/// One language's catalog.
pub struct Catalog {
    language: Language,
    root: Value,
}

impl Catalog {
    /// The catalog of `language`, read once.
    pub fn of(language: Language) -> &'static Catalog {
        static CATALOGS: [OnceLock<Catalog>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
        let i = Language::ALL.iter().position(|l| *l == language).unwrap_or(0);
        CATALOGS[i].get_or_init(|| Catalog {
            language,
            root: serde_json::from_str(language.source()).expect("the catalogs are JSON (checked by the UI tests)"),
        })
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// The text at `key` (a key may hold dots inside a name, as error codes do), if it is one.
    fn lookup(&self, key: &str) -> Option<&str> {
        fn find<'a>(node: &'a Value, key: &str) -> Option<&'a Value> {
            let map = node.as_object()?;
            if let Some(v) = map.get(key) {
                return Some(v);
            }
            let mut at = 0;
            while let Some(dot) = key[at..].find('.') {
                let head = &key[..at + dot];
                if let Some(v) = map.get(head).and_then(|child| find(child, &key[at + dot + 1..])) {
                    return Some(v);
                }
                at += dot + 1;
            }
            None
        }
        find(&self.root, key).and_then(Value::as_str)
    }

    /// Whether `key` holds a text.
    pub fn has(&self, key: &str) -> bool {
        self.lookup(key).is_some()
    }

    /// The text of `key` with `params` in its placeholders; with a numeric `count`, the plural form the
    /// language uses for it (`key_one`, `key_other`) when the catalog has it. A missing key is itself.
    pub fn t(&self, key: &str, params: &Map<String, Value>) -> String {
        let plural = params.get("count").and_then(Value::as_f64).and_then(|n| {
            let form = format!("{key}_{}", self.language.plural(n));
            self.lookup(&form).or_else(|| self.lookup(&format!("{key}_other")))
        });
        let Some(text) = plural.or_else(|| self.lookup(key)) else { return key.to_owned() };
        interpolate(text, params)
    }

    /// [`Catalog::t`] without parameters.
    pub fn text(&self, key: &str) -> String {
        self.t(key, &Map::new())
    }
}

/// `{{name}}` replaced by the parameter's text (a string as it is, anything else as JSON), as i18next
/// does with escaping off; a placeholder without a parameter is left as it is.
fn interpolate(text: &str, params: &Map<String, Value>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start + 2..].find("}}") else { break };
        out.push_str(&rest[..start]);
        let name = rest[start + 2..start + 2 + len].trim();
        match params.get(name) {
            Some(Value::String(s)) => out.push_str(s),
            Some(v) => out.push_str(&v.to_string()),
            None => out.push_str(&rest[start..start + 4 + len]),
        }
        rest = &rest[start + 4 + len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn keys_with_dots_placeholders_and_plurals_read_as_the_window_reads_them() {
        let en = Catalog::of(Language::En);
        assert_eq!(en.text("outcome.ok"), "Succeeded");
        // An error code is a key holding dots.
        assert!(en.has("errors.auth.clock_skew"), "error codes are found");
        assert_eq!(en.t("history.showing", &params(json!({"shown": "5", "total": "9"}))), "Showing 5 of 9");
        assert_eq!(en.t("screens.settings.keep_days", &params(json!({"count": 1}))), "1 day");
        assert_eq!(en.t("screens.settings.keep_days", &params(json!({"count": 30}))), "30 days");
        // Portuguese uses the singular for 0 and 1, Chinese has one form.
        let pt = Catalog::of(Language::PtBr);
        assert_eq!(pt.t("screens.settings.keep_days", &params(json!({"count": 0}))), "0 dia");
        assert_eq!(Catalog::of(Language::ZhCn).t("screens.settings.keep_days", &params(json!({"count": 1}))), "1 天");
        assert_eq!(en.text("no.such.key"), "no.such.key");
        assert_eq!(interpolate("{{a}} and {{ b }} and {{c}}", &params(json!({"a": "x", "b": 2}))), "x and 2 and {{c}}");
    }

    #[test]
    fn numbers_and_times_are_written_as_in_the_window() {
        assert_eq!(Language::En.number(1234567), "1,234,567");
        assert_eq!(Language::PtBr.number(-1234), "-1.234");
        assert_eq!(Language::ZhCn.number(999), "999");
        let ms = 1_733_320_805_000; // 2024-12-04 14:00:05 UTC
        assert_eq!(format_time(ms, Language::En, Zone::Utc), "04/12/2024 14:00:05");
        assert_eq!(format_time(ms, Language::PtBr, Zone::Utc), "04/12/2024 14:00:05");
        assert_eq!(format_time(ms, Language::ZhCn, Zone::Utc), "2024/12/04 14:00:05");
        assert_eq!(Zone::Utc.name(), "UTC");
        assert_eq!(offset_text(-3 * 3600), "\u{2212}03:00");
    }
}
