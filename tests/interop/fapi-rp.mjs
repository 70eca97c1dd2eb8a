// A FAPI 2.0 relying party built on openid-client alone: an independent implementation that
// must interoperate with the server. Everything protocol-related below is the library's own
// code: discovery, private_key_jwt client authentication, a signed request object (JAR) pushed
// with PAR, PKCE S256, state and nonce, the authorization response's checks (state, iss), the
// code grant with a DPoP proof, the ID token's validation, userinfo with DPoP and a refresh.
// The pushed request asks for a signed authorization response (JARM, response_mode=jwt), which
// the library verifies against the issuer's published keys before it reads the code.
//
// Started by the Rust end-to-end test (tests/e2e/interop.rs) with the environment below; it
// talks to the test over stdin/stdout, one JSON line each way:
//   script -> {"jwks": {...}}                  the client's public keys, for the test to register
//   test   -> {"ok": true}                     the client is registered
//   script -> {"authorization_url": "..."}     where to send the user
//   test   -> {"callback": "..."}              the URL the server redirected the user back to
//   script -> {"id_token_claims": ..., ...}    the final report, or a non-zero exit on any error
//
// CIAM_RP_MODE=front-channel sends a plain (not pushed, not signed) authorization request
// instead, which a FAPI 2.0 client may not make; the report then names the error the library
// raised for the answer the server sent to the callback.
import { createInterface } from "node:readline";
import * as client from "openid-client";

const need = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const issuer = new URL(need("CIAM_ISSUER"));
const clientId = need("CIAM_CLIENT_ID");
const redirectUri = need("CIAM_REDIRECT_URI");
const mode = process.env.CIAM_RP_MODE ?? "pushed";

// RFC 7638 thumbprint of an EC public key: what the server binds DPoP tokens to (cnf.jkt).
const thumbprint = async (publicKey) => {
  const { crv, kty, x, y } = await crypto.subtle.exportKey("jwk", publicKey);
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(JSON.stringify({ crv, kty, x, y })));
  return Buffer.from(digest).toString("base64url");
};

const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const send = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);
const receive = async () => {
  const { value, done } = await lines.next();
  if (done) throw new Error("the test closed stdin");
  return JSON.parse(value);
};

// One ES256 key signs client assertions and request objects; another proves possession (DPoP).
const clientKeys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
const kid = `rp-${client.randomState().slice(0, 8)}`;
const { kty, crv, x, y } = await crypto.subtle.exportKey("jwk", clientKeys.publicKey);
send({ jwks: { keys: [{ kty, crv, x, y, kid, alg: "ES256", use: "sig" }] } });
if ((await receive()).ok !== true) throw new Error("the client was not registered");

const signingKey = { key: clientKeys.privateKey, kid };
const config = await client.discovery(
  issuer,
  clientId,
  { id_token_signed_response_alg: "ES256", authorization_signed_response_alg: "ES256" },
  client.PrivateKeyJwt(signingKey),
  { execute: [client.allowInsecureRequests] }, // the test server is plain http on 127.0.0.1
);
const dpopKeys = await client.randomDPoPKeyPair("ES256");
const DPoP = client.getDPoPHandle(config, dpopKeys);

const codeVerifier = client.randomPKCECodeVerifier();
const state = client.randomState();
const nonce = client.randomNonce();
const parameters = {
  redirect_uri: redirectUri,
  scope: "openid offline_access",
  code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
  code_challenge_method: "S256",
  state,
  nonce,
};

let authorizationUrl;
if (mode === "front-channel") {
  authorizationUrl = client.buildAuthorizationUrl(config, parameters);
} else {
  // JAR and PAR together, as the library's documentation shows for FAPI, and JARM.
  client.useJwtResponseMode(config);
  const signed = { ...parameters, response_mode: "jwt" };
  const { searchParams } = await client.buildAuthorizationUrlWithJAR(config, signed, signingKey);
  authorizationUrl = await client.buildAuthorizationUrlWithPAR(config, searchParams, { DPoP });
}
send({ authorization_url: authorizationUrl.href });
const { callback } = await receive();

let tokens;
try {
  tokens = await client.authorizationCodeGrant(
    config,
    new URL(callback),
    { pkceCodeVerifier: codeVerifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true },
    undefined,
    { DPoP },
  );
} catch (error) {
  if (mode !== "front-channel") throw error;
  const { name, code, error: oauthError, error_description } = error;
  send({ refused: { name, code, error: oauthError, error_description } });
  process.exit(0);
}
const claims = tokens.claims();
const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub, { DPoP });
const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token, undefined, { DPoP });
// The refreshed access token works too.
const again = await client.fetchUserInfo(config, refreshed.access_token, claims.sub, { DPoP });

send({
  nonce,
  id_token_claims: claims,
  userinfo,
  token_type: tokens.token_type,
  scope: tokens.scope,
  refreshed: refreshed.token_type === tokens.token_type && again.sub === claims.sub,
  refreshed_token_type: refreshed.token_type,
  refresh_token_rotated: refreshed.refresh_token !== undefined && refreshed.refresh_token !== tokens.refresh_token,
  access_token: tokens.access_token,
  dpop_jkt: await thumbprint(dpopKeys.publicKey),
});
process.exit(0);
