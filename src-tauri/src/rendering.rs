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
        let setting = std::env::var("CACHESCOPE_COMPOSITING").ok();
        if let Some(other) = setting.as_deref().filter(|v| !matches!(*v, "on" | "off")) {
            tracing::warn!("CACHESCOPE_COMPOSITING={other:?} is neither `on` nor `off`: ignored");
        }
        let why = compositing_off(
            std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_some(),
            setting.as_deref(),
            has_gpu,
        )?;
        std::env::set_var("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
        Some(why)
    }
    #[cfg(not(target_os = "linux"))]
    None
}

/// Why compositing goes off (none: it stays as WebKit chooses): the user's own WebKit setting
/// wins, then `CACHESCOPE_COMPOSITING`, then whether there is a GPU.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn compositing_off(
    webkit_set: bool,
    setting: Option<&str>,
    has_gpu: impl FnOnce() -> bool,
) -> Option<&'static str> {
    match setting {
        _ if webkit_set => None,
        Some("off") => Some("CACHESCOPE_COMPOSITING=off"),
        Some("on") => None,
        _ if has_gpu() => None,
        _ => Some("no GPU render node in /dev/dri"),
    }
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

#[cfg(test)]
mod tests {
    use super::compositing_off;

    #[test]
    fn compositing_goes_off_without_a_gpu_unless_told_otherwise() {
        let no_gpu = || false;
        let gpu = || true;
        assert_eq!(
            compositing_off(false, None, no_gpu),
            Some("no GPU render node in /dev/dri")
        );
        assert_eq!(compositing_off(false, None, gpu), None);
        assert_eq!(compositing_off(false, Some("on"), no_gpu), None);
        assert_eq!(
            compositing_off(false, Some("off"), gpu),
            Some("CACHESCOPE_COMPOSITING=off")
        );
        // Anything else is no choice: the GPU decides.
        assert_eq!(
            compositing_off(false, Some("maybe"), no_gpu),
            Some("no GPU render node in /dev/dri")
        );
        // The user's own WebKit setting is left alone.
        assert_eq!(compositing_off(true, Some("off"), no_gpu), None);
    }
}
