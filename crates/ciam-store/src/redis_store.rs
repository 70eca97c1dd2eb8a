//! The Redis ephemeral store, shared by every node of a deployment.
//!
//! Atomicity comes from Redis itself: `GETDEL` for single-use takes, `SET NX PX` for replay
//! caches, `SET XX PX` for sliding expiry, and a two-line Lua script for counters that start their window on the first hit.
//! Every key is prefixed (`ciam:` by default) so one Redis can serve several deployments or test
//! runs. The connection is established lazily and re-established on failure, with short
//! connect and response timeouts: a Redis outage fails requests fast instead of hanging them.

use std::time::Duration;

use async_trait::async_trait;
use ciam_core::store::{EphemeralStore, HealthCheck, Marker, StoreError, StoreResult};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

const INCR_WITH_WINDOW: &str = r"
local v = redis.call('INCR', KEYS[1])
if v == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return v";

/// `SET NX PX` of KEYS[1] and, in the same step, the marker KEYS[2]: set to Redis' own time
/// (unix seconds) when missing, its expiry renewed otherwise; returns whether KEYS[1] was set and
/// the marker. (`replicate_commands` lets a script write after `TIME` on Redis before 5; later
/// versions do so anyway.)
const PUT_IF_ABSENT_MARKED: &str = r"
redis.replicate_commands()
local fresh = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
local mark = redis.call('GET', KEYS[2])
if mark then
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
else
  mark = redis.call('TIME')[1]
  redis.call('SET', KEYS[2], mark, 'PX', ARGV[3])
end
if fresh then return {1, tonumber(mark)} end
return {0, tonumber(mark)}";

/// Redis-backed ephemeral store.
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
    incr: redis::Script,
    put_if_absent_marked: redis::Script,
}

fn unavailable(e: redis::RedisError) -> StoreError {
    StoreError::Unavailable(Box::new(e))
}

fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// `s` with Redis glob metacharacters escaped, for `SCAN MATCH`.
fn glob_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        if matches!(ch, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

impl RedisStore {
    /// A store on `url` whose keys all start with `prefix`. Does not connect yet: the first
    /// command does, so a node can start (and report not-ready) while Redis is down.
    pub fn connect(url: &str, prefix: &str) -> StoreResult<Self> {
        let client = redis::Client::open(url).map_err(unavailable)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(Duration::from_secs(2)))
            .set_response_timeout(Some(Duration::from_secs(2)))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_millis(500));
        let conn = ConnectionManager::new_lazy_with_config(client, config).map_err(unavailable)?;
        Ok(Self {
            conn,
            prefix: prefix.to_owned(),
            incr: redis::Script::new(INCR_WITH_WINDOW),
            put_if_absent_marked: redis::Script::new(PUT_IF_ABSENT_MARKED),
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    /// `SET key value <condition> PX ttl`: `NX` (only if absent) or `XX` (only if present);
    /// `true` if it was written.
    async fn set_if(&self, key: &str, value: &[u8], ttl: Duration, condition: &str) -> StoreResult<bool> {
        let mut c = self.conn.clone();
        let set: Option<String> = redis::cmd("SET")
            .arg(self.key(key))
            .arg(value)
            .arg(condition)
            .arg("PX")
            .arg(millis(ttl))
            .query_async(&mut c)
            .await
            .map_err(unavailable)?;
        Ok(set.is_some())
    }
}

#[async_trait]
impl HealthCheck for RedisStore {
    async fn ping(&self) -> StoreResult<()> {
        let mut c = self.conn.clone();
        redis::cmd("PING").query_async::<String>(&mut c).await.map(|_| ()).map_err(unavailable)
    }
}

#[async_trait]
impl EphemeralStore for RedisStore {
    async fn put(&self, key: &str, value: &[u8], ttl: Duration) -> StoreResult<()> {
        let mut c = self.conn.clone();
        redis::cmd("SET")
            .arg(self.key(key))
            .arg(value)
            .arg("PX")
            .arg(millis(ttl))
            .query_async::<()>(&mut c)
            .await
            .map_err(unavailable)
    }

    async fn put_if_absent(&self, key: &str, value: &[u8], ttl: Duration) -> StoreResult<bool> {
        self.set_if(key, value, ttl, "NX").await
    }

    async fn put_if_absent_marked(
        &self,
        key: &str,
        value: &[u8],
        ttl: Duration,
        marker: Marker<'_>,
    ) -> StoreResult<(bool, i64)> {
        let mut c = self.conn.clone();
        let (fresh, mark): (i64, i64) = self
            .put_if_absent_marked
            .key(self.key(key))
            .key(self.key(marker.key))
            .arg(value)
            .arg(millis(ttl))
            .arg(millis(marker.ttl))
            .invoke_async(&mut c)
            .await
            .map_err(unavailable)?;
        Ok((fresh == 1, mark))
    }

    async fn put_if_present(&self, key: &str, value: &[u8], ttl: Duration) -> StoreResult<bool> {
        self.set_if(key, value, ttl, "XX").await
    }

    async fn get(&self, key: &str) -> StoreResult<Option<Vec<u8>>> {
        let mut c = self.conn.clone();
        redis::cmd("GET").arg(self.key(key)).query_async(&mut c).await.map_err(unavailable)
    }

    async fn get_many(&self, keys: &[&str]) -> StoreResult<Vec<Option<Vec<u8>>>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut c = self.conn.clone();
        let mut mget = redis::cmd("MGET");
        for key in keys {
            mget.arg(self.key(key));
        }
        mget.query_async(&mut c).await.map_err(unavailable)
    }

    async fn take(&self, key: &str) -> StoreResult<Option<Vec<u8>>> {
        let mut c = self.conn.clone();
        redis::cmd("GETDEL").arg(self.key(key)).query_async(&mut c).await.map_err(unavailable)
    }

    async fn delete(&self, key: &str) -> StoreResult<bool> {
        let mut c = self.conn.clone();
        let n: u64 = redis::cmd("DEL").arg(self.key(key)).query_async(&mut c).await.map_err(unavailable)?;
        Ok(n > 0)
    }

    async fn incr(&self, key: &str, window: Duration) -> StoreResult<u64> {
        let mut c = self.conn.clone();
        self.incr.key(self.key(key)).arg(millis(window)).invoke_async(&mut c).await.map_err(unavailable)
    }

    async fn count(&self, key: &str) -> StoreResult<u64> {
        let mut c = self.conn.clone();
        let v: Option<u64> = redis::cmd("GET").arg(self.key(key)).query_async(&mut c).await.map_err(unavailable)?;
        Ok(v.unwrap_or(0))
    }

    async fn set_add(&self, key: &str, member: &str, ttl: Duration) -> StoreResult<()> {
        let mut c = self.conn.clone();
        redis::pipe()
            .atomic()
            .cmd("SADD")
            .arg(self.key(key))
            .arg(member)
            .ignore()
            .cmd("PEXPIRE")
            .arg(self.key(key))
            .arg(millis(ttl))
            .ignore()
            .query_async::<()>(&mut c)
            .await
            .map_err(unavailable)
    }

    async fn delete_namespace(&self, ns: &str) -> StoreResult<u64> {
        let mut c = self.conn.clone();
        let pattern = format!("{}*:{}:*", glob_escape(&self.prefix), glob_escape(ns));
        let (mut cursor, mut deleted) = (0u64, 0u64);
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut c)
                .await
                .map_err(unavailable)?;
            if !keys.is_empty() {
                let n: u64 = redis::cmd("UNLINK").arg(&keys).query_async(&mut c).await.map_err(unavailable)?;
                deleted += n;
            }
            if next == 0 {
                return Ok(deleted);
            }
            cursor = next;
        }
    }

    async fn set_remove(&self, key: &str, member: &str) -> StoreResult<bool> {
        let mut c = self.conn.clone();
        let n: u64 =
            redis::cmd("SREM").arg(self.key(key)).arg(member).query_async(&mut c).await.map_err(unavailable)?;
        Ok(n > 0)
    }

    async fn set_members(&self, key: &str) -> StoreResult<Vec<String>> {
        let mut c = self.conn.clone();
        redis::cmd("SMEMBERS").arg(self.key(key)).query_async(&mut c).await.map_err(unavailable)
    }
}
