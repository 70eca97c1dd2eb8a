//! Users brought from another system keep their password: the management API stores their old
//! system's hash as it is (bcrypt, PBKDF2 in Django's and PHC form, scrypt, SHA-crypt), the
//! first sign-in checks the password against it and replaces it with an argon2id hash, and the
//! sign-ins after that use the new hash. Hashes the server cannot check, or could only check at
//! an absurd cost, are refused with a problem naming `password_hash`. The hashes were made by
//! independent implementations (Python's hashlib and libxcrypt). Both backends.

use ciam_testkit::{Admin, Browser, authorize_url, hidden};
use serde_json::json;

use crate::support::setup;

const PASSWORD: &str = "correct horse battery staple";

const IMPORTED: [(&str, &str); 4] = [
    ("bcrypt@example.com", "$2b$05$abcdefghijklmnopqrstuuFiPhXf1sVd3pCCRO.uVh34H/qI/ZsuS"),
    ("django@example.com", "pbkdf2_sha256$1000$Zk8rBWbnH5s1$nDoC9mCbrOvM1nmCwwtTJDyzgtPQkFd69YnjtIJ/oqs="),
    ("scrypt@example.com", "$scrypt$ln=10,r=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$7AnzIswxwEinpwz+ntydndYfVHPvOACmX9Vvo8hO1qM"),
    (
        "shacrypt@example.com",
        "$6$rounds=5000$saltsaltsalt$ST/mWEmUvGaF8bR7RgZUdh5cwHaiiTTLMzdmz6VYMGgVtDKO8Huz6GcoOtpj0X0zfFtfnn1aYJnZLSFBw4K2p0",
    ),
];

/// The status of a sign-in as `email` with `password` on a fresh browser.
async fn sign_in(server: &ciam_testkit::Server, email: &str, password: &str) -> u16 {
    let v = Browser::new(server);
    let res = v.get(&authorize_url("web", "openid").nonce("n").build()).await;
    let html = v.get(&ciam_testkit::location(&res)).await.text().await.unwrap();
    let form = [
        ("flow", hidden(&html, "flow")),
        ("csrf", hidden(&html, "csrf")),
        ("email", email.into()),
        ("password", password.into()),
    ];
    v.http.post(v.abs("/t/acme/login")).form(&form).send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn imported_password_hashes_sign_in_once_and_become_argon2id() {
    let s = setup("migration", vec![]).await;
    let admin = Admin::new(&s.server, s.admin_token.clone());
    for (email, hash) in IMPORTED {
        admin
            .post("/tenants/acme/users", json!({"email": email, "password_hash": hash, "email_verified": true}), 201)
            .await;
    }
    for (email, hash) in IMPORTED {
        assert_eq!(sign_in(&s.server, email, "not the password").await, 401, "{email}");
        let before = s.server.logs().matches("password rehashed").count();
        assert_eq!(sign_in(&s.server, email, PASSWORD).await, 303, "{email} signs in with the old password");
        assert_eq!(s.server.logs().matches("password rehashed").count(), before + 1, "{email}: replaced at once");
        assert_eq!(sign_in(&s.server, email, PASSWORD).await, 303, "{email} again, on the argon2id hash");
        assert_eq!(s.server.logs().matches("password rehashed").count(), before + 1, "{email}: replaced once");
        assert!(!s.server.logs().contains(hash), "the imported hash is never logged");
    }

    // What cannot be stored.
    let refused = [
        json!({"email": "plain@example.com", "password_hash": PASSWORD}),
        json!({"email": "both@example.com", "password": PASSWORD, "password_hash": IMPORTED[0].1}),
        json!({"email": "costly@example.com", "password_hash": "pbkdf2_sha256$99999999$salt$nDoC9mCbrOvM1nmCwwtTJDyzgtPQkFd69YnjtIJ/oqs="}),
        json!({"email": "md5@example.com", "password_hash": "$1$saltsalt$WGNTgSjxOk4S2LdO7Cpsq."}),
    ];
    for body in refused {
        let (status, problem) = admin.call(reqwest::Method::POST, "/tenants/acme/users", Some(body.clone())).await;
        assert_eq!(status, 422, "{body}: {problem}");
        assert!(problem.to_string().contains("password_hash"), "{problem}");
        assert!(!problem.to_string().contains(PASSWORD), "the problem never echoes a secret: {problem}");
    }
    // A patch can set an imported hash too; like a new password, it ends the user's sessions.
    let users = admin.get("/tenants/acme/users?email=bcrypt@example.com", 200).await;
    let id = users["items"][0]["id"].as_str().unwrap();
    let django = IMPORTED[1].1;
    let (status, body) = admin
        .call(reqwest::Method::PATCH, &format!("/tenants/acme/users/{id}"), Some(json!({"password_hash": django})))
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("password_hash").is_none(), "write-only: {body}");
    assert_eq!(sign_in(&s.server, "bcrypt@example.com", PASSWORD).await, 303);
}
