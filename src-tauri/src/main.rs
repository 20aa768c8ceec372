//! The desktop app's entry point; everything happens in the library's `run`.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    cachescope_app::run();
}
