//! How the window paints on Linux. WebKitGTK composites its layers with OpenGL; on a machine
//! without a GPU (a virtual machine, a remote desktop, Xvfb) that OpenGL is Mesa's software
//! rasterizer, and every scroll frame of the key list pays for it. There the app asks WebKit to
//! paint without compositing, straight into the window, which needs no OpenGL. Chosen once, at
//! start-up, before the first window exists; `CACHESCOPE_COMPOSITING=on|off` overrides the choice,
//! and a `WEBKIT_DISABLE_COMPOSITING_MODE` set by the user is left alone.

/// Sets WebKit's compositing mode for this process and says why when it turns compositing off.
/// Must run before any other thread starts: it sets an environment variable that WebKit reads
/// when it starts.
pub fn choose_compositing() -> Option<&'static str> {
    #[cfg(target_os = "linux")]
    {
        if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_some() {
            return None;
        }
        let off = match std::env::var("CACHESCOPE_COMPOSITING").as_deref() {
            Ok("off") => "CACHESCOPE_COMPOSITING=off",
            Ok("on") => return None,
            _ if has_gpu() => return None,
            _ => "no GPU render node in /dev/dri",
        };
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
        Some(off)
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// Whether the kernel offers a GPU render node (`/dev/dri/renderD*`): without one, OpenGL can
/// only be software.
#[cfg(target_os = "linux")]
fn has_gpu() -> bool {
    std::fs::read_dir("/dev/dri").is_ok_and(|entries| {
        entries
            .flatten()
            .any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
    })
}
