//! The simulated APIs of the registered providers, by key: what faults, counters, deliveries and the
//! inbox name (`"cybavo"`, `"ccpayment-v1"`…), and which API serves a path.

use crate::simulator::{SimApi, Simulator};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The key of a registered simulated API. Serialized as the key; read back only when registered.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ApiKey(&'static str);

impl ApiKey {
    /// The registered API named `key`.
    pub fn parse(key: &str) -> Option<ApiKey> {
        all().find(|(api, _)| api.key == key).map(|(api, _)| ApiKey(api.key))
    }

    /// `key` of an API the caller serves (its own [`SimApi::key`]).
    pub(super) fn of(key: &'static str) -> ApiKey {
        ApiKey(key)
    }

    pub fn as_str(self) -> &'static str {
        self.0
    }
}

/// Every simulated API with its simulator, in registry order.
pub fn all() -> impl Iterator<Item = (SimApi, &'static dyn Simulator)> {
    crate::providers::REGISTRY.iter().flat_map(|p| {
        let sim = p.simulator();
        sim.apis().iter().map(move |api| (*api, sim))
    })
}

/// The id of the provider whose simulator serves `api` (`"ccpayment"` for `"ccpayment-v1"`).
pub fn provider_of(api: ApiKey) -> &'static str {
    crate::providers::REGISTRY
        .iter()
        .find(|p| p.simulator().apis().iter().any(|a| a.key == api.0))
        .map_or("", |p| p.id())
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl PartialEq<&str> for ApiKey {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl Serialize for ApiKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for ApiKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ApiKey::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown sandbox API {s:?}")))
    }
}
