// A real VS Code with the real Go extension, in a broken environment: a fresh guard home (no
// gopls installed) and GOPROXY at a closed port. The guard's [proxy.unreachable] error reaches a
// VS Code notification; once the proxy is back on that port, its Retry button installs gopls and
// the hover arrives, without reloading the window.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { test } from "node:test";
import { guardEnv } from "../helpers/peer.js";
import { freePort, noVscode } from "../helpers/vscode.js";
import { hoverGreet, VscodeSession } from "../helpers/vscode-session.js";

/**
 * A module proxy serving what go's module cache holds (its cache/download is the GOPROXY
 * layout), offering only the gopls the set-up installed; on the port the user's GOPROXY names.
 */
async function proxyFromModCache(port: number, goplsVersion: string): Promise<http.Server> {
  const root = path.join(
    execFileSync("go", ["env", "GOMODCACHE"], { encoding: "utf8" }).trim(),
    "cache",
    "download",
  );
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? "/").split("?")[0] ?? "/");
    if (url === "/golang.org/x/tools/gopls/@v/list") {
      res.writeHead(200, { "Content-Type": "text/plain" });
      return res.end(`${goplsVersion}\n`);
    }
    const file = path.join(root, path.normalize(url));
    if (!file.startsWith(root) || url.startsWith("/sumdb/") || !fs.existsSync(file)) {
      res.writeHead(404);
      return res.end("not found");
    }
    res.writeHead(200);
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return server;
}

test("VS Code: with GOPROXY unreachable and nothing installed, the guard's error is a notification and its Retry works", {
  skip: noVscode,
  timeout: 170_000,
}, async (t) => {
  const s = new VscodeSession(t);
  const guardHome = s.dir("gg-vscode-guard-");
  const launcher = await s.link(guardHome);
  const port = await freePort();
  const goEnv = (name: string) => execFileSync("go", ["env", name], { encoding: "utf8" }).trim();
  const { vscode } = await s.start(
    "fault",
    launcher,
    guardEnv(guardHome, {
      GOPROXY: `http://127.0.0.1:${port}`,
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
  // The user brings the proxy back, then presses Retry in the notification.
  const proxy = await proxyFromModCache(port, "v0.23.0");
  t.after(() => new Promise((resolve) => proxy.close(resolve)));
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
  await vscode.page.locator(".squiggly-error").first().waitFor({ timeout: 30_000 });
  const shown = await vscode.allNotifications();
  t.diagnostic(`notifications: ${JSON.stringify(shown)}`);
  assert.deepEqual(
    shown.filter((n) => /need recompiling|new version of gopls|Update tools/.test(n)),
    [],
    `notifications: ${JSON.stringify(shown)}`,
  );
});
