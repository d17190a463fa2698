//! Which process owns something in the shared data folder (a history row whose request is in flight), and
//! whether that process still runs: its id plus its start time, so that a later process given the same id
//! is not taken for it.

use std::sync::OnceLock;

/// A process of this machine: its id and, where the platform tells, when it started (on Linux field 22 of
/// `/proc/<pid>/stat`, in clock ticks after boot; `None` elsewhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessId {
    pub pid: i64,
    pub started: Option<i64>,
}

impl ProcessId {
    /// This process.
    pub fn current() -> ProcessId {
        static CURRENT: OnceLock<ProcessId> = OnceLock::new();
        *CURRENT.get_or_init(|| {
            let pid = i64::from(std::process::id());
            ProcessId { pid, started: start_time(pid) }
        })
    }

    /// The process running as `pid` now, `None` when there is none.
    pub fn of(pid: i64) -> Option<ProcessId> {
        pid_alive(pid).then(|| ProcessId { pid, started: start_time(pid) })
    }

    /// Whether this process still runs: `Some(false)` once its id is gone, or taken by a process that
    /// started at another moment (where start times are known); `None` where the platform cannot be asked
    /// about other processes (not Unix).
    pub fn is_running(&self) -> Option<bool> {
        if *self == ProcessId::current() {
            return Some(true);
        }
        if cfg!(not(unix)) {
            return None;
        }
        if !pid_alive(self.pid) {
            return Some(false);
        }
        Some(match (self.started, start_time(self.pid)) {
            (Some(recorded), Some(now)) => recorded == now,
            // Start times unknown here: the id alone decides.
            _ => true,
        })
    }
}

/// Whether the process `pid` of this machine exists (and is not a zombie waiting to be reaped, on Linux).
/// Where that cannot be asked (not Unix), `true`.
pub fn pid_alive(pid: i64) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
        if pid <= 0 {
            return false;
        }
        // Signal 0 checks existence and permission without sending anything.
        // SAFETY: kill(2) with signal 0 has no effect on the target; it only reports whether it exists.
        let r = unsafe { libc::kill(pid, 0) };
        let exists = r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM);
        exists && !proc_stat(i64::from(pid)).is_some_and(|(state, _)| state == 'Z' || state == 'X')
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// When `pid` started, where the platform tells (Linux).
fn start_time(pid: i64) -> Option<i64> {
    proc_stat(pid).map(|(_, started)| started)
}

/// The state letter (field 3) and start time (field 22) of `/proc/<pid>/stat`. The command name (field 2)
/// is in parentheses and may hold spaces and parentheses itself, so fields are counted after the last `)`.
#[cfg(target_os = "linux")]
fn proc_stat(pid: i64) -> Option<(char, i64)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut fields = text.get(text.rfind(')')? + 1..)?.split_whitespace();
    let state = fields.next()?.chars().next()?;
    // Field 3 was the state; field 22 is 19 further on.
    let started = fields.nth(18)?.parse().ok()?;
    Some((state, started))
}

#[cfg(not(target_os = "linux"))]
fn proc_stat(_pid: i64) -> Option<(char, i64)> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_runs_and_a_reaped_child_does_not() {
        let me = ProcessId::current();
        assert_eq!(me.is_running(), Some(true));
        assert_eq!(ProcessId::of(me.pid), Some(me));
        if cfg!(target_os = "linux") {
            assert!(me.started.is_some_and(|s| s > 0), "{me:?}");
            // The same id with another start time is another process.
            let reused = ProcessId { pid: me.pid, started: me.started.map(|s| s - 1) };
            assert_eq!(reused.is_running(), Some(false));
        }
        let mut child = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        let pid = i64::from(child.id());
        let running = ProcessId::of(pid).expect("the child runs");
        assert_eq!(running.is_running(), Some(true));
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(running.is_running(), Some(false));
        assert_eq!(ProcessId::of(pid), None);
        assert!(!pid_alive(0) && !pid_alive(-5));
    }
}
