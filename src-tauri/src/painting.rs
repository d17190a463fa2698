//! Where the window's web content is painted on Linux: on the GPU (WebKitGTK's default) or on the CPU.
//!
//! WebKitGTK paints pages with Skia on the GPU through OpenGL. A machine without a GPU (a virtual machine,
//! a remote desktop, a container, a headless display) has no DRM render node, and its OpenGL is Mesa's
//! software rasterizer (llvmpipe): every shader Skia needs is then compiled by LLVM on the CPU, at each
//! start, and drawn by the CPU anyway. There, painting on the CPU directly is both quicker and lighter
//! (docs/performance.md: the first screen is interactive about 90 ms sooner and uses ~25 MiB less), so
//! the app asks WebKit for it. Machines with a GPU keep WebKit's default.
//!
//! The choice is WebKit's own environment variable `WEBKIT_SKIA_ENABLE_CPU_RENDERING`, read by the web
//! process the app starts. When it is already set (to anything; `0` keeps GPU painting), the app leaves
//! it alone, so a user can always choose.

pub use callback_desk::appinfo::Painting;

/// WebKit's switch for painting on the CPU.
pub const CPU_PAINTING_VAR: &str = "WEBKIT_SKIA_ENABLE_CPU_RENDERING";

/// What the app should do, from what the machine offers. `configured` is the value of
/// `WEBKIT_SKIA_ENABLE_CPU_RENDERING`, `forced_software` that of Mesa's `LIBGL_ALWAYS_SOFTWARE`, and
/// `has_render_node` whether `/dev/dri` holds a `renderD*` node.
pub fn decide(configured: Option<&str>, forced_software: Option<&str>, has_render_node: bool) -> Painting {
    if configured.is_some() {
        return Painting::AsConfigured;
    }
    let software_forced = forced_software.is_some_and(|v| !matches!(v.trim(), "" | "0" | "false"));
    if has_render_node && !software_forced {
        Painting::Default
    } else {
        Painting::CpuNoGpu
    }
}

/// True when the machine has a DRM render node (a GPU OpenGL can use).
fn has_render_node() -> bool {
    std::fs::read_dir("/dev/dri")
        .map(|dir| dir.flatten().any(|e| e.file_name().to_string_lossy().starts_with("renderD")))
        .unwrap_or(false)
}

/// Makes the choice for this process and the web processes it starts. Call first thing in `main`, before
/// any thread is started (it may set an environment variable).
pub fn choose() -> Painting {
    if !cfg!(target_os = "linux") {
        return Painting::Default;
    }
    let configured = std::env::var(CPU_PAINTING_VAR).ok();
    let forced = std::env::var("LIBGL_ALWAYS_SOFTWARE").ok();
    let painting = decide(configured.as_deref(), forced.as_deref(), has_render_node());
    if painting == Painting::CpuNoGpu {
        std::env::set_var(CPU_PAINTING_VAR, "1");
    }
    painting
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gpu_keeps_webkits_default() {
        assert_eq!(decide(None, None, true), Painting::Default);
        assert_eq!(decide(None, Some("0"), true), Painting::Default);
        assert_eq!(decide(None, Some("false"), true), Painting::Default);
    }

    #[test]
    fn no_gpu_or_forced_software_opengl_paints_on_the_cpu() {
        assert_eq!(decide(None, None, false), Painting::CpuNoGpu);
        assert_eq!(decide(None, Some("1"), true), Painting::CpuNoGpu);
        assert_eq!(decide(None, Some("true"), true), Painting::CpuNoGpu);
    }

    #[test]
    fn what_the_user_set_is_left_alone() {
        assert_eq!(decide(Some("0"), None, false), Painting::AsConfigured);
        assert_eq!(decide(Some("1"), None, true), Painting::AsConfigured);
        assert_eq!(decide(Some(""), Some("1"), false), Painting::AsConfigured);
    }
}
