//! Identifiers a provider gave the merchant, kept on the account with a name the user chose (a `named_ids`
//! account field): read and checked the same way for every provider.

use super::input_limits;
use crate::error::{Error, Result};
use serde::Serialize;
use serde_json::Value;

/// The most ids one account field holds.
pub const MAX_NAMED_IDS: usize = 50;

/// One stored id and the name it is shown by (empty: shown by its id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedId {
    pub name: String,
    pub id: String,
}

/// The ids of the account field `field`: absent, null or an empty list is none; otherwise a JSON array of
/// `{"name": text, "id": text or number}` (a bare text or number is an id without a name). Every id is
/// filled, one line, and given once; anything else is the field error `not_named_ids`.
pub fn read(field: &str, value: Option<&Value>) -> Result<Vec<NamedId>> {
    let bad = || Error::invalid_field(field, "not_named_ids");
    let items = match value {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(_) => return Err(bad()),
    };
    if items.len() > MAX_NAMED_IDS {
        return Err(Error::invalid_field(field, "too_many").with("max", MAX_NAMED_IDS));
    }
    let text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => Some(s.trim().to_owned()),
        Some(Value::Number(n)) => Some(n.to_string()),
        None | Some(Value::Null) => Some(String::new()),
        Some(_) => None,
    };
    let mut out: Vec<NamedId> = Vec::new();
    for item in items {
        let (name, id) = match item {
            Value::Object(o) => (text(o.get("name")).ok_or_else(bad)?, text(o.get("id")).ok_or_else(bad)?),
            Value::String(_) | Value::Number(_) => (String::new(), text(Some(item)).ok_or_else(bad)?),
            _ => return Err(bad()),
        };
        input_limits::check_size(field, &name)?;
        input_limits::check_size(field, &id)?;
        if id.is_empty() || id.contains(char::is_control) || out.iter().any(|n| n.id == id) {
            return Err(bad().with("id", id));
        }
        out.push(NamedId { name, id });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_names_and_ids_and_refuses_what_is_not_one() {
        let v = json!([{"name": " Main ", "id": " 1721442311151521794 "}, {"id": 42}, "7"]);
        assert_eq!(
            read("webhook_ids", Some(&v)).unwrap(),
            vec![
                NamedId { name: "Main".into(), id: "1721442311151521794".into() },
                NamedId { name: String::new(), id: "42".into() },
                NamedId { name: String::new(), id: "7".into() },
            ]
        );
        assert!(read("webhook_ids", None).unwrap().is_empty());
        assert!(read("webhook_ids", Some(&json!([]))).unwrap().is_empty());
        for bad in [
            json!("1"),
            json!([{"name": "x"}]),
            json!([{"id": ""}]),
            json!(["1", "1"]),
            json!([[1]]),
            json!([{"id": "a\nb"}]),
        ] {
            let e = read("webhook_ids", Some(&bad)).unwrap_err();
            assert_eq!(
                (e.params["field"].as_str(), e.params["reason"].as_str()),
                (Some("webhook_ids"), Some("not_named_ids")),
                "{bad}"
            );
        }
        let many: Vec<Value> = (0..=MAX_NAMED_IDS).map(|i| json!(i.to_string())).collect();
        assert_eq!(read("webhook_ids", Some(&Value::Array(many))).unwrap_err().params["reason"], "too_many");
    }
}
