//! How the CLI talks to people: progress bars on stderr (hidden when stderr is not a terminal),
//! confirmations, expiry formatting, and JSON for scripts.

use std::io::{IsTerminal as _, Write as _};
use std::time::Duration;

use cachescope_core::progress::Progress;
use cachescope_core::{Error, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use tokio_util::sync::CancellationToken;

/// A progress bar on stderr wired to a core [`Progress`]; Ctrl-C cancels the operation.
pub struct Bar {
    pub bar: ProgressBar,
    pub progress: Progress,
}

impl Bar {
    /// Starts a bar (a spinner until a total is known).
    pub fn start() -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg:>8} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} ({per_sec})")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        let cancel = CancellationToken::new();
        let on_ctrl_c = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                on_ctrl_c.cancel();
            }
        });
        let shown = bar.clone();
        let progress = Progress::new(cancel, move |update| {
            if let Some(total) = update.total {
                shown.set_length(total);
            }
            shown.set_position(update.done);
            shown.set_message(update.phase);
        });
        Self { bar, progress }
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// Prints a value as pretty JSON on stdout.
pub fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let text =
        serde_json::to_string_pretty(value).map_err(|e| Error::invalid("output", e.to_string()))?;
    println!("{text}");
    Ok(())
}

/// `2026-11-22 10:15:00Z (in 59m)`, or `never`.
pub fn expiry(expiration: Option<i64>) -> String {
    let Some(at) = expiration else {
        return "never".to_owned();
    };
    let when = chrono::DateTime::from_timestamp(at, 0)
        .map(|t| t.format("%Y-%m-%d %H:%M:%SZ").to_string())
        .unwrap_or_else(|| at.to_string());
    let left = at - chrono::Utc::now().timestamp();
    format!(
        "{when} ({})",
        if left >= 0 {
            format!("in {}", duration(left))
        } else {
            format!("{} ago", duration(-left))
        }
    )
}

/// `2d 3h`, `59m`, `42s`.
pub fn duration(seconds: i64) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds / 3600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) => format!("{m}m"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

/// Asks a question on the terminal; refuses (rather than assumes yes) when stdin is not one.
pub fn ask(question: &str) -> Result<String> {
    ask_or(question, "pass --yes to confirm")
}

/// Like [`ask`]; `instead` says how to confirm without a terminal (e.g. "pass --confirm JOB").
pub fn ask_or(question: &str, instead: &str) -> Result<String> {
    if !std::io::stdin().is_terminal() {
        return Err(Error::invalid(
            "confirmation",
            format!("stdin is not a terminal; {instead}"),
        ));
    }
    eprint!("{question} ");
    std::io::stderr().flush().ok();
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .map_err(|source| Error::Io {
            path: "stdin".into(),
            source,
        })?;
    Ok(answer.trim().to_owned())
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_naturally() {
        assert_eq!(super::duration(42), "42s");
        assert_eq!(super::duration(3540), "59m");
        assert_eq!(super::duration(3600 + 120), "1h 2m");
        assert_eq!(super::duration(2 * 86_400 + 3 * 3600), "2d 3h");
    }
}
