//! What an action covered, as history keeps it: the short text of its params (`scope`, written when the
//! action begins: `notification_id=0 (all)`, `ids=90000000139 (+2)`), read back into params through the
//! operation's fields so screens and the readable export can say it in words.

use crate::providers::{self, FieldKind, FormField, OperationDescriptor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

/// The longest scope text kept, in characters (longer ones end with `…`).
const MAX_CHARS: usize = 160;

/// A short description of what the action covers: each param, lists shortened to their first item and
/// how many more, a field holding its `broad` value marked "(all)".
pub fn scope_of(op: &OperationDescriptor, params: &Map<String, Value>) -> String {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut parts = Vec::new();
    for (k, v) in params {
        let item = match v {
            Value::Array(items) if items.len() > 1 => format!("{k}={} (+{})", text(&items[0]), items.len() - 1),
            Value::Array(items) if items.len() == 1 => format!("{k}={}", text(&items[0])),
            _ if op.fields.iter().any(|f| &f.name == k && f.broad.as_ref() == Some(v)) => {
                format!("{k}={} (all)", text(v))
            }
            _ => format!("{k}={}", text(v)),
        };
        parts.push(item);
    }
    let s = parts.join(", ");
    if s.chars().count() > MAX_CHARS {
        s.chars().take(MAX_CHARS - 3).collect::<String>() + "…"
    } else {
        s
    }
}

/// One param of a recorded scope.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct ScopeParam {
    /// The field's name (its label and kind are in the operation's descriptor).
    pub name: String,
    /// The value (a list's first item): a number for numeric fields, else text.
    #[ts(type = "unknown")]
    pub value: Value,
    /// How many more items the list had.
    pub more: u32,
    /// The field held its `broad` value ("all").
    pub broad: bool,
    /// The text was cut here (a long scope): the value is only its beginning.
    pub cut: bool,
}

/// The params of a scope written by [`scope_of`] for an operation with these fields, in order; `None`
/// when the text is not one (a field it does not name, an older format).
pub fn parse(fields: &[&FormField], scope: &str) -> Option<Vec<ScopeParam>> {
    if scope.is_empty() {
        return Some(Vec::new());
    }
    let field_at = |at: &str| fields.iter().find(|f| at.starts_with(&format!("{}=", f.name))).copied();
    let mut out = Vec::new();
    let mut rest = scope;
    loop {
        let field = field_at(rest)?;
        let value_start = field.name.len() + 1;
        // The value runs to the next ", <field>=" (values are never cut at a comma of their own).
        let end = rest[value_start..]
            .match_indices(", ")
            .map(|(i, _)| value_start + i)
            .find(|&i| field_at(&rest[i + 2..]).is_some());
        let text = &rest[value_start..end.unwrap_or(rest.len())];
        let last = end.is_none();
        let cut = last && scope.chars().count() == MAX_CHARS - 2 && text.ends_with('…');
        out.push(param(field, text, cut));
        match end {
            Some(i) => rest = &rest[i + 2..],
            None => return Some(out),
        }
    }
}

/// The params of a history row's scope, read through the fields of its provider's operations of that
/// name (a provider may have one per API version); `None` when the operation is unknown or the text is
/// not a scope of it.
pub fn read(provider: &str, operation: &str, scope: &str) -> Option<Vec<ScopeParam>> {
    let d = providers::registered().iter().find(|d| d.id.as_str() == provider)?;
    let mut fields: Vec<&FormField> = Vec::new();
    if !d.operations.iter().any(|o| o.name == operation) {
        return None;
    }
    for op in d.operations.iter().filter(|o| o.name == operation) {
        for f in &op.fields {
            if !fields.iter().any(|x| x.name == f.name) {
                fields.push(f);
            }
        }
    }
    parse(&fields, scope)
}

/// One `name=value[ (+N)| (all)]` item.
fn param(field: &FormField, text: &str, cut: bool) -> ScopeParam {
    let (text, more) = match text.strip_suffix(')').and_then(|t| t.rsplit_once(" (+")) {
        Some((v, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => (v, n.parse().unwrap_or(0)),
        _ => (text, 0),
    };
    let (text, broad) = match text.strip_suffix(" (all)") {
        Some(v) if field.broad.is_some() => (v, true),
        _ => (text, false),
    };
    let numeric = matches!(
        field.kind,
        FieldKind::Integer | FieldKind::UnixSeconds | FieldKind::UnixMillis | FieldKind::IntegerList
    );
    let value = match text.parse::<i64>() {
        Ok(n) if numeric && !cut => Value::from(n),
        _ => Value::String(text.to_owned()),
    };
    ScopeParam { name: field.name.clone(), value, more, broad, cut }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers;
    use serde_json::json;

    fn op(provider: &str, name: &str) -> OperationDescriptor {
        let d = providers::all().into_iter().find(|d| d.id.as_str() == provider).unwrap();
        d.operation_named(name).unwrap().clone()
    }

    fn round_trip(op: &OperationDescriptor, params: Value) -> Vec<ScopeParam> {
        let scope = scope_of(op, params.as_object().unwrap());
        parse(&op.fields.iter().collect::<Vec<_>>(), &scope).unwrap_or_else(|| panic!("{scope:?} read back"))
    }

    #[test]
    fn a_scope_reads_back_into_its_params() {
        let resend = op("cybavo", "resend-withdrawal-callbacks");
        let all = round_trip(&resend, json!({"notification_id": 0}));
        assert_eq!(
            all,
            vec![ScopeParam { name: "notification_id".into(), value: json!(0), more: 0, broad: true, cut: false }]
        );
        assert!(!round_trip(&resend, json!({"notification_id": 7}))[0].broad);
        let lookup = round_trip(&op("cybavo", "query-callbacks"), json!({"ids": [90000000139i64, 2, 3]}));
        assert_eq!((lookup[0].value.clone(), lookup[0].more), (json!(90000000139i64), 2));
        let ceffu = round_trip(
            &op("ceffu", "resend-webhooks"),
            json!({"webhookId": "1721442311151521794", "eventType": "4", "resendFromDateTime": 1733320800000i64}),
        );
        let names: Vec<_> = ceffu.iter().map(|p| (p.name.as_str(), p.value.clone())).collect();
        assert_eq!(
            names,
            vec![
                ("webhookId", json!("1721442311151521794")),
                ("eventType", json!("4")),
                ("resendFromDateTime", json!(1733320800000i64)),
            ]
        );
        // Text values holding ", " and "=" stay whole; a field the operation does not have is no scope.
        let avista = op("avista", "resend-webhook");
        let text = round_trip(&avista, json!({"transaction_identifier": "a, b=c, d"}));
        assert_eq!(text[0].value, json!("a, b=c, d"));
        assert_eq!(parse(&avista.fields.iter().collect::<Vec<_>>(), "nothing=1"), None);
        assert_eq!(parse(&avista.fields.iter().collect::<Vec<_>>(), ""), Some(Vec::new()));
    }

    #[test]
    fn a_long_scope_says_where_it_was_cut() {
        let avista = op("avista", "resend-webhook");
        let long = "x".repeat(400);
        let read = round_trip(&avista, json!({"transaction_identifier": long}));
        assert!(read[0].cut);
        assert!(read[0].value.as_str().unwrap().ends_with('…'));
    }
}
