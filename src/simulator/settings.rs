//! Each simulator's own settings (its limits, signature windows, timeouts…), held together by type: the
//! sandbox's configuration keeps one value per registered simulator, and a run reads its own with
//! [`StartCtx::settings`](super::StartCtx::settings).

use std::any::Any;
use std::fmt;

/// A simulator's settings: any `Clone + Debug` type (blanket implementation).
pub trait SimSettings: Any + Send + Sync + fmt::Debug {
    fn clone_box(&self) -> Box<dyn SimSettings>;
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Any + Send + Sync + fmt::Debug + Clone> SimSettings for T {
    fn clone_box(&self) -> Box<dyn SimSettings> {
        Box::new(self.clone())
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// The settings of several simulators, one value per settings type. The sandbox's default holds every
/// registered simulator's defaults.
pub struct SimulatorSettings(Vec<Box<dyn SimSettings>>);

impl SimulatorSettings {
    pub fn get<T: Any>(&self) -> Option<&T> {
        self.0.iter().find_map(|s| s.as_ref().as_any().downcast_ref::<T>())
    }

    pub fn get_mut<T: Any>(&mut self) -> Option<&mut T> {
        self.0.iter_mut().find_map(|s| s.as_mut().as_any_mut().downcast_mut::<T>())
    }
}

impl FromIterator<Box<dyn SimSettings>> for SimulatorSettings {
    fn from_iter<I: IntoIterator<Item = Box<dyn SimSettings>>>(settings: I) -> Self {
        SimulatorSettings(settings.into_iter().collect())
    }
}

impl Clone for SimulatorSettings {
    fn clone(&self) -> Self {
        SimulatorSettings(self.0.iter().map(|s| s.as_ref().clone_box()).collect())
    }
}

impl fmt::Debug for SimulatorSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter()).finish()
    }
}
