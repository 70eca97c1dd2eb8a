//! Keyset pagination's contract, checked as a property over random data: for every list and any
//! page sizes, following `next_after` visits every item exactly once in key order, a page is full
//! unless it is the last, no page is empty unless the list is, and the last page has no cursor.

use std::collections::BTreeSet;
use std::future::Future;

use ciam_core::agent::{AgentOwner, AgentProfile, AgentStatus};
use ciam_core::audit::{AuditFilter, AuditRecord};
use ciam_core::client::Client;
use ciam_core::id::TenantId;
use ciam_core::page::{Page, PageRequest};
use ciam_core::store::{DurableStore, StoreResult};

use super::{T0, client, tenant, user};

/// Fixed seeds, so a failure names the seed that reproduces it.
const SEEDS: [u64; 6] = [1, 2, 7, 42, 1337, 0x00C1_A4A6];

/// SplitMix64: a few lines of deterministic randomness, enough to vary data and page sizes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A client id of 3-8 characters from `[a-z0-9]`, whose byte order every collation keeps.
    fn client_id(&mut self) -> String {
        const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
        let len = 3 + self.below(6);
        (0..len).map(|_| char::from(ALPHABET[self.below(ALPHABET.len() as u64) as usize])).collect()
    }
}

fn agent(tenant: &str, id: &str) -> Client {
    let mut c = client(tenant, id);
    c.agent = Some(AgentProfile {
        description: "Books trips".into(),
        owner: AgentOwner::Client(ciam_core::id::ClientId::parse("owner").unwrap()),
        allowed_audiences: vec![],
        max_token_lifetime: 300,
        max_chain_depth: 1,
        delegation_lifetime: 3600,
        status: AgentStatus::Active,
    });
    c
}

/// Walks a list from its first page, each page with a size drawn from `1..=max_size` (or
/// `fixed` for every page), checking each page as it goes; returns the keys visited in order.
async fn walk<T, F, Fut>(
    what: &str,
    rng: &mut Rng,
    max_size: u32,
    fixed: Option<u32>,
    key: impl Fn(&T) -> String,
    mut list: F,
) -> Vec<String>
where
    F: FnMut(PageRequest) -> Fut,
    Fut: Future<Output = StoreResult<Page<T>>>,
{
    let mut seen = Vec::new();
    let mut request = PageRequest { limit: 0, after: None };
    for pages in 1.. {
        request.limit = fixed.unwrap_or_else(|| 1 + u32::try_from(rng.below(u64::from(max_size))).unwrap());
        let page = list(request.clone()).await.unwrap();
        let size = usize::try_from(request.size()).unwrap();
        assert!(page.items.len() <= size, "{what}: page {pages} holds more than {size}");
        seen.extend(page.items.iter().map(&key));
        match page.next_after {
            Some(next) => {
                assert_eq!(page.items.len(), size, "{what}: page {pages} has a cursor but is not full");
                assert_eq!(Some(&next), seen.last(), "{what}: the cursor is the page's last key");
                request.after = Some(next);
            }
            None => {
                assert!(!page.items.is_empty() || pages == 1, "{what}: page {pages} is empty after a cursor");
                break;
            }
        }
        assert!(pages <= 10_000, "{what}: the walk does not end");
    }
    seen
}

/// Checks a walk against the expected keys (already in key order).
#[track_caller]
fn assert_visits(what: &str, seen: &[String], want: &[String]) {
    assert_eq!(seen, want, "{what}: every item exactly once, in key order");
}

pub async fn keyset_lists_page_every_item_exactly_once(s: &dyn DurableStore) {
    s.create_tenant(&tenant("owner-tenant")).await.unwrap();
    let mut all_tenants = BTreeSet::from(["owner-tenant".to_owned()]);
    for seed in SEEDS {
        let mut rng = Rng(seed);
        let (name, noise) = (format!("p-{seed}"), format!("q-{seed}"));
        s.create_tenant(&tenant(&name)).await.unwrap();
        s.create_tenant(&tenant(&noise)).await.unwrap();
        let (t, other) = (TenantId::parse(&name).unwrap(), TenantId::parse(&noise).unwrap());
        all_tenants.extend([name.clone(), noise.clone()]);
        let watched = AuditFilter { user_id: Some("watched".into()), ..AuditFilter::default() };

        // Random inserts: agents interleaved with ordinary clients, users and audit events, and
        // the same kinds in a second tenant that must never show up.
        let (mut clients, mut agents, mut users, mut events) =
            (BTreeSet::new(), BTreeSet::new(), Vec::new(), Vec::new());
        let mut taken = BTreeSet::new();
        let (tr, wr) = (&t, &watched);
        for i in 0..rng.below(40) {
            match rng.below(6) {
                0 | 1 => {
                    let id = rng.client_id();
                    if taken.insert(id.clone()) {
                        s.create_client(&agent(&name, &id), None).await.unwrap();
                        agents.insert(id.clone());
                        clients.insert(id);
                    }
                }
                2 => {
                    let id = rng.client_id();
                    if taken.insert(id.clone()) {
                        s.create_client(&client(&name, &id), None).await.unwrap();
                        clients.insert(id);
                    }
                }
                3 => {
                    let u = user(&name, &format!("u{i}@example.com"));
                    s.create_user(&u, None).await.unwrap();
                    users.push(u.id.to_string());
                }
                4 => {
                    let mut r = AuditRecord::allow("token.issued");
                    r.user_id = Some(if rng.below(2) == 0 { "watched".into() } else { "other".into() });
                    let watched = r.user_id.as_deref() == Some("watched");
                    let appended = s.append_audit(&[(t.clone(), T0, r)]).await.unwrap();
                    if watched {
                        events.extend(appended.iter().map(|e| e.seq.to_string()));
                    }
                }
                _ => {
                    s.create_client(&agent(&noise, &format!("n-{i}")), None).await.unwrap();
                    s.create_user(&user(&noise, &format!("u{i}@example.com")), None).await.unwrap();
                    let mut r = AuditRecord::allow("token.issued");
                    r.user_id = Some("watched".into());
                    s.append_audit(&[(other.clone(), T0, r)]).await.unwrap();
                }
            }
        }
        users.sort();
        let clients: Vec<String> = clients.into_iter().collect();
        let agents: Vec<String> = agents.into_iter().collect();
        let tenants: Vec<String> = all_tenants.iter().cloned().collect();

        // Random page sizes up to a little over the list's length, then every page of size
        // 1, then a limit of 0 (served as 1: never an empty page that ends the list early).
        for fixed in [None, None, None, Some(1), Some(0)] {
            let what = |list: &str| format!("seed {seed}, {list}, page size {fixed:?}");
            let max = |n: usize| u32::try_from(n).unwrap() + 2;
            let key_c = |c: &Client| c.client_id.to_string();
            let seen = walk(&what("agents"), &mut rng, max(agents.len()), fixed, key_c, |p| async move {
                s.list_agents(tr, &p).await
            })
            .await;
            assert_visits(&what("agents"), &seen, &agents);
            let seen = walk(&what("clients"), &mut rng, max(clients.len()), fixed, key_c, |p| async move {
                s.list_clients(tr, &p).await
            })
            .await;
            assert_visits(&what("clients"), &seen, &clients);
            let key_u = |u: &ciam_core::user::User| u.id.to_string();
            let seen = walk(&what("users"), &mut rng, max(users.len()), fixed, key_u, |p| async move {
                s.list_users(tr, &p).await
            })
            .await;
            assert_visits(&what("users"), &seen, &users);
            let key_e = |e: &ciam_core::audit::AuditEvent| e.seq.to_string();
            let seen = walk(&what("audit"), &mut rng, max(events.len()), fixed, key_e, |p| async move {
                s.query_audit(tr, wr, &p).await
            })
            .await;
            assert_visits(&what("audit"), &seen, &events);
            let key_t = |t: &ciam_core::tenant::Tenant| t.id.to_string();
            let seen = walk(&what("tenants"), &mut rng, max(tenants.len()), fixed, key_t, |p| async move {
                s.list_tenants(&p).await
            })
            .await;
            assert_visits(&what("tenants"), &seen, &tenants);
        }
    }
}

/// Agents far apart among ordinary clients: each page of agents is full, the clients between
/// them never cost a page (nor leave one empty), and the client list still holds them all.
pub async fn agents_pages_skip_ordinary_clients(s: &dyn DurableStore) {
    s.create_tenant(&tenant("acme")).await.unwrap();
    let t = TenantId::parse("acme").unwrap();
    s.create_client(&agent("acme", "a-first"), None).await.unwrap();
    for i in 0..5 {
        s.create_client(&client("acme", &format!("b-app-{i}")), None).await.unwrap();
    }
    s.create_client(&agent("acme", "c-last"), None).await.unwrap();
    let first = s.list_agents(&t, &PageRequest { limit: 1, after: None }).await.unwrap();
    let ids = |p: &Page<Client>| p.items.iter().map(|c| c.client_id.to_string()).collect::<Vec<_>>();
    assert_eq!((ids(&first), first.next_after.as_deref()), (vec!["a-first".to_owned()], Some("a-first")));
    let second = s.list_agents(&t, &PageRequest { limit: 1, after: first.next_after.clone() }).await.unwrap();
    assert_eq!((ids(&second), second.next_after), (vec!["c-last".to_owned()], None));
    let both = s.list_agents(&t, &PageRequest { limit: 2, after: None }).await.unwrap();
    assert_eq!((ids(&both), both.next_after), (vec!["a-first".to_owned(), "c-last".to_owned()], None));
    assert!(s.list_agents(&TenantId::parse("other").unwrap(), &PageRequest::first()).await.unwrap().items.is_empty());
    assert_eq!(s.list_clients(&t, &PageRequest::first()).await.unwrap().items.len(), 7, "clients still lists all");
}
