//! An operation's params read into its own typed struct, field by field: the reader every operation file
//! uses. Errors are field-level (`input.missing` with `field`; `input.invalid` with `field` and `reason`),
//! which the window translates and marks at the field, so their `field`/`reason` never change.
//!
//! Params keep the order they were given in ([`Params::keys`]): bodies that are written in that order
//! (CCPayment, Ceffu) and query strings (CYBAVO) stay byte for byte what the provider's vectors expect.

use super::util;
use crate::error::Result;
use serde_json::{Map, Value};

/// The params of one call, checked to hold only the operation's fields.
#[derive(Clone, Copy)]
pub struct Params<'a> {
    map: &'a Map<String, Value>,
}

impl<'a> Params<'a> {
    /// The params of an operation whose fields are `known`; any other key is `input.invalid`
    /// (`unknown_field`), as a typo would otherwise be dropped silently.
    pub fn read(map: &'a Map<String, Value>, known: &[&str]) -> Result<Params<'a>> {
        util::reject_unknown(map, known)?;
        Ok(Params { map })
    }

    /// The keys given, in their order.
    pub fn keys(&self) -> impl Iterator<Item = &'a str> {
        self.map.keys().map(String::as_str)
    }

    /// Whether `field` was given at all (even empty).
    pub fn has(&self, field: &str) -> bool {
        self.map.contains_key(field)
    }

    /// A whole number (JSON integer or digit string), required.
    pub fn i64(&self, field: &str) -> Result<i64> {
        util::req_i64(self.map, field)
    }

    /// A whole number; `None` when absent, null or empty.
    pub fn opt_i64(&self, field: &str) -> Result<Option<i64>> {
        util::opt_i64(self.map, field)
    }

    /// Text (a JSON number is kept as its exact digits), trimmed, required.
    pub fn text(&self, field: &str) -> Result<String> {
        util::req_string(self.map, field)
    }

    /// Text; `None` when absent, null or empty.
    pub fn opt_text(&self, field: &str) -> Result<Option<String>> {
        util::opt_string(self.map, field)
    }

    /// One of `choices`; `None` when absent.
    pub fn opt_choice(&self, field: &str, choices: &[&str]) -> Result<Option<String>> {
        util::opt_choice(self.map, field, choices)
    }

    /// A list of whole numbers (JSON array, or text separated by commas or spaces).
    pub fn opt_i64_list(&self, field: &str) -> Result<Option<Vec<i64>>> {
        util::opt_i64_list(self.map, field)
    }

    /// A list of texts (JSON array, or text separated by commas or spaces).
    pub fn opt_text_list(&self, field: &str) -> Result<Option<Vec<String>>> {
        util::opt_string_list(self.map, field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use serde_json::json;

    #[test]
    fn unknown_keys_are_refused_and_order_is_kept() {
        let map = json!({"b": 1, "a": "x"}).as_object().unwrap().clone();
        let e = Params::read(&map, &["a"]).err().unwrap();
        assert_eq!(
            (e.code, e.params["field"].as_str(), e.params["reason"].as_str()),
            (ErrorCode::InputInvalid, Some("b"), Some("unknown_field"))
        );
        let p = Params::read(&map, &["a", "b"]).unwrap();
        assert_eq!(p.keys().collect::<Vec<_>>(), ["b", "a"]);
        assert_eq!(p.i64("b").unwrap(), 1);
        assert_eq!(p.text("a").unwrap(), "x");
        assert_eq!(p.opt_i64("c").unwrap(), None);
        assert_eq!(p.text("c").unwrap_err().code, ErrorCode::InputMissing);
    }
}
