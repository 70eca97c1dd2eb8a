//! Development tools (`ciam dev …`): what a walk-through needs and `curl` cannot do. A key pair
//! and its JWK Set to register (RFC 7517), a `private_key_jwt` client assertion (RFC 7523 §3), a
//! DPoP proof (RFC 9449 §4.2), and a scripted sign-in on the hosted pages of a server on this
//! machine. Signing goes through `ciam-jose`; nothing here is used by the server itself.

use std::path::Path;

use anyhow::{Context as _, anyhow, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ciam_jose::{Alg, SigningKey};
use serde_json::{Map, Value, json};

/// PEM boundaries of a PKCS#8 private key (RFC 7468 §10).
const BEGIN: &str = "-----BEGIN PRIVATE KEY-----";
const END: &str = "-----END PRIVATE KEY-----";

/// The key in the PKCS#8 PEM file `path`; with `create`, a new `alg` key is generated into it
/// first when the file does not exist (mode 0600, never overwritten).
pub fn load_or_create_key(path: &Path, alg: Alg, create: bool) -> anyhow::Result<SigningKey> {
    if create && !path.exists() {
        let (key, der) = SigningKey::generate(alg).context("generating a key")?;
        write_private(path, &to_pem(&der)).with_context(|| format!("writing {}", path.display()))?;
        return Ok(key);
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let der = from_pem(&text).with_context(|| format!("{}", path.display()))?;
    // The algorithm follows from the key: an EC P-256, Ed25519 or RSA (2048 bits or more) key.
    Alg::ALL
        .into_iter()
        .find_map(|a| SigningKey::from_pkcs8(a, &der).ok())
        .ok_or_else(|| anyhow!("{}: not an EC P-256, Ed25519 or RSA private key", path.display()))
}

/// The JWK Set with the key's public half, as a client registers it (`jwks`).
pub fn jwk_set(key: &SigningKey) -> Value {
    json!({"keys": [key.public_jwk().as_json()]})
}

/// A `private_key_jwt` client assertion (RFC 7523 §3): `iss` and `sub` the client, `aud` the
/// audience (the issuer or token endpoint), a fresh `jti`, valid for `lifetime` seconds from `now`.
pub fn assertion(key: &SigningKey, client_id: &str, audience: &str, now: i64, lifetime: i64) -> anyhow::Result<String> {
    let claims = json!({"iss": client_id, "sub": client_id, "aud": audience, "iat": now, "exp": now + lifetime,
                        "jti": ciam_core::secret::random_token(16)});
    Ok(ciam_jose::mint(key, "JWT", &claims)?)
}

/// `claims` (a JSON object) signed with `key`, with headers `alg`, `kid` and `typ`.
pub fn jwt(key: &SigningKey, typ: &str, claims: &str) -> anyhow::Result<String> {
    let claims: Map<String, Value> = serde_json::from_str(claims).context("--claims must be a JSON object")?;
    Ok(ciam_jose::mint(key, typ, &claims)?)
}

/// A DPoP proof (RFC 9449 §4.2) for `method url`, with `ath` for `access_token` and the server's
/// `nonce` when given.
pub fn dpop_proof(
    key: &SigningKey,
    method: &str,
    url: &str,
    access_token: Option<&str>,
    nonce: Option<&str>,
    now: i64,
) -> anyhow::Result<String> {
    let mut claims = Map::new();
    claims.insert("jti".into(), json!(ciam_core::secret::random_token(16)));
    claims.insert("htm".into(), json!(method.to_ascii_uppercase()));
    claims.insert("htu".into(), json!(url));
    claims.insert("iat".into(), json!(now));
    if let Some(t) = access_token {
        claims.insert("ath".into(), json!(ciam_jose::dpop::access_token_hash(t)));
    }
    if let Some(n) = nonce {
        claims.insert("nonce".into(), json!(n));
    }
    Ok(ciam_jose::dpop::sign_proof(key, &claims)?)
}

/// Follows the authorization request `authorize_url` through the hosted sign-in (email and
/// password) and consent (allowed) pages, and returns the URL the browser is sent back to (the
/// client's redirect URI with `code`); an `error` sent there is an error. Only for a server on this machine: the
/// address must be `localhost` or a loopback address.
///
/// It says who it is in its user agent; a sign-in the risk policy steps up or refuses ends here
/// with the page's message (docs/security.md: scripted sign-ins).
pub async fn sign_in(authorize_url: &str, email: &str, password: &str) -> anyhow::Result<String> {
    let start = url::Url::parse(authorize_url).context("the authorization URL")?;
    let loopback = match start.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    if !loopback {
        bail!("sign-in works only with a server on this machine (localhost or a loopback address)");
    }
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        // A marker of the default bot rule: the risk policy sees a script, as it is.
        .user_agent(concat!("ciam-dev/", env!("CARGO_PKG_VERSION"), " sign-in"))
        .build()?;
    let origin = start.origin();
    let mut res = http.get(start.clone()).send().await?;
    let (mut signed_in, mut consented) = (false, false);
    for _ in 0..20 {
        let here = res.url().clone();
        if res.status().is_redirection() {
            let to = res
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| anyhow!("a redirect without a location"))?;
            let to = here.join(to)?;
            if to.origin() != origin {
                // An error sent to the redirect URI (RFC 6749 §4.1.2.1) fails the command, so a
                // script stops here rather than at a code that is not there.
                if let Some((_, error)) = to.query_pairs().find(|(k, _)| k == "error") {
                    let description =
                        to.query_pairs().find(|(k, _)| k == "error_description").map(|(_, d)| d.into_owned());
                    bail!("the authorization ended with {error}: {} ({to})", description.unwrap_or_default());
                }
                return Ok(to.to_string());
            }
            res = http.get(to).send().await?;
            continue;
        }
        let status = res.status();
        let html = res.text().await?;
        let form = |name: &str| hidden(&html, name).ok_or_else(|| anyhow!("no {name} on the page at {here}"));
        if html.contains("name=\"password\"") && !signed_in {
            let action = here.join(&form_action(&html).ok_or_else(|| anyhow!("no form at {here}"))?)?;
            let fields = [
                ("flow", form("flow")?),
                ("csrf", form("csrf")?),
                ("email", email.into()),
                ("password", password.into()),
            ];
            res = http.post(action).form(&fields).send().await?;
            signed_in = true;
        } else if html.contains("name=\"decision\"") && !consented {
            let action = here.join(&form_action(&html).ok_or_else(|| anyhow!("no form at {here}"))?)?;
            let fields = [("flow", form("flow")?), ("csrf", form("csrf")?), ("decision", "allow".into())];
            res = http.post(action).form(&fields).send().await?;
            consented = true;
        } else {
            let message = page_message(&html);
            bail!("stopped at {here} ({status}): {message}");
        }
    }
    bail!("too many pages before the redirect URI")
}

/// The value of the hidden input `name`.
fn hidden(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let rest = html.get(html.find(&marker)? + marker.len()..)?;
    Some(unescape(rest.split('"').next()?))
}

/// The first form's `action`.
fn form_action(html: &str) -> Option<String> {
    let rest = html.get(html.find("<form method=\"post\" action=\"")? + 28..)?;
    Some(unescape(rest.split('"').next()?))
}

/// What a page says: its heading and any error, without markup.
fn page_message(html: &str) -> String {
    let text = |tag: &str| {
        let open = format!("<{tag}");
        let start = html.find(&open)?;
        let body = html.get(start..)?;
        let inner = body.get(body.find('>')? + 1..)?;
        Some(unescape(inner.get(..inner.find('<')?)?.trim()))
    };
    let mut parts: Vec<String> = Vec::new();
    parts.extend(text("h1"));
    if let Some(i) = html.find("class=\"error\"") {
        parts.extend(html.get(i..).and_then(|rest| {
            let inner = rest.get(rest.find('>')? + 1..)?;
            Some(unescape(inner.get(..inner.find('<')?)?.trim()))
        }));
    }
    if parts.is_empty() { "an unexpected page".into() } else { parts.join(": ") }
}

fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn to_pem(der: &[u8]) -> String {
    let b64 = STANDARD.encode(der);
    let mut pem = String::from(BEGIN);
    pem.push('\n');
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(chunk));
        pem.push('\n');
    }
    pem.push_str(END);
    pem.push('\n');
    pem
}

fn from_pem(text: &str) -> anyhow::Result<Vec<u8>> {
    let Some(start) = text.find(BEGIN) else {
        if text.contains("-----BEGIN EC PRIVATE KEY-----") || text.contains("-----BEGIN RSA PRIVATE KEY-----") {
            bail!("a PKCS#8 key is needed: convert it with `openssl pkcs8 -topk8 -nocrypt -in OLD -out NEW`");
        }
        bail!("no \"{BEGIN}\" block (an unencrypted PKCS#8 PEM private key)");
    };
    let body = text.get(start + BEGIN.len()..).unwrap_or_default();
    let body = body.get(..body.find(END).ok_or_else(|| anyhow!("no \"{END}\" line"))?).unwrap_or_default();
    let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    STANDARD.decode(b64).map_err(|_| anyhow!("the PEM block is not base64"))
}

/// Creates `path` with `contents`, readable only by its owner, refusing to replace a file.
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_key_is_written_once_as_pkcs8_pem_and_loads_back_as_the_same_key() {
        let dir = std::env::temp_dir().join(format!("ciam-dev-{}", ciam_core::secret::random_token(8)));
        std::fs::create_dir_all(&dir).unwrap();
        for alg in Alg::ALL {
            let path = dir.join(format!("{alg}.pem"));
            let created = load_or_create_key(&path, alg, true).unwrap();
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.starts_with(BEGIN), "{text}");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
            }
            let again = load_or_create_key(&path, Alg::ES256, true).unwrap();
            assert_eq!(again.kid(), created.kid(), "{alg}: the file is read, not replaced");
            assert_eq!(again.alg(), alg);
            assert_eq!(jwk_set(&again)["keys"][0]["kid"], created.kid());
        }
        let missing = load_or_create_key(&dir.join("none.pem"), Alg::ES256, false).unwrap_err();
        assert!(format!("{missing:#}").contains("none.pem"), "{missing:#}");
        std::fs::write(dir.join("sec1.pem"), "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n")
            .unwrap();
        let sec1 = load_or_create_key(&dir.join("sec1.pem"), Alg::ES256, false).unwrap_err();
        assert!(format!("{sec1:#}").contains("openssl pkcs8 -topk8"), "{sec1:#}");
        std::fs::write(dir.join("junk.pem"), format!("{BEGIN}\nAAAA\n{END}\n")).unwrap();
        assert!(load_or_create_key(&dir.join("junk.pem"), Alg::ES256, false).is_err());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_assertion_names_the_client_and_audience_and_verifies_with_the_registered_key() {
        let (key, _) = SigningKey::generate(Alg::ES256).unwrap();
        let a = assertion(&key, "fintech", "http://localhost:8080/t/acme", 1_000, 60).unwrap();
        let expect = ciam_jose::Expect {
            typ: "JWT",
            algs: &[Alg::ES256],
            issuer: "fintech",
            audience: Some("http://localhost:8080/t/acme"),
            now: time::OffsetDateTime::from_unix_timestamp(1_010).unwrap(),
            exp_leeway: 0,
            skew: 0,
        };
        let v = ciam_jose::verify(&a, std::slice::from_ref(key.public_jwk()), &expect).unwrap();
        assert_eq!(v.claims["sub"], "fintech");
        assert_eq!(v.claims["exp"], 1_060);
        let b = assertion(&key, "fintech", "http://localhost:8080/t/acme", 1_000, 60).unwrap();
        let jti = |t: &str| {
            ciam_jose::verify(t, std::slice::from_ref(key.public_jwk()), &expect).unwrap().claims["jti"].clone()
        };
        assert_ne!(jti(&a), jti(&b), "every assertion is single-use");
    }

    #[test]
    fn a_jwt_carries_the_claims_and_typ_given_and_refuses_what_is_not_an_object() {
        let (key, _) = SigningKey::generate(Alg::ES256).unwrap();
        let t = jwt(&key, "oauth-authz-req+jwt", r#"{"iss":"demo","aud":"x","exp":9}"#).unwrap();
        let part = |i: usize| -> Value {
            let b64 = t.split('.').nth(i).unwrap();
            serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(b64).unwrap()).unwrap()
        };
        assert_eq!(part(0)["typ"], "oauth-authz-req+jwt");
        assert_eq!(part(0)["kid"], key.kid());
        assert_eq!(part(1)["iss"], "demo");
        for bad in ["[1]", "not json", ""] {
            assert!(jwt(&key, "JWT", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_dpop_proof_carries_method_url_ath_and_nonce() {
        let (key, _) = SigningKey::generate(Alg::ES256).unwrap();
        let p = dpop_proof(&key, "post", "http://localhost:8080/t/acme/token", Some("tok"), Some("n1"), 5).unwrap();
        let v = ciam_jose::dpop::verify_proof(&p).unwrap();
        assert_eq!(v.jkt, key.kid());
        assert_eq!(v.claims["htm"], "POST");
        assert_eq!(v.claims["htu"], "http://localhost:8080/t/acme/token");
        assert_eq!(v.claims["ath"], ciam_jose::dpop::access_token_hash("tok"));
        assert_eq!(v.claims["nonce"], "n1");
        let bare =
            ciam_jose::dpop::verify_proof(&dpop_proof(&key, "GET", "http://x/", None, None, 5).unwrap()).unwrap();
        assert!(!bare.claims.contains_key("ath") && !bare.claims.contains_key("nonce"));
    }

    #[tokio::test]
    async fn sign_in_refuses_a_server_that_is_not_on_this_machine() {
        for url in ["https://id.example/t/acme/authorize?client_id=x", "http://10.0.0.1/t/acme/authorize", "not a url"]
        {
            assert!(sign_in(url, "ada@example.com", "pw").await.is_err(), "{url}");
        }
    }

    #[test]
    fn pages_are_read_with_their_html_escapes_undone() {
        let html = "<h1>Confirm it&#x27;s you</h1><form method=\"post\" action=\"&#x2f;t&#x2f;acme&#x2f;login\">\
                    <input type=\"hidden\" name=\"flow\" value=\"a&amp;b\"><p class=\"error\" role=\"alert\">Wrong</p>";
        assert_eq!(form_action(html).as_deref(), Some("/t/acme/login"));
        assert_eq!(hidden(html, "flow").as_deref(), Some("a&b"));
        assert_eq!(hidden(html, "csrf"), None);
        assert_eq!(page_message(html), "Confirm it's you: Wrong");
    }
}
