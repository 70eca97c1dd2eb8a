// The administrators' console in a real browser: headless Chromium with a CDP virtual
// authenticator, clicked through by accessible names the way a tenant admin would.
//
// 0. The operator (owner deployment-wide) adds a passkey to her control-tenant account and opens
//    the console with it; she creates the tenant, its first user (Grace, mailed a link) and
//    gives the tenant admin (an account without a role so far) the admin role by address.
// 1. The tenant admin signs in to her control-tenant account (password, then a code by email)
//    and adds a passkey on its security page.
// 2. She opens the console: the deployment asks administrators for a passkey sign-in
//    (admin.acr = phr), so the sign-in steps up to the passkey; she allows the console once.
// 3. The tenants page lists her tenant only; she opens it, then its users, searches for Grace by
//    email (the results follow her typing, in place), opens her page, sends her the password
//    reset mail (in place, without a new page) and resets her factors (a confirmation page,
//    then the button).
// 4. She registers an application: a redirect URI that is not https is refused next to its
//    field; then the secret is shown once.
// 5. She opens the forms that register an agent and an API and add an identity provider.
// 6. She reads the signing keys, the audit trail (and verifies its chain) and the settings with
//    the risk simulator.
// 7. She guesses another tenant's URL: not found.
// Every console page she sees is checked with axe-core (WCAG 2.x A and AA: no violation) and
// Chromium enforces the pages' Content-Security-Policy: a violation fails the run.
// With CIAM_SCREENSHOTS set, each checked page is saved there as a PNG (docs/images/console).
//
// Prints one JSON line with what the pages showed.
import { join } from "node:path";
import { axe, button, launch, mailbox, need, signInAndAddPasskey, timeout, virtualAuthenticator } from "./lib.mjs";

const origin = need("CIAM_ORIGIN");
const operatorEmail = need("CIAM_OPERATOR_EMAIL");
const tenantId = need("CIAM_TENANT_ID");
const email = need("CIAM_EMAIL");
const password = need("CIAM_PASSWORD");
const tenantName = need("CIAM_TENANT_NAME");
const other = need("CIAM_OTHER_TENANT");
const userEmail = need("CIAM_USER_EMAIL");
const mail = mailbox(need("CIAM_MAIL_DIR"));
const screenshots = process.env.CIAM_SCREENSHOTS;

const chromium = await launch();
const failures = [];
const checked = [];
const check = async (page, name) => {
  const result = await axe(page);
  for (const v of result.violations) {
    for (const n of v.nodes) failures.push(`${name} (${page.url()}): ${v.id}: ${v.help}\n  ${n.target}: ${n.html}`);
  }
  checked.push({ name, passes: result.passes, violations: result.violations.length });
  if (screenshots) await page.screenshot({ path: join(screenshots, `${name}.png`), fullPage: true });
};

// Opens the console with a passkey sign-in, allowing the console once; whether the sign-in
// stepped up to the passkey.
const openConsole = async (page) => {
  await page.goto(`${origin}/console`);
  const deadline = Date.now() + 3 * timeout;
  let steppedUp = false;
  while (!/\/console$/.test(page.url())) {
    if (Date.now() > deadline) throw new Error(`no console; the browser is at ${page.url()}`);
    if (/\/mfa\?flow=/.test(page.url()) && !steppedUp) {
      steppedUp = true;
      await page.click("#passkey-button");
    } else if (/\/consent\?/.test(page.url())) {
      await button(page, "Allow").click({ timeout: 2000 }).catch(() => {});
    }
    await page.waitForTimeout(100);
  }
  await page.getByRole("heading", { level: 1, name: "Tenants" }).waitFor();
  return steppedUp;
};

try {
  // 0. The operator creates the tenant, its first user and its administrator.
  const operator = await chromium.person("en");
  await virtualAuthenticator(operator.context, operator.page);
  const op = operator.page;
  await signInAndAddPasskey(op, { origin, tenant: "control", email: operatorEmail, password, mailbox: mail });
  await openConsole(op);
  await Promise.all([op.waitForURL(/\/console\/new-tenant$/), op.getByRole("link", { name: "Create a tenant" }).click()]);
  await op.getByLabel("Tenant id").fill(tenantId);
  await op.getByLabel("Display name").fill(tenantName);
  await check(op, "new-tenant");
  await Promise.all([op.waitForURL(new RegExp(`/console/t/${tenantId}`)), button(op, "Create tenant").click()]);
  const opSections = op.getByRole("navigation", { name: "Tenant" });
  await Promise.all([op.waitForURL(/\/users$/), opSections.getByRole("link", { name: "Users" }).click()]);
  await Promise.all([op.waitForURL(/\/users\/new$/), op.getByRole("link", { name: "Create a user" }).click()]);
  await op.getByLabel("Email").fill(userEmail);
  await Promise.all([op.waitForURL(/done=created/), button(op, "Create user").click()]);
  await Promise.all([op.waitForURL(/\/administrators$/), opSections.getByRole("link", { name: "Administrators" }).click()]);
  await Promise.all([op.waitForURL(/\/administrators\/new$/), op.getByRole("link", { name: "Add an administrator" }).click()]);
  await op.getByLabel("Email").fill(email);
  await op.getByLabel("Role").selectOption("admin");
  await Promise.all([op.waitForURL(/\/administrators(\?|$)/), button(op, "Add an administrator").click()]);
  await check(op, "administrators");
  const administrators = await op.getByRole("main").innerText();
  await operator.context.close();

  const { context, page } = await chromium.person("en");
  await virtualAuthenticator(context, page);

  // 1. A passkey on her administrator account.
  await signInAndAddPasskey(page, { origin, tenant: "control", email, password, mailbox: mail });

  // 2. The console: a passkey sign-in, and the console allowed once.
  const steppedUp = await openConsole(page);
  await check(page, "tenants");
  const tenants = await page.getByRole("main").getByRole("list").last().getByRole("link").allInnerTexts();

  // 3. Her tenant, its users, Grace found by email, her factors reset.
  await Promise.all([page.waitForURL(/\/console\/t\/[a-z0-9-]+$/), page.getByRole("link", { name: tenantName, exact: true }).click()]);
  await check(page, "tenant");
  const sections = page.getByRole("navigation", { name: "Tenant" });
  await Promise.all([page.waitForURL(/\/users$/), sections.getByRole("link", { name: "Users" }).click()]);
  await check(page, "users");
  // With JavaScript the results follow the typing, without loading another page.
  await page.evaluate(() => { window.stillHere = true; });
  await page.getByLabel("Email address, user id or the start of a name").pressSequentially(userEmail, { delay: 5 });
  await page.waitForFunction((q) => new URL(location.href).searchParams.get("q") === q, userEmail);
  await page.getByRole("link", { name: userEmail }).waitFor();
  const liveSearch = await page.evaluate(() => window.stillHere === true && /\/users\?q=/.test(location.href));
  await Promise.all([page.waitForURL(/\/users\/[0-9a-f-]+$/), page.getByRole("link", { name: userEmail }).click()]);
  await check(page, "user");
  // A small form is sent in the background and the page updated in place.
  await page.evaluate(() => { window.stillHere = true; });
  await button(page, "Send password reset mail").click();
  await page.getByRole("status").filter({ hasText: "The mail was sent." }).waitFor();
  const inPlace = await page.evaluate(() => window.stillHere === true && /\?done=mail$/.test(location.href));
  await Promise.all([page.waitForURL(/\/reset-factors$/), page.getByRole("link", { name: "Reset factors" }).click()]);
  await check(page, "reset-factors");
  await Promise.all([page.waitForURL(/\?done=reset-factors$/), button(page, "Reset factors").click()]);
  const status = await page.getByRole("status").innerText();

  // 4. An application: refused by its field first, then registered; its secret shown once.
  await Promise.all([page.waitForURL(/\/clients$/), sections.getByRole("link", { name: "Applications and agents" }).click()]);
  await Promise.all([page.waitForURL(/\/clients\/new$/), page.getByRole("link", { name: "Register an application" }).click()]);
  await page.getByLabel("Name", { exact: true }).fill("Alpha web");
  await page.getByLabel("Redirect URIs").fill("http://app.example/callback");
  await Promise.all([page.waitForLoadState(), button(page, "Register application").click()]);
  const refused = await page.locator("#redirect_uris-error").innerText();
  const invalid = await page.getByLabel("Redirect URIs").getAttribute("aria-invalid");
  await check(page, "new-client");
  await page.getByLabel("Redirect URIs").fill("https://app.example/callback");
  await Promise.all([page.waitForLoadState(), button(page, "Register application").click()]);
  const secret = await page.getByLabel("Client secret").inputValue();
  await check(page, "client-secret");
  await Promise.all([page.waitForURL(/\/clients\/[^/]+$/), page.getByRole("link", { name: "I have stored the secret" }).click()]);
  await check(page, "client");
  // The forms of an agent, an API and an identity provider.
  await Promise.all([page.waitForURL(/\/clients$/), sections.getByRole("link", { name: "Applications and agents" }).click()]);
  await Promise.all([page.waitForURL(/\/new-agent$/), page.getByRole("link", { name: "Register an agent" }).click()]);
  await page.getByLabel("Operated by").waitFor();
  await check(page, "new-agent");
  await Promise.all([page.waitForURL(/\/resources$/), sections.getByRole("link", { name: "APIs" }).click()]);
  await Promise.all([page.waitForURL(/\/resources\/new$/), page.getByRole("link", { name: "Register an API" }).click()]);
  await check(page, "new-resource");
  await Promise.all([page.waitForURL(/\/identity-providers$/), sections.getByRole("link", { name: "Identity providers" }).click()]);
  await Promise.all([page.waitForURL(/\/identity-providers\/new$/), page.getByRole("link", { name: "Add an identity provider" }).click()]);
  await page.getByLabel("Client secret").waitFor();
  await check(page, "new-provider");

  // 6. Keys, the audit trail and its chain, the settings and the simulator.
  await Promise.all([page.waitForURL(/\/keys$/), sections.getByRole("link", { name: "Signing keys" }).click()]);
  await check(page, "keys");
  await Promise.all([page.waitForURL(/\/audit$/), sections.getByRole("link", { name: "Audit trail" }).click()]);
  await Promise.all([page.waitForURL(/verify=1/), button(page, "Verify the chain").click()]);
  const chain = await page.getByRole("status").innerText();
  await check(page, "audit");
  await Promise.all([page.waitForURL(/\/settings$/), sections.getByRole("link", { name: "Settings" }).click()]);
  await page.getByLabel("IP address").fill("198.51.100.7");
  await page.getByLabel("Browser (User-Agent)").fill("Mozilla/5.0 (X11; Linux x86_64)");
  await page.getByLabel("Device").selectOption("known");
  await Promise.all([page.waitForURL(/ip=/), button(page, "See what would happen").click()]);
  const simulated = await page.getByRole("status").innerText();
  await check(page, "settings");

  // 7. Another tenant, by URL: not found.
  const guessed = await page.goto(`${origin}/console/t/${other}/users`);
  const guessedText = await page.getByRole("alert").innerText();

  if (chromium.violations.length) throw new Error(`Content-Security-Policy violations:\n${chromium.violations.join("\n")}`);
  if (failures.length) throw new Error(`accessibility failures:\n${failures.join("\n")}`);
  console.log(JSON.stringify({
    stepped_up: steppedUp, tenants, administrators, status, live_search: liveSearch, in_place: inPlace, refused, invalid, secret_length: secret.length, chain, simulated,
    guessed: guessed.status(), guessed_text: guessedText, checked,
  }));
} finally {
  await chromium.close();
}
