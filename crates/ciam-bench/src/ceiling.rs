//! The machine's argon2 ceiling, measured rather than assumed: how many argon2id hashes per
//! second the server's own hasher (`ciam_authn::PasswordHasher`, the server's parameters, one
//! thread per core) completes on this machine, with nothing else at work. A password sign-in or
//! a sign-up costs one such computation, so no server can serve more of them than this; the
//! report states each sign-in row as a share of it. Measured before the first server starts and
//! again after the last one stops, so a machine whose speed changed during the run shows it.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use ciam_authn::PasswordHasher;
use ciam_core::secret::Secret;

/// How long one measurement hashes.
pub(crate) const WINDOW: Duration = Duration::from_secs(3);

/// Hashes per second over `window`, on every core.
pub(crate) async fn argon2_per_sec(window: Duration) -> Result<f64> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let hasher = Arc::new(PasswordHasher::new(cores).context("start the hashing threads")?);
    // One hash per thread first: the threads' working memory is allocated and touched.
    let warm: Vec<_> = (0..cores).map(|_| hasher.hash(Secret::new("warm-up"))).collect();
    for w in warm {
        w.await.context("hash")?;
    }
    let done = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..cores {
        let (hasher, done) = (hasher.clone(), done.clone());
        workers.push(tokio::spawn(async move {
            while start.elapsed() < window {
                hasher.hash(Secret::new("a benchmark password")).await?;
                done.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<_, ciam_authn::PasswordError>(())
        }));
    }
    for w in workers {
        w.await.context("a hashing task")?.context("hash")?;
    }
    Ok(done.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64())
}
