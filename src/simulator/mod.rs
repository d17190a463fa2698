//! The simulator toolkit: what a provider's simulator (`src/providers/<name>/sandbox.rs`) is written
//! with, and what the sandbox engine (`crate::sandbox`) runs it through. It imports neither: the
//! providers bring their simulators built on it, and the engine serves them, so dependencies go one way
//! (`providers → simulator`, `sandbox → providers, simulator`).
//!
//! Files: `simulation.rs` (the [`Simulator`] and [`Simulation`] traits, requests and answers, the
//! signature verdict), `env.rs` ([`SimEnv`]: the clock and deliveries the engine provides through
//! [`SimServices`]; the built-in receiver's address), `settings.rs` (each simulator's settings by type),
//! `helpers.rs` (rate windows, seeded data, random tokens, HTTP dates, the loopback rule, a lock).

mod env;
mod helpers;
mod settings;
mod simulation;

pub use env::{
    receiver_url, Answered, DeliveryFailure, DeliveryFuture, OnDelivered, Outgoing, SimEnv, SimServices,
    ANSWER_BODY_LIMIT, RECEIVER_PATH,
};
pub use helpers::{check_loopback_url, http_date, lock, random_hex, SeedRng, Window};
pub use settings::{SimSettings, SimulatorSettings};
pub use simulation::{
    DemoAccount, ProviderResponse, SbRequest, SignWith, SignatureCheck, Signer, SimApi, SimFuture, Simulation,
    Simulator, StartCtx,
};
