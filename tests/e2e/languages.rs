//! Mails in the recipient's language: the sign-in code mail goes out in the user's `locale`
//! claim, else in the language of the request that asked for it (here the authorization
//! request's `ui_locales`). Real binary, real mail (the development mailer's folder).

use ciam_testkit::{Admin, Browser};
use serde_json::json;

use crate::support::{GERMANY, setup};

/// The newest mail to `to`: (subject, text), waiting for it to arrive.
async fn mail_to(dir: &std::path::Path, to: &str, after: usize) -> (String, String) {
    for _ in 0..200 {
        let mails = ciam_server::adapters::mail::read_mail_dir(dir);
        let found = mails
            .iter()
            .skip(after)
            .rev()
            .find(|(_, raw)| ciam_server::adapters::mail::mail_header(raw, "To").is_some_and(|t| t.contains(to)));
        if let Some((_, raw)) = found {
            let subject = ciam_server::adapters::mail::mail_header(raw, "Subject").unwrap_or_default();
            return (subject, ciam_server::adapters::mail::mail_text_body(raw).unwrap_or_default());
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("no mail to {to}");
}

#[tokio::test]
async fn the_sign_in_code_mail_is_in_the_user_s_language_else_the_request_s() {
    let s = setup("languages-mail", vec![]).await;
    let admin = Admin::new(&s.server, s.admin_token.clone());
    let (status, body) = admin
        .call(reqwest::Method::PATCH, "/tenants/acme", Some(json!({"settings": {"login": {"email_code": true}}})))
        .await;
    assert_eq!(status, 200, "{body}");
    let dir = s.server.data_dir.join("mail");
    let count = || ciam_server::adapters::mail::read_mail_dir(&dir).len();

    // Ada has no locale claim: the request's language, French (ui_locales), is the mail's.
    let v = Browser::at(&s.server.url(""), Some(GERMANY));
    let (_, flow, csrf) = v.login_page("&ui_locales=fr").await;
    let before = count();
    let res = v.post("/t/acme/login/email", &[("flow", &flow), ("csrf", &csrf), ("email", "ada@example.com")]).await;
    let page = res.text().await.unwrap();
    assert!(page.contains("<html lang=\"fr\"") && page.contains("Code de connexion"), "{page}");
    let (subject, text) = mail_to(&dir, "ada@example.com", before).await;
    assert_eq!(subject, "Votre code de connexion Acme");
    assert!(text.starts_with("Votre code de connexion est "), "{text}");
    assert!(text.contains("Ou ouvrez ce lien dans le navigateur où vous avez demandé le code :\nhttp"), "{text}");
    assert!(text.contains("Si vous n’avez pas essayé de vous connecter, ignorez ce message."), "{text}");

    // With `locale: de-AT` on her account, German, whatever the request asks for.
    let users = admin.get("/tenants/acme/users?limit=100", 200).await;
    let ada = users["items"].as_array().unwrap().iter().find(|u| u["email"] == "ada@example.com").unwrap();
    let path = format!("/tenants/acme/users/{}", ada["id"].as_str().unwrap());
    let (status, body) = admin.call(reqwest::Method::PATCH, &path, Some(json!({"locale": "de-AT"}))).await;
    assert_eq!(status, 200, "{body}");
    let v = Browser::at(&s.server.url(""), Some(GERMANY));
    let (_, flow, csrf) = v.login_page("&ui_locales=fr").await;
    let before = count();
    let res = v.post("/t/acme/login/email", &[("flow", &flow), ("csrf", &csrf), ("email", "ada@example.com")]).await;
    assert!(res.text().await.unwrap().contains("<html lang=\"fr\""), "the page stays in the request's language");
    let (subject, text) = mail_to(&dir, "ada@example.com", before).await;
    assert_eq!(subject, "Ihr Anmeldecode für Acme");
    assert!(text.starts_with("Ihr Anmeldecode lautet "), "{text}");
    let code: String = text.split("lautet ").nth(1).unwrap().chars().take(6).collect();
    assert!(code.chars().all(|c| c.is_ascii_digit()), "the code itself is untouched: {text}");

    // The code from the German mail signs in.
    let form = [("flow", flow.as_str()), ("csrf", &csrf), ("email", "ada@example.com"), ("code", &code)];
    let res = v.post("/t/acme/login/email/verify", &form).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
}
