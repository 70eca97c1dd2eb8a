// The console's progressive enhancement. Without JavaScript every page works as plain links and
// forms; with it:
// - a form marked `data-inplace` (the small forms in tables and the mail buttons: end a
//   session, withdraw a consent, revoke a delegation, take back a role, send a mail) is sent in
//   the background and the page's content is replaced by the answer (the page the server
//   redirects to), keeping the scroll position and focus on the notice;
// - a search form marked `data-live` updates its results while typing.
// Only the fetched page's `<main>` is used: its head carries a style element with that
// response's nonce, which this page's Content-Security-Policy would (rightly) refuse.
(function () {
  "use strict";
  if (!window.fetch || !window.DOMParser || !window.FormData || !window.URLSearchParams) {
    return;
  }
  var main = document.querySelector("main");
  if (!main) {
    return;
  }
  function mainOf(html) {
    var body = html.slice(Math.max(0, html.search(/<body[\s>]/i)));
    return new DOMParser().parseFromString(body, "text/html").querySelector("main");
  }
  function show(res, html, keepFocus) {
    var fresh = mainOf(html);
    if (!fresh) {
      window.location.assign(res.url);
      return;
    }
    var y = window.scrollY;
    main.innerHTML = fresh.innerHTML;
    window.history.replaceState(null, "", res.url);
    window.scrollTo(0, y);
    var notice = main.querySelector("[role=status], [role=alert]");
    if (notice && !keepFocus) {
      notice.setAttribute("tabindex", "-1");
      notice.focus({ preventScroll: true });
    }
  }
  function load(url, init, keepFocus) {
    return fetch(url, init)
      .then(function (res) {
        // Off to sign in again, or anything but a page: let the browser go there.
        if (res.url.indexOf("/console/login") >= 0 || !/text\/html/.test(res.headers.get("Content-Type") || "")) {
          window.location.assign(res.url);
          return;
        }
        return res.text().then(function (html) {
          show(res, html, keepFocus);
        });
      })
      .catch(function () {
        window.location.assign(url);
      });
  }
  main.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-inplace")) {
      return;
    }
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    load(form.action, { method: "POST", body: body, credentials: "same-origin" }, false);
  });
  var timer = null;
  main.addEventListener("input", function (event) {
    var form = event.target.form;
    if (!form || !form.hasAttribute("data-live")) {
      return;
    }
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var url = form.action + "?" + new URLSearchParams(new FormData(form)).toString();
      var field = event.target;
      var at = field.selectionStart;
      load(url, { credentials: "same-origin" }, true).then(function () {
        var again = main.querySelector("#" + field.id);
        if (again) {
          again.focus();
          again.setSelectionRange(at, at);
        }
      });
    }, 300);
  });
})();
