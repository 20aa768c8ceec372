//! What each subcommand does, one file per command group of `cli_args.rs`; this file only opens
//! the core and dispatches. Each command parses its input, calls the core and prints the result.

mod audit;
mod daemon;
mod db;
mod demo;
mod jobs;
mod kv;
mod profile;
mod reports;
mod stats;

use cachescope_core::{CoreContext, Result};

use crate::cli_args::{Cli, Command, DbCommand, DemoCommand};

/// Runs one parsed command line.
pub async fn run(cli: Cli) -> Result<()> {
    let ctx = CoreContext::open_default().await?;
    let done = run_command(&ctx, cli).await;
    // The reads this command made are counted before the process exits.
    ctx.console_reads().flush().await;
    done
}

async fn run_command(ctx: &CoreContext, cli: Cli) -> Result<()> {
    let profile = cli.profile.as_deref();
    let json = cli.json;
    match cli.command {
        Command::Profile(command) => profile::profile_command(ctx, command, json).await,
        Command::Kv(command) => kv::kv_command(ctx, profile, command, json).await,
        Command::Demo(DemoCommand::Seed {
            users,
            seed,
            scale,
            now,
        }) => {
            let args = demo::SeedArgs {
                users,
                seed,
                scale,
                now,
            };
            demo::seed(ctx, profile, args, json).await
        }
        Command::Demo(DemoCommand::Db { scale, seed, now }) => {
            demo::source_db(ctx, profile, scale, seed, now, json).await
        }
        Command::Demo(DemoCommand::Events { days, seed, now }) => {
            demo::events(ctx, profile, days, seed, now, json).await
        }
        Command::Db(DbCommand::Migrate) => db::migrate(ctx, profile, json).await,
        Command::Precompute(args) => reports::precompute_command(ctx, profile, args, json).await,
        Command::Report(command) => reports::report_command(ctx, profile, command, json).await,
        Command::Stats(args) => stats::stats_command(ctx, profile, args, json).await,
        Command::Jobs(command) => jobs::jobs_command(ctx, profile, command, json).await,
        Command::Daemon => daemon::daemon(ctx, profile).await,
        Command::Audit { limit, csv } => audit::audit(ctx, profile, limit, csv, json).await,
    }
}
