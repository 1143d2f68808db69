//! The `regen-planner` binary: parses the command line, starts logging, then runs a
//! command or opens the window.

mod cli;

use std::process::ExitCode;

use clap::Parser as _;

fn main() -> ExitCode {
    regen_planner::ui::mark_process_start();
    let args = match cli::Cli::try_parse() {
        Ok(args) => args,
        Err(error) => return cli::report_usage_error(&error),
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("REGEN_PLANNER_LOG")
                // The system font lookup warns about every unset locale ("C"), which
                // says nothing about the app.
                .unwrap_or_else(|_| {
                    tracing_subscriber::EnvFilter::new("warn,egui_system_font_provider=error")
                }),
        )
        .with_writer(std::io::stderr)
        // Colour codes only for a person at a terminal: a log file or a pipe gets
        // plain text (and NO_COLOR turns them off everywhere).
        .with_ansi(
            std::io::IsTerminal::is_terminal(&std::io::stderr())
                && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty()),
        )
        .init();
    match cli::run(args) {
        Ok(code) => code,
        Err(error) => {
            cli::report_error(&error);
            ExitCode::FAILURE
        }
    }
}
