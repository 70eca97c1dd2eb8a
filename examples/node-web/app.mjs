// A web app that signs its users in with ciam: the authorization code flow with PKCE, state and
// nonce (openid-client), a page showing the signed-in user's claims, a call to the example API
// with the user's access token, and logout (RP-initiated). Sessions are kept in memory.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import * as client from "openid-client";

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`set ${name} (see README.md)`);
  return value;
};
const issuer = new URL(env("CIAM_ISSUER", "http://localhost:8080/t/acme"));
const appUrl = new URL(env("APP_URL", "http://localhost:3000"));
const apiUrl = process.env.API_URL; // optional: the example API, registered as a resource
const redirectUri = new URL("/callback", appUrl).href;

// Plain http is for a server on this machine only.
const secret = env("CLIENT_SECRET");
const config = await client.discovery(issuer, env("CLIENT_ID", "node-web"), secret, client.ClientSecretBasic(secret), {
  execute: issuer.protocol === "http:" ? [client.allowInsecureRequests] : [],
});

const sessions = new Map(); // session id -> { pkce, state, nonce } while signing in, then { claims, tokens }
const COOKIE = "node_web_session";

const sessionOf = (req) => {
  const id = /(?:^|;\s*)node_web_session=([\w-]+)/.exec(req.headers.cookie ?? "")?.[1];
  return id && sessions.has(id) ? [id, sessions.get(id)] : [undefined, undefined];
};
const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const page = (res, status, body) => {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(`<!doctype html><html lang="en"><meta charset="utf-8"><title>Example app</title><body>${body}</body></html>`);
};
const redirect = (res, location, headers = {}) => {
  res.writeHead(302, { location, ...headers });
  res.end();
};

const routes = {
  // Home: the user's claims, or a sign-in link.
  "/": async (req, res) => {
    const [, session] = sessionOf(req);
    if (!session?.claims) return page(res, 200, `<h1>Example app</h1><p><a href="/login">Sign in</a></p>`);
    const { name, email } = session.claims;
    page(res, 200, `<h1>Signed in as ${escape(name ?? email ?? session.claims.sub)}</h1>
      <pre id="claims">${escape(JSON.stringify(session.claims, null, 2))}</pre>
      ${apiUrl ? `<p><a href="/api">Call the API</a></p>` : ""}<p><a href="/logout">Sign out</a></p>`);
  },

  // Sign in: send the browser to ciam with a fresh PKCE verifier, state and nonce.
  "/login": async (req, res) => {
    const pkce = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const id = randomBytes(24).toString("base64url");
    sessions.set(id, { pkce, state, nonce });
    const parameters = {
      redirect_uri: redirectUri,
      scope: `openid profile email${apiUrl ? " notes:read" : ""}`,
      code_challenge: await client.calculatePKCECodeChallenge(pkce),
      code_challenge_method: "S256",
      state,
      nonce,
      // The user's name and email in the ID token: the access token is for the API.
      claims: JSON.stringify({ id_token: { name: null, email: null } }),
    };
    if (apiUrl) parameters.resource = apiUrl;
    const url = client.buildAuthorizationUrl(config, parameters);
    redirect(res, url.href, { "set-cookie": `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax` });
  },

  // The callback: checks state, iss and nonce, redeems the code, validates the ID token.
  "/callback": async (req, res) => {
    const [id, session] = sessionOf(req);
    if (!session?.pkce) return page(res, 400, `<p>No sign-in in progress. <a href="/">Start again</a></p>`);
    const tokens = await client.authorizationCodeGrant(config, new URL(req.url, appUrl), {
      pkceCodeVerifier: session.pkce,
      expectedState: session.state,
      expectedNonce: session.nonce,
    });
    sessions.set(id, { claims: tokens.claims(), tokens });
    redirect(res, new URL("/", appUrl).href);
  },

  // The example API, called with the user's access token.
  "/api": async (req, res) => {
    const [, session] = sessionOf(req);
    if (!session?.tokens || !apiUrl) return redirect(res, new URL("/", appUrl).href);
    const answer = await fetch(new URL("/notes", apiUrl), {
      headers: { authorization: `Bearer ${session.tokens.access_token}` },
    });
    page(res, 200, `<h1>The API answered ${answer.status}</h1>
      <pre id="api">${escape(await answer.text())}</pre><p><a href="/">Back</a></p>`);
  },

  // Sign out here, then at ciam, which sends the browser back to the home page.
  "/logout": async (req, res) => {
    const [id, session] = sessionOf(req);
    sessions.delete(id);
    if (!session?.tokens) return redirect(res, new URL("/", appUrl).href);
    const url = client.buildEndSessionUrl(config, {
      id_token_hint: session.tokens.id_token,
      post_logout_redirect_uri: new URL("/", appUrl).href,
    });
    redirect(res, url.href, { "set-cookie": `${COOKIE}=; Path=/; Max-Age=0` });
  },
};

createServer(async (req, res) => {
  const route = routes[new URL(req.url, appUrl).pathname];
  if (!route) return page(res, 404, "<p>Not found</p>");
  try {
    await route(req, res);
  } catch (error) {
    console.error(error);
    const reason = error.error ? `${error.error}: ${error.error_description ?? ""}` : error.message;
    page(res, 500, `<p>Sign-in failed: ${escape(reason)}</p><p><a href="/">Start again</a></p>`);
  }
}).listen(Number(appUrl.port || 80), appUrl.hostname, () => console.log(`Example app on ${appUrl.origin}`));
