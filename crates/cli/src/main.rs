//! The `chatwarden` binary: wires capture, inspection and the archive together.

mod cli;
mod cmd;
mod context;
mod demo;
mod exit;
mod phone_region;
mod pipeline;
mod term;

use clap::Parser;
use std::process::ExitCode;

/// mimalloc: messages built by the WhatsApp reader's threads are freed by the pipeline's
/// thread, a pattern glibc's allocator handles with arena locks (measured in
/// docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    init_logging(cli.verbose);
    match cmd::run(cli) {
        Ok(code) => code.into(),
        Err(error) => {
            // A closed pipe (`chatwarden parse x | head`) is not an error.
            if error
                .chain()
                .filter_map(|e| e.downcast_ref::<std::io::Error>())
                .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {error}");
            for cause in error.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            exit::Exit::Error.into()
        }
    }
}

fn init_logging(verbose: u8) {
    // Warnings about inputs are printed by the commands themselves; logs add detail.
    let default = match verbose {
        0 => "error",
        1 => "info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("CHATWARDEN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        // Colours only for a person at a terminal: logs sent to a file or a pipe stay plain.
        .with_ansi(crate::term::interactive())
        .with_target(false)
        .init();
}
