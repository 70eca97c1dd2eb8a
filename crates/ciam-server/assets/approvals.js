// The approval requests page (account/approvals) without reloads: while the page is visible,
// it fetches itself every few seconds and swaps in the fresh list when it changed, unless the
// user is in the middle of it (focus inside the list). Without JavaScript the page works the
// same; it just shows new requests on the next load.
(function () {
  "use strict";
  var EVERY_MS = 4000;
  var list = document.getElementById("approvals");
  if (!list || !window.fetch || !window.DOMParser) {
    return;
  }
  function refresh() {
    if (document.hidden || list.contains(document.activeElement)) {
      return;
    }
    fetch(window.location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (res) {
        return res.ok && !res.redirected ? res.text() : null;
      })
      .then(function (html) {
        if (!html) {
          return;
        }
        // Only the body: the page's head carries a style element with the fresh response's
        // nonce, which this page's Content-Security-Policy would (rightly) refuse.
        var body = html.slice(Math.max(0, html.search(/<body[\s>]/i)));
        var fresh = new DOMParser().parseFromString(body, "text/html").getElementById("approvals");
        if (fresh && fresh.innerHTML !== list.innerHTML) {
          list.innerHTML = fresh.innerHTML;
        }
      })
      .catch(function () {});
  }
  window.setInterval(refresh, EVERY_MS);
})();
