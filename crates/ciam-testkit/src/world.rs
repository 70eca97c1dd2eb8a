//! A `World`: the tenant, users, clients and agents a test starts from, created through the
//! management API of whichever server the test drives (a spawned process through [`crate::Admin`]
//! or an in-process router), so both test tiers describe their fixtures the same way.

use std::collections::HashMap;
use std::future::Future;

use serde_json::{Value, json};

use crate::agent::AgentKey;

/// What a world is created through: the management API (`/admin/v1{path}`).
pub trait AdminApi {
    /// Sends `method /admin/v1{path}` with an optional JSON body; returns status and body.
    fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> impl Future<Output = (u16, Value)>;
}

impl AdminApi for crate::Admin<'_> {
    fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> impl Future<Output = (u16, Value)> {
        crate::Admin::call(self, method, path, body)
    }
}

/// A description of a tenant and what lives in it.
#[derive(Debug, Clone)]
pub struct World {
    tenant: Value,
    users: Vec<Value>,
    resources: Vec<Value>,
    clients: Vec<Value>,
    agents: Vec<Value>,
}

/// What [`World::create`] made: ids, secrets and keys to act with.
pub struct Created {
    /// The tenant id.
    pub tenant: String,
    /// Each user as the API returned it, in the order given.
    pub users: Vec<Value>,
    /// Each resource (API) as the API returned it, by resource id.
    pub resources: HashMap<String, Value>,
    /// Client secrets by client id (confidential clients only).
    pub secrets: HashMap<String, String>,
    /// Each client as the API returned it, by client id.
    pub clients: HashMap<String, Value>,
    /// Each agent's keys, by agent id.
    pub agents: HashMap<String, AgentKey>,
    /// Each agent as the API returned it, by agent id.
    pub agent_bodies: HashMap<String, Value>,
}

impl Created {
    /// The id of the user with `email`.
    pub fn user_id(&self, email: &str) -> String {
        let user = self.users.iter().find(|u| u["email"] == email).unwrap_or_else(|| panic!("no user {email}"));
        user["id"].as_str().unwrap().to_owned()
    }

    /// The secret of confidential client `client_id`.
    pub fn secret(&self, client_id: &str) -> String {
        self.secrets.get(client_id).unwrap_or_else(|| panic!("no secret for {client_id}")).clone()
    }

    /// The keys of agent `agent_id`.
    pub fn agent(&self, agent_id: &str) -> &AgentKey {
        self.agents.get(agent_id).unwrap_or_else(|| panic!("no agent {agent_id}"))
    }
}

impl World {
    /// Tenant `id` (display name = id).
    pub fn tenant(id: &str) -> Self {
        Self {
            tenant: json!({"id": id, "display_name": id}),
            users: Vec::new(),
            resources: Vec::new(),
            clients: Vec::new(),
            agents: vec![],
        }
    }

    /// Sets the tenant's display name.
    #[must_use]
    pub fn named(mut self, display_name: &str) -> Self {
        self.tenant["display_name"] = json!(display_name);
        self
    }

    /// Sets the tenant's `settings` (as `POST /tenants` takes them).
    #[must_use]
    pub fn settings(mut self, settings: Value) -> Self {
        self.tenant["settings"] = settings;
        self
    }

    /// A user with `email` and the fixtures' password.
    #[must_use]
    pub fn user(self, email: &str) -> Self {
        self.user_with(json!({"email": email, "password": crate::PASSWORD}))
    }

    /// A user created with this body.
    #[must_use]
    pub fn user_with(mut self, body: Value) -> Self {
        self.users.push(body);
        self
    }

    /// A resource (API) created with this body (it should name its `id`); resources are created
    /// before clients, so clients may name their scopes.
    #[must_use]
    pub fn resource(mut self, body: Value) -> Self {
        self.resources.push(body);
        self
    }

    /// A client created with this body (it should name its `client_id`).
    #[must_use]
    pub fn client(mut self, body: Value) -> Self {
        self.clients.push(body);
        self
    }

    /// An agent created with this body, plus `agent_id` and the JWK Set of fresh keys.
    #[must_use]
    pub fn agent(mut self, agent_id: &str, mut body: Value) -> Self {
        body["agent_id"] = json!(agent_id);
        self.agents.push(body);
        self
    }

    /// Creates everything through `api`, asserting each creation succeeds.
    pub async fn create(self, api: &impl AdminApi) -> Created {
        let tenant = self.tenant["id"].as_str().unwrap().to_owned();
        let post = async |path: String, body: Value| {
            let (status, created) = api.call(reqwest::Method::POST, &path, Some(body)).await;
            assert_eq!(status, 201, "POST {path}: {created}");
            created
        };
        post("/tenants".into(), self.tenant).await;
        let mut users = Vec::new();
        for u in self.users {
            users.push(post(format!("/tenants/{tenant}/users"), u).await);
        }
        let mut resources = HashMap::new();
        for r in self.resources {
            let created = post(format!("/tenants/{tenant}/resources"), r).await;
            resources.insert(created["id"].as_str().unwrap().to_owned(), created);
        }
        let (mut secrets, mut clients) = (HashMap::new(), HashMap::new());
        for c in self.clients {
            let created = post(format!("/tenants/{tenant}/clients"), c).await;
            let id = created["client_id"].as_str().unwrap().to_owned();
            if let Some(s) = created["client_secret"].as_str() {
                secrets.insert(id.clone(), s.to_owned());
            }
            clients.insert(id, created);
        }
        let (mut agents, mut agent_bodies) = (HashMap::new(), HashMap::new());
        for mut a in self.agents {
            let id = a["agent_id"].as_str().unwrap().to_owned();
            let (key, jwks) = AgentKey::new(&id);
            a["jwks"] = jwks;
            agent_bodies.insert(id.clone(), post(format!("/tenants/{tenant}/agents"), a).await);
            agents.insert(id, key);
        }
        Created { tenant, users, resources, secrets, clients, agents, agent_bodies }
    }
}
