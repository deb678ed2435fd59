// A real VS Code with the Go extension in shared mode, turned on as the README says for VS Code
// ("go.toolsEnvVars": { "GOPLS_GUARD_SHARE": "1" }): the diagnostic and the hover arrive through
// a shared instance, which the extension's gopls session joined without being moved out.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { realGopls } from "../helpers/env.js";
import { guardEnv } from "../helpers/peer.js";
import { waitUntil } from "../helpers/procs.js";
import { noVscode } from "../helpers/vscode.js";
import { hoverGreet, problems, VscodeSession } from "../helpers/vscode-session.js";

test("VS Code with the Go extension, shared mode through go.toolsEnvVars: served by the instance", {
  skip: noVscode,
  timeout: 170_000,
}, async (t) => {
  const s = new VscodeSession(t);
  const guardHome = s.dir("gg-vscode-shared-");
  const launcher = await s.link(guardHome);
  const { vscode } = await s.start(
    "shared",
    launcher,
    guardEnv(guardHome, {
      GOPLS_GUARD_GOPLS: realGopls(),
      GOPLS_GUARD_SHARE_DIR: path.join(guardHome, "run"),
    }),
    { "go.toolsEnvVars": { GOPLS_GUARD_SHARE: "1" } },
  );
  await vscode.open("hello.go");
  await vscode.page.locator(".squiggly-error").first().waitFor({ timeout: 90_000 });
  const hover = await hoverGreet(vscode, 30_000);
  assert.match(hover, /Greet returns a friendly greeting/);
  assert.match(await problems(vscode), /cannot use "not an int"/);
  const logs = () =>
    fs
      .readdirSync(path.join(guardHome, "logs"))
      .map((f) => fs.readFileSync(path.join(guardHome, "logs", f), "utf8"))
      .join("");
  // The instance's session started gopls, and took the extension's session as a client.
  await waitUntil("the instance's log", () => /"event":"share.client"/.test(logs()), 30_000);
  assert.match(logs(), /"shared":"[^"]+\.sock"/);
  assert.doesNotMatch(logs(), /share\.(move_out|private)/);
  await vscode.screenshot("shared");
});
