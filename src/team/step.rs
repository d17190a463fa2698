//! What a row of the team's trail that is not an action was: an approval's step, a shared account added,
//! changed or deleted, a share given or taken back, a role, a member removed, the approval rules changed.
//! Read from the row's kind and scope as the team database writes them (`sql/`), here only: History's table
//! in the window and the trail's readable export both say a step from what this reads.

use super::members::Role;
use serde::Serialize;

/// A step of the workspace, read back from its trail row. The window says it in words with the catalog's
/// `history.team.kind.*` (see [`WorkspaceStep::kind_key`]) and `history.team.scope.*` keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(tag = "step", rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum WorkspaceStep {
    /// A step of approval request `id` (the row's outcome names which: requested, approved…).
    Approval {
        #[ts(type = "number")]
        id: i64,
    },
    AccountAdded,
    AccountEdited,
    AccountDeleted,
    /// The account's approval rules changed.
    Policy,
    /// The account's secrets sealed to `member`.
    Share {
        member: String,
    },
    /// `member`'s copies of the account's secrets deleted.
    Unshare {
        member: String,
    },
    /// `member`'s role on the account set; none: back to their role in the workspace.
    Role {
        member: String,
        role: Option<Role>,
    },
    MemberRemoved {
        member: String,
    },
}

impl WorkspaceStep {
    /// Reads a trail row's `kind` and `scope`. None for an action, and for a step this version cannot read
    /// (a later version's): such a row is shown with its kind and scope as written, never dropped.
    pub fn read(kind: &str, scope: &str) -> Option<WorkspaceStep> {
        let words: Vec<&str> = scope.split(' ').collect();
        let number = |w: &str| w.parse::<i64>().ok();
        let on_account = words.len() >= 3 && words[0] == "account" && number(words[1]).is_some();
        let member = |m: &&str| (*m).to_owned();
        Some(match (kind, words.as_slice()) {
            ("approval", ["approval", id]) => WorkspaceStep::Approval { id: number(id)? },
            ("account", ["account", id]) if number(id).is_some() => WorkspaceStep::AccountAdded,
            ("account", ["edit", "account", id]) if number(id).is_some() => WorkspaceStep::AccountEdited,
            ("account", ["delete", "account", id]) if number(id).is_some() => WorkspaceStep::AccountDeleted,
            ("policy", ["account", id, "policy"]) if number(id).is_some() => WorkspaceStep::Policy,
            ("share", [_, _, "to", m]) if on_account => WorkspaceStep::Share { member: member(m) },
            ("unshare", [_, _, "from", m]) if on_account => WorkspaceStep::Unshare { member: member(m) },
            ("role", [_, _, m, "workspace", "role"]) if on_account => {
                WorkspaceStep::Role { member: member(m), role: None }
            }
            ("role", [_, _, m, role]) if on_account => {
                WorkspaceStep::Role { member: member(m), role: Some(Role::parse(role).ok()?) }
            }
            ("member", ["remove", m]) => WorkspaceStep::MemberRemoved { member: member(m) },
            _ => return None,
        })
    }

    /// The step's name in the catalog, `history.team.kind.` and its tag (as the window reads it); none for
    /// an approval's step, which is named by the operation it is about.
    pub fn kind_key(&self) -> Option<&'static str> {
        Some(match self {
            WorkspaceStep::Approval { .. } => return None,
            WorkspaceStep::AccountAdded => "account_added",
            WorkspaceStep::AccountEdited => "account_edited",
            WorkspaceStep::AccountDeleted => "account_deleted",
            WorkspaceStep::Policy => "policy",
            WorkspaceStep::Share { .. } => "share",
            WorkspaceStep::Unshare { .. } => "unshare",
            WorkspaceStep::Role { .. } => "role",
            WorkspaceStep::MemberRemoved { .. } => "member_removed",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::WorkspaceStep as S;
    use super::*;

    #[test]
    fn every_step_the_team_database_writes_is_read_back() {
        let member = || "carol".to_owned();
        for (kind, scope, step) in [
            ("approval", "approval 12", S::Approval { id: 12 }),
            ("account", "account 3", S::AccountAdded),
            ("account", "edit account 3", S::AccountEdited),
            ("account", "delete account 3", S::AccountDeleted),
            ("policy", "account 3 policy", S::Policy),
            ("share", "account 3 to carol", S::Share { member: member() }),
            ("unshare", "account 3 from carol", S::Unshare { member: member() }),
            ("role", "account 3 carol approver", S::Role { member: member(), role: Some(Role::Approver) }),
            ("role", "account 3 carol workspace role", S::Role { member: member(), role: None }),
            ("member", "remove carol", S::MemberRemoved { member: member() }),
        ] {
            assert_eq!(S::read(kind, scope), Some(step), "{kind} {scope}");
        }
    }

    #[test]
    fn an_action_or_a_scope_this_version_cannot_read_is_no_step() {
        for (kind, scope) in [
            ("action", "notification_id=0"),
            ("role", "account 3 carol auditor"),
            ("share", "to carol"),
            ("share", "account x to carol"),
            ("approval", "approval twelve"),
            ("audit", "account 3"),
        ] {
            assert_eq!(S::read(kind, scope), None, "{kind} {scope}");
        }
    }

    #[test]
    fn a_step_is_named_in_the_catalog_by_its_tag_in_every_language() {
        use crate::i18n::{Catalog, Language};
        let member = || "carol".to_owned();
        let steps = [
            S::AccountAdded,
            S::AccountEdited,
            S::AccountDeleted,
            S::Policy,
            S::Share { member: member() },
            S::Unshare { member: member() },
            S::Role { member: member(), role: None },
            S::MemberRemoved { member: member() },
        ];
        for step in steps {
            let key = step.kind_key().expect("a step of the workspace has a name");
            assert_eq!(serde_json::to_value(&step).unwrap()["step"], key);
            for language in Language::ALL {
                assert!(Catalog::of(language).has(&format!("history.team.kind.{key}")), "{}: {key}", language.tag());
            }
        }
        assert_eq!(S::Approval { id: 1 }.kind_key(), None);
    }

    #[test]
    fn the_window_reads_a_step_by_its_tag() {
        let json = serde_json::to_value(S::Role { member: "carol".into(), role: None }).unwrap();
        assert_eq!(json, serde_json::json!({"step": "role", "member": "carol", "role": null}));
        assert_eq!(serde_json::to_value(S::AccountEdited).unwrap(), serde_json::json!({"step": "account_edited"}));
    }
}
