//! Keyset pagination of the management API's lists: a page is full unless it is the last,
//! `next_cursor` is present only when more items follow, and no page is empty before the end.

use axum::http::Method;
use serde_json::{Value, json};

use crate::harness::Harness;

/// Creates tenant `tenant` whose clients follow `layout` (`A` an agent, `C` an ordinary
/// client; the i-th is `k{i:02}`, so the layout is also the id order), after an owner client
/// `owner-app` that sorts after them all; returns the agents' ids in order.
async fn tenant_with(h: &Harness, tenant: &str, layout: &str) -> Vec<String> {
    let created = |a: &crate::harness::Answer| assert_eq!(a.status, 201, "{}", a.text());
    created(&h.admin(Method::POST, "/tenants", Some(json!({"id": tenant, "display_name": tenant}))).await);
    let clients = format!("/tenants/{tenant}/clients");
    let owner = json!({"client_id": "owner-app", "name": "Owner", "client_type": "public",
                       "token_endpoint_auth_method": "none", "redirect_uris": [ciam_testkit::CALLBACK]});
    created(&h.admin(Method::POST, &clients, Some(owner)).await);
    let mut agents = Vec::new();
    for (i, kind) in layout.chars().enumerate() {
        let id = format!("k{i:02}");
        let answer = if kind == 'A' {
            agents.push(id.clone());
            let body = json!({"agent_id": id, "name": "Agent", "owner": {"type": "client", "id": "owner-app"},
                              "token_endpoint_auth_method": "client_secret_basic"});
            h.admin(Method::POST, &format!("/tenants/{tenant}/agents"), Some(body)).await
        } else {
            let body = json!({"client_id": id, "name": "App", "client_type": "public",
                              "token_endpoint_auth_method": "none", "redirect_uris": [ciam_testkit::CALLBACK]});
            h.admin(Method::POST, &clients, Some(body)).await
        };
        created(&answer);
    }
    agents
}

/// Follows `next_cursor` through `path` with `limit`, checking every page; returns the ids seen.
async fn walk(h: &Harness, path: &str, limit: usize, id: &str) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for page in 1.. {
        let url = match &cursor {
            None => format!("{path}?limit={limit}"),
            Some(c) => format!("{path}?limit={limit}&cursor={c}"),
        };
        let answer = h.admin(Method::GET, &url, None).await;
        assert_eq!(answer.status, 200, "{url}: {}", answer.text());
        let body = answer.json();
        let items = body["items"].as_array().unwrap();
        assert!(items.len() <= limit, "{url}: more than {limit} items");
        seen.extend(items.iter().map(|i| i[id].as_str().unwrap().to_owned()));
        match &body["next_cursor"] {
            Value::String(next) => {
                assert_eq!(items.len(), limit, "{url}: page {page} has a next_cursor but is not full: {body}");
                cursor = Some(next.clone());
            }
            Value::Null => {
                assert!(!items.is_empty() || page == 1, "{url}: page {page} is empty after a next_cursor");
                break;
            }
            other => panic!("{url}: next_cursor is {other}"),
        }
        assert!(page <= 1000, "{url}: the list does not end");
    }
    seen
}

/// The agents list selects agents, not clients: with ordinary clients between and after the
/// agents, every page size walks every agent once, in order, in full pages, and the list ends
/// with a page that carries no cursor (before, a page of clients came back as an empty page of
/// agents with a cursor, and a client that stopped there missed the agents after it).
#[tokio::test]
async fn the_agents_list_pages_in_full_pages_and_ends_without_a_cursor() {
    let h = Harness::new().await;
    let layouts = ["", "C", "A", "ACCCCA", "CCACCCAACCC", "AAACAAA", "CACACACA"];
    for (n, layout) in layouts.iter().enumerate() {
        let tenant = format!("layout-{n}");
        let agents = tenant_with(&h, &tenant, layout).await;
        for limit in 1..=layout.len() + 1 {
            let seen = walk(&h, &format!("/tenants/{tenant}/agents"), limit, "agent_id").await;
            assert_eq!(seen, agents, "layout {layout:?}, limit {limit}");
        }
        // The client list still holds every client, agents included, the same way.
        let mut clients: Vec<String> = (0..layout.len()).map(|i| format!("k{i:02}")).collect();
        clients.push("owner-app".into());
        for limit in [1, 2, 3] {
            let seen = walk(&h, &format!("/tenants/{tenant}/clients"), limit, "client_id").await;
            assert_eq!(seen, clients, "layout {layout:?}, clients, limit {limit}");
        }
    }
}
