// A SAML app signing in through ciam (ciam the identity provider) in a real browser, in the
// language CIAM_LANG (default en; the browser speaks it: Accept-Language, as a SAML request has
// no ui_locales): headless Chromium presses the pages' buttons by their accessible names in that
// language (read from the server's own catalogue), as a person would. The app (CIAM_APP_NAME) is
// a small web server of the test: its ACS (CIAM_ACS) keeps what it is posted
// and answers a page headed "Test SP"; its single logout service answers ciam's LogoutRequest.
//
// 1. SP-initiated: opens the app's AuthnRequest (CIAM_SSO_URL, HTTP-Redirect) and lands on the
//    sign-in page, which names the app; fills in "Email" (CIAM_EMAIL) and "Password"
//    (CIAM_PASSWORD) and presses "Sign in"; the consent page asks "Allow <app> access?":
//    "Allow". ciam's auto-submitting form posts the response to the ACS: the "Test SP" page.
// 2. IdP-initiated: the account centre's "Connected apps" page, "Open <app>": the "Test SP" page
//    again.
// 3. Single logout: the sign-out page, "Sign out": ciam sends the browser to the app's single
//    logout service, which answers back to ciam's, and ciam's signed-out page ends it.
//
// Prints one JSON line: what the pages said, the language and direction of the pages, and the
// pages the browser went through while signing out.
// Chromium enforces the pages' Content-Security-Policy: a violation it reports fails the run.
import { button, catalogue, expect, field, filler, heading, launch, need } from "./lib.mjs";

const lang = process.env.CIAM_LANG || "en";
const msg = catalogue(lang);
// Whether the pages are written right to left (read from the first one).
let rtl = false;
// Messages with their arguments, as the page shows them.
const fill = filler(msg, () => rtl);
// A message's text as a page shows it, without its markup.
const text = (html) => html.replace(/<[^>]*>/g, "");
const origin = need("CIAM_ORIGIN");
const tenant = need("CIAM_TENANT");
const tenantName = need("CIAM_TENANT_NAME");
const app = need("CIAM_APP_NAME");
const acs = need("CIAM_ACS");
const t = (path) => `${origin}/t/${tenant}${path}`;

// Fails with what an error page says instead of waiting for a page that will not come.
const noError = async (page) => {
  const error = page.locator(".error:visible");
  if (await error.count()) throw new Error(`${page.url()} says: ${await error.first().textContent()}`);
};
// Presses `name` and waits for the app's page ("Test SP", at its ACS).
const toTheApp = async (page, name) => {
  await Promise.all([page.waitForURL(acs), button(page, name).click()]);
  await heading(page, 1, "Test SP").waitFor();
  return page.url();
};

const chromium = await launch();
const report = { lang };
try {
  const { page } = await chromium.person(lang);
  // The documents the browser asks for (redirects included), to tell where it went.
  const visited = [];
  page.on("request", (r) => {
    if (r.isNavigationRequest()) visited.push(`${r.method()} ${r.url()}`);
  });

  // 1. The app's request, the sign-in page, the consent, the response posted to the app.
  await page.goto(need("CIAM_SSO_URL"));
  await noError(page);
  await page.waitForURL(/\/login\?flow=/);
  const html = page.locator("html");
  [report.lang_attr, report.dir] = [await html.getAttribute("lang"), await html.getAttribute("dir")];
  rtl = report.dir === "rtl";
  await heading(page, 1, fill("login-heading", { tenant: tenantName })).waitFor();
  // "to continue to Wiki": the sign-in page names the app.
  const continueTo = text(fill("login-continue-to", { client: app }));
  report.continue_to = (await page.locator("main p").filter({ hasText: app }).first().textContent()).trim();
  expect("the app the sign-in is for", report.continue_to, continueTo);
  await field(page, msg("field-email")).fill(need("CIAM_EMAIL"));
  await field(page, msg("field-password")).fill(need("CIAM_PASSWORD"));
  await Promise.all([page.waitForURL(/\/saml\/consent\?flow=/), button(page, msg("action-sign-in")).click()]);
  await heading(page, 1, fill("consent-heading", { client: app })).waitFor();
  report.consent_scopes = (await page.locator("ul.scopes li").allTextContents()).map((s) => s.trim());
  report.sp_initiated = await toTheApp(page, msg("action-allow"));

  // 2. The account centre's "Open Wiki": an unsolicited response posted to the app.
  await page.goto(t("/account/apps"));
  await noError(page);
  await heading(page, 1, msg("nav-apps")).waitFor();
  report.idp_initiated = await toTheApp(page, fill("apps-open", { app }));

  // 3. Signing out: through the app's single logout service, back to ciam's signed-out page.
  await page.goto(t("/logout"));
  await heading(page, 1, fill("logout-heading", { tenant: tenantName })).waitFor();
  const from = visited.length;
  await Promise.all([
    page.waitForURL((url) => url.href.startsWith(t("/saml/slo?"))),
    button(page, msg("logout-submit")).click(),
  ]);
  await noError(page);
  const done = page.getByRole("heading", { level: 1 });
  await done.waitFor();
  report.signed_out_heading = (await done.textContent()).trim();
  report.signed_out_dir = await page.evaluate(() => document.dir);
  report.signed_out_lang = await page.evaluate(() => document.documentElement.lang);
  // Each page the sign-out went through: the method and the URL without its query.
  report.sign_out_path = visited.slice(from).map((v) => v.replace(/\?.*$/, ""));
  if (chromium.violations.length) throw new Error(`Content-Security-Policy violations:\n${chromium.violations.join("\n")}`);
  console.log(JSON.stringify(report));
} finally {
  await chromium.close();
}
