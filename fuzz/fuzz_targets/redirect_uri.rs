//! Z03: registering and matching redirect URIs. Input: the registered URI, a newline, the
//! requested one. A registered URI serialises back to itself; a match is the same string or,
//! for an `http` loopback IP literal, the same URI on another port.
#![no_main]

use ciam_core::redirect::{RedirectKind, RedirectUri};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    let (registered, requested) = data.split_once('\n').unwrap_or((data, data));
    let Ok(uri) = RedirectUri::parse(registered) else { return };
    assert_eq!(uri.as_str(), registered);
    assert!(uri.matches(registered));
    if uri.matches(requested) && requested != registered {
        assert_eq!(uri.kind(), RedirectKind::Loopback, "{registered} matched {requested}");
        assert!(requested.starts_with("http://127.0.0.1") || requested.starts_with("http://[::1]"));
    }
});
