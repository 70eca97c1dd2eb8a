//! Every checklist id a test or comment cites (`C29`, `S07`, `T02`, ...) is defined in
//! `docs/standards.md`, so a reader can look each one up.

use std::collections::BTreeSet;
use std::path::Path;

/// The ids in `text`: one of the checklist's letters and two digits, standing alone.
fn ids(text: &str) -> BTreeSet<String> {
    let b = text.as_bytes();
    let alnum = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_');
    (0..b.len().saturating_sub(2))
        .filter(|&i| {
            b"CSFZT".contains(&b[i])
                && b[i + 1].is_ascii_digit()
                && b[i + 2].is_ascii_digit()
                && (i == 0 || !alnum(i - 1))
                && !alnum(i + 3)
        })
        .map(|i| text[i..i + 3].to_owned())
        .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_cited_checklist_id_is_defined_in_docs_standards_md() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let defined = ids(&std::fs::read_to_string(root.join("docs/standards.md")).unwrap());
    let mut files = Vec::new();
    for dir in ["crates", "tests", "src"] {
        rust_files(&root.join(dir), &mut files);
    }
    let mut undefined = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for id in ids(&text).difference(&defined) {
            undefined.push(format!("{id} in {}", file.strip_prefix(root).unwrap().display()));
        }
    }
    assert!(undefined.is_empty(), "cited but not defined in docs/standards.md: {undefined:?}");
    assert!(defined.len() > 50, "the checklist was read: {defined:?}");
}
