// A real VS Code (code-server 4.139.1) with the real Go extension (v0.56.0), headless, with
// editors/vscode/settings.json and `gopls-guard link`'s launcher as go.alternateTools.gopls: the
// diagnostic and a hover from gopls arrive through the guard, and the extension never asks to
// recompile, update or install anything. GOPLS_GUARD_TEST_VSCODE_PLAIN_LINK=1 replaces the
// launcher with the old symlink (to show this test failing on it). Screenshots are kept under
// build/test-artifacts/vscode/. (The broken-environment case is in vscode-fault.test.ts: each
// file gets the runner's 180 s.)

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { realGopls } from "../helpers/env.js";
import { guardEnv } from "../helpers/peer.js";
import { noVscode } from "../helpers/vscode.js";
import { hoverGreet, problems, VscodeSession } from "../helpers/vscode-session.js";

/** What the extension says when it wants to replace or install gopls. */
const UNWANTED =
  /need recompiling|new version of gopls|not found|[Ii]nstall (tools|gopls)|Update tools|is not available|Missing/;

test("VS Code with the Go extension: gopls through the guard's launcher, no recompile or install prompt", {
  skip: noVscode,
  timeout: 170_000,
}, async (t) => {
  const s = new VscodeSession(t);
  const guardHome = s.dir("gg-vscode-guard-");
  const launcher = await s.link(guardHome);
  const { vscode, gopath } = await s.start(
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
  // The language client's trace: gopls answered the hover and published the diagnostic.
  const trace = logs.find((l) => /\d-gopls\.log$/.test(l.file))?.text ?? "";
  assert.match(trace, /Received response 'textDocument\/hover - \(\d+\)'/);
  assert.match(trace, /Received notification 'textDocument\/publishDiagnostics'/);
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
