// An API that accepts only access tokens ciam issued for it: RFC 9068 JWTs signed by the
// tenant's keys (fetched from its JWKS and cached), from its issuer, with the API's identifier as
// audience, unexpired, and carrying the scope the route needs. Anything else is 401 (or 403 for a
// valid token without the scope) with an RFC 6750 WWW-Authenticate challenge.
import { createServer } from "node:http";
import { createRemoteJWKSet, jwtVerify } from "jose";

const issuer = process.env.CIAM_ISSUER ?? "http://localhost:8080/t/acme";
// The identifier the API is registered under in ciam (its own URL): the tokens' audience.
const audience = process.env.API_URL ?? "http://localhost:4000";
const apiUrl = new URL(audience);

const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));

const send = (res, status, body, headers = {}) => {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  res.end(JSON.stringify(body));
};
const challenge = (error, description) =>
  `Bearer realm="${audience}"` + (error ? `, error="${error}", error_description="${description}"` : "");

// The token's claims, or why it is refused.
async function authenticate(req) {
  const [scheme, token] = (req.headers.authorization ?? "").split(" ");
  if (scheme?.toLowerCase() !== "bearer" || !token) return { status: 401, header: challenge() };
  try {
    const { payload } = await jwtVerify(token, jwks, { issuer, audience, typ: "at+jwt" });
    return { claims: payload };
  } catch {
    return { status: 401, header: challenge("invalid_token", "the access token is invalid or expired") };
  }
}

const notes = [{ id: 1, text: "Tokens for this API carry its identifier as aud." }];

createServer(async (req, res) => {
  const path = new URL(req.url, apiUrl).pathname;
  if (path !== "/notes") return send(res, 404, { error: "not_found" });
  const { claims, status, header } = await authenticate(req);
  if (!claims) return send(res, status, { error: "unauthorized" }, { "www-authenticate": header });
  if (!String(claims.scope ?? "").split(" ").includes("notes:read")) {
    const header = challenge("insufficient_scope", "needs notes:read") + `, scope="notes:read"`;
    return send(res, 403, { error: "insufficient_scope" }, { "www-authenticate": header });
  }
  send(res, 200, { user: claims.sub, client: claims.client_id, notes });
}).listen(Number(apiUrl.port || 80), apiUrl.hostname, () => console.log(`Example API on ${apiUrl.origin}`));
