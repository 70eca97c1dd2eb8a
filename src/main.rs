//! The `ciam` binary: parse the command line, run the command.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match ciam_server::cli::main().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            // Configuration and startup errors: one line naming the problem, no backtrace.
            eprintln!("ciam: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
