//! How the window's script runs on Linux: by WebKit's JavaScript interpreter, without its just-in-time
//! compilers.
//!
//! The window's script is a user interface: it draws screens and waits on the app, which does the work
//! (signing, sending, history, exports) in Rust. JavaScriptCore's compilers turn the functions a page runs
//! often into machine code as it runs; for this window they cost about 17 MiB of the web process's memory
//! by its first paint and gain no time a user could see (docs/performance.md). Without them the page also
//! has no memory that is both written and run: it shows what providers answer and what users paste, and
//! the browsers' hardened modes turn the compilers off for that reason.
//!
//! The switch is JavaScriptCore's own environment variable `JSC_useJIT`, read by the web process the app
//! starts. When it is already set (to anything; `true` keeps the compilers), the app leaves it alone, so a
//! user can always choose.

/// JavaScriptCore's switch for its just-in-time compilers.
pub const JIT_VAR: &str = "JSC_useJIT";

/// How the web process runs the window's script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptEngine {
    /// The interpreter only: the app turned the compilers off.
    InterpreterOnly,
    /// As `JSC_useJIT` was set before the app started.
    AsConfigured,
    /// The platform's webview as it comes (not WebKitGTK).
    PlatformDefault,
}

/// What the app should do, from the value `JSC_useJIT` had when it started.
pub fn decide(configured: Option<&str>) -> ScriptEngine {
    if configured.is_some() {
        ScriptEngine::AsConfigured
    } else {
        ScriptEngine::InterpreterOnly
    }
}

/// Makes the choice for the web processes this process starts. Call first thing in `main`, before any
/// thread is started (it may set an environment variable).
pub fn choose() -> ScriptEngine {
    if !cfg!(target_os = "linux") {
        return ScriptEngine::PlatformDefault;
    }
    let engine = decide(std::env::var(JIT_VAR).ok().as_deref());
    if engine == ScriptEngine::InterpreterOnly {
        std::env::set_var(JIT_VAR, "false");
    }
    engine
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compilers_are_off_unless_the_user_chose() {
        assert_eq!(decide(None), ScriptEngine::InterpreterOnly);
    }

    #[test]
    fn what_the_user_set_is_left_alone() {
        assert_eq!(decide(Some("true")), ScriptEngine::AsConfigured);
        assert_eq!(decide(Some("false")), ScriptEngine::AsConfigured);
        assert_eq!(decide(Some("")), ScriptEngine::AsConfigured);
    }
}
