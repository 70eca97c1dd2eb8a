//! Tests of [`super`]: every format against vectors made by an independent implementation.

use super::*;

const PASSWORD: &[u8] = b"correct horse battery staple";

/// Firebase's sample project parameters (the `firebase/scrypt` README and its tests).
const FIREBASE_SIGNER_KEY: &str =
    "jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==";

/// Vectors made by independent implementations: Python's `hashlib` (PBKDF2, scrypt, salted
/// SHA-2), libxcrypt through Python's `crypt` (bcrypt, SHA-crypt), OpenWall's bcrypt test vector,
/// Firebase's own published examples and Python's `hashlib.scrypt` with `cryptography`'s AES-CTR
/// (Firebase scrypt), OpenLDAP's `slappasswd` with its `pw-sha2` module and Python (`{SSHA…}`).
const VECTORS: [(&str, LegacyFormat, &[u8]); 20] = [
    ("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", LegacyFormat::Bcrypt, b"U*U"),
    ("$2b$05$abcdefghijklmnopqrstuuFiPhXf1sVd3pCCRO.uVh34H/qI/ZsuS", LegacyFormat::Bcrypt, PASSWORD),
    (
        "pbkdf2_sha256$1000$Zk8rBWbnH5s1$nDoC9mCbrOvM1nmCwwtTJDyzgtPQkFd69YnjtIJ/oqs=",
        LegacyFormat::DjangoPbkdf2,
        PASSWORD,
    ),
    (
        "$pbkdf2-sha512$i=1000,l=64$MDEyMzQ1Njc4OWFiY2RlZg$5bTW2oeyDJyGJPcmEr+mRDE11ghpozWrDGnSNhRXo2ZCu0KHRDiUMAVEGzLJC+oDhRoeIja9J1iLIv9ptDJMfQ",
        LegacyFormat::Pbkdf2,
        PASSWORD,
    ),
    ("$pbkdf2$i=1000,l=20$MDEyMzQ1Njc4OWFiY2RlZg$wmIXv0mv7iouqkc9CKjRvCX21po", LegacyFormat::Pbkdf2, PASSWORD),
    (
        "$scrypt$ln=10,r=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$7AnzIswxwEinpwz+ntydndYfVHPvOACmX9Vvo8hO1qM",
        LegacyFormat::Scrypt,
        PASSWORD,
    ),
    (
        "$6$rounds=5000$saltsaltsalt$ST/mWEmUvGaF8bR7RgZUdh5cwHaiiTTLMzdmz6VYMGgVtDKO8Huz6GcoOtpj0X0zfFtfnn1aYJnZLSFBw4K2p0",
        LegacyFormat::ShaCrypt,
        PASSWORD,
    ),
    ("$5$saltsaltsalt$ambeXvnLzalBPZ9GOtqgOFmsKBZqk4jtIknh6DDppW3", LegacyFormat::ShaCrypt, PASSWORD),
    // Firebase's README example (user salt 42xEC+ixf3L2lw==, rounds 8, mem_cost 14).
    (
        "$firebase-scrypt$m=14,r=8$42xEC+ixf3L2lw==$Bw==$jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==$lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==",
        LegacyFormat::FirebaseScrypt,
        b"user1password",
    ),
    // Firebase's tests/02-more-values: another project's signer key.
    (
        "$firebase-scrypt$m=14,r=8$GGc/eCzFj6DM0g==$Bw==$NkZlKPkYEFfnbh1nYTfLsbqQnQ6jyRV4itK7iUD+hjO96tsAYhBG40BVS3AuJyiwHinqc5RR3oA+lppOXPNRmw==$5RZZm9Jz7p/u+FGXMInlJtAYFmMBj6ioL1UOdWfsUknAFCnsPpnnKRLyXSUFwwKbM4lx7TdFclBsT16Z8uuumg==",
        LegacyFormat::FirebaseScrypt,
        b"two space password",
    ),
    // Python (hashlib.scrypt, cryptography's AES-256-CTR), mem_cost 10.
    (
        "$firebase-scrypt$m=10,r=8$Y2lhbS1mYi1zYWx0MQ==$Bw==$jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==$/DTMECxhvaBD4qhrIVfepFt/KwpmIFX1PwMhaASiY5Jj+qnrLhkWBiUmadEM0VyhkGI8GmPa43lj8XR3bpCQIg==",
        LegacyFormat::FirebaseScrypt,
        PASSWORD,
    ),
    // Python's hashlib; the salt is "pepper&salt".
    (
        "$salted-sha256$pos=prefix$cGVwcGVyJnNhbHQ=$3uZhIKWu/leIs+lljlLBpUklTt0at2dNjQnvwC1EI94=",
        LegacyFormat::SaltedSha,
        PASSWORD,
    ),
    (
        "$salted-sha256$pos=suffix$cGVwcGVyJnNhbHQ=$vLvtXThKmDIXY8bnATOF3aDWanvJoK7hAdqUoTvZ9MY=",
        LegacyFormat::SaltedSha,
        PASSWORD,
    ),
    (
        "$salted-sha512$pos=prefix$cGVwcGVyJnNhbHQ=$Z3hMG/TGqP73Ho2JDyWKS2JRqAnhtlYsQimYhH2fWAhUhTWPdTs+ms8i73nFWhSf8FylzpWQ2IuQP9CFpvPXLw==",
        LegacyFormat::SaltedSha,
        PASSWORD,
    ),
    (
        "$salted-sha512$pos=suffix$cGVwcGVyJnNhbHQ=$tEQYP6fC6zYdwZeFQItYLha+YNMYKTkfonN18sXNqB2KPJLbTKaSMzRuBz+6SUN9MJkfZjoZroWoeySVYVTJKA==",
        LegacyFormat::SaltedSha,
        PASSWORD,
    ),
    // OpenLDAP 2.5's `slappasswd -o module-load=pw-sha2 -h '{SSHA512}'` (8-byte random salts).
    (
        "{SSHA512}i9/N2omCC8V1OBA9T5jGLjTPXOsYB+QpAWRXzsj4fl9QNs7ZEWilyg3LLHVGj8hRRA+Qne3kYsO1x80WEaxCFpTXGv3IK9Nz",
        LegacyFormat::LdapSaltedSha,
        PASSWORD,
    ),
    ("{SSHA256}Gx08ut1Z4pC4he2sm/ZfPbl/7LFcDbGUlHIom35OHqJatL4JGMnYsQ==", LegacyFormat::LdapSaltedSha, PASSWORD),
    // Python's hashlib, salt a1b2c3d4e5f60718; the scheme in lower case, as LDAP allows.
    (
        "{SSHA512}xUMESH157N1hIur/mcief3P7Og9CuOcrw27Pmu7pMYqQncIZywgF3Pz737pxcotVnelp2njAhgKssZB2ar4LOqGyw9Tl9gcY",
        LegacyFormat::LdapSaltedSha,
        PASSWORD,
    ),
    ("{ssha256}PdDwo/zjNW4fChnEKQMy2pZSShtJAyJXonyy92vIpUShssPU5fYHGA==", LegacyFormat::LdapSaltedSha, PASSWORD),
    // Firebase's tests/01-known-value: same project and user salt as the README, another password.
    (
        "$firebase-scrypt$m=14,r=8$42xEC+ixf3L2lw==$Bw==$jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==$70k8Vg5B3/OrvJOiqusnasv0dLcBHoDAqJrJr7TRLBfMw4MitWx51YXJYFdGiyMbMeKtWtLf5HiBDcN0SUOm4A==",
        LegacyFormat::FirebaseScrypt,
        b"hunter2",
    ),
];

#[test]
fn hashes_of_other_systems_verify_with_the_right_password_only() {
    for (stored, format, password) in VECTORS {
        assert_eq!(check_format(stored), Ok(Some(format)), "{stored}");
        assert_eq!(verify(password, stored), Some(true), "{stored}");
        assert_eq!(verify(b"wrong password", stored), Some(false), "{stored}");
    }
    // Not one of these formats: the caller checks it as argon2.
    assert_eq!(verify(PASSWORD, "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"), None);
    assert_eq!(verify(PASSWORD, "{\"keycloak\": {}}"), None, "JSON is no LDAP scheme");
}

/// The base64 of the new formats may come without padding; Firebase's hash compares over the
/// stored hash's length, which may not be shorter than 16 bytes.
#[test]
fn firebase_and_salted_sha_details() {
    let unpadded = "$salted-sha256$pos=suffix$cGVwcGVyJnNhbHQ$vLvtXThKmDIXY8bnATOF3aDWanvJoK7hAdqUoTvZ9MY";
    assert_eq!(verify(PASSWORD, unpadded), Some(true));
    let (full, salt) = (
        "/DTMECxhvaBD4qhrIVfepFt/KwpmIFX1PwMhaASiY5Jj+qnrLhkWBiUmadEM0VyhkGI8GmPa43lj8XR3bpCQIg==",
        "Y2lhbS1mYi1zYWx0MQ",
    );
    let firebase = |hash: &str| format!("$firebase-scrypt$m=10,r=8${salt}$Bw${FIREBASE_SIGNER_KEY}${hash}");
    assert_eq!(verify(PASSWORD, &firebase(full)), Some(true), "unpadded salt and separator");
    // The first 24 bytes of the hash: its first 32 base64 characters.
    let first_24_bytes = &full[..32];
    assert_eq!(verify(PASSWORD, &firebase(first_24_bytes)), Some(true));
    assert_eq!(verify(b"wrong password", &firebase(first_24_bytes)), Some(false));
    assert!(check_format(&firebase("AAAAAAAAAAAAAAAAAAAA")).is_err_and(|e| e.contains("16 bytes")), "15 bytes");
}

/// bcrypt reads 72 bytes: a longer password is refused rather than matched on its first 72.
#[test]
fn bcrypt_refuses_a_password_it_would_truncate() {
    let stored = "$2b$05$abcdefghijklmnopqrstuujf8SX2ahXLwp9w/B.Y5XdysS6yR576q";
    assert_eq!(verify(&[b'x'; 72], stored), Some(true));
    assert_eq!(verify(&[b'x'; 73], stored), Some(false), "libxcrypt would accept it");
}

/// A stored hash may not ask for more work than any real system uses, and a malformed one
/// never matches.
#[test]
fn costly_or_malformed_hashes_are_refused() {
    let refused = [
        "pbkdf2_sha256$20000000$salt$nDoC9mCbrOvM1nmCwwtTJDyzgtPQkFd69YnjtIJ/oqs=",
        "pbkdf2_sha256$0$salt$nDoC9mCbrOvM1nmCwwtTJDyzgtPQkFd69YnjtIJ/oqs=",
        "pbkdf2_md5$1000$salt$aGFzaA==",
        "pbkdf2_sha256$1000$salt",
        "pbkdf2_sha256$1000$salt$not base64!",
        "$scrypt$ln=20,r=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$7AnzIswxwEinpwz+ntydndYfVHPvOACmX9Vvo8hO1qM",
        "$scrypt$r=8,p=1$MDEyMzQ1Njc4OWFiY2RlZg$7AnzIswxwEinpwz+ntydndYfVHPvOACmX9Vvo8hO1qM",
        "$pbkdf2-md5$i=1000$MDEyMzQ1Njc4OWFiY2RlZg$wmIXv0mv7iouqkc9CKjRvCX21po",
        "$pbkdf2-sha256$l=32$MDEyMzQ1Njc4OWFiY2RlZg$wmIXv0mv7iouqkc9CKjRvCX21po",
        "$6$rounds=999999999$saltsaltsalt$ST/mWEmUvGaF8bR7RgZUdh5cwHaiiTTLMzdmz6VYMGgVtDKO8Huz6GcoOtpj0X0zfFtfnn1aYJnZLSFBw4K2p0",
    ];
    for stored in refused {
        assert!(check_format(stored).is_err(), "{stored}");
        assert_eq!(verify(PASSWORD, stored), Some(false), "{stored}");
    }
    assert_eq!(verify(PASSWORD, "$2b$05$short"), Some(false));
}

/// The new formats, malformed or too costly: refused with a reason that names what is wrong and
/// never contains the salt, key or hash, and never matched.
#[test]
fn malformed_new_formats_are_refused_with_a_reason() {
    let key = FIREBASE_SIGNER_KEY;
    let hash = "lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ==";
    let sha256 = "vLvtXThKmDIXY8bnATOF3aDWanvJoK7hAdqUoTvZ9MY=";
    let refused = [
        (format!("$firebase-scrypt$m=14,r=8$42xEC+ixf3L2lw==$Bw==${key}"), "a Firebase scrypt hash is"),
        (format!("$firebase-scrypt$m=20,r=8$42xEC+ixf3L2lw==$Bw==${key}${hash}"), "more than 64 MiB"),
        (format!("$firebase-scrypt$m=14,r=4096$42xEC+ixf3L2lw==$Bw==${key}${hash}"), "more than 64 MiB"),
        (format!("$firebase-scrypt$m=14$42xEC+ixf3L2lw==$Bw==${key}${hash}"), "needs m (mem_cost) and r (rounds)"),
        (format!("$firebase-scrypt$m=14,r=8,p=2$42xEC+ixf3L2lw==$Bw==${key}${hash}"), "m=<mem_cost>,r=<rounds>"),
        (format!("$firebase-scrypt$m=14,r=0$42xEC+ixf3L2lw==$Bw==${key}${hash}"), "at least 1"),
        (format!("$firebase-scrypt$m=x,r=8$42xEC+ixf3L2lw==$Bw==${key}${hash}"), "m (mem_cost) is not a number"),
        (format!("$firebase-scrypt$m=14,r=8$not base64!$Bw==${key}${hash}"), "the salt is not standard base64"),
        (format!("$firebase-scrypt$m=14,r=8$42xEC+ixf3L2lw==$Bw==$c2hvcnQ=${hash}"), "the signer key must be"),
        (
            format!("$firebase-scrypt$m=14,r=8$42xEC+ixf3L2lw==$Bw==$AAAAAAAAAAAAAAAAAAAAAA==${hash}"),
            "the hash must be",
        ),
        (format!("$salted-md5$pos=suffix$cGVwcGVyJnNhbHQ=${sha256}"), "unknown salted digest"),
        (format!("$salted-sha256$pos=middle$cGVwcGVyJnNhbHQ=${sha256}"), "pos= must be prefix"),
        (format!("$salted-sha256$cGVwcGVyJnNhbHQ=${sha256}"), "a salted SHA-2 hash is"),
        (format!("$salted-sha256$pos=suffix$${sha256}"), "unsalted digests are not accepted"),
        (format!("$salted-sha512$pos=suffix$cGVwcGVyJnNhbHQ=${sha256}"), "the digest must be 64 bytes"),
        (format!("$salted-sha256$pos=suffix$cGVwcGVyJnNhbHQ=${sha256}$"), "a salted SHA-2 hash is"),
        ("{SSHA512}PdDwo/zjNW4fChnEKQMy2pZSShtJAyJXonyy92vIpUShssPU5fYHGA==".into(), "digest followed by the salt"),
        (format!("{{SSHA256}}{sha256}"), "unsalted digests are not accepted"),
        ("{SSHA256}not base64!".into(), "the LDAP value is not standard base64"),
        (format!("{{SHA256}}{sha256}"), "the LDAP scheme {SHA256} is not one ciam verifies"),
        ("{SSHA}AAAAAAAAAAAAAAAAAAAAAAAAAAA=".into(), "the LDAP scheme {SSHA} is not one ciam verifies"),
        ("{CRYPT}$6$saltsaltsalt$ST/mWEmUvGaF8bR7".into(), "store the hash that follows it"),
    ];
    for (stored, reason) in refused {
        let error = check_format(&stored).err().unwrap_or_default();
        assert!(error.contains(reason), "{stored}: {error:?} should say {reason:?}");
        for value in [key, hash, sha256, "42xEC+ixf3L2lw==", "cGVwcGVyJnNhbHQ="] {
            assert!(!error.contains(value), "{error} echoes a value");
        }
        assert_eq!(verify(PASSWORD, &stored), Some(false), "{stored}");
    }
}

/// Keycloak's `secretData` for `value` and `salt` (the 16 bytes "keycloak-salt-16", as long as
/// Keycloak's salts).
fn keycloak_secret(value: &str) -> String {
    serde_json::json!({"value": value, "salt": "a2V5Y2xvYWstc2FsdC0xNg==", "additionalParameters": {}}).to_string()
}

/// Keycloak credentials of each algorithm, the hashes computed by Python's
/// `hashlib.pbkdf2_hmac` (64-byte keys, as Keycloak derives) and by the reference argon2
/// (libargon2 through ctypes) with Keycloak's argon2 defaults, become the PHC strings that
/// verify the password; for argon2, exactly the string libargon2 encodes.
#[test]
fn keycloak_credentials_become_phc_strings() -> anyhow::Result<()> {
    let pbkdf2 = [
        (
            "pbkdf2",
            27_500,
            "luBA2jHRgfHRK9dOW2E0dbnBglMx9l1Ip4yhB8ptrE16YcoMEBIY28Hp0NC86SvdjRg8Owo4lnPZpNTrx5RZfQ==",
            "$pbkdf2$i=27500,l=64$a2V5Y2xvYWstc2FsdC0xNg$luBA2jHRgfHRK9dOW2E0dbnBglMx9l1Ip4yhB8ptrE16YcoMEBIY28Hp0NC86SvdjRg8Owo4lnPZpNTrx5RZfQ",
        ),
        (
            "pbkdf2-sha256",
            27_500,
            "WvNsiuHOhgwoxU1RSRrnFJP5fvMB4p9qIgn/qOlnW4M+N4LoT/yp2aRhVqYQHf1cRr6043mqR8xKvj1FIYWoWg==",
            "$pbkdf2-sha256$i=27500,l=64$a2V5Y2xvYWstc2FsdC0xNg$WvNsiuHOhgwoxU1RSRrnFJP5fvMB4p9qIgn/qOlnW4M+N4LoT/yp2aRhVqYQHf1cRr6043mqR8xKvj1FIYWoWg",
        ),
        (
            "pbkdf2-sha512",
            210_000,
            "TA55EujuIBF9DzEJiHnvoapxQgJr591d81ybU+sDxi8n1gd6tg8EzlJnV8kaGBfFVqnrIp1lSmJu1uJydw3sYw==",
            "$pbkdf2-sha512$i=210000,l=64$a2V5Y2xvYWstc2FsdC0xNg$TA55EujuIBF9DzEJiHnvoapxQgJr591d81ybU+sDxi8n1gd6tg8EzlJnV8kaGBfFVqnrIp1lSmJu1uJydw3sYw",
        ),
    ];
    for (algorithm, iterations, value, expected) in pbkdf2 {
        let credential =
            serde_json::json!({"hashIterations": iterations, "algorithm": algorithm, "additionalParameters": {}});
        let phc = from_keycloak(&keycloak_secret(value), &credential.to_string()).map_err(anyhow::Error::msg)?;
        assert_eq!(phc, expected);
        assert_eq!(check_format(&phc), Ok(Some(LegacyFormat::Pbkdf2)));
        assert_eq!(verify(PASSWORD, &phc), Some(true), "{algorithm}");
        assert_eq!(verify(b"wrong password", &phc), Some(false), "{algorithm}");
    }

    // Keycloak 24's argon2 provider: its additionalParameters are lists of strings.
    let credential = r#"{"hashIterations":5,"algorithm":"argon2","additionalParameters":{"hashLength":["32"],"memory":["7168"],"type":["id"],"version":["1.3"],"parallelism":["1"]}}"#;
    let secret = keycloak_secret("mrL1VixNOx8kZSGTZyhFM0DJuYMmRR/rmhxkTZUr1xY=");
    let phc = from_keycloak(&secret, credential).map_err(anyhow::Error::msg)?;
    assert_eq!(phc, "$argon2id$v=19$m=7168,t=5,p=1$a2V5Y2xvYWstc2FsdC0xNg$mrL1VixNOx8kZSGTZyhFM0DJuYMmRR/rmhxkTZUr1xY");
    assert_eq!(check_format(&phc), Ok(None), "argon2 is verified by the hasher");
    use argon2::password_hash::PasswordVerifier as _;
    assert!(argon2::Argon2::default().verify_password(PASSWORD, phc.as_str()).is_ok());
    assert!(argon2::Argon2::default().verify_password(b"wrong password", phc.as_str()).is_err());
    Ok(())
}

/// What cannot be converted is refused with the reason, and the reason never contains the hash.
#[test]
fn keycloak_credentials_that_cannot_be_converted_are_refused() {
    let value = "WvNsiuHOhgwoxU1RSRrnFJP5fvMB4p9qIgn/qOlnW4M+N4LoT/yp2aRhVqYQHf1cRr6043mqR8xKvj1FIYWoWg==";
    let secret = keycloak_secret(value);
    let argon2 = |parameters: &str| {
        format!(r#"{{"hashIterations":5,"algorithm":"argon2","additionalParameters":{{{parameters}}}}}"#)
    };
    let full = r#""hashLength":["32"],"memory":["7168"],"type":["id"],"version":["1.3"],"parallelism":["1"]"#;
    let argon2_secret = keycloak_secret("mrL1VixNOx8kZSGTZyhFM0DJuYMmRR/rmhxkTZUr1xY=");
    let refused = [
        (
            secret.clone(),
            r#"{"hashIterations":10,"algorithm":"bcrypt"}"#.to_owned(),
            "unknown Keycloak password algorithm bcrypt",
        ),
        (secret.clone(), r#"{"hashIterations":99999999,"algorithm":"pbkdf2-sha256"}"#.to_owned(), "PBKDF2 iterations"),
        (secret.clone(), r#"{"hashIterations":0,"algorithm":"pbkdf2-sha256"}"#.to_owned(), "PBKDF2 iterations"),
        (secret.clone(), r#"{"algorithm":"pbkdf2-sha256"}"#.to_owned(), "credentialData is not Keycloak's JSON"),
        (secret.clone(), "not json".to_owned(), "credentialData is not Keycloak's JSON"),
        (
            format!(r#"{{"value":"{value}"}}"#),
            r#"{"hashIterations":1,"algorithm":"pbkdf2"}"#.to_owned(),
            "secretData is not",
        ),
        (
            keycloak_secret("not base64!"),
            r#"{"hashIterations":1,"algorithm":"pbkdf2"}"#.to_owned(),
            "value is not standard base64",
        ),
        (keycloak_secret("AAAA"), r#"{"hashIterations":1,"algorithm":"pbkdf2"}"#.to_owned(), "10 to 64 bytes"),
        (argon2_secret.clone(), argon2(""), "needs additionalParameters.type"),
        (argon2_secret.clone(), argon2(&full.replace(r#"["id"]"#, r#"["x"]"#)), "type must be id, i or d"),
        (argon2_secret.clone(), argon2(&full.replace(r#"["1.3"]"#, r#"["2.0"]"#)), "version must be 1.3 or 1.0"),
        (argon2_secret.clone(), argon2(&full.replace(r#"["32"]"#, r#"["64"]"#)), "hashLength is not the length"),
        (argon2_secret.clone(), argon2(&full.replace(r#"["7168"]"#, r#"["lots"]"#)), "memory is not a number"),
        (argon2_secret, argon2(&full.replace(r#"["7168"]"#, r#"["1048576"]"#)), "more than 256 MiB"),
    ];
    for (secret, credential, reason) in refused {
        let error = from_keycloak(&secret, &credential).err().unwrap_or_default();
        assert!(error.contains(reason), "{credential}: {error:?} should say {reason:?}");
        assert!(!error.contains(value) && !error.contains("a2V5Y2xvYWstc2FsdC0xNg"), "{error} echoes a value");
    }
}
