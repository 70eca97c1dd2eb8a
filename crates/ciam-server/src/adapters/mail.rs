//! Outgoing mail, the server's outbound adapter: sign-in codes, magic links and notices. Only
//! the outbox worker (`crate::services::outbox`) sends; requests queue.
//!
//! Two transports, chosen by a URL:
//! - `file:` (or `file://`) writes each message as an RFC 5322 `.eml` file into
//!   `<data_dir>/mail/`, named so that listing the folder sorts oldest first. `file:///abs/dir`
//!   writes into that folder instead. For development, tests and demos: [`read_mail_dir`] and
//!   [`mail_text_body`] read the messages back.
//! - `smtp://user:pass@host:port` submits over SMTP with STARTTLS required (default port 587);
//!   `?tls=none` allows a plain connection to a local relay (default port 25).
//!   `smtps://user:pass@host:port` uses implicit TLS (default port 465). User and password are
//!   percent-decoded.
//!
//! # Security
//! Message bodies hold codes and links: [`OutgoingMail`]'s `Debug` leaves the body out, and no
//! [`MailError`] contains the body or the SMTP password. Server certificates are checked against
//! the platform's trust store.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use base64::Engine as _;
use ciam_core::clock::{Clock, SystemClock};
use ciam_core::secret::{Secret, random_bytes};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport as _, Message, Tokio1Executor};

/// One message to send.
#[derive(Clone)]
pub struct OutgoingMail {
    /// Recipient address.
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body. It holds codes and links, so `Debug` never shows it.
    pub text: String,
}

impl fmt::Debug for OutgoingMail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutgoingMail")
            .field("to", &self.to)
            .field("subject", &self.subject)
            .field("text", &"[redacted]")
            .finish()
    }
}

/// Why a mailer could not be configured or a message not sent. Never contains a message body or
/// the SMTP password.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The mail URL or the sender address is unusable.
    #[error("mail configuration: {0}")]
    Config(String),
    /// The recipient address is not a valid mailbox.
    #[error("invalid recipient address")]
    Recipient,
    /// The message could not be built.
    #[error("could not build the message: {0}")]
    Build(String),
    /// Writing the `.eml` file failed.
    #[error("could not write the mail file: {0}")]
    File(String),
    /// The SMTP server could not be reached, or failed for now (a 4xx answer): worth retrying.
    #[error("SMTP delivery failed: {0}")]
    Smtp(String),
    /// The SMTP server refused the message for good (a 5xx answer): retrying will not help.
    #[error("SMTP server rejected the message: {0}")]
    Rejected(String),
}

impl MailError {
    /// Whether sending the same message again may succeed (the relay was unreachable or busy),
    /// as opposed to a message that can never be sent (bad recipient, permanent rejection).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Smtp(_) | Self::File(_))
    }
}

/// Sends [`OutgoingMail`] through the transport named by a mail URL.
#[derive(Clone)]
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    clock: Arc<dyn Clock>,
}

#[derive(Clone)]
enum Transport {
    File { dir: PathBuf },
    Smtp { transport: AsyncSmtpTransport<Tokio1Executor>, password: Option<Secret>, description: String },
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer").field("transport", &self.describe()).field("from", &self.from.to_string()).finish()
    }
}

/// Orders files written in the same clock second.
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

impl Mailer {
    /// A mailer for `url` (see the module documentation) sending as `from`
    /// (`"Name <addr@example.com>"` or a bare address). `file:` writes into `<data_dir>/mail/`.
    pub fn from_url(url: &str, from: &str, data_dir: &Path) -> Result<Self, MailError> {
        let from: Mailbox =
            from.parse().map_err(|_| MailError::Config("the sender address is not a valid mailbox".to_owned()))?;
        let transport = if url == "file:" || url == "file://" {
            Transport::File { dir: data_dir.join("mail") }
        } else if let Some(path) = url.strip_prefix("file://") {
            let decoded = percent_encoding::percent_decode_str(path)
                .decode_utf8()
                .map_err(|_| MailError::Config("the file: mail path is not UTF-8".to_owned()))?;
            let dir = PathBuf::from(decoded.as_ref());
            if !dir.is_absolute() {
                return Err(MailError::Config("a file:// mail URL needs an absolute path (file:///dir)".to_owned()));
            }
            Transport::File { dir }
        } else {
            smtp_transport(url)?
        };
        Ok(Self { transport, from, clock: Arc::new(SystemClock) })
    }

    /// The same mailer reading time (the `Date` header and file names) from `clock`.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Where mail goes, without credentials: `file:<dir>` or `smtp://host:port (tls)`.
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::File { dir } => format!("file:{}", dir.display()),
            Transport::Smtp { description, .. } => description.clone(),
        }
    }

    /// The folder that a `file:` mailer writes into.
    pub fn mail_dir(&self) -> Option<&Path> {
        match &self.transport {
            Transport::File { dir } => Some(dir),
            Transport::Smtp { .. } => None,
        }
    }

    /// Sends one message.
    pub async fn send(&self, mail: &OutgoingMail) -> Result<(), MailError> {
        let now = self.clock.now();
        let to: Mailbox = mail.to.parse().map_err(|_| MailError::Recipient)?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .date(SystemTime::from(now))
            .message_id(None)
            .multipart(
                MultiPart::alternative()
                    .singlepart(SinglePart::plain(mail.text.clone()))
                    .singlepart(SinglePart::html(super::mail_html::html_of(&mail.subject, &mail.text))),
            )
            .map_err(|e| MailError::Build(e.to_string()))?;
        match &self.transport {
            Transport::File { dir } => {
                let seq = SEQUENCE.fetch_add(1, Ordering::Relaxed);
                let suffix: String = random_bytes(4).iter().map(|b| format!("{b:02x}")).collect();
                let name = format!("{:020}-{seq:010}-{suffix}.eml", now.unix_timestamp_nanos().max(0));
                let (dir, bytes) = (dir.clone(), message.formatted());
                tokio::task::spawn_blocking(move || {
                    std::fs::create_dir_all(&dir)?;
                    // Written aside and renamed, so a reader of the folder never sees half a message.
                    let partial = dir.join(format!(".{name}.partial"));
                    std::fs::write(&partial, bytes)?;
                    std::fs::rename(partial, dir.join(name))
                })
                .await
                .map_err(|e| MailError::File(e.to_string()))?
                .map_err(|e| MailError::File(e.to_string()))
            }
            Transport::Smtp { transport, password, .. } => transport.send(message).await.map(|_| ()).map_err(|e| {
                let mut text = e.to_string();
                if let Some(p) = password.as_ref().map(Secret::expose_secret).filter(|p| !p.is_empty()) {
                    text = text.replace(p, "[redacted]");
                }
                if e.is_permanent() { MailError::Rejected(text) } else { MailError::Smtp(text) }
            }),
        }
    }
}

fn smtp_transport(url: &str) -> Result<Transport, MailError> {
    let config = |m: &str| MailError::Config(m.to_owned());
    let parsed = url::Url::parse(url).map_err(|_| config("the mail URL must be file:, smtp://… or smtps://…"))?;
    let implicit_tls = match parsed.scheme() {
        "smtp" => false,
        "smtps" => true,
        other => {
            return Err(MailError::Config(format!(
                "unsupported mail URL scheme `{other}`: use file:, smtp:// or smtps://"
            )));
        }
    };
    let host = parsed.host_str().filter(|h| !h.is_empty()).ok_or_else(|| config("the SMTP URL needs a host"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']').to_owned();
    if !matches!(parsed.path(), "" | "/") || parsed.fragment().is_some() {
        return Err(config("the SMTP URL takes no path or fragment"));
    }
    let mut plain = false;
    for (key, value) in parsed.query_pairs() {
        match (key.as_ref(), value.as_ref()) {
            ("tls", "none") if !implicit_tls => plain = true,
            ("tls", "starttls") if !implicit_tls => plain = false,
            ("tls", _) => {
                return Err(config("tls= must be `starttls` or `none` (smtp://), and is not used with smtps://"));
            }
            _ => return Err(config("the SMTP URL accepts only the `tls` parameter")),
        }
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .map(|c| c.into_owned())
            .map_err(|_| config("the SMTP user and password must be UTF-8"))
    };
    let user = decode(parsed.username())?;
    let password = parsed.password().map(decode).transpose()?;
    if password.is_some() && user.is_empty() {
        return Err(config("the SMTP URL has a password but no user"));
    }
    let (mode, default_port) = if implicit_tls {
        ("implicit TLS", 465)
    } else if plain {
        ("no TLS", 25)
    } else {
        ("STARTTLS", 587)
    };
    let port = parsed.port().unwrap_or(default_port);
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host.clone()).port(port);
    if !plain {
        let params = TlsParameters::new(host.clone())
            .map_err(|_| config("the SMTP host cannot be used for a TLS connection"))?;
        builder = builder.tls(if implicit_tls { Tls::Wrapper(params) } else { Tls::Required(params) });
    }
    if !user.is_empty() {
        builder = builder.credentials(Credentials::new(user, password.clone().unwrap_or_default()));
    }
    Ok(Transport::Smtp {
        transport: builder.build(),
        password: password.map(Secret::new),
        description: format!("{}://{host}:{port} ({mode})", parsed.scheme()),
    })
}

/// The `.eml` files of a mail folder with their contents, oldest first. Unreadable entries are
/// skipped; a missing folder gives an empty list.
pub fn read_mail_dir(dir: &Path) -> Vec<(PathBuf, String)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    paths.sort();
    paths.into_iter().filter_map(|p| std::fs::read_to_string(&p).ok().map(|text| (p, text))).collect()
}

/// The header block and the body of a message, split at the first empty line.
fn split_message(message: &str) -> (&str, &str) {
    message.split_once("\r\n\r\n").or_else(|| message.split_once("\n\n")).unwrap_or((message, ""))
}

/// The value of header `name` (case-insensitive) in a message as written by the file mailer:
/// folded lines joined, RFC 2047 `=?utf-8?b?…?=` words decoded.
pub fn mail_header(message: &str, name: &str) -> Option<String> {
    let (headers, _) = split_message(message);
    let mut current: Option<String> = None;
    let mut found = None;
    for line in headers.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(c) = current.as_mut() {
                c.push_str(line);
            }
            continue;
        }
        if let Some(done) = current.take() {
            found = found.or_else(|| header_value(&done, name));
        }
        current = Some(line.to_owned());
    }
    if let Some(done) = current {
        found = found.or_else(|| header_value(&done, name));
    }
    found.map(|v| decode_words(&v))
}

fn header_value(line: &str, name: &str) -> Option<String> {
    let (n, v) = line.split_once(':')?;
    n.trim().eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
}

/// Decodes RFC 2047 base64 encoded words; white space between two encoded words is dropped.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut pending_space = String::new();
    let mut previous_encoded = false;
    for token in value.split_inclusive([' ', '\t']) {
        let word = token.trim_end_matches([' ', '\t']);
        let trailing = token.get(word.len()..).unwrap_or("");
        let lower = word.to_ascii_lowercase();
        let decoded = lower
            .strip_prefix("=?utf-8?b?")
            .and_then(|_| word.get(10..word.len().saturating_sub(2)))
            .filter(|_| word.ends_with("?="))
            .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
            .and_then(|bytes| String::from_utf8(bytes).ok());
        match decoded {
            Some(text) => {
                if !previous_encoded {
                    out.push_str(&pending_space);
                }
                out.push_str(&text);
                previous_encoded = true;
            }
            None => {
                out.push_str(&pending_space);
                out.push_str(word);
                previous_encoded = false;
            }
        }
        pending_space = trailing.to_owned();
    }
    out
}

/// The plain-text body of a message as written by the file mailer (its `text/plain` part when
/// it has several), decoded from its `Content-Transfer-Encoding` (7bit, 8bit, quoted-printable
/// or base64). Line ends become `\n`.
pub fn mail_text_body(message: &str) -> Option<String> {
    mail_part(message, "text/plain")
}

/// The `text/html` part of a message as written by the file mailer, decoded.
pub fn mail_html_body(message: &str) -> Option<String> {
    mail_part(message, "text/html")
}

/// The part of `message` whose type is `kind` (a single-part message is its own part).
fn mail_part(message: &str, kind: &str) -> Option<String> {
    let content_type = mail_header(message, "Content-Type").unwrap_or_else(|| "text/plain".to_owned());
    if content_type.to_ascii_lowercase().starts_with("multipart/") {
        let boundary = content_type
            .split(';')
            .find_map(|p| p.trim().strip_prefix("boundary="))
            .map(|b| b.trim_matches('"').to_owned())?;
        let (_, body) = split_message(message);
        let delimiter = format!("--{boundary}");
        return body.split(delimiter.as_str()).skip(1).filter(|p| !p.starts_with("--")).find_map(|part| {
            let part = part.strip_prefix("\r\n").unwrap_or(part);
            mail_part(part, kind)
        });
    }
    if !content_type.to_ascii_lowercase().starts_with(kind) {
        return None;
    }
    decoded_body(message)
}

/// The body of a single part, decoded from its `Content-Transfer-Encoding`.
fn decoded_body(message: &str) -> Option<String> {
    let (_, body) = split_message(message);
    // A single part ends with the line end that closes its last line.
    let body = body.strip_suffix("\r\n").unwrap_or(body);
    let encoding = mail_header(message, "Content-Transfer-Encoding").unwrap_or_else(|| "7bit".to_owned());
    let text = match encoding.to_ascii_lowercase().as_str() {
        "7bit" | "8bit" | "binary" => body.to_owned(),
        "base64" => {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            String::from_utf8(base64::engine::general_purpose::STANDARD.decode(compact).ok()?).ok()?
        }
        "quoted-printable" => decode_quoted_printable(body)?,
        _ => return None,
    };
    Some(text.replace("\r\n", "\n"))
}

fn decode_quoted_printable(body: &str) -> Option<String> {
    let mut out = Vec::with_capacity(body.len());
    let bytes = body.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b != b'=' {
            out.push(b);
            i += 1;
            continue;
        }
        match (bytes.get(i + 1), bytes.get(i + 2)) {
            // Soft line break.
            (Some(b'\r'), Some(b'\n')) => i += 3,
            (Some(b'\n'), _) => i += 2,
            (Some(&h), Some(&l)) => {
                let hex = [h, l];
                let value = u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?;
                out.push(value);
                i += 3;
            }
            _ => return None,
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use ciam_core::clock::FixedClock;
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;

    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ciam-mail-{name}-{}", ciam_core::secret::random_token(6)));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn mail(text: &str) -> OutgoingMail {
        OutgoingMail { to: "alice@example.com".into(), subject: "Your sign-in code".into(), text: text.into() }
    }

    #[tokio::test]
    async fn file_mailer_writes_parseable_messages_oldest_first() {
        let data = temp_dir("file");
        let clock = FixedClock(time::macros::datetime!(2026-12-03 15:00:00 UTC));
        let mailer =
            Mailer::from_url("file:", "ciam <no-reply@example.com>", &data).unwrap().with_clock(Arc::new(clock));
        assert_eq!(mailer.mail_dir(), Some(data.join("mail").as_path()));
        mailer.send(&mail("Your code is 123456.\nIt expires in 10 minutes.")).await.unwrap();
        let second = OutgoingMail {
            to: "Bob Ünicode <bob@example.com>".into(),
            subject: "Connexion à votre compte ✓".into(),
            text: "Votre code : 654321 — il expire dans 10 minutes. ".repeat(4),
        };
        mailer.send(&second).await.unwrap();

        let messages = read_mail_dir(&data.join("mail"));
        assert_eq!(messages.len(), 2);
        let (path, first) = &messages[0];
        assert!(path.extension().is_some_and(|e| e == "eml"));
        assert_eq!(mail_header(first, "to").as_deref(), Some("alice@example.com"));
        assert_eq!(mail_header(first, "Subject").as_deref(), Some("Your sign-in code"));
        assert_eq!(mail_header(first, "From").as_deref(), Some("ciam <no-reply@example.com>"));
        assert_eq!(mail_header(first, "Date").as_deref(), Some("Thu, 03 Dec 2026 15:00:00 +0000"));
        assert!(mail_header(first, "Message-ID").is_some_and(|id| id.starts_with('<') && id.ends_with('>')));
        assert!(mail_header(first, "Content-Type").is_some_and(|t| t.starts_with("multipart/alternative")));
        assert!(first.contains("\r\n\r\n"), "RFC 5322 line ends");
        assert_eq!(mail_text_body(first).as_deref(), Some("Your code is 123456.\nIt expires in 10 minutes."));
        let html = mail_html_body(first).expect("an HTML part");
        assert!(html.contains("<p>Your code is 123456.<br>\nIt expires in 10 minutes.</p>"), "{html}");

        let (_, second_text) = &messages[1];
        assert!(second_text.is_ascii(), "non-ASCII content is transfer-encoded");
        assert_eq!(mail_header(second_text, "Subject").as_deref(), Some(second.subject.as_str()));
        assert_eq!(mail_text_body(second_text).as_deref(), Some(second.text.as_str()));
        assert!(mail_html_body(second_text).is_some_and(|h| h.contains("Votre code : 654321")));
        std::fs::remove_dir_all(&data).unwrap();
    }

    #[test]
    fn debug_output_hides_the_body_and_the_password() {
        let m = mail("secret code 987654");
        let debug = format!("{m:?}");
        assert!(debug.contains("alice@example.com"));
        assert!(!debug.contains("987654"));
        let mailer =
            Mailer::from_url("smtp://user:hunter2pw@mail.example.com", "a@example.com", Path::new("/x")).unwrap();
        let debug = format!("{mailer:?}");
        assert!(!debug.contains("hunter2pw"), "{debug}");
        assert!(debug.contains("smtp://mail.example.com:587 (STARTTLS)"), "{debug}");
    }

    #[test]
    fn from_url_picks_ports_and_tls_modes() {
        let d = Path::new("/var/lib/ciam");
        let cases = [
            ("file:", "file:/var/lib/ciam/mail"),
            ("file://", "file:/var/lib/ciam/mail"),
            ("file:///srv/outbox", "file:/srv/outbox"),
            ("smtp://relay.example.com", "smtp://relay.example.com:587 (STARTTLS)"),
            ("smtp://u:p@relay.example.com:2525", "smtp://relay.example.com:2525 (STARTTLS)"),
            ("smtp://relay.example.com?tls=starttls", "smtp://relay.example.com:587 (STARTTLS)"),
            ("smtp://localhost?tls=none", "smtp://localhost:25 (no TLS)"),
            ("smtp://127.0.0.1:1025?tls=none", "smtp://127.0.0.1:1025 (no TLS)"),
            ("smtps://u%40x:p%2Fw@smtp.example.com", "smtps://smtp.example.com:465 (implicit TLS)"),
        ];
        for (url, described) in cases {
            let m = Mailer::from_url(url, "no-reply@example.com", d).unwrap_or_else(|e| panic!("{url}: {e}"));
            assert_eq!(m.describe(), described, "{url}");
        }
    }

    #[test]
    fn from_url_rejects_bad_urls_with_a_clear_error_and_no_password() {
        let d = Path::new("/tmp");
        let cases = [
            ("", "must be file:"),
            ("mail.example.com", "must be file:"),
            ("http://s3cretpw@example.com", "unsupported mail URL scheme `http`"),
            ("file://relative/dir", "absolute path"),
            ("smtp://u:s3cretpw@", "must be file:"),
            ("smtp://u:s3cretpw@host/path", "no path"),
            ("smtp://u:s3cretpw@host?tls=maybe", "tls= must be"),
            ("smtps://u:s3cretpw@host?tls=none", "tls= must be"),
            ("smtp://u:s3cretpw@host?debug=1", "only the `tls` parameter"),
            ("smtp://:s3cretpw@host", "password but no user"),
            ("smtp://u:s3cretpw@host:99999", "must be file:"),
        ];
        for (url, expected) in cases {
            let err = Mailer::from_url(url, "no-reply@example.com", d).unwrap_err().to_string();
            assert!(err.contains(expected), "{url}: {err}");
            assert!(!err.contains("s3cretpw"), "{url}: {err}");
        }
        let err = Mailer::from_url("file:", "not an address", d).unwrap_err().to_string();
        assert!(err.contains("sender address"), "{err}");
    }

    /// What the fake SMTP server saw.
    #[derive(Debug, Default)]
    struct Session {
        commands: Vec<String>,
        data: String,
    }

    /// A one-connection SMTP server on 127.0.0.1 speaking just enough of RFC 5321 for one message.
    /// With `offer_auth`, it advertises AUTH PLAIN and accepts any credentials.
    async fn fake_smtp(offer_auth: bool) -> (u16, tokio::task::JoinHandle<Session>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            let mut session = Session::default();
            write.write_all(b"220 fake.test ESMTP\r\n").await.unwrap();
            while let Some(line) = lines.next_line().await.unwrap() {
                let upper = line.to_ascii_uppercase();
                session.commands.push(line.clone());
                let reply: &[u8] = if upper.starts_with("EHLO") {
                    if offer_auth { b"250-fake.test\r\n250 AUTH PLAIN\r\n" } else { b"250 fake.test\r\n" }
                } else if upper.starts_with("AUTH") {
                    b"235 2.7.0 accepted\r\n"
                } else if upper.starts_with("MAIL") || upper.starts_with("RCPT") {
                    b"250 ok\r\n"
                } else if upper == "DATA" {
                    write.write_all(b"354 go ahead\r\n").await.unwrap();
                    // The CRLF before the final "." belongs to the terminator (RFC 5321 §4.1.1.4).
                    let mut data_lines = Vec::new();
                    while let Some(l) = lines.next_line().await.unwrap() {
                        if l == "." {
                            break;
                        }
                        data_lines.push(l.strip_prefix('.').unwrap_or(&l).to_owned());
                    }
                    session.data = data_lines.join("\r\n");
                    b"250 queued\r\n"
                } else if upper == "QUIT" {
                    write.write_all(b"221 bye\r\n").await.unwrap();
                    break;
                } else {
                    b"502 not implemented\r\n"
                };
                write.write_all(reply).await.unwrap();
            }
            session
        });
        (port, handle)
    }

    #[tokio::test]
    async fn smtp_delivers_to_a_local_relay() {
        let (port, server) = fake_smtp(true).await;
        let url = format!("smtp://mailer%40example.com:pa%2Fss@127.0.0.1:{port}?tls=none");
        let mailer = Mailer::from_url(&url, "ciam <no-reply@example.com>", Path::new("/unused")).unwrap();
        mailer.send(&mail("Your code is 246810.")).await.unwrap();
        drop(mailer);
        let session = tokio::time::timeout(std::time::Duration::from_secs(10), server).await.unwrap().unwrap();
        let auth = session.commands.iter().find(|c| c.starts_with("AUTH PLAIN ")).expect("authenticated");
        let decoded = base64::engine::general_purpose::STANDARD.decode(&auth["AUTH PLAIN ".len()..]).unwrap();
        assert_eq!(decoded, b"\0mailer@example.com\0pa/ss");
        assert!(session.commands.iter().any(|c| c == "MAIL FROM:<no-reply@example.com>"), "{:?}", session.commands);
        assert!(session.commands.iter().any(|c| c == "RCPT TO:<alice@example.com>"), "{:?}", session.commands);
        assert_eq!(mail_header(&session.data, "Subject").as_deref(), Some("Your sign-in code"));
        assert_eq!(mail_header(&session.data, "To").as_deref(), Some("alice@example.com"));
        assert_eq!(mail_text_body(&session.data).as_deref(), Some("Your code is 246810."));
    }

    #[tokio::test]
    async fn smtp_refuses_to_send_without_starttls_and_the_error_hides_secrets() {
        let (port, server) = fake_smtp(true).await;
        let url = format!("smtp://user:s3cretpw@127.0.0.1:{port}");
        let mailer = Mailer::from_url(&url, "no-reply@example.com", Path::new("/unused")).unwrap();
        let err = mailer.send(&mail("code 135790")).await.unwrap_err().to_string();
        assert!(err.starts_with("SMTP delivery failed"), "{err}");
        assert!(!err.contains("s3cretpw") && !err.contains("135790"), "{err}");
        drop(mailer);
        let session = tokio::time::timeout(std::time::Duration::from_secs(10), server).await.unwrap().unwrap();
        assert!(!session.commands.iter().any(|c| c.starts_with("AUTH") || c.starts_with("MAIL")), "{session:?}");
        assert!(session.data.is_empty());
    }

    /// A relay that refuses the recipient for good (5xx) gives an error not worth retrying; one
    /// that cannot be reached gives one worth retrying.
    #[tokio::test]
    async fn permanent_refusals_and_unreachable_relays_are_told_apart() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let (read, mut write) = stream.into_split();
            let mut lines = BufReader::new(read).lines();
            write.write_all(b"220 fake.test ESMTP\r\n").await.unwrap();
            while let Ok(Some(line)) = lines.next_line().await {
                let upper = line.to_ascii_uppercase();
                let reply: &[u8] = if upper.starts_with("RCPT") {
                    b"550 5.1.1 <alice@example.com>: Recipient address rejected\r\n"
                } else if upper == "QUIT" {
                    b"221 bye\r\n"
                } else {
                    b"250 ok\r\n"
                };
                if write.write_all(reply).await.is_err() || upper == "QUIT" {
                    break;
                }
            }
        });
        let mailer =
            Mailer::from_url(&format!("smtp://127.0.0.1:{port}?tls=none"), "no-reply@example.com", Path::new("/x"))
                .unwrap();
        let refused = mailer.send(&mail("code 112233")).await.unwrap_err();
        assert!(matches!(refused, MailError::Rejected(_)) && !refused.is_transient(), "{refused:?}");
        assert!(!refused.to_string().contains("112233"), "{refused}");
        drop(mailer);
        server.abort();

        let closed = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap().port();
        let mailer =
            Mailer::from_url(&format!("smtp://127.0.0.1:{closed}?tls=none"), "no-reply@example.com", Path::new("/x"))
                .unwrap();
        let down = mailer.send(&mail("code 112233")).await.unwrap_err();
        assert!(matches!(down, MailError::Smtp(_)) && down.is_transient(), "{down:?}");
    }

    #[tokio::test]
    async fn an_invalid_recipient_is_refused_before_any_delivery() {
        let data = temp_dir("bad-rcpt");
        let mailer = Mailer::from_url("file:", "no-reply@example.com", &data).unwrap();
        let bad = OutgoingMail { to: "not an address".into(), ..mail("x") };
        assert!(matches!(mailer.send(&bad).await, Err(MailError::Recipient)));
        assert!(read_mail_dir(&data.join("mail")).is_empty());
        std::fs::remove_dir_all(&data).unwrap();
    }
}
