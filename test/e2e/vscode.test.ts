// A real VS Code (code-server 4.139.1) with the real Go extension (v0.56.0), headless, with
// editors/vscode/settings.json and `gopls-guard link`'s launcher as go.alternateTools.gopls: the
// diagnostic and a hover from gopls arrive through the guard, the extension never asks to
// recompile or install anything, and a broken environment's error reaches a notification whose
// Retry works. GOPLS_GUARD_TEST_VSCODE_PLAIN_LINK=1 replaces the launcher with the old symlink
// (to show this test failing on it). Screenshots are kept under build/test-artifacts/vscode/.

import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { copyFixture, GUARD, ROOT, realGopls, tempDir } from "../helpers/env.js";
import { guardEnv } from "../helpers/peer.js";
import { freePort, noVscode, shippedSettings, Vscode } from "../helpers/vscode.js";

const run = promisify(execFile);
type T = Parameters<typeof tempDir>[0];

/** What the extension says when it wants to replace or install gopls. */
const UNWANTED =
  /need recompiling|new version of gopls|not found|[Ii]nstall (tools|gopls)|Update tools|is not available|Missing/;

function artefacts(name: string): string {
  const dir = path.join(
    ROOT,
    "build",
    "test-artifacts",
    "vscode",
    `${name}-${new Date().toISOString().replace(/[:.]/g, "-")}`,
  );
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** `gopls-guard link` into the guard home, as a user runs it (or the old symlink, on request). */
async function link(guardHome: string): Promise<string> {
  const { stdout } = await run(process.execPath, [GUARD, "link"], {
    env: guardEnv(guardHome),
    timeout: 120_000,
  });
  const launcher = stdout.trim();
  if (process.env.GOPLS_GUARD_TEST_VSCODE_PLAIN_LINK === "1") {
    fs.rmSync(launcher);
    fs.rmSync(`${launcher}.launcher.json`);
    fs.symlinkSync(GUARD, launcher);
  }
  return launcher;
}

/** A user's home whose login shell (`bash -ilc env`, read by the extension host) has Go on PATH. */
function userHome(t: T, gopath: string): string {
  const home = tempDir(t, "gg-vscode-home-");
  const goBin = path.dirname(
    execFileSync("sh", ["-c", "command -v go"], { encoding: "utf8" }).trim(),
  );
  fs.writeFileSync(
    path.join(home, ".profile"),
    `export PATH="${goBin}:$PATH"\nexport GOPATH="${gopath}"\n`,
  );
  return home;
}

async function startVscode(
  t: T,
  name: string,
  launcher: string,
  env: NodeJS.ProcessEnv,
): Promise<{ vscode: Vscode; workspace: string; gopath: string; dir: string }> {
  const workspace = copyFixture(t, "hello");
  const gopath = tempDir(t, "gg-gopath-");
  const dir = artefacts(name);
  const settings = {
    ...shippedSettings(),
    "go.alternateTools": { gopls: launcher },
    // The test's own: no welcome tab over the file, workspace settings honoured, a trace.
    "go.showWelcome": false,
    "security.workspace.trust.enabled": false,
    "go.trace.server": "messages",
    "workbench.startupEditor": "none",
  };
  const vscode = new Vscode({
    workspace,
    settings,
    env: { ...env, HOME: userHome(t, gopath), GOPATH: gopath, SHELL: "/bin/bash" },
    artefacts: dir,
    dataDir: tempDir(t, "gg-vscode-data-"),
  });
  t.after(() => vscode.close());
  await vscode.start();
  return { vscode, workspace, gopath, dir };
}

async function hoverGreet(vscode: Vscode, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await vscode.page
      .locator('.view-line:has-text("return Greet(g)") span:text-is("Greet")')
      .first()
      .hover({ timeout: 10_000 });
    const hover = vscode.page.locator(".monaco-hover:not(.hidden)").first();
    const text = await hover
      .waitFor({ timeout: 5000 })
      .then(async () => (await hover.textContent()) ?? "")
      .catch(() => "");
    if (/Greet returns a friendly greeting/.test(text) || Date.now() > deadline) return text;
    await vscode.page.keyboard.press("Escape");
    await vscode.page.locator(".view-line:has-text('package hello')").first().hover();
  }
}

async function problems(vscode: Vscode): Promise<string> {
  await vscode.command("View: Focus Problems");
  const panel = vscode.page.locator(".markers-panel").first();
  await panel.waitFor({ timeout: 10_000 });
  return (await panel.textContent()) ?? "";
}

test("VS Code with the Go extension: gopls through the guard's launcher, no recompile or install prompt", {
  skip: noVscode,
  timeout: 300_000,
}, async (t) => {
  const guardHome = tempDir(t, "gg-vscode-guard-");
  const launcher = await link(guardHome);
  const { vscode, gopath } = await startVscode(
    t,
    "launcher",
    launcher,
    guardEnv(guardHome, { GOPLS_GUARD_GOPLS: realGopls() }),
  );
  t.diagnostic(`workbench up in ${Date.now() - vscode.started} ms`);
  await vscode.open("hello.go");
  await vscode.page.locator(".squiggly-error").first().waitFor({ timeout: 90_000 });
  t.diagnostic(`first diagnostic at ${Date.now() - vscode.started} ms`);
  const hover = await hoverGreet(vscode, 30_000);
  t.diagnostic(`hover at ${Date.now() - vscode.started} ms`);
  const hoverShot = await vscode.screenshot("hover");
  assert.match(hover, /func Greet\(g Greeting\) string/);
  assert.match(hover, /Greet returns a friendly greeting/);
  assert.match(await problems(vscode), /cannot use "not an int"/);
  // The recompile prompt comes within seconds of the extension's activation: give it time.
  await vscode.page.waitForTimeout(8000);
  const shown = await vscode.allNotifications();
  const final = await vscode.screenshot("end");
  t.diagnostic(`screenshots: ${hoverShot} ${final}`);
  assert.deepEqual(
    shown.filter((n) => UNWANTED.test(n)),
    [],
    `notifications: ${JSON.stringify(shown)}`,
  );
  const logs = vscode.logs();
  const goLog = logs.find((l) => l.file.endsWith(path.join("golang.go", "Go.log")));
  assert.match(goLog?.text ?? "", /Running language server gopls\(v0\.23\.0\/go\d/);
  const unwanted = logs.filter((l) => UNWANTED.test(l.text)).map((l) => l.file);
  assert.deepEqual(unwanted, [], "the extension's logs mention a recompile or an install");
  // The hover came through the guard: its session ran this gopls for the extension.
  const guardLogs = fs
    .readdirSync(path.join(guardHome, "logs"))
    .map((f) => fs.readFileSync(path.join(guardHome, "logs", f), "utf8"))
    .join("");
  assert.match(guardLogs, new RegExp(`"event":"gopls.start".*"gopls":"${realGopls()}"`));
  const bin = path.join(gopath, "bin");
  assert.deepEqual(
    fs.existsSync(bin) ? fs.readdirSync(bin) : [],
    [],
    "nothing installed into GOPATH/bin",
  );
});

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
  timeout: 420_000,
}, async (t) => {
  const guardHome = tempDir(t, "gg-vscode-guard-");
  const launcher = await link(guardHome);
  const port = await freePort();
  const goEnv = (name: string) => execFileSync("go", ["env", name], { encoding: "utf8" }).trim();
  const { vscode } = await startVscode(
    t,
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
  await toast.waitFor({ timeout: 120_000 });
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
  await vscode.page
    .locator('.notification-toast:has-text("gopls.retry")')
    .first()
    .waitFor({ timeout: 180_000 });
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
