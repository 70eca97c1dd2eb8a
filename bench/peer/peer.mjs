// The peer of ciam's side-by-side benchmark (crates/ciam-bench): panva's oidc-provider 9,
// configured like ciam's benchmark tenant.
//
// - client `svc`: client_credentials with client_secret_basic; its access tokens are ES256 JWTs
//   (resource indicators: the default resource's accessTokenFormat is 'jwt');
// - client `web`: authorization code with PKCE and refresh tokens (rotated on every use, as ciam
//   does), client_secret_basic, ES256 ID tokens;
// - introspection; oidc-provider refuses to introspect JWT access tokens, so a second resource
//   issues opaque ones for the introspection scenario;
// - one user, Ada. Sign-in is not benchmarked on the peer (it has no password form of its own):
//   its interaction endpoint signs Ada in and grants consent without a page, once per browser,
//   so that the code flow can ride the session and the remembered grant like ciam's.
//
// State lives in a Map (MapAdapter below): oidc-provider's built-in development adapter is an LRU
// of 1,000 entries, which drops sessions, grants and refresh tokens under this load.
//
// The runner passes the client secrets and the callback in the environment; it starts this on a
// free loopback port and reads the address from the JSON line printed when ready.

import * as crypto from 'node:crypto';
import * as http from 'node:http';

import Provider from 'oidc-provider';

const env = (name) => {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set`);
  }
  return value;
};

const CALLBACK = env('PEER_CALLBACK');
const API = env('PEER_API');
const OPAQUE_API = env('PEER_OPAQUE_API');

const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
const signingKey = { ...privateKey.export({ format: 'jwk' }), use: 'sig', alg: 'ES256', kid: 'bench-es256' };

const ada = {
  accountId: 'ada',
  async claims() {
    return { sub: 'ada', email: 'ada@example.com', email_verified: true, name: 'Ada Lovelace' };
  },
};

// Every stored artifact, by `model:id`, with its expiry (ms since the epoch).
const store = new Map();
// Secondary indexes: artifacts per grant (for revocation), sessions by uid, device codes by user code.
const byGrant = new Map();
const byUid = new Map();
const byUserCode = new Map();

function live(key) {
  const entry = store.get(key);
  if (!entry) {
    return undefined;
  }
  if (entry.expiresAt <= Date.now()) {
    store.delete(key);
    return undefined;
  }
  return entry.payload;
}

// oidc-provider's adapter interface, in memory, without a size cap.
class MapAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    const key = this.key(id);
    store.set(key, { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
    if (payload.grantId) {
      let members = byGrant.get(payload.grantId);
      if (!members) {
        members = new Set();
        byGrant.set(payload.grantId, members);
      }
      members.add(key);
    }
    if (payload.uid) {
      byUid.set(this.key(payload.uid), id);
    }
    if (payload.userCode) {
      byUserCode.set(this.key(payload.userCode), id);
    }
  }

  async find(id) {
    return live(this.key(id));
  }

  async findByUid(uid) {
    const id = byUid.get(this.key(uid));
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode) {
    const id = byUserCode.get(this.key(userCode));
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id) {
    const payload = live(this.key(id));
    if (payload) {
      payload.consumed = Math.floor(Date.now() / 1000);
    }
  }

  async destroy(id) {
    const key = this.key(id);
    const payload = live(key);
    if (payload?.uid) {
      byUid.delete(this.key(payload.uid));
    }
    if (payload?.grantId) {
      byGrant.get(payload.grantId)?.delete(key);
    }
    store.delete(key);
  }

  async revokeByGrantId(grantId) {
    for (const key of byGrant.get(grantId) ?? []) {
      store.delete(key);
    }
    byGrant.delete(grantId);
  }
}

function configuration() {
  return {
    adapter: MapAdapter,
    clients: [
      {
        client_id: 'svc',
        client_secret: env('PEER_SVC_SECRET'),
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
      {
        client_id: 'web',
        client_secret: env('PEER_WEB_SECRET'),
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: [CALLBACK],
        token_endpoint_auth_method: 'client_secret_basic',
        id_token_signed_response_alg: 'ES256',
        scope: 'openid email offline_access',
      },
    ],
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    jwks: { keys: [signingKey] },
    cookies: { keys: [env('PEER_COOKIE_KEY')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    scopes: ['openid', 'offline_access', 'email', 'profile'],
    findAccount: async (_ctx, id) => (id === 'ada' ? ada : undefined),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // ciam rotates every refresh token on use; so does the peer here.
    rotateRefreshToken: () => true,
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    pkce: { required: () => true },
    ttl: {
      AccessToken: 900,
      AuthorizationCode: 60,
      ClientCredentials: 900,
      IdToken: 3600,
      Interaction: 3600,
      Grant: 86400,
      RefreshToken: 86400,
      Session: 86400,
    },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      userinfo: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // client_credentials without a resource gets the API (JWT access tokens); the web app's
        // tokens without one are for userinfo (opaque), as oidc-provider requires.
        defaultResource: (ctx, client, oneOf) => oneOf ?? (client.clientId === 'svc' ? API : undefined),
        useGrantedResource: () => false,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== API && resource !== OPAQUE_API) {
            throw new Provider.errors.InvalidTarget();
          }
          return {
            scope: 'api:read api:write',
            audience: resource,
            accessTokenTTL: 900,
            accessTokenFormat: resource === API ? 'jwt' : 'opaque',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
  };
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { address, port } = server.address();
  const provider = new Provider(`http://${address}:${port}`, configuration());

  // The benchmark's interaction: sign Ada in, then grant what the client asked for.
  provider.use(async (ctx, next) => {
    if (!ctx.path.startsWith('/interaction/')) {
      return next();
    }
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    let result;
    if (details.prompt.name === 'login') {
      result = { login: { accountId: 'ada' } };
    } else {
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
      grant.addOIDCScope(details.params.scope);
      result = { consent: { grantId: await grant.save() } };
    }
    const to = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: true });
    ctx.status = 303;
    ctx.redirect(to);
  });

  server.on('request', provider.callback());
  console.log(JSON.stringify({ message: 'peer ready', address: `${address}:${port}` }));
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
