//! `infra-gen`: rewrites or checks the generated blocks of the SAM template.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{ArgGroup, Parser};
use rds_events::route::ROUTES;

/// Rewrite or check the blocks of the SAM template that are generated from the routes in
/// rds-events: the RDS event subscriptions and each function's SNS filter policy and
/// EventBridge pattern.
///
/// Exit status: 0 when the template is up to date or was rewritten, 1 when --check finds a
/// stale block, 2 when the template cannot be read, written or parsed.
#[derive(Debug, Parser)]
#[command(group(ArgGroup::new("mode").required(true)))]
struct Args {
    /// Rewrite the generated blocks of this template in place.
    #[arg(long, value_name = "TEMPLATE", group = "mode")]
    write: Option<PathBuf>,

    /// Report each generated block of this template that differs from the routes, with a
    /// diff, and change nothing.
    #[arg(long, value_name = "TEMPLATE", group = "mode")]
    check: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match (&args.write, &args.check) {
        (Some(path), _) => write(path),
        (None, Some(path)) => check(path),
        (None, None) => unreachable!("clap requires --write or --check"),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("infra-gen: {message}");
            ExitCode::from(2)
        }
    }
}

fn read(path: &Path) -> Result<(String, Vec<infra_gen::Block>), String> {
    let template = fs::read_to_string(path)
        .map_err(|err| format!("failed to read {}: {err}", path.display()))?;
    let blocks = infra_gen::blocks(&ROUTES).map_err(|err| err.to_string())?;
    Ok((template, blocks))
}

fn write(path: &Path) -> Result<ExitCode, String> {
    let (template, blocks) = read(path)?;
    let rewritten = infra_gen::regenerate(&template, &blocks)
        .map_err(|err| format!("{}: {err}", path.display()))?;
    if rewritten == template {
        println!("{}: generated blocks are up to date", path.display());
    } else {
        fs::write(path, &rewritten)
            .map_err(|err| format!("failed to write {}: {err}", path.display()))?;
        println!("{}: rewrote the generated blocks", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

fn check(path: &Path) -> Result<ExitCode, String> {
    let (template, blocks) = read(path)?;
    let stale = infra_gen::stale_blocks(&template, &blocks)
        .map_err(|err| format!("{}: {err}", path.display()))?;
    if stale.is_empty() {
        println!("{}: generated blocks match the routes", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    for block in &stale {
        eprintln!(
            "{}:{}: generated block {} differs from the routes",
            path.display(),
            block.line,
            block.name
        );
        eprint!("{}", block.diff);
    }
    eprintln!(
        "infra-gen: {} stale block(s); run `cargo run -p infra-gen -- --write {}`",
        stale.len(),
        path.display()
    );
    Ok(ExitCode::from(1))
}
