//! The readable history export, for people such as an auditor: one row per action with headers and values
//! in the window's language (the catalogs of `crate::i18n`), times in the chosen zone, the provider's and
//! the operation's names, what the action covered in words (its scope read back through the operation's
//! fields), the outcome and any error in words. No request, response or raw provider text goes into it.

use crate::i18n::{format_time, Catalog, Language, Zone};
use crate::logging::Scrubber;
use crate::providers::{FieldKind, FormField};
use crate::scope::ScopeParam;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// The catalog keys of the export's headers, in order (`history.readable.*` unless noted).
const HEADERS: &[&str] = &[
    "history.readable.entry",
    "history.readable.time",
    "work.account",
    "env.label",
    "history.col.provider",
    "history.readable.action",
    "history.readable.scope",
    "history.col.outcome",
    "history.readable.details",
    "history.readable.identifiers",
    "history.readable.job",
];

/// A row of the readable export, as text cells (the caller writes them).
pub(super) struct ReadableRow<'a> {
    pub id: i64,
    pub created_at_ms: i64,
    pub account_label: &'a str,
    pub environment: &'a str,
    pub provider: &'a str,
    pub operation: &'a str,
    pub scope: &'a str,
    pub outcome: &'a str,
    pub error_code: Option<&'a str>,
    pub error_params: Option<&'a str>,
    pub identifiers: &'a str,
    pub job_id: Option<i64>,
}

/// What the export says of an operation: its provider's and its own name, and its fields by name.
struct OperationWords {
    provider: String,
    label: String,
    fields: Vec<FormField>,
}

/// Writes readable rows in one language and zone (names of operations kept after their first row). The
/// team's trail export (`crate::team::trail_csv`) says its rows with the same words.
pub(crate) struct Readable {
    catalog: &'static Catalog,
    zone: Zone,
    operations: HashMap<(String, String), OperationWords>,
}

impl Readable {
    pub fn new(language: Language, zone: Zone) -> Readable {
        Readable { catalog: Catalog::of(language), zone, operations: HashMap::new() }
    }

    pub fn catalog(&self) -> &'static Catalog {
        self.catalog
    }

    /// The header row.
    pub fn header(&self) -> Vec<String> {
        self.headers(HEADERS)
    }

    /// Headers of these catalog keys (a time's header names the zone).
    pub fn headers(&self, keys: &[&str]) -> Vec<String> {
        let zone = self.zone.name();
        keys.iter()
            .map(|key| self.catalog.t(key, &Map::from_iter([("zone".to_owned(), Value::from(zone.clone()))])))
            .collect()
    }

    /// The cells of one row (registered secrets scrubbed from every text that came from outside).
    pub(super) fn cells(&mut self, scrubber: &Scrubber, row: &ReadableRow<'_>) -> Vec<String> {
        let (provider, action) = self.action(row.provider, row.operation);
        let scope = self.scope_text(row.provider, row.operation, row.scope);
        let details = row.error_code.map(|code| self.error_text(code, row.error_params)).unwrap_or_default();
        vec![
            row.id.to_string(),
            self.time(row.created_at_ms),
            scrubber.scrub(row.account_label).into_owned(),
            self.environment_text(row.environment),
            provider,
            action,
            scrubber.scrub(&scope).into_owned(),
            self.outcome_text(row.outcome),
            scrubber.scrub(&details).into_owned(),
            scrubber.scrub(row.identifiers).into_owned(),
            row.job_id.map(|j| format!("#{j}")).unwrap_or_default(),
        ]
    }

    /// A time in the export's language and zone.
    pub fn time(&self, ms: i64) -> String {
        format_time(ms, self.catalog.language(), self.zone)
    }

    /// The provider's name and the operation's, in words.
    pub fn action(&mut self, provider: &str, operation: &str) -> (String, String) {
        let words = self.operation(provider, operation);
        (words.provider.clone(), words.label.clone())
    }

    /// What an action covered in words (its scope read back through the operation's fields), or its scope
    /// as stored when it cannot be read back.
    pub fn scope_text(&mut self, provider: &str, operation: &str, scope: &str) -> String {
        match crate::scope::read(provider, operation, scope) {
            Some(params) => self.describe_scope(provider, operation, &params),
            None => scope.to_owned(),
        }
    }

    /// An action's outcome in words.
    pub fn outcome_text(&self, outcome: &str) -> String {
        self.words_or("outcome", outcome)
    }

    /// An account's environment in words.
    pub fn environment_text(&self, environment: &str) -> String {
        self.words_or("env", environment)
    }

    /// The catalog's `group.value`, or `value` itself when the catalog has no words for it.
    pub fn words_or(&self, group: &str, value: &str) -> String {
        let key = format!("{group}.{value}");
        if self.catalog.has(&key) {
            self.catalog.text(&key)
        } else {
            value.to_owned()
        }
    }

    fn operation(&mut self, provider: &str, operation: &str) -> &OperationWords {
        let c = self.catalog;
        self.operations.entry((provider.to_owned(), operation.to_owned())).or_insert_with(|| {
            let d = crate::providers::registered().iter().find(|d| d.id.as_str() == provider);
            let ops: Vec<_> =
                d.map(|d| d.operations.iter().filter(|o| o.name == operation).collect()).unwrap_or_default();
            let mut fields: Vec<FormField> = Vec::new();
            for f in ops.iter().flat_map(|o| o.fields.iter()) {
                if !fields.iter().any(|x| x.name == f.name) {
                    fields.push(f.clone());
                }
            }
            OperationWords {
                provider: d.map(|d| d.display_name.clone()).unwrap_or_else(|| provider.to_owned()),
                label: ops.first().map(|o| c.text(&o.label_key)).unwrap_or_else(|| operation.to_owned()),
                fields,
            }
        })
    }

    /// "Label: value" for each param (the colon as the language writes it), in words: a field's broad value by its meaning, choices by their
    /// labels, times in the zone, a list's first item and how many more.
    fn describe_scope(&mut self, provider: &str, operation: &str, params: &[ScopeParam]) -> String {
        let (c, zone) = (self.catalog, self.zone);
        let words = self.operation(provider, operation);
        let mut parts = Vec::new();
        for p in params {
            let Some(field) = words.fields.iter().find(|f| f.name == p.name) else { continue };
            let (label, colon) = (c.text(&field.label_key), c.text("common.colon"));
            parts.push(format!("{label}{colon}{}", value_text(c, zone, field, p)));
        }
        parts.join(" · ")
    }

    /// An error as the window's error box says it: the message with its field named in words, and the
    /// reason after it.
    pub fn error_text(&self, code: &str, params: Option<&str>) -> String {
        let c = self.catalog;
        let mut params: Map<String, Value> = params.and_then(|p| serde_json::from_str(p).ok()).unwrap_or_default();
        let original = params.clone();
        let field_name = |f: &str| {
            let key = format!("fields.{f}");
            if c.has(&key) {
                c.text(&key)
            } else {
                f.to_owned()
            }
        };
        if let Some(Value::String(f)) = params.get("field") {
            let named = field_name(f);
            params.insert("field".into(), Value::from(named));
        }
        if let Some(Value::Array(fields)) = params.get("fields") {
            let named: Vec<String> = fields.iter().map(|f| field_name(f.as_str().unwrap_or_default())).collect();
            params.insert("fields".into(), Value::from(named.join(", ")));
        }
        // Read from History: a message that would send the reader to History says it without that step.
        let here = format!("history.errors.{code}");
        let key = if c.has(&here) { here } else { format!("errors.{code}") };
        let mut text = if c.has(&key) { c.t(&key, &params) } else { code.to_owned() };
        if let Some(Value::String(reason)) = original.get("reason") {
            let key = format!("reasons.{reason}");
            if c.has(&key) {
                text.push(' ');
                text.push_str(&c.t(&key, &original));
            }
        }
        text
    }
}

/// One param's value in words.
fn value_text(c: &Catalog, zone: Zone, field: &FormField, p: &ScopeParam) -> String {
    if p.broad {
        if let Some(key) = &field.broad_label_key {
            return c.text(key);
        }
    }
    let raw = match &p.value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let text = match (field.kind, p.value.as_i64()) {
        (FieldKind::UnixSeconds, Some(s)) => format_time(s.saturating_mul(1000), c.language(), zone),
        (FieldKind::UnixMillis, Some(ms)) => format_time(ms, c.language(), zone),
        (FieldKind::Choice, _) => {
            let key = format!("{}.{raw}", field.choices_key);
            if c.has(&key) {
                c.text(&key)
            } else {
                raw
            }
        }
        _ => raw,
    };
    if p.more > 0 {
        c.t(
            "history.readable.more",
            &Map::from_iter([
                ("value".to_owned(), Value::from(text)),
                ("count".to_owned(), Value::from(p.more)),
                ("n".to_owned(), Value::from(c.language().number(i64::from(p.more)))),
            ]),
        )
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_of_the_export_is_in_every_catalog() {
        for language in Language::ALL {
            let c = Catalog::of(language);
            for key in HEADERS.iter().copied().chain(["history.readable.more_one", "history.readable.more_other"]) {
                assert!(c.has(key), "{}: {key}", language.tag());
            }
        }
    }

    #[test]
    fn an_unknown_outcome_is_not_sent_back_to_history() {
        let r = Readable::new(Language::En, Zone::Utc);
        let text = r.error_text("network.timeout", None);
        assert_eq!(text, "No answer arrived in time, so whether the provider acted on this request is unknown.");
        for language in Language::ALL {
            let c = Catalog::of(language);
            for code in ["network.timeout", "network.connection_reset", "provider.response_too_large"] {
                let text = Readable::new(language, Zone::Utc).error_text(code, Some(r#"{"max_mib":5}"#));
                assert!(!text.contains(&c.text("nav.history")), "{}: {code}: {text}", language.tag());
            }
        }
    }
}
