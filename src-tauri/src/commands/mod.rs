pub mod accounts;
pub mod actions;
pub mod app;
pub mod jobs;
pub mod prefs;
