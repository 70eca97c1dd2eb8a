//! Walk-throughs that run: every shell block of README.md and docs/*.md, executed as written
//! against a fresh server, so the documentation cannot drift from the product.
//!
//! The rules (also in docs/contributing.md):
//!
//! - A fenced block whose info string is `sh` is a command a reader runs. The blocks of one file
//!   run in order, in one `bash` session (`set -euo pipefail`), so a variable assigned in one
//!   block is there in the next and a variable used before it is assigned fails the test.
//! - Each file gets its own fresh server (on PostgreSQL and Redis too, under
//!   `TEST_BACKEND=postgres`), on a free port, with the public URL `http://localhost:PORT`. The
//!   documents say `localhost:8080` (the default); the test replaces `localhost:8080` and
//!   `127.0.0.1:8080`, also URL-encoded (`localhost%3A8080`), with the server's port and changes
//!   nothing else.
//! - The shell starts in the server's working directory (so `data/admin-token` is the server's),
//!   with the `ciam` under test first on `PATH` and pointed at the server's stores.
//! - `curl` fails on an HTTP error status (a `.curlrc` with `fail-with-body`): a block that shows
//!   an error on purpose says so with `|| true` or by checking the status itself.
//! - `sh no-test` marks a block a reader runs but the test does not: starting the server (the
//!   test starts its own) and commands that need what the test cannot provide (a long build,
//!   another server). Output and anything not meant to be run as written go in `text`, `json`
//!   or another language.

use std::path::{Path, PathBuf};
use std::time::Duration;

use ciam_testkit::{Server, ServerOptions, TempDir};

use crate::BIN;

/// A shell block of a document: where it starts and its commands, unindented.
#[derive(Debug, PartialEq)]
struct Block {
    line: usize,
    code: String,
}

/// The blocks of `markdown` the test runs: fenced with the info string `sh` (and not `sh no-test`),
/// indented or not (inside a list item).
fn sh_blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, usize, bool, Vec<&str>)> = None; // line, indent, run, lines
    for (i, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        match open.take() {
            None => {
                if let Some(info) = trimmed.strip_prefix("```") {
                    let mut words = info.split_whitespace();
                    let run = words.next() == Some("sh") && !words.any(|w| w == "no-test");
                    open = Some((i + 1, indent, run, Vec::new()));
                }
            }
            Some((start, ind, run, mut lines)) => {
                if trimmed.starts_with("```") {
                    if run {
                        let code: Vec<String> = lines
                            .iter()
                            .map(|l| l.get(ind.min(leading_spaces(l))..).unwrap_or("").to_owned())
                            .collect();
                        blocks.push(Block { line: start, code: code.join("\n") });
                    }
                } else {
                    lines.push(line);
                    open = Some((start, ind, run, lines));
                }
            }
        }
    }
    blocks
}

fn leading_spaces(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// README.md and every docs/*.md, relative to the repository root.
fn documents() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![PathBuf::from("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| p.strip_prefix(root).unwrap().to_owned())
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// The documents with a walk-through test below.
const WALKED: &[&str] = &[
    "README.md",
    "docs/agents.md",
    "docs/cli.md",
    "docs/federation.md",
    "docs/migration.md",
    "docs/oidc.md",
    "docs/protect-an-api.md",
    "docs/troubleshooting.md",
];

/// Runs the `sh` blocks of `file` in one bash session against a fresh server; panics naming the
/// block that failed, with everything the shell and the server printed.
async fn walk(file: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let markdown = std::fs::read_to_string(root.join(file)).unwrap();
    assert!(!sh_blocks(&markdown).is_empty(), "{file} has no sh block: remove it from WALKED");
    if let Err(report) = run(file, &markdown).await {
        panic!("{report}");
    }
}

/// Runs the `sh` blocks of `markdown` (named `file` in reports) in one bash session against a
/// fresh server; the error is the report of the failure.
async fn run(file: &str, markdown: &str) -> Result<(), String> {
    let blocks = sh_blocks(markdown);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = TempDir::new("walk");
    let env = vec![
        ("CIAM_BIND".to_owned(), format!("127.0.0.1:{port}")),
        ("CIAM_PUBLIC_URL".to_owned(), format!("http://localhost:{port}")),
    ];
    let server = Server::start(BIN, &dir.0, ServerOptions { env, ..ServerOptions::default() }).await;

    let mut script = String::from(
        "set -euo pipefail\n__block=start\ntrap 'rc=$?; if [ $rc -ne 0 ]; then echo \"walk-through failed in the block at line $__block\" >&2; fi' EXIT\n",
    );
    for b in &blocks {
        let code = rebase_urls(&b.code, port);
        script.push_str(&format!("__block={}\necho '$ [{file}:{}]' >&2\n{code}\n", b.line, b.line));
    }
    let curl_home = dir.0.join("curl-home");
    std::fs::create_dir_all(&curl_home).unwrap();
    // Every request's status and URL go to standard error: the trail a failure is read from
    // (a failing request's body may have gone into a variable).
    let curlrc =
        "fail-with-body\nshow-error\nwrite-out = \"%{stderr}  -> %{http_code} %{method} %{url_effective}\\n\"\n";
    std::fs::write(curl_home.join(".curlrc"), curlrc).unwrap();
    std::fs::write(dir.0.join("walk.sh"), &script).unwrap();
    let bin_dir = Path::new(BIN).parent().unwrap();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let mut cmd = tokio::process::Command::new("bash");
    cmd.arg("walk.sh")
        .current_dir(&dir.0)
        .env("PATH", path)
        .env("CURL_HOME", &curl_home)
        .env("CIAM_LOG__LEVEL", "warn")
        .env_remove("DATABASE_URL")
        .env_remove("REDIS_URL")
        .envs(server.cli_env().iter().map(|(k, v)| (k, v)))
        .kill_on_drop(true);
    let out =
        tokio::time::timeout(Duration::from_secs(180), cmd.output()).await.expect("walk-through timed out").unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.success() {
        return Ok(());
    }
    Err(format!(
        "{file}: {}\n--- output\n{stdout}\n--- errors\n{stderr}\n--- server log (tail)\n{}",
        stderr.lines().last().unwrap_or_default(),
        tail(&server.logs(), 40)
    ))
}

/// `text` with the documents' `localhost:8080` and `127.0.0.1:8080`, written plainly or
/// URL-encoded (`localhost%3A8080`), on `port` instead.
fn rebase_urls(text: &str, port: u16) -> String {
    let mut text = text.to_owned();
    for host in ["localhost", "127.0.0.1"] {
        for colon in [":", "%3A", "%3a"] {
            text = text.replace(&format!("{host}{colon}8080"), &format!("{host}{colon}{port}"));
        }
    }
    text
}

fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[test]
fn sh_blocks_are_found_with_their_line_indented_or_not_and_no_test_is_left_out() {
    let md = "# T\n```sh\na=1\n```\n\n```text\nno\n```\n1. step\n\n   ```sh\n   echo \"$a\"\n     indented\n   ```\n```sh no-test\ncargo run\n```\n";
    assert_eq!(
        sh_blocks(md),
        vec![Block { line: 2, code: "a=1".into() }, Block { line: 11, code: "echo \"$a\"\n  indented".into() }]
    );
}

#[test]
fn the_documents_urls_move_to_the_test_servers_port_plain_or_encoded() {
    assert_eq!(
        rebase_urls("curl localhost:8080/x http%3A%2F%2Flocalhost%3A8080%2Ft 127.0.0.1:8080 127.0.0.1:8000", 4321),
        "curl localhost:4321/x http%3A%2F%2Flocalhost%3A4321%2Ft 127.0.0.1:4321 127.0.0.1:8000"
    );
}

#[tokio::test]
async fn a_walk_through_carries_variables_across_blocks_and_fails_on_what_a_reader_would_hit() {
    let ok = "```sh\nADMIN_TOKEN=$(cat data/admin-token)\n```\ntext\n```sh\ncurl -s localhost:8080/admin/v1/tenants \\\n  -H \"Authorization: Bearer $ADMIN_TOKEN\"\nciam version\n```\n";
    run("ok.md", ok).await.unwrap();

    // A variable nobody assigned, an HTTP error, a failing command in a pipeline: each fails the
    // walk naming the block.
    let unassigned = "```sh\necho one\n```\n\n```sh\ncurl -s \"localhost:8080/t/acme/$CODE\"\n```\n";
    let report = run("unassigned.md", unassigned).await.unwrap_err();
    assert!(report.contains("CODE: unbound variable") && report.contains("block at line 5"), "{report}");
    let http_error = "```sh\ncurl -s localhost:8080/admin/v1/tenants\necho never\n```\n";
    let report = run("http.md", http_error).await.unwrap_err();
    assert!(report.contains("-> 401 GET") && !report.contains("never"), "{report}");
    let pipeline = "```sh\nX=$(false | cat)\n```\n";
    assert!(run("pipe.md", pipeline).await.unwrap_err().contains("block at line 1"));
    // A block marked `sh no-test` is not run.
    run("skipped.md", "```sh no-test\nfalse\n```\n").await.unwrap();
}

#[test]
fn every_document_with_a_shell_block_is_walked() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let unwalked: Vec<String> = documents()
        .into_iter()
        .filter(|f| !sh_blocks(&std::fs::read_to_string(root.join(f)).unwrap()).is_empty())
        .map(|f| f.display().to_string())
        .filter(|f| !WALKED.contains(&f.as_str()))
        .collect();
    assert!(unwalked.is_empty(), "add a walk-through test (and WALKED entry) for {unwalked:?}");
}

#[tokio::test]
async fn readme_walks_through() {
    walk("README.md").await;
}

#[tokio::test]
async fn cli_walks_through() {
    walk("docs/cli.md").await;
}

#[tokio::test]
async fn oidc_walks_through() {
    walk("docs/oidc.md").await;
}

#[tokio::test]
async fn agents_walks_through() {
    walk("docs/agents.md").await;
}

#[tokio::test]
async fn federation_walks_through() {
    walk("docs/federation.md").await;
}

#[tokio::test]
async fn migration_walks_through() {
    walk("docs/migration.md").await;
}

#[tokio::test]
async fn protect_an_api_walks_through() {
    walk("docs/protect-an-api.md").await;
}

#[tokio::test]
async fn troubleshooting_walks_through() {
    walk("docs/troubleshooting.md").await;
}
