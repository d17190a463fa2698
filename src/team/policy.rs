//! The one rule of which resends need a second member's approval in a team workspace (four eyes), read
//! from the account and the operation's descriptor, never from a provider's name: any resend on a
//! production account; a broad one (a field holding its descriptor's `broad` value, a time window, more
//! than [`MANY_IDS`] ids, or a confirmation rule of the operation saying it reaches far or resends
//! everything of a kind); a one-off destination (a confirmation rule's field filled in). Solo use has no
//! approvals.

use super::connect::db_error;
use super::Team;
use crate::accounts::Environment;
use crate::error::Result;
use crate::providers::{ConfirmRule, FieldKind, OperationDescriptor, OperationKind};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The reasons the rule below gives of its own, in its order (operations' confirmation rules give theirs).
pub const RULE_REASONS: &[&str] = &["production", "broad_value", "time_window", "many_ids"];

/// More ids than this in one resend make it broad.
pub const MANY_IDS: usize = 100;

/// How long an approval stays valid after it is requested.
pub const DEFAULT_TTL_HOURS: i64 = 24;

/// A shared account's own policy, set by its admins (`team policy`; `callback_desk.accounts.policy`,
/// migration 008).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct AccountPolicy {
    /// Every resend on the account waits for an approval.
    #[serde(default)]
    pub every_resend: bool,
    /// Reasons of the rule that do not hold a resend back on this account (when they are its only ones).
    #[serde(default)]
    pub waive: Vec<String>,
}

impl AccountPolicy {
    /// The reasons a resend waits for, after the account's policy: the rule's, less those waived; every
    /// resend's (`account_policy`) when the account asks for it.
    pub fn apply(&self, resend: bool, reasons: Vec<String>) -> Vec<String> {
        let mut kept: Vec<String> = reasons.into_iter().filter(|r| !self.waive.contains(r)).collect();
        if resend && self.every_resend && kept.is_empty() {
            kept.push("account_policy".to_owned());
        }
        kept
    }

    /// Whether `reason` is one the rule can give: its own, or a confirmation rule's of some operation.
    pub fn is_reason(reason: &str) -> bool {
        RULE_REASONS.contains(&reason)
            || crate::providers::registered().iter().flat_map(|p| &p.operations).flat_map(|o| &o.confirm).any(|r| {
                match r {
                    ConfirmRule::Always { reason: r }
                    | ConfirmRule::Filled { reason: r, .. }
                    | ConfirmRule::OlderThan { reason: r, .. } => r == reason,
                }
            })
    }

    /// A policy as a person or the window gave it: reasons trimmed, each once; `input.invalid` on `waive`
    /// for one the rule cannot give.
    pub fn checked(every_resend: bool, waive: Vec<String>) -> Result<AccountPolicy> {
        let mut kept: Vec<String> = Vec::new();
        for w in waive.iter().map(|w| w.trim()).filter(|w| !w.is_empty()) {
            if !AccountPolicy::is_reason(w) {
                return Err(crate::error::Error::invalid_field("waive", "not_allowed").detail(w.to_owned()));
            }
            if !kept.iter().any(|k| k == w) {
                kept.push(w.to_owned());
            }
        }
        Ok(AccountPolicy { every_resend, waive: kept })
    }

    /// The account's policy in the team database (the rule as it is when none was set, or one it cannot read).
    pub async fn of(team: &Team, team_account_id: i64) -> Result<AccountPolicy> {
        let row = team
            .client()
            .query_opt("SELECT policy FROM callback_desk.accounts WHERE id = $1", &[&team_account_id])
            .await
            .map_err(db_error)?;
        Ok(row.and_then(|r| serde_json::from_value(r.get::<_, Value>(0)).ok()).unwrap_or_default())
    }

    /// Sets the account's policy (the account's admins; an audit row).
    pub async fn set(&self, team: &Team, team_account_id: i64) -> Result<()> {
        let value = serde_json::to_value(self).unwrap_or(Value::Null);
        team.client()
            .query_one("SELECT callback_desk.set_account_policy($1, $2)", &[&team_account_id, &value])
            .await
            .map_err(db_error)?;
        Ok(())
    }
}

/// Why the resend needs an approval (reason keys, `approvals.reason.<key>`); empty when it does not.
pub fn approval_reasons(
    environment: Environment,
    op: &OperationDescriptor,
    params: &Map<String, Value>,
    now_ms: i64,
) -> Vec<String> {
    if op.kind != OperationKind::Resend {
        return Vec::new();
    }
    let mut reasons = Vec::new();
    let mut add = |r: &str| {
        if !reasons.iter().any(|x: &String| x == r) {
            reasons.push(r.to_owned());
        }
    };
    if environment == Environment::Production {
        add("production");
    }
    for f in &op.fields {
        let v = params.get(&f.name).filter(|v| given(v)).or(f.default.as_ref());
        if let (Some(v), Some(broad)) = (v, &f.broad) {
            if same(v, broad) {
                add("broad_value");
            }
        }
        let Some(v) = params.get(&f.name).filter(|v| given(v)) else { continue };
        match f.kind {
            FieldKind::UnixSeconds | FieldKind::UnixMillis => add("time_window"),
            FieldKind::IntegerList | FieldKind::TextList if count_items(v) > MANY_IDS => add("many_ids"),
            _ => {}
        }
    }
    for rule in &op.confirm {
        match rule {
            ConfirmRule::Always { reason } => add(reason),
            ConfirmRule::Filled { field, reason } => {
                if params.get(field).is_some_and(given) {
                    add(reason);
                }
            }
            ConfirmRule::OlderThan { field, ms, reason } => {
                let kind = op.fields.iter().find(|f| &f.name == field).map(|f| f.kind);
                let at = params.get(field).and_then(number).map(|n| match kind {
                    Some(FieldKind::UnixSeconds) => n.saturating_mul(1000),
                    _ => n,
                });
                if at.is_some_and(|at| now_ms.saturating_sub(at) > *ms) {
                    add(reason);
                }
            }
        }
    }
    reasons
}

/// Why a bulk job needs an approval, judged on the whole job as the one request staff made: every reason
/// one of its calls gives, and `many_ids` when its calls name more than [`MANY_IDS`] ids together.
/// Splitting a request into calls never lets it past the rule.
pub fn job_approval_reasons(
    environment: Environment,
    op: &OperationDescriptor,
    calls: &[&Map<String, Value>],
    now_ms: i64,
) -> Vec<String> {
    let mut reasons: Vec<String> = Vec::new();
    for call in calls {
        for r in approval_reasons(environment, op, call, now_ms) {
            if !reasons.contains(&r) {
                reasons.push(r);
            }
        }
    }
    let ids: usize = calls.iter().map(|call| ids_in(op, call)).sum();
    if op.kind == OperationKind::Resend && ids > MANY_IDS && !reasons.iter().any(|r| r == "many_ids") {
        reasons.push("many_ids".to_owned());
    }
    reasons
}

/// How many ids one call names: the items of its lists, or one when it carries a field the operation's
/// bulk list of ids fills one id at a time (CYBAVO's `notification_id` from `serials`).
fn ids_in(op: &OperationDescriptor, call: &Map<String, Value>) -> usize {
    let is_list = |k: FieldKind| matches!(k, FieldKind::IntegerList | FieldKind::TextList);
    let listed = op.fields.iter().filter(|f| is_list(f.kind)).filter_map(|f| call.get(&f.name)).map(count_items).max();
    let one_at_a_time = op.bulk.as_ref().filter(|b| b.ids.is_some()).is_some_and(|b| {
        b.owns.iter().any(|name| {
            let scalar = op.fields.iter().any(|f| &f.name == name && !is_list(f.kind) && !is_time(f.kind));
            scalar && call.get(name).is_some_and(given)
        })
    });
    listed.unwrap_or(0).max(usize::from(one_at_a_time))
}

fn is_time(k: FieldKind) -> bool {
    matches!(k, FieldKind::UnixSeconds | FieldKind::UnixMillis)
}

fn given(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.trim().is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => true,
    }
}

/// Equal as the form compares them: `0` and `"0"` are the same value.
fn same(a: &Value, b: &Value) -> bool {
    let text = |v: &Value| match v {
        Value::String(s) => s.trim().to_owned(),
        other => other.to_string(),
    };
    text(a) == text(b)
}

fn number(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Items of a list given as a JSON array or as text separated by commas or whitespace.
fn count_items(v: &Value) -> usize {
    match v {
        Value::Array(a) => a.len(),
        Value::String(s) => s.split(|c: char| c == ',' || c.is_whitespace()).filter(|x| !x.is_empty()).count(),
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::providers::{FormField, HttpMethod};
    use serde_json::json;

    fn field(name: &str, kind: FieldKind) -> FormField {
        crate::providers::form_field("test", name, kind, false)
    }

    fn resend(fields: Vec<FormField>, confirm: Vec<ConfirmRule>) -> OperationDescriptor {
        let mut op = crate::providers::operation("test", "resend", HttpMethod::Post, OperationKind::Resend, fields);
        op.confirm = confirm;
        op
    }

    fn params(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn production_broad_values_time_windows_many_ids_and_confirm_rules_need_an_approval() {
        let op = resend(
            vec![
                field("notification_id", FieldKind::Integer).broad(0, "broad.x"),
                field("from", FieldKind::UnixSeconds),
                field("ids", FieldKind::IntegerList),
                field("url", FieldKind::Url),
            ],
            vec![ConfirmRule::Filled { field: "url".into(), reason: "one_off_url".into() }],
        );
        let reasons = |env, p: Value| approval_reasons(env, &op, &params(p), 0);
        assert!(reasons(Environment::Sandbox, json!({"notification_id": 5, "ids": [1, 2]})).is_empty());
        assert_eq!(reasons(Environment::Production, json!({"notification_id": 5})), ["production"]);
        assert_eq!(reasons(Environment::Sandbox, json!({"notification_id": "0"})), ["broad_value"]);
        assert_eq!(reasons(Environment::Sandbox, json!({"from": 1_700_000_000})), ["time_window"]);
        let ids: Vec<i64> = (0..=MANY_IDS as i64).collect();
        assert_eq!(reasons(Environment::Sandbox, json!({ "ids": ids })), ["many_ids"]);
        assert!(reasons(Environment::Sandbox, json!({ "ids": ids[..MANY_IDS] })).is_empty());
        assert_eq!(reasons(Environment::Sandbox, json!({"url": "https://x.example/cb"})), ["one_off_url"]);
    }

    #[test]
    fn a_job_is_judged_as_the_one_request_it_was_split_from() {
        // CYBAVO's shape: a bulk list of serials, one `notification_id` a call.
        let mut op = resend(vec![field("notification_id", FieldKind::Integer)], vec![]);
        op.bulk = Some(crate::providers::BulkShape {
            ids: Some(crate::providers::IdsShape {
                field: "serials".into(),
                kind: FieldKind::IntegerList,
                label_key: String::new(),
                per_call: 1,
                all_label_key: None,
                empty_key: String::new(),
            }),
            owns: vec!["notification_id".into()],
            ..Default::default()
        });
        let calls: Vec<Map<String, Value>> =
            (0..=MANY_IDS as i64).map(|id| params(json!({ "notification_id": id + 1 }))).collect();
        let refs: Vec<&Map<String, Value>> = calls.iter().collect();
        // No call needs an approval on its own; the job of more than 100 ids does.
        assert!(refs.iter().all(|c| approval_reasons(Environment::Sandbox, &op, c, 0).is_empty()));
        assert_eq!(job_approval_reasons(Environment::Sandbox, &op, &refs, 0), ["many_ids"]);
        assert!(job_approval_reasons(Environment::Sandbox, &op, &refs[..MANY_IDS], 0).is_empty());
        // A list split into calls counts its items together; the calls' own reasons are kept once.
        let op = resend(vec![field("ids", FieldKind::IntegerList), field("from", FieldKind::UnixSeconds)], vec![]);
        let halves = [
            params(json!({"ids": (0..60).collect::<Vec<i64>>(), "from": 1})),
            params(json!({"ids": (60..120).collect::<Vec<i64>>(), "from": 2})),
        ];
        let refs: Vec<&Map<String, Value>> = halves.iter().collect();
        assert_eq!(
            job_approval_reasons(Environment::Production, &op, &refs, 0),
            ["production", "time_window", "many_ids"]
        );
    }

    #[test]
    fn look_ups_never_need_an_approval() {
        let mut op = resend(vec![], vec![ConfirmRule::Always { reason: "all".into() }]);
        assert_eq!(approval_reasons(Environment::Custom, &op, &Map::new(), 0), ["all"]);
        op.kind = OperationKind::Lookup;
        assert!(approval_reasons(Environment::Production, &op, &Map::new(), 0).is_empty());
    }
}
