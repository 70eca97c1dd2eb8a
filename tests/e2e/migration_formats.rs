//! The password hashes of Firebase, Keycloak and salted-SHA-2 systems (LDAP's among them) go
//! through a real import: one user per format comes in through `users:import`, signs in once on
//! the hosted page with the old password (which replaces the hash with argon2id), then again on
//! the new hash. The hashes come from independent implementations: Firebase's published sample,
//! Python's hashlib, OpenLDAP's slappasswd, and for Keycloak, credentials computed by Python's
//! hashlib and the reference argon2 (libargon2), converted by `ciam_authn::legacy::from_keycloak`.

use ciam_testkit::{Browser, authorize_url, hidden};
use serde_json::json;

use crate::migration::import;
use crate::support::setup;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

const PASSWORD: &str = "correct horse battery staple";

/// Keycloak's `secretData` with the 16-byte salt "keycloak-salt-16" and `value`.
fn keycloak_secret(value: &str) -> String {
    json!({"value": value, "salt": "a2V5Y2xvYWstc2FsdC0xNg==", "additionalParameters": {}}).to_string()
}

/// The users to import: email, password, and the `password_hash` of the import line.
fn users() -> Result<Vec<(&'static str, &'static str, String)>> {
    let keycloak_pbkdf2 = ciam_authn::legacy::from_keycloak(
        &keycloak_secret("WvNsiuHOhgwoxU1RSRrnFJP5fvMB4p9qIgn/qOlnW4M+N4LoT/yp2aRhVqYQHf1cRr6043mqR8xKvj1FIYWoWg=="),
        r#"{"hashIterations":27500,"algorithm":"pbkdf2-sha256","additionalParameters":{}}"#,
    )?;
    let keycloak_argon2 = ciam_authn::legacy::from_keycloak(
        &keycloak_secret("mrL1VixNOx8kZSGTZyhFM0DJuYMmRR/rmhxkTZUr1xY="),
        r#"{"hashIterations":5,"algorithm":"argon2","additionalParameters":{"hashLength":["32"],"memory":["7168"],"type":["id"],"version":["1.3"],"parallelism":["1"]}}"#,
    )?;
    Ok(vec![
        // The firebase/scrypt README's sample user and project parameters.
        (
            "firebase@example.com",
            "user1password",
            "$firebase-scrypt$m=14,r=8$42xEC+ixf3L2lw==$Bw==$jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==$lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==".into(),
        ),
        ("keycloak-pbkdf2@example.com", PASSWORD, keycloak_pbkdf2),
        ("keycloak-argon2@example.com", PASSWORD, keycloak_argon2),
        (
            "salted@example.com",
            PASSWORD,
            "$salted-sha512$pos=prefix$cGVwcGVyJnNhbHQ=$Z3hMG/TGqP73Ho2JDyWKS2JRqAnhtlYsQimYhH2fWAhUhTWPdTs+ms8i73nFWhSf8FylzpWQ2IuQP9CFpvPXLw==".into(),
        ),
        (
            "ldap@example.com",
            PASSWORD,
            "{SSHA512}i9/N2omCC8V1OBA9T5jGLjTPXOsYB+QpAWRXzsj4fl9QNs7ZEWilyg3LLHVGj8hRRA+Qne3kYsO1x80WEaxCFpTXGv3IK9Nz"
                .into(),
        ),
        ("ldap256@example.com", PASSWORD, "{SSHA256}Gx08ut1Z4pC4he2sm/ZfPbl/7LFcDbGUlHIom35OHqJatL4JGMnYsQ==".into()),
    ])
}

/// The status of a sign-in as `email` with `password` on a fresh browser.
async fn sign_in(server: &ciam_testkit::Server, email: &str, password: &str) -> Result<u16> {
    let v = Browser::new(server);
    let res = v.get(&authorize_url("web", "openid").nonce("n").build()).await;
    let html = v.get(&ciam_testkit::location(&res)).await.text().await?;
    let form = [
        ("flow", hidden(&html, "flow")),
        ("csrf", hidden(&html, "csrf")),
        ("email", email.into()),
        ("password", password.into()),
    ];
    Ok(v.http.post(v.abs("/t/acme/login")).form(&form).send().await?.status().as_u16())
}

#[tokio::test]
async fn firebase_keycloak_and_salted_sha_users_sign_in_and_become_argon2id() -> Result {
    let s = setup("migration-formats", vec![]).await;
    let users = users()?;
    let file: String = users
        .iter()
        .enumerate()
        .map(|(i, (email, _, hash))| {
            let line = json!({"email": email, "email_verified": true, "external_id": format!("old-{i}"),
                              "password_hash": hash});
            format!("{line}\n")
        })
        .collect();
    let (status, lines) = import(&s, file).await;
    assert_eq!(status, 200);
    let report = serde_json::Value::from(lines.clone());
    let summary = lines.last().cloned().unwrap_or_default();
    assert_eq!(summary["summary"], json!({"created": users.len(), "existing": 0, "refused": 0}), "{report}");

    for (email, password, hash) in &users {
        assert_eq!(sign_in(&s.server, email, "not the password").await?, 401, "{email}");
        let before = s.server.logs().matches("password rehashed").count();
        assert_eq!(sign_in(&s.server, email, password).await?, 303, "{email} signs in with the old password");
        assert_eq!(s.server.logs().matches("password rehashed").count(), before + 1, "{email}: replaced at once");
        assert_eq!(sign_in(&s.server, email, password).await?, 303, "{email} again, on the argon2id hash");
        assert_eq!(s.server.logs().matches("password rehashed").count(), before + 1, "{email}: replaced once");
        assert!(!s.server.logs().contains(hash.as_str()), "the imported hash is never logged");
    }

    // A malformed hash of each new kind is refused on its line, naming password_hash only.
    let refused = [
        "$firebase-scrypt$m=20,r=8$42xEC+ixf3L2lw==$Bw==$c2lnbmVyIGtleSBzaWduZXIga2V5$c2lnbmVyIGtleSBzaWduZXIga2V5",
        "$salted-sha256$pos=middle$cGVwcGVyJnNhbHQ=$vLvtXThKmDIXY8bnATOF3aDWanvJoK7hAdqUoTvZ9MY=",
        "{SSHA256}vLvtXThKmDIXY8bnATOF3aDWanvJoK7hAdqUoTvZ9MY=",
    ];
    let file: String = refused
        .iter()
        .map(|hash| format!("{}\n", json!({"email": "bad@example.com", "password_hash": hash})))
        .collect();
    let (_, lines) = import(&s, file).await;
    let report = serde_json::Value::from(lines.clone()).to_string();
    let refusals: Vec<_> = lines.iter().filter(|l| l["status"] == "refused").collect();
    assert_eq!(refusals.len(), refused.len(), "{report}");
    assert!(refusals.iter().all(|l| l["field"] == "password_hash"), "{report}");
    assert!(refused.iter().all(|hash| !report.contains(hash)), "no value echoed: {report}");
    Ok(())
}
