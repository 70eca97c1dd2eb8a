//! Keyset pagination: a page is "up to `limit` items whose key sorts after `after`".
//! Stores never count or skip rows, so every page costs one index range scan.

/// Which page to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// At most this many items (1-200).
    pub limit: u32,
    /// Start after this key (exclusive); `None` for the first page.
    pub after: Option<String>,
}

impl PageRequest {
    /// Items per page when the caller does not say.
    pub const DEFAULT_LIMIT: u32 = 50;
    /// The largest page.
    pub const MAX_LIMIT: u32 = 200;

    /// The first page with the default size.
    pub fn first() -> Self {
        Self { limit: Self::DEFAULT_LIMIT, after: None }
    }

    /// The page size a store serves: `limit` brought into 1-200. A store fetches `size() + 1`
    /// rows and builds the page with [`Page::from_overfetch`] from the same size, so a limit
    /// out of range can neither end a list early (0) nor drop rows silently (over 200).
    pub fn size(&self) -> u32 {
        self.limit.clamp(1, Self::MAX_LIMIT)
    }
}

/// One page of results.
///
/// Every store list keeps one guarantee: `next_after` is set only when at least one more item
/// follows, so a page is full unless it is the last, and no page is empty unless the whole list
/// is. A list that selects a subset (agents among clients, events matching a filter) selects it
/// in the query, never by dropping rows after the fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items, in key order.
    pub items: Vec<T>,
    /// The key to pass as `after` for the next page; `None` on the last page.
    pub next_after: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from `limit + 1` fetched rows: the extra row only proves there is more.
    /// `limit` must be the [`PageRequest::size`] the rows were fetched with.
    pub fn from_overfetch(mut rows: Vec<T>, limit: u32, key: impl Fn(&T) -> String) -> Self {
        let limit = usize::try_from(limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_after = if more { rows.last().map(key) } else { None };
        Self { items: rows, next_after }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overfetch_sets_next_only_when_more() {
        let p = Page::from_overfetch(vec![1, 2, 3], 2, |i| i.to_string());
        assert_eq!(p.items, vec![1, 2]);
        assert_eq!(p.next_after.as_deref(), Some("2"));
        let last = Page::from_overfetch(vec![1, 2], 2, |i| i.to_string());
        assert_eq!(last.next_after, None);
        let empty = Page::from_overfetch(Vec::<u8>::new(), 2, |i| i.to_string());
        assert_eq!((empty.items.len(), empty.next_after), (0, None));
    }

    #[test]
    fn size_is_the_limit_brought_into_range() {
        let size = |limit| PageRequest { limit, after: None }.size();
        assert_eq!([size(0), size(1), size(50), size(200), size(201), size(u32::MAX)], [1, 1, 50, 200, 200, 200]);
    }
}
