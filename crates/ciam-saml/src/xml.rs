//! The XML helpers the checks share: parsing with the refusals every SAML message gets, and
//! reading elements by namespace.

use uppsala::{Document, NodeId};

/// Why a document was refused before its content was looked at.
pub(crate) fn parse(text: &str) -> Result<Document<'_>, String> {
    if text.len() > crate::MAX_MESSAGE_BYTES {
        return Err(format!("larger than {} bytes", crate::MAX_MESSAGE_BYTES));
    }
    // SAML never needs a DTD; refusing one closes entity expansion and external entities.
    let lower = text.to_ascii_lowercase();
    if lower.contains("<!doctype") || lower.contains("<!entity") {
        return Err("carries a DTD, which SAML never needs".into());
    }
    uppsala::parse(text).map_err(|e| format!("is not well-formed XML: {e}"))
}

/// Whether `id` is the element `ns:local`.
pub(crate) fn is(doc: &Document<'_>, id: NodeId, ns: &str, local: &str) -> bool {
    doc.element(id).is_some_and(|e| e.matches_name_ns(ns, local))
}

/// The child elements `ns:local` of `parent`.
pub(crate) fn children(doc: &Document<'_>, parent: NodeId, ns: &str, local: &str) -> Vec<NodeId> {
    doc.children(parent).into_iter().filter(|c| is(doc, *c, ns, local)).collect()
}

/// The one child `ns:local` of `parent`: `Ok(None)` when there is none, `Err` when there are
/// several (a second one is never read by accident).
pub(crate) fn one_child(doc: &Document<'_>, parent: NodeId, ns: &str, local: &str) -> Result<Option<NodeId>, String> {
    let found = children(doc, parent, ns, local);
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(*one)),
        _ => Err(format!("has more than one {local}")),
    }
}

/// The text of an element: all of its text, whatever comments split it (a comment inside a
/// NameID must not cut it short, CVE-2017-11427), trimmed.
pub(crate) fn text(doc: &Document<'_>, id: NodeId) -> String {
    doc.text_content_deep(id).trim().to_owned()
}

/// An attribute of an element.
pub(crate) fn attr<'d>(doc: &'d Document<'_>, id: NodeId, name: &str) -> Option<&'d str> {
    doc.get_attribute(id, name)
}

/// Every element `ns:local` in the document.
pub(crate) fn all(doc: &Document<'_>, ns: &str, local: &str) -> Vec<NodeId> {
    doc.get_elements_by_tag_name_ns(ns, local)
}

/// `s` as XML attribute or text content.
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
