//! The HTML part of an outgoing mail, made from its text: the same words, paragraphs kept,
//! links clickable, everything else escaped. One source for both parts, so they never say
//! different things.

/// The HTML alternative of `text` (a mail whose subject is `subject`).
pub(crate) fn html_of(subject: &str, text: &str) -> String {
    let mut body = String::new();
    for paragraph in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        body.push_str("<p>");
        for (i, line) in paragraph.lines().enumerate() {
            if i > 0 {
                body.push_str("<br>\n");
            }
            body.push_str(&linked(line));
        }
        body.push_str("</p>\n");
    }
    format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{}</title></head>\n\
         <body style=\"font-family: system-ui, sans-serif; line-height: 1.5; color: #1d2330;\">\n{body}</body></html>\n",
        escape(subject)
    )
}

/// A line with its `http(s)://` words made links.
fn linked(line: &str) -> String {
    line.split(' ')
        .map(|word| {
            if word.starts_with("https://") || word.starts_with("http://") {
                let url = escape(word);
                format!("<a href=\"{url}\">{url}</a>")
            } else {
                escape(word)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_links_and_escaping() {
        let html = html_of(
            "Reset your <Acme> password",
            "Open this link:\nhttps://id.example/t/acme/recover/reset?user=1&token=x\n\nIgnore it if it was not you <script>.",
        );
        assert!(html.contains("<title>Reset your &lt;Acme&gt; password</title>"), "{html}");
        assert!(html.contains(
            "<p>Open this link:<br>\n<a href=\"https://id.example/t/acme/recover/reset?user=1&amp;token=x\">\
             https://id.example/t/acme/recover/reset?user=1&amp;token=x</a></p>"
        ));
        assert!(html.contains("<p>Ignore it if it was not you &lt;script&gt;.</p>"), "{html}");
        assert!(!html.contains("<script>"));
    }

    #[test]
    fn a_javascript_word_is_not_a_link() {
        assert!(!html_of("s", "javascript:alert(1)").contains("<a "));
    }
}
