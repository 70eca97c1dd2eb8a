// An agent asks Ada for an approval, in a real browser: headless Chromium with a CDP virtual
// authenticator, driven through the account centre the way a person would click through it.
//
// 1. Opens the account's security page, which sends the browser to sign in; signs in with the
//    password, confirms with a code by email (CIAM_MAIL_DIR) and adds a passkey.
// 2. Opens "Approval requests": nothing waits yet. Writes CIAM_READY_FILE, so the test's agent
//    starts its backchannel request now.
// 3. Waits, without reloading, until the request appears (the page refreshes its list itself),
//    and checks what it says: who asks, who operates the agent, the reference, the payment in
//    words.
// 4. The payment is above the tenant's passkey threshold: there is no Approve button until Ada
//    confirms it's her with the passkey (the step-up page), then she approves.
// 5. Prints one JSON line with what the page showed.
//
// Chromium enforces the pages' Content-Security-Policy: a violation fails the run.
import { writeFileSync } from "node:fs";
import { button, launch, mailbox, need, signInAndAddPasskey, timeout, virtualAuthenticator } from "./lib.mjs";

const origin = need("CIAM_ORIGIN");
const tenant = need("CIAM_TENANT");
const email = need("CIAM_EMAIL");
const password = need("CIAM_PASSWORD");
const ready = need("CIAM_READY_FILE");
const asker = need("CIAM_ASKER");
const mail = mailbox(need("CIAM_MAIL_DIR"));

const chromium = await launch();
try {
  const { context, page } = await chromium.person("en");
  await virtualAuthenticator(context, page);

  // 1. Sign in, confirm it's her, add a passkey.
  await signInAndAddPasskey(page, { origin, tenant, email, password, mailbox: mail });

  // 2. The approval requests page, empty for now.
  await page.getByRole("link", { name: "Approval requests", exact: true }).click();
  await page.waitForURL(/\/account\/approvals$/);
  const empty = await page.getByText("No request is waiting for your answer.").isVisible();
  writeFileSync(ready, "ready");

  // 3. The agent's request appears by itself.
  const heading = page.getByRole("heading", { level: 2, name: `${asker} asks for your approval` });
  await heading.waitFor({ timeout: 3 * timeout });
  const item = page.locator("ul.approvals > li").first();
  const text = (await item.innerText()).replace(/\s+/g, " ");
  const approveBefore = await button(page, "Approve").count();

  // 4. A passkey first, then Approve.
  await Promise.all([page.waitForURL(/\/mfa\?flow=/), page.getByRole("link", { name: "confirm it's you" }).click()]);
  await Promise.all([page.waitForURL(/\/account\/approvals$/), page.click("#passkey-button")]);
  await Promise.all([page.waitForURL(/\/account\/approvals\?done=approved$/), button(page, "Approve").click()]);
  const status = await page.getByRole("status").innerText();
  if (chromium.violations.length) throw new Error(`Content-Security-Policy violations:\n${chromium.violations.join("\n")}`);
  console.log(JSON.stringify({ empty, text, approve_before_passkey: approveBefore, status }));
} finally {
  await chromium.close();
}
