//! The commands the window may call. They are named once, in `commands.list` (beside Cargo.toml), from
//! which build.rs generates [`handler`] and [`NAMES`] (and the app manifest and capability check).

pub mod accounts;
pub mod actions;
pub mod app;
pub mod background;
pub mod checker;
pub mod copy_secrets;
pub mod jobs;
pub mod prefs;
pub mod sandbox;
pub mod team;
pub mod theme;

include!(concat!(env!("OUT_DIR"), "/commands.rs"));
