pub mod accounts;
pub mod app;
pub mod prefs;
