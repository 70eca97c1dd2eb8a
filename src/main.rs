//! The `ciam` binary: parse the command line, run the command.

/// jemalloc: about 10% less CPU per request than glibc's malloc under the benchmark's loads, at
/// the same peak memory (docs/performance.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
