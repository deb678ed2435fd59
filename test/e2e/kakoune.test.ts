// Kakoune (Debian's) with kakoune-lsp (kak-lsp from crates.io, built once by the set-up), headless,
// running the guard as its gopls: gopls's diagnostics come through, and a fault the guard holds is
// a diagnostic whose code action ("gopls-guard: Retry") Kakoune runs as workspace/executeCommand.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { copyFixture, GUARD, ROOT, realGopls, tempDir } from "../helpers/env.js";
import { guardEnv } from "../helpers/peer.js";

const run = promisify(execFile);
const KAK_LSP = process.env.GOPLS_GUARD_TEST_KAK_LSP;
const skip =
  process.env.GOPLS_GUARD_TEST_KAK_SKIP ||
  (KAK_LSP ? false : "kak-lsp is not set up (run the tests with `npm test`)");

interface KakResult {
  diagnostics: Array<{ file: string; line: number; severity: string; message: string }>;
  code_actions: string[];
  action: { title: string | null; executed: boolean };
  timeouts: string;
}

type T = Parameters<typeof tempDir>[0];

async function kakoune(t: T, home: string, extra: NodeJS.ProcessEnv): Promise<KakResult> {
  const dir = copyFixture(t, "hello");
  const out = path.join(tempDir(t), "result.json");
  const env = {
    ...guardEnv(home, extra),
    GG_FILE: path.join(dir, "hello.go"),
    GG_OUT: out,
    GG_SERVER: GUARD,
    KAK_LSP,
    GG_SETTLE: "2",
    HOME: tempDir(t),
    XDG_CONFIG_HOME: tempDir(t),
  };
  await run("sh", [path.join(ROOT, "test", "editors", "kak", "run.sh")], {
    env,
    cwd: dir,
    timeout: 110_000,
  });
  return JSON.parse(fs.readFileSync(out, "utf8")) as KakResult;
}

const log = (home: string) =>
  fs
    .readdirSync(path.join(home, "logs"))
    .map((f) => fs.readFileSync(path.join(home, "logs", f), "utf8"))
    .join("");

test("Kakoune with kakoune-lsp: gopls's diagnostic through the guard", {
  skip,
  timeout: 120_000,
}, async (t) => {
  const r = await kakoune(t, tempDir(t), { GOPLS_GUARD_GOPLS: realGopls() });
  assert.ok(
    r.diagnostics.some((d) => d.file.endsWith("hello.go") && /not an int/.test(d.message)),
    JSON.stringify(r.diagnostics),
  );
  assert.ok(!r.diagnostics.some((d) => /gopls-guard/.test(d.message)));
});

test("Kakoune: Go missing is a diagnostic, and its code action runs the guard's Retry", {
  skip,
  timeout: 120_000,
}, async (t) => {
  const home = tempDir(t);
  const r = await kakoune(t, home, {
    GOPLS_GUARD_GO: path.join(tempDir(t), "go"),
    GOPLS_GUARD_GOPLS: realGopls(),
    GG_ACTION: "gopls-guard: Retry",
  });
  assert.ok(
    r.diagnostics.some(
      (d) =>
        d.file.endsWith("hello.go") &&
        d.severity === "error" &&
        /GOPLS_GUARD_GO does not name an executable go binary/.test(d.message),
    ),
    JSON.stringify(r.diagnostics),
  );
  assert.ok(r.code_actions.includes("gopls-guard: Retry"), JSON.stringify(r.code_actions));
  assert.equal(r.action.title, "gopls-guard: Retry");
  assert.equal(r.action.executed, true, JSON.stringify(r));
  // The guard ran it: workspace/executeCommand gopls-guard.retry, a held fault's action.
  assert.match(
    log(home),
    /"event":"command","command":"gopls-guard\.retry","args":\[\],"ran":true/,
  );
});
