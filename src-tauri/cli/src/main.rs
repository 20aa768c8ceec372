//! `cachescope`: the headless command line over cachescope-core. Human output by default,
//! `--json` for scripts; exit codes say what went wrong (see [`exit_code`]).

mod cli_args;
mod commands;
mod output;

use std::process::ExitCode;

use clap::Parser as _;

use cli_args::Cli;

/// Exit codes: 0 ok, 1 internal/protocol, 2 bad input (clap uses 2 too), 3 not found,
/// 4 refused (read-only profile, permission), 5 authentication, 6 unavailable, rate limited or
/// keys left unprocessed (retry), 7 quota exceeded, 8 database, 9 config or secret store, 130 cancelled.
fn exit_code(code: cachescope_core::ErrorCode) -> u8 {
    use cachescope_core::ErrorCode::*;
    match code {
        Internal => 1,
        Invalid => 2,
        NotFound => 3,
        ReadOnlyProfile | Permission => 4,
        Auth => 5,
        Unavailable | RateLimited => 6,
        QuotaExceeded => 7,
        Database => 8,
        Config => 9,
        Cancelled => 130,
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("CACHESCOPE_LOG")
                .unwrap_or_else(|_| "warn".into()),
        )
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cachescope: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cachescope: {e}");
            ExitCode::from(exit_code(e.code()))
        }
    }
}
