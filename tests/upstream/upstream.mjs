// An upstream OpenID Connect provider for ciam's federation tests (tests/e2e/federation.rs):
// panva's oidc-provider 9, an independent, certified implementation, with one confidential
// client (ciam) and the accounts the test passes in.
//
// Environment:
// - UPSTREAM_CLIENT_ID, UPSTREAM_CLIENT_SECRET, UPSTREAM_REDIRECT_URI: ciam's registration;
// - UPSTREAM_ACCOUNTS: JSON object, login -> claims ({"email": ..., "email_verified": ...,
//   "name": ..., "amr": [...]}); `amr` and `acr` are the sign-in's, the rest the account's.
//
// Its own sign-in page is one field, "Upstream user" (the login), and a button "Sign in
// upstream": no password, since the tests are about what ciam does with the answer. Consent is
// granted with the sign-in. It prints {"issuer": "http://127.0.0.1:PORT"} once listening.

import * as http from 'node:http';

import Provider from 'oidc-provider';

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
};

const accounts = JSON.parse(env('UPSTREAM_ACCOUNTS'));
const SCOPES = 'openid email profile';

const server = http.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: env('UPSTREAM_CLIENT_ID'),
      client_secret: env('UPSTREAM_CLIENT_SECRET'),
      redirect_uris: [env('UPSTREAM_REDIRECT_URI')],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name', 'locale', 'picture'],
  },
  async findAccount(_ctx, id) {
    const account = accounts[id];
    if (!account) {
      return undefined;
    }
    const { amr: _amr, acr: _acr, ...claims } = account;
    return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
  },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  pkce: { required: () => true },
});

const page = (uid) => `<!doctype html><html lang="en"><head><title>Upstream sign-in</title></head><body>
<form method="post" action="/interaction/${uid}">
<label for="login">Upstream user</label> <input id="login" name="login" required>
<button type="submit">Sign in upstream</button>
</form></body></html>`;

const readForm = (req) =>
  new Promise((resolve, reject) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });

const callback = provider.callback();
server.on('request', async (req, res) => {
  const match = /^\/interaction\/([^/?]+)/.exec(req.url);
  if (!match) {
    callback(req, res);
    return;
  }
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page(details.uid));
      return;
    }
    const login = (await readForm(req)).get('login') ?? '';
    const account = accounts[login];
    if (!account) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('unknown upstream user');
      return;
    }
    const grant = new provider.Grant({ accountId: login, clientId: details.params.client_id });
    grant.addOIDCScope(SCOPES);
    const grantId = await grant.save();
    const result = {
      login: { accountId: login, amr: account.amr, acr: account.acr },
      consent: { grantId },
    };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  } catch (err) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(String(err));
  }
});

process.stdout.write(`${JSON.stringify({ issuer })}\n`);
