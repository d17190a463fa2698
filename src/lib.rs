//! Callback Desk core: everything that does not need a window.
//!
//! Data flows one way: form → command → core operation → sign → transport → provider → parse → history → UI.
//! Nothing here depends on Tauri; the desktop shell in `src-tauri/` and the command-line companion in
//! `src/bin/` are thin adapters over this library.

pub mod accounts;
pub mod actions;
pub mod appinfo;
pub mod checker;
pub mod clock;
pub mod csv;
pub mod db;
pub mod error;
pub mod history;
pub mod i18n;
pub mod jobs;
pub mod limits;
pub mod logging;
pub mod paths;
pub mod process;
pub mod providers;
pub mod redact;
pub mod results;
pub mod sandbox;
pub mod scope;
pub mod secret;
pub mod simulator;
pub mod store;
pub mod transport;
pub mod vault;
pub mod wire;

pub use error::{Error, ErrorCode};
