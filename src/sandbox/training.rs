//! Training in the sandbox: the kinds of trouble Settings lets a user rehearse (a provider down, slow, rate
//! limited, answering with a wrong signature) as sandbox faults on a provider's simulated APIs, and the
//! faults still waiting, said in those words.

use super::apis::{self, ApiKey};
use super::faults::{Fault, FaultKind};
use crate::error::{Error, Result};
use crate::providers::ProviderId;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// How long a slow provider takes to answer, in milliseconds.
pub const SLOW_MS: u64 = 8_000;
/// How many requests one training fault may hit.
pub const MAX_TRAINING_COUNT: u32 = 20;

/// A kind of trouble to rehearse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum TrainingFault {
    /// The provider answers HTTP 503 (the request has no effect).
    Down,
    /// The provider answers after [`SLOW_MS`].
    Slow,
    /// The provider's own rate-limit answer.
    RateLimited,
    /// The answer is signed with a wrong secret (providers that sign their answers).
    WrongSignature,
}

impl TrainingFault {
    pub fn kind(self) -> FaultKind {
        match self {
            TrainingFault::Down => FaultKind::Status { status: 503 },
            TrainingFault::Slow => FaultKind::Delay { ms: SLOW_MS },
            TrainingFault::RateLimited => FaultKind::RateLimit,
            TrainingFault::WrongSignature => FaultKind::WrongSignature,
        }
    }

    fn of(kind: &FaultKind) -> Option<TrainingFault> {
        [TrainingFault::Down, TrainingFault::Slow, TrainingFault::RateLimited, TrainingFault::WrongSignature]
            .into_iter()
            .find(|t| t.kind() == *kind)
    }
}

/// A training fault waiting for requests to one of a provider's simulated APIs.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct PendingTraining {
    pub provider: ProviderId,
    /// The simulated API (`ccpayment-v1`…).
    pub api: String,
    pub fault: TrainingFault,
    /// Requests it will still hit.
    pub count: u32,
}

/// The sandbox's training controls as Settings shows them: whether they are offered (a sandbox account
/// exists), the training faults still waiting, and the providers whose answers can carry a wrong signature.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct SandboxTraining {
    pub available: bool,
    pub pending: Vec<PendingTraining>,
    pub signing: Vec<ProviderId>,
    /// How long a slow provider takes to answer, in seconds.
    pub slow_seconds: u32,
    pub max_count: u32,
}

impl SandboxTraining {
    /// The controls, offered or not, with the training faults among `pending`.
    pub fn new(available: bool, pending: &[Fault]) -> SandboxTraining {
        SandboxTraining {
            available,
            pending: describe(pending),
            signing: signing_providers(),
            slow_seconds: (SLOW_MS / 1000) as u32,
            max_count: MAX_TRAINING_COUNT,
        }
    }
}

/// The providers whose simulated answers are signed (a wrong signature can be rehearsed with them).
pub fn signing_providers() -> Vec<ProviderId> {
    crate::providers::REGISTRY
        .iter()
        .filter(|p| p.simulator().apis().iter().any(|a| a.signs_answers))
        .filter_map(|p| ProviderId::parse(p.id()).ok())
        .collect()
}

/// The faults that make the next `count` requests to `provider`'s simulated APIs meet `fault` (for a wrong
/// signature, its APIs that sign their answers). Field errors: `count` out of 1 to [`MAX_TRAINING_COUNT`];
/// `fault` `not_signed` for a provider whose answers are not signed.
pub fn faults_for(provider: ProviderId, fault: TrainingFault, count: u32) -> Result<Vec<Fault>> {
    if !(1..=MAX_TRAINING_COUNT).contains(&count) {
        return Err(Error::invalid_field("count", "out_of_range").with("min", 1).with("max", MAX_TRAINING_COUNT));
    }
    let faults: Vec<Fault> = apis::all()
        .filter(|(api, _)| apis::provider_of(ApiKey::of(api.key)) == provider.as_str())
        .filter(|(api, _)| fault != TrainingFault::WrongSignature || api.signs_answers)
        .map(|(api, _)| Fault { provider: Some(ApiKey::of(api.key)), kind: fault.kind(), count, path: None })
        .collect();
    if faults.is_empty() {
        return Err(Error::invalid_field("fault", "not_signed"));
    }
    Ok(faults)
}

/// The training faults among `pending` (faults on one API, of a kind Settings offers).
pub fn describe(pending: &[Fault]) -> Vec<PendingTraining> {
    pending
        .iter()
        .filter_map(|f| {
            let api = f.provider?;
            Some(PendingTraining {
                provider: ProviderId::parse(apis::provider_of(api)).ok()?,
                api: api.as_str().to_owned(),
                fault: TrainingFault::of(&f.kind)?,
                count: f.count,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_hits_every_api_of_the_provider_and_reads_back_in_the_same_words() {
        let ccpayment = ProviderId::parse("ccpayment").unwrap();
        let down = faults_for(ccpayment, TrainingFault::Down, 2).unwrap();
        assert_eq!(
            down.iter().map(|f| f.provider.unwrap().as_str()).collect::<Vec<_>>(),
            ["ccpayment-v1", "ccpayment-v2"]
        );
        let pending = describe(&down);
        assert!(pending.iter().all(|p| p.provider == ccpayment && p.fault == TrainingFault::Down && p.count == 2));
        // A wrong signature only where answers are signed.
        let wrong = faults_for(ccpayment, TrainingFault::WrongSignature, 1).unwrap();
        assert_eq!(wrong.len(), 1);
        assert_eq!(wrong[0].provider.unwrap().as_str(), "ccpayment-v1");
        let ceffu = ProviderId::parse("ceffu").unwrap();
        assert!(!signing_providers().contains(&ceffu));
        let e = faults_for(ceffu, TrainingFault::WrongSignature, 1).unwrap_err();
        assert_eq!((e.params["field"].as_str(), e.params["reason"].as_str()), (Some("fault"), Some("not_signed")));
        for count in [0, MAX_TRAINING_COUNT + 1] {
            assert_eq!(faults_for(ceffu, TrainingFault::Slow, count).unwrap_err().params["field"], "count");
        }
        // Faults set otherwise (a test's reset, a fault on every API) are not training faults.
        assert!(describe(&[Fault::any(FaultKind::Reset)]).is_empty());
    }
}
