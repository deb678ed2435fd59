// A real VS Code with the real Go extension, in a broken environment: a fresh guard home (no
// gopls installed) and GOPROXY at a closed port. The guard's [proxy.unreachable] error reaches a
// VS Code notification; once the proxy is back on that port, its Retry button installs gopls and
// the hover arrives, without reloading the window.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { cacheProxy } from "../helpers/cache-proxy.js";
import { guardEnv } from "../helpers/peer.js";
import { noVscode } from "../helpers/vscode.js";
import { hoverGreet, problems, VscodeSession } from "../helpers/vscode-session.js";

test("VS Code: with GOPROXY unreachable and nothing installed, the guard's error is a notification and its Retry works", {
  skip: noVscode,
  timeout: 170_000,
}, async (t) => {
  const s = new VscodeSession(t);
  const guardHome = s.dir("gg-vscode-guard-");
  const launcher = await s.link(guardHome);
  const goEnv = (name: string) => execFileSync("go", ["env", name], { encoding: "utf8" }).trim();
  // Unreachable until the test starts it: the port refuses.
  const proxy = await cacheProxy(goEnv("GOMODCACHE"), "v0.23.0");
  t.after(() => proxy.close());
  const port = new URL(proxy.url).port;
  const { vscode } = await s.start(
    "fault",
    launcher,
    guardEnv(guardHome, {
      GOPROXY: proxy.url,
      // go's caches as the set-up left them: the install after Retry builds in seconds.
      GOMODCACHE: goEnv("GOMODCACHE"),
      GOCACHE: goEnv("GOCACHE"),
      GOFLAGS: "",
    }),
  );
  await vscode.open("hello.go");
  const toast = vscode.page.locator('.notification-toast:has-text("proxy.unreachable")').first();
  await toast.waitFor({ timeout: 90_000 });
  t.diagnostic(`the guard's error shown at ${Date.now() - vscode.started} ms`);
  await vscode.page.waitForTimeout(1000); // the toast slides in
  const errorShot = await vscode.screenshot("error");
  const error = (await toast.textContent()) ?? "";
  assert.match(error, /\[proxy\.unreachable\]/);
  assert.match(error, new RegExp(`127\\.0\\.0\\.1:${port}`));
  // And it is in the Problems panel, from the guard, where it stays while it holds.
  const listed = await problems(vscode);
  assert.match(listed, /gopls-guard/);
  assert.match(listed, /proxy\.unreachable/);
  const problemsShot = await vscode.screenshot("problems");
  t.diagnostic(`the fault in the Problems panel: ${problemsShot}`);
  // The user brings the proxy back, then presses Retry in the notification.
  await proxy.start();
  await toast.locator('.monaco-button:has-text("Retry")').first().click();
  // Retry's install ends with a toast; "gopls … is running now" is info, so it goes to the
  // "gopls (server)" output channel rather than a toast.
  await vscode.page
    .locator('.notification-toast:has-text("gopls v0.23.0 installed")')
    .first()
    .waitFor({ timeout: 90_000 });
  t.diagnostic(`gopls running after Retry at ${Date.now() - vscode.started} ms`);
  const hover = await hoverGreet(vscode, 60_000);
  const retryShot = await vscode.screenshot("after-retry");
  t.diagnostic(`screenshots: ${errorShot} ${retryShot}`);
  assert.match(hover, /Greet returns a friendly greeting/);
  // gopls's own problems are listed; the guard's is gone.
  const after = await problems(vscode);
  assert.match(after, /cannot use "not an int"/);
  assert.doesNotMatch(after, /proxy\.unreachable/);
  await vscode.page.locator(".squiggly-error").first().waitFor({ timeout: 30_000 });
  const shown = await vscode.allNotifications();
  t.diagnostic(`notifications: ${JSON.stringify(shown)}`);
  // One fault, one message: the notification with Retry is the only one naming it.
  assert.equal(shown.filter((n) => /proxy\.unreachable/.test(n)).length, 1, JSON.stringify(shown));
  assert.deepEqual(
    shown.filter((n) => /need recompiling|new version of gopls|Update tools/.test(n)),
    [],
    `notifications: ${JSON.stringify(shown)}`,
  );
});
