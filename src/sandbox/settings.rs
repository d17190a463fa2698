//! The sandbox's default simulator settings: every registered simulator's own, held together in
//! [`SandboxConfig`](super::SandboxConfig) and reached by their type:
//! `config.settings_mut::<cybavo::sandbox::Settings>().per_minute = 3`.

use crate::simulator::SimulatorSettings;

impl Default for SimulatorSettings {
    /// Every registered simulator's defaults.
    fn default() -> Self {
        crate::providers::REGISTRY.iter().map(|p| p.simulator().default_settings()).collect()
    }
}
