//! Rebuilds the core when a migration is added or changed: `sqlx::migrate!` embeds the
//! migrations at compile time, and stable Rust does not track the folders it reads by itself.
fn main() {
    for dir in ["console", "source", "local-state"] {
        println!("cargo:rerun-if-changed=../../migrations/{dir}");
    }
}
