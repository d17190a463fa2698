//! How a provider's simulator plugs into the sandbox: the APIs it serves and its demo accounts. Each
//! provider names its simulator ([`Provider::simulator`](crate::providers::Provider::simulator)).

use serde_json::{Map, Value};

/// One simulated API: the key its counters, faults and demo account go by, and the path prefix it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SimApi {
    pub key: &'static str,
    pub prefix: &'static str,
}

/// A demo account of the sandbox: its key (as in the CLI's `sandbox` first line), a label for the
/// sandbox account the app creates (`Sandbox · <label>`) and the account file.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoAccount {
    pub key: &'static str,
    pub label: &'static str,
    pub account: Value,
}

pub trait Simulator: Send + Sync + 'static {
    /// The APIs it serves.
    fn apis(&self) -> &'static [SimApi];

    /// The demo accounts of a sandbox listening at `base_url` (no trailing slash).
    fn demo_accounts(&self, base_url: &str) -> Vec<DemoAccount>;

    /// The base URL of a sandbox account with these public fields, for a sandbox at `root`.
    fn base_url_for(&self, root: &str, _public: &Map<String, Value>) -> String {
        root.to_owned()
    }
}
