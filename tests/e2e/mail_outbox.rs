//! Sign-in mail goes through the outbox: "Email me a code" answers at once and the same whether
//! or not the address has an account, whether the SMTP relay is fast, slow or down. The relay is
//! a small SMTP server the test runs on loopback (plain SMTP, `?tls=none`), slow on purpose or
//! not there at all.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use ciam_testkit::{Admin, Browser};

use crate::support::{GERMANY, Setup, setup};

/// A loopback SMTP relay that answers the greeting and the end of each message only after
/// `delay`, and keeps what it received.
struct Sink {
    messages: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Sink {
    async fn start(listener: TcpListener, delay: Duration) -> Self {
        let messages = Arc::new(Mutex::new(Vec::new()));
        let kept = messages.clone();
        let task = tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let kept = kept.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    tokio::time::sleep(delay).await;
                    write.write_all(b"220 sink.test ESMTP\r\n").await.unwrap();
                    while let Ok(Some(line)) = lines.next_line().await {
                        let upper = line.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
                            b"250 sink.test\r\n"
                        } else if upper.starts_with("MAIL") || upper.starts_with("RCPT") || upper == "RSET" {
                            b"250 ok\r\n"
                        } else if upper == "DATA" {
                            write.write_all(b"354 go ahead\r\n").await.unwrap();
                            let mut data = Vec::new();
                            while let Ok(Some(l)) = lines.next_line().await {
                                if l == "." {
                                    break;
                                }
                                data.push(l.strip_prefix('.').map_or(l.clone(), str::to_owned));
                            }
                            tokio::time::sleep(delay).await;
                            kept.lock().unwrap().push(data.join("\r\n"));
                            b"250 queued\r\n"
                        } else if upper == "QUIT" {
                            let _ = write.write_all(b"221 bye\r\n").await;
                            break;
                        } else {
                            b"502 not implemented\r\n"
                        };
                        if write.write_all(reply).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        Self { messages, task }
    }

    /// The messages received so far, waiting up to `limit` for at least `n`.
    async fn wait_for(&self, n: usize, limit: Duration) -> Vec<String> {
        let deadline = Instant::now() + limit;
        loop {
            let got = self.messages.lock().unwrap().clone();
            if got.len() >= n || Instant::now() > deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The test server, with sign-in codes by email on and mail going to `smtp://127.0.0.1:{port}`.
async fn server_mailing_to(tag: &str, port: u16) -> Setup {
    let env = vec![("CIAM_MAIL__URL".to_owned(), format!("smtp://127.0.0.1:{port}?tls=none"))];
    let s = setup(tag, env).await;
    let admin = Admin::new(&s.server, s.admin_token.clone());
    let on = json!({"settings": {"login": {"email_code": true}}});
    let (status, tenant) = admin.call(reqwest::Method::PATCH, "/tenants/acme", Some(on)).await;
    assert_eq!(status, 200, "{tenant}");
    s
}

/// Asks for a sign-in code for `address`; the status, the page with the address blanked out,
/// and how long the answer took.
async fn email_me_a_code(v: &Browser, flow: &str, csrf: &str, address: &str) -> (u16, String, Duration) {
    let started = Instant::now();
    let res = v.post("/t/acme/login/email", &[("flow", flow), ("csrf", csrf), ("email", address)]).await;
    let status = res.status().as_u16();
    let page = crate::support::without_nonces(&res.text().await.unwrap().replace(address, "X"));
    (status, page, started.elapsed())
}

fn code_in(message: &str) -> String {
    let text = ciam_server::adapters::mail::mail_text_body(message).unwrap();
    text.split("code is ").nth(1).unwrap().chars().take(6).collect()
}

/// House rule 41 and no account enumeration (house rule 30): with a relay that takes seconds to
/// answer, "Email me a code" for Ada answers well within one of the relay's delays, with the page
/// an unknown address gets; the code reaches the relay afterwards, and signs in. Sending in the
/// request, the known address took twice the relay's delay and the unknown one milliseconds.
#[tokio::test]
async fn a_slow_relay_neither_slows_nor_reveals_email_me_a_code() {
    let delay = Duration::from_secs(3);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let sink = Sink::start(listener, delay).await;
    let s = server_mailing_to("outbox-slow", port).await;

    let v = Browser::at(&s.server.url(""), Some(GERMANY));
    let (_, flow, csrf) = v.login_page("").await;
    let unknown = email_me_a_code(&v, &flow, &csrf, "nobody@example.com").await;
    let known = email_me_a_code(&v, &flow, &csrf, "ada@example.com").await;
    assert_eq!((unknown.0, known.0), (200, 200));
    assert_eq!(unknown.1, known.1, "the same page whether or not the account exists");
    assert!(known.2 < delay && unknown.2 < delay, "answered before the relay did: {:?} {:?}", known.2, unknown.2);

    let mails = sink.wait_for(1, Duration::from_secs(60)).await;
    assert_eq!(mails.len(), 1, "Ada's code arrives");
    assert_eq!(ciam_server::adapters::mail::mail_header(&mails[0], "To").as_deref(), Some("ada@example.com"));
    let code = code_in(&mails[0]);
    let form = [("flow", flow.as_str()), ("csrf", &csrf), ("email", "ada@example.com"), ("code", &code)];
    let res = v.post("/t/acme/login/email/verify", &form).await;
    assert_eq!(res.status(), 303, "the queued code signs in");
    // The unknown address's message was queued first and discarded: nothing more arrives.
    tokio::time::sleep(delay).await;
    assert_eq!(sink.wait_for(2, Duration::ZERO).await.len(), 1, "no mail for an address without an account");
    let logs = s.server.logs();
    assert!(!logs.contains(&code), "the code is not logged");
}

/// House rule 41: with the relay down, "Email me a code" still answers 200 with the page an
/// unknown address gets; the failure is logged without the address or the code, and the message
/// is delivered once the relay is back (retried). Sending in the request, it was a 503.
#[tokio::test]
async fn a_relay_that_is_down_delays_the_code_but_never_fails_the_page() {
    // A port with nothing listening: connections are refused until the relay starts on it.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let s = server_mailing_to("outbox-down", port).await;

    let v = Browser::at(&s.server.url(""), Some(GERMANY));
    let (_, flow, csrf) = v.login_page("").await;
    let unknown = email_me_a_code(&v, &flow, &csrf, "nobody@example.com").await;
    let known = email_me_a_code(&v, &flow, &csrf, "ada@example.com").await;
    assert_eq!((unknown.0, known.0), (200, 200), "the relay being down fails no page");
    assert_eq!(unknown.1, known.1, "the same page whether or not the account exists");

    // The worker tried, failed, and said so without naming the recipient.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !s.server.logs().contains("mail delivery failed; will retry") && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let logs = s.server.logs();
    let failure = logs.lines().find(|l| l.contains("mail delivery failed; will retry")).expect("the failure is logged");
    assert!(failure.contains("mail_id") && failure.contains("acme"), "{failure}");
    assert!(!logs.contains("ada@example.com"), "no address in the logs: {logs}");

    // The relay comes up on that port: the retry delivers the code.
    let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let sink = Sink::start(listener, Duration::ZERO).await;
    let mails = sink.wait_for(1, Duration::from_secs(60)).await;
    assert_eq!(mails.len(), 1, "delivered once the relay is back");
    assert_eq!(ciam_server::adapters::mail::mail_header(&mails[0], "To").as_deref(), Some("ada@example.com"));
    let code = code_in(&mails[0]);
    assert!(!s.server.logs().contains(&code), "the code is not logged");
    let form = [("flow", flow.as_str()), ("csrf", &csrf), ("email", "ada@example.com"), ("code", &code)];
    assert_eq!(v.post("/t/acme/login/email/verify", &form).await.status(), 303, "and signs in");
}
