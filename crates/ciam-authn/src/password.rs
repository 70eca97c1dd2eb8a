//! Password hashing with argon2id (RFC 9106) on a bounded pool of low-priority threads.
//!
//! # Security
//! - Parameters are OWASP's argon2id recommendation (m = 19 MiB, t = 2, p = 1), the crate default.
//! - Hashing runs on `max_concurrent` dedicated threads (no more at once: the rest wait their
//!   turn asynchronously) whose CPU priority is below the request threads' (nice 9 on Linux). A
//!   burst of sign-ins or user imports therefore uses the CPU the token endpoint leaves idle
//!   rather than taking it from it: sign-ins slow down under a flood, token requests do not.
//! - [`PasswordHasher::verify_or_dummy`] verifies against a dummy hash when the user is unknown,
//!   so response time does not reveal whether an account exists.
//! - The password is compared exactly as typed: no trimming, no case folding, no truncation.
//! - New passwords found in a list of the 30,000 most common breached passwords are refused
//!   (NIST SP 800-63B §3.1.1.2), compared case-insensitively; the list ships in `data/`.
//! - [`PasswordHasher::needs_rehash`] tells the login flow when a stored hash was made with other
//!   parameters, so it can rehash the password it just verified.
//!
//! # Memory
//! Each hashing thread keeps its 19 MiB of argon2 working memory between computations instead of
//! allocating it for every password. A sign-in then costs no fresh page faults, and the allocator
//! no longer sees 19 MiB blocks come and go all the time, which had made the threads' glibc
//! arenas hold on to tens of MB of freed memory each (measured: 240 MB resident for 23 MB of
//! live heap; now about 70 MB). After [`KEEP_IDLE`] without a password to hash the memory is
//! given back, so a server between bursts of sign-ins does not carry 19 MiB per hashing thread;
//! the first sign-in after a pause pays the page faults of a fresh block (a few ms). An idle
//! server keeps none: the dummy hash is a constant, not computed at start.

use std::collections::HashSet;
use std::sync::mpsc::{RecvTimeoutError, Sender, channel};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use argon2::password_hash::phc::{Output, ParamsString, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use ciam_core::FieldError;
use ciam_core::secret::Secret;
use ciam_core::user::PasswordHash;
use tokio::sync::Semaphore;

/// Why hashing failed.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    /// The hashing worker could not run (runtime shutting down) or argon2 failed.
    #[error("password hashing failed: {0}")]
    Hashing(String),
}

/// The tenant password rules checked before hashing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordPolicy {
    /// Minimum length in characters.
    pub min_length: usize,
    /// Refuse passwords found in the list of common breached passwords.
    pub refuse_common: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        // NIST SP 800-63B §3.1.1.2: at least 8 characters, at least 64 allowed, no known-breached
        // passwords.
        Self { min_length: 8, refuse_common: true }
    }
}

/// The most common breached passwords, lower case, one per line (see `data/README.md`).
static COMMON_PASSWORDS: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| include_str!("../data/common-passwords.txt").lines().filter(|l| !l.is_empty()).collect());

/// Whether `password` is in the list of common breached passwords, ignoring case.
pub fn is_common_password(password: &str) -> bool {
    COMMON_PASSWORDS.contains(password.to_lowercase().as_str())
}

/// The longest password accepted, in bytes: long enough for any passphrase, short enough that a
/// megabyte "password" cannot be used to burn CPU.
pub const MAX_PASSWORD_BYTES: usize = 1024;

impl PasswordPolicy {
    /// Checks a new password against the policy. The error never echoes the password.
    pub fn check(&self, password: &Secret) -> Result<(), FieldError> {
        let p = password.expose_secret();
        if p.chars().count() < self.min_length {
            return Err(FieldError::new("password", format!("must be at least {} characters", self.min_length)));
        }
        if p.len() > MAX_PASSWORD_BYTES {
            return Err(FieldError::new("password", format!("must be at most {MAX_PASSWORD_BYTES} bytes")));
        }
        if self.refuse_common && is_common_password(p) {
            return Err(FieldError::new("password", "is too common; choose another"));
        }
        Ok(())
    }
}

/// Hashes and verifies passwords off the async runtime, a bounded number at a time.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    jobs: Sender<Job>,
}

/// What an unknown user's password is verified against, so that the answer takes as long as for
/// a known user: an argon2id hash, with the current parameters, of a random password that was
/// thrown away. Knowing it helps nobody: a match against it still fails the sign-in.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$udJcuL+Q0WpVwL6My2immQ$LOCe6e2bpznYC7Bz6yuu/Q3t5QkJdToPR7bUe3jIvgg";

/// One argon2 computation and the delivery of its result, run with the thread's working memory.
type Job = Box<dyn FnOnce(&mut Scratch) + Send>;

/// A hashing thread's argon2 working memory, kept between computations (see "Memory" above).
#[derive(Default)]
struct Scratch(Vec<Block>);

impl Scratch {
    /// The most memory kept: what the current parameters need. A stored hash that asks for more
    /// (imported with other parameters) gets memory for that one computation.
    const MAX_KEPT_BLOCKS: usize = Params::DEFAULT.block_count();

    /// Runs argon2 over `password` and `salt` into `out`.
    fn hash_into(&mut self, argon: &Argon2<'_>, password: &[u8], salt: &[u8], out: &mut [u8]) -> argon2::Result<()> {
        let needed = argon.params().block_count();
        if needed > Self::MAX_KEPT_BLOCKS {
            return argon.hash_password_into(password, salt, out);
        }
        if self.0.len() < needed {
            self.0.resize(needed, Block::default());
        }
        let memory = self.0.get_mut(..needed).ok_or(argon2::Error::MemoryTooLittle)?;
        argon.hash_password_into_with_memory(password, salt, out, memory)
    }

    /// A new argon2id PHC string for `password` with the current parameters and a random salt.
    fn hash(&mut self, password: &Secret) -> Result<PasswordHash, PasswordError> {
        let failed = |e: &dyn std::fmt::Display| PasswordError::Hashing(e.to_string());
        let argon = Argon2::default();
        let salt = Salt::generate();
        let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
        self.hash_into(&argon, password.expose_secret().as_bytes(), &salt, &mut out).map_err(|e| failed(&e))?;
        let phc = argon2::PasswordHash {
            algorithm: argon2::ARGON2ID_IDENT,
            version: Some(Version::default().into()),
            params: ParamsString::try_from(argon.params()).map_err(|e| failed(&e))?,
            salt: Some(salt),
            hash: Some(Output::new(&out).map_err(|e| failed(&e))?),
        };
        Ok(PasswordHash::new(phc.to_string()))
    }

    /// Whether `password` matches the stored hash `phc`: an argon2 PHC string (any variant,
    /// version and parameters), or a hash imported from another system ([`crate::legacy`]). The
    /// outputs are compared in constant time (`Output`'s equality).
    fn verify(&mut self, password: &[u8], phc: &str) -> bool {
        if let Some(matched) = crate::legacy::verify(password, phc) {
            return matched;
        }
        let Ok(hash) = argon2::PasswordHash::new(phc) else { return false };
        let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else { return false };
        let (Ok(algorithm), Ok(version), Ok(params)) = (
            Algorithm::try_from(hash.algorithm.as_str()),
            hash.version.map_or(Ok(Version::default()), Version::try_from),
            Params::try_from(&hash),
        ) else {
            return false;
        };
        let mut buffer = [0u8; Output::MAX_LENGTH];
        let Some(out) = buffer.get_mut(..expected.len()) else { return false };
        self.hash_into(&Argon2::new(algorithm, version, params), password, salt, out).is_ok()
            && Output::new(out).is_ok_and(|computed| computed == *expected)
    }
}

/// How long working memory is kept while no password is hashed.
const KEEP_IDLE: std::time::Duration = std::time::Duration::from_secs(10);

/// The CPU priority of the hashing threads: `thread_priority`'s 0-99 scale, where 23 is nice 9
/// on Linux (about an eighth of a request thread's share when both want the CPU).
const HASHING_PRIORITY: u8 = 23;

/// Starts `threads` hashing threads at [`HASHING_PRIORITY`]; they end when every sender is gone.
/// The threads share a pool of working memory: a computation takes one (or a new one), gives it
/// back after, and once no job has come for `keep_idle` the pool is emptied.
fn hashing_threads(threads: usize, keep_idle: std::time::Duration) -> Result<Sender<Job>, PasswordError> {
    let (jobs, queue) = channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    let idle: Arc<Mutex<Vec<Scratch>>> = Arc::default();
    for i in 0..threads {
        let (queue, idle) = (queue.clone(), idle.clone());
        std::thread::Builder::new()
            .name(format!("argon2-{i}"))
            .spawn(move || {
                if let Err(e) = thread_priority::ThreadPriority::try_from(HASHING_PRIORITY)
                    .map_err(|e| e.to_string())
                    .and_then(|p| thread_priority::set_current_thread_priority(p).map_err(|e| format!("{e:?}")))
                {
                    tracing::warn!(error = %e, "password hashing threads keep the normal CPU priority");
                }
                let pool = || idle.lock().unwrap_or_else(PoisonError::into_inner);
                loop {
                    let next = queue.lock().unwrap_or_else(PoisonError::into_inner).recv_timeout(keep_idle);
                    match next {
                        Ok(job) => {
                            let mut scratch = pool().pop().unwrap_or_default();
                            job(&mut scratch);
                            pool().push(scratch);
                        }
                        Err(RecvTimeoutError::Timeout) => pool().clear(),
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
            })
            .map_err(|e| PasswordError::Hashing(format!("cannot start a hashing thread: {e}")))?;
    }
    Ok(jobs)
}

impl PasswordHasher {
    /// A hasher that runs at most `max_concurrent` argon2 computations at once, on as many
    /// dedicated low-priority threads.
    pub fn new(max_concurrent: usize) -> Result<Self, PasswordError> {
        Self::keeping_memory_for(max_concurrent, KEEP_IDLE)
    }

    fn keeping_memory_for(max_concurrent: usize, keep_idle: std::time::Duration) -> Result<Self, PasswordError> {
        let threads = max_concurrent.max(1);
        Ok(Self { permits: Arc::new(Semaphore::new(threads)), jobs: hashing_threads(threads, keep_idle)? })
    }

    /// Hashes a password into a PHC string.
    pub async fn hash(&self, password: Secret) -> Result<PasswordHash, PasswordError> {
        self.run(move |scratch| scratch.hash(&password)).await?
    }

    /// Verifies `password` against `hash`, or against a dummy hash when `hash` is `None`
    /// (unknown user), so both cases take the same time. `false` for a malformed stored hash.
    pub async fn verify_or_dummy(&self, password: Secret, hash: Option<PasswordHash>) -> Result<bool, PasswordError> {
        let known = hash.is_some();
        let phc: String = hash.map_or_else(|| DUMMY_HASH.to_owned(), |h| h.as_str().to_owned());
        let ok = self.run(move |scratch| scratch.verify(password.expose_secret().as_bytes(), &phc)).await?;
        Ok(ok && known)
    }

    /// Whether `stored` is a password hash this hasher verifies: an argon2 PHC string, or one of
    /// the [`crate::legacy`] formats with parameters within bounds. The error says why not.
    pub fn check_stored(stored: &str) -> Result<(), String> {
        if crate::legacy::check_format(stored)?.is_some() {
            return Ok(());
        }
        let phc = argon2::PasswordHash::new(stored).map_err(|_| {
            "is not a password hash ciam verifies (argon2, bcrypt, PBKDF2, scrypt, Firebase scrypt, SHA-crypt, salted SHA-2)".to_owned()
        })?;
        Algorithm::try_from(phc.algorithm.as_str()).map_err(|_| format!("unknown algorithm {}", phc.algorithm))?;
        let params = Params::try_from(&phc).map_err(|e| format!("argon2 parameters: {e}"))?;
        if params.m_cost() > 256 * 1024 {
            return Err("argon2 parameters asking for more than 256 MiB".into());
        }
        if phc.salt.is_none() || phc.hash.is_none() {
            return Err("the PHC string has no salt or no hash".into());
        }
        Ok(())
    }

    /// Whether `hash` was made with another algorithm, version or cost parameters than the ones
    /// [`PasswordHasher::hash`] uses now (or cannot be parsed): after a successful sign-in the
    /// caller rehashes the password it just verified and stores the new hash.
    pub fn needs_rehash(&self, hash: &PasswordHash) -> bool {
        let Ok(parsed) = argon2::PasswordHash::new(hash.as_str()) else {
            return true;
        };
        let Ok(params) = argon2::Params::try_from(&parsed) else {
            return true;
        };
        let current = Argon2::default();
        let wanted = current.params();
        parsed.algorithm != argon2::ARGON2ID_IDENT
            || parsed.version != Some(u32::from(argon2::Version::default()))
            || params.m_cost() != wanted.m_cost()
            || params.t_cost() != wanted.t_cost()
            || params.p_cost() != wanted.p_cost()
            || params.output_len() != Some(wanted.output_len().unwrap_or(argon2::Params::DEFAULT_OUTPUT_LEN))
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Scratch) -> T + Send + 'static,
    ) -> Result<T, PasswordError> {
        let _permit = self.permits.acquire().await.map_err(|e| PasswordError::Hashing(e.to_string()))?;
        let span = tracing::Span::current();
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |scratch| {
            let _ = done.send(span.in_scope(|| f(scratch)));
        });
        self.jobs.send(job).map_err(|_| PasswordError::Hashing("the hashing threads have stopped".into()))?;
        result.await.map_err(|_| PasswordError::Hashing("a hashing thread failed".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Working memory is kept between sign-ins and given back when no password has come for a while.
    #[tokio::test]
    async fn idle_hashing_threads_give_their_memory_back() {
        let hasher = PasswordHasher::keeping_memory_for(2, std::time::Duration::from_millis(300)).unwrap();
        let (a, b) = tokio::join!(hasher.hash(Secret::new("a password")), hasher.hash(Secret::new("another")));
        a.unwrap();
        b.unwrap();
        for _ in 0..2 {
            assert_eq!(hasher.run(|s| s.0.len()).await.unwrap(), Scratch::MAX_KEPT_BLOCKS, "kept after a hash");
        }
        tokio::time::sleep(std::time::Duration::from_millis(700)).await;
        for _ in 0..2 {
            assert_eq!(hasher.run(|s| s.0.len()).await.unwrap(), 0, "given back when idle");
        }
        let h = hasher.hash(Secret::new("a password")).await.unwrap();
        assert!(hasher.verify_or_dummy(Secret::new("a password"), Some(h)).await.unwrap(), "and taken again");
    }

    /// Hashing runs on the named pool threads, below the normal CPU priority.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn hashing_runs_on_low_priority_threads() {
        let hasher = PasswordHasher::new(2).unwrap();
        let (name, nice) = hasher
            .run(|_| {
                let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
                // Fields after the command name; `nice` is the 19th field of the line.
                let rest: Vec<&str> = stat.rsplit_once(')').unwrap().1.split_whitespace().collect();
                (std::thread::current().name().map(str::to_owned), rest[16].parse::<i32>().unwrap())
            })
            .await
            .unwrap();
        assert!(name.unwrap().starts_with("argon2-"));
        assert_eq!(nice, 9, "nice 9: about an eighth of a request thread's share under contention");
        // Many at once all complete (at most two at a time), and the pool survives its users.
        let all = verify_many(&hasher, 6).await;
        assert!(all.iter().all(|ok| *ok));
    }

    async fn verify_many(hasher: &PasswordHasher, n: usize) -> Vec<bool> {
        let hash = hasher.hash(Secret::new("p")).await.unwrap();
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..n {
            let (h, hash) = (hasher.clone(), hash.clone());
            tasks.spawn(async move { h.verify_or_dummy(Secret::new("p"), Some(hash)).await.unwrap() });
        }
        tasks.join_all().await
    }

    #[tokio::test]
    async fn hash_and_verify_exactly_as_typed_asvs_6_2_8() {
        let h = PasswordHasher::new(2).unwrap();
        let pw = "correct horse battery staple ".repeat(3);
        let hash = h.hash(Secret::new(pw.clone())).await.unwrap();
        assert!(hash.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(h.verify_or_dummy(Secret::new(pw.clone()), Some(hash.clone())).await.unwrap());
        // no trimming, no case folding, no truncation
        for wrong in [pw.trim().to_owned(), pw.to_uppercase(), format!("{pw}x"), pw[..pw.len() - 1].to_owned()] {
            assert!(!h.verify_or_dummy(Secret::new(wrong), Some(hash.clone())).await.unwrap());
        }
    }

    #[tokio::test]
    async fn unknown_user_never_verifies_even_with_the_dummy_password() {
        let h = PasswordHasher::new(1).unwrap();
        // The dummy costs what a real verification costs: same algorithm and parameters.
        assert!(!h.needs_rehash(&PasswordHash::new(DUMMY_HASH.into())), "the dummy has the current parameters");
        assert!(!h.verify_or_dummy(Secret::new("anything"), None).await.unwrap());
        let garbage = PasswordHash::new("not-a-phc-string".into());
        assert!(!h.verify_or_dummy(Secret::new("anything"), Some(garbage)).await.unwrap());
    }

    /// Hashes made with kept working memory are standard PHC strings that the crate's own verifier
    /// accepts, and the other way round, for every variant, version, memory size and output
    /// length; memory is kept only up to what the current parameters need.
    #[test]
    fn kept_memory_hashes_interoperate_with_the_reference_implementation() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let mut scratch = Scratch::default();
        let ours = scratch.hash(&Secret::new("a password")).unwrap();
        assert!(ours.as_str().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(Argon2::default().verify_password(b"a password", ours.as_str()).is_ok());
        assert!(Argon2::default().verify_password(b"a passworD", ours.as_str()).is_err());
        assert_eq!(scratch.0.len(), Scratch::MAX_KEPT_BLOCKS);
        let m = Params::DEFAULT_M_COST;
        for (algorithm, version, m, t, p, len) in [
            (Algorithm::Argon2id, Version::V0x13, m, 2, 1, None),
            (Algorithm::Argon2id, Version::V0x13, 8192, 1, 1, None),
            (Algorithm::Argon2id, Version::V0x13, 2 * m, 1, 1, None),
            (Algorithm::Argon2id, Version::V0x13, m, 1, 2, Some(64)),
            (Algorithm::Argon2i, Version::V0x13, 4096, 3, 1, None),
            (Algorithm::Argon2d, Version::V0x10, 4096, 1, 1, Some(16)),
        ] {
            let params = Params::new(m, t, p, len).unwrap();
            let theirs = Argon2::new(algorithm, version, params).hash_password(b"a password").unwrap().to_string();
            assert!(scratch.verify(b"a password", &theirs), "{theirs}");
            assert!(!scratch.verify(b"a password ", &theirs), "{theirs}");
            assert_eq!(scratch.0.len(), Scratch::MAX_KEPT_BLOCKS, "a bigger hash is not kept: {theirs}");
        }
        for malformed in [
            "",
            "not-a-phc-string",
            "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ",
            "$argon2id$v=7$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
        ] {
            assert!(!scratch.verify(b"a password", malformed), "{malformed}");
        }
    }

    #[tokio::test]
    async fn needs_rehash_only_when_parameters_differ() {
        use argon2::password_hash::PasswordHasher as _;
        use argon2::{Algorithm, Params, Version};
        let h = PasswordHasher::new(1).unwrap();
        let current = h.hash(Secret::new("a password")).await.unwrap();
        assert!(!h.needs_rehash(&current));
        let with = |algorithm, version, m, t, p, len: Option<usize>| {
            let params = Params::new(m, t, p, len).unwrap();
            let hash = Argon2::new(algorithm, version, params).hash_password(b"a password").unwrap();
            PasswordHash::new(hash.to_string())
        };
        let (m, t, p) = (Params::DEFAULT_M_COST, Params::DEFAULT_T_COST, Params::DEFAULT_P_COST);
        assert!(!h.needs_rehash(&with(Algorithm::Argon2id, Version::V0x13, m, t, p, None)));
        let others = [
            ("weaker memory", with(Algorithm::Argon2id, Version::V0x13, 8192, t, p, None)),
            ("stronger memory", with(Algorithm::Argon2id, Version::V0x13, 65536, t, p, None)),
            ("more passes", with(Algorithm::Argon2id, Version::V0x13, m, 3, p, None)),
            ("more lanes", with(Algorithm::Argon2id, Version::V0x13, m, t, 2, None)),
            ("argon2i", with(Algorithm::Argon2i, Version::V0x13, m, t, p, None)),
            ("argon2d", with(Algorithm::Argon2d, Version::V0x13, m, t, p, None)),
            ("version 0x10", with(Algorithm::Argon2id, Version::V0x10, m, t, p, None)),
            ("64-byte output", with(Algorithm::Argon2id, Version::V0x13, m, t, p, Some(64))),
            ("not PHC", PasswordHash::new("not-a-phc-string".into())),
            ("bcrypt", PasswordHash::new("$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW".into())),
        ];
        for (what, hash) in others {
            assert!(h.needs_rehash(&hash), "{what}");
        }
        // a hash with old parameters still verifies: the caller rehashes after the sign-in
        let old = with(Algorithm::Argon2id, Version::V0x13, 8192, 1, 1, None);
        assert!(h.verify_or_dummy(Secret::new("a password"), Some(old)).await.unwrap());
    }

    /// A hash imported from another system verifies through the hasher, is due for an argon2id
    /// rehash, and is accepted for storing; text that is no hash is not.
    #[tokio::test]
    async fn imported_hashes_verify_and_are_due_for_a_rehash() {
        let h = PasswordHasher::new(1).unwrap();
        let bcrypt = PasswordHash::new("$2b$05$abcdefghijklmnopqrstuuFiPhXf1sVd3pCCRO.uVh34H/qI/ZsuS".into());
        assert!(h.verify_or_dummy(Secret::new("correct horse battery staple"), Some(bcrypt.clone())).await.unwrap());
        assert!(!h.verify_or_dummy(Secret::new("wrong"), Some(bcrypt.clone())).await.unwrap());
        assert!(h.needs_rehash(&bcrypt));
        assert_eq!(PasswordHasher::check_stored(bcrypt.as_str()), Ok(()));
        assert_eq!(PasswordHasher::check_stored(DUMMY_HASH), Ok(()));
        for bad in
            ["correct horse battery staple", "$argon2id$v=19$m=1048576,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g", "$md5$x"]
        {
            assert!(PasswordHasher::check_stored(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn common_passwords_are_refused_case_insensitively_without_echo() {
        let p = PasswordPolicy::default();
        assert!(COMMON_PASSWORDS.len() >= 10_000, "{}", COMMON_PASSWORDS.len());
        for common in ["password", "PASSWORD", "Password1", "12345678", "iloveyou", "qwerty123", "Sunshine", "trustno1"]
        {
            let e = p.check(&Secret::new(common)).unwrap_err();
            assert_eq!(e.field, "password");
            assert_eq!(e.message, "is too common; choose another");
            assert!(!e.message.to_lowercase().contains(&common.to_lowercase()));
        }
        assert!(p.check(&Secret::new("correct horse battery staple")).is_ok());
        assert!(p.check(&Secret::new("Tr0ub4dor&3x")).is_ok());
        let lenient = PasswordPolicy { refuse_common: false, ..PasswordPolicy::default() };
        assert!(lenient.check(&Secret::new("password")).is_ok());
        // the length rule still comes first
        assert!(p.check(&Secret::new("123456")).unwrap_err().message.starts_with("must be at least"));
    }

    #[test]
    fn policy_is_serde_friendly_with_defaults() {
        let p: PasswordPolicy = serde_json::from_str("{}").unwrap();
        assert_eq!(p, PasswordPolicy { min_length: 8, refuse_common: true });
        let p: PasswordPolicy = serde_json::from_str(r#"{"min_length": 12}"#).unwrap();
        assert_eq!(p, PasswordPolicy { min_length: 12, refuse_common: true });
        let p: PasswordPolicy = serde_json::from_str(r#"{"refuse_common": false}"#).unwrap();
        assert_eq!(p, PasswordPolicy { min_length: 8, refuse_common: false });
        assert!(serde_json::from_str::<PasswordPolicy>(r#"{"min_lenght": 12}"#).is_err());
        assert_eq!(serde_json::to_value(PasswordPolicy::default()).unwrap()["refuse_common"], true);
    }

    #[test]
    fn policy_errors_do_not_echo_the_password() {
        let p = PasswordPolicy::default();
        let e = p.check(&Secret::new("short")).unwrap_err();
        assert_eq!(e.field, "password");
        assert!(!e.message.contains("short"));
        assert!(p.check(&Secret::new("x".repeat(MAX_PASSWORD_BYTES + 1))).is_err());
        assert!(p.check(&Secret::new("long enough")).is_ok());
    }
}
