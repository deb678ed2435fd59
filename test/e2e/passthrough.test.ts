// gopls command lines other than serve run gopls as-is; the guard never runs itself as gopls.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { GUARD, standinGopls, tempDir } from "../helpers/env.js";
import { guardEnv, Peer } from "../helpers/peer.js";

const run = promisify(execFile);

async function guard(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [GUARD, ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test("`version` and `version -json` print gopls's answer", async (t) => {
  const env = guardEnv(tempDir(t), { GOPLS_GUARD_GOPLS: standinGopls() });
  const plain = await guard(["version"], env);
  assert.equal(plain.code, 0);
  assert.match(plain.stdout, /^golang\.org\/x\/tools\/gopls \(devel\)\n$/);
  const json = JSON.parse((await guard(["version", "-json"], env)).stdout) as { Path: string };
  assert.equal(json.Path, "golang.org/x/tools/gopls");
});

test("gopls's exit code and stderr come through", async (t) => {
  const r = await guard(["fail"], guardEnv(tempDir(t), { GOPLS_GUARD_GOPLS: standinGopls() }));
  assert.equal(r.code, 7);
  assert.match(r.stderr, /failing on purpose/);
});

/** A PATH whose first `gopls` is a link to the guard (how users install it), then the real one. */
function linkedPath(t: Parameters<typeof tempDir>[0]): string {
  const dir = tempDir(t);
  fs.mkdirSync(path.join(dir, "first"));
  fs.mkdirSync(path.join(dir, "second"));
  fs.symlinkSync(GUARD, path.join(dir, "first", "gopls"));
  fs.symlinkSync(path.join(dir, "first", "gopls"), path.join(dir, "first", "gopls-link"));
  fs.copyFileSync(standinGopls(), path.join(dir, "second", "gopls"));
  return `${path.join(dir, "first")}:${path.join(dir, "second")}:${process.env.PATH}`;
}

test("a `gopls` on PATH that links to the guard is skipped in favour of the real one", async (t) => {
  const env = guardEnv(tempDir(t), { PATH: linkedPath(t) });
  const r = await guard(["version"], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /gopls \(devel\)/);
});

test("GOPLS_GUARD_GOPLS naming the guard itself is refused, not recursed into", async (t) => {
  const dir = tempDir(t);
  fs.symlinkSync(GUARD, path.join(dir, "gopls"));
  const r = await guard(
    ["version"],
    guardEnv(tempDir(t), { GOPLS_GUARD_GOPLS: path.join(dir, "gopls") }),
  );
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\[guard\.recursion\]/);
});

test("a guard started as gopls by a guard (through a wrapper script) refuses to recurse", async (t) => {
  const dir = tempDir(t);
  const wrapper = path.join(dir, "gopls");
  fs.writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${GUARD}" "$@"\n`, {
    mode: 0o755,
  });
  const r = await guard(["version"], guardEnv(tempDir(t), { GOPLS_GUARD_GOPLS: wrapper }));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\[guard\.recursion\].*started as gopls by gopls-guard pid \d+/);
});

test("serve mode with no gopls anywhere: a clear error message on the LSP channel", async (t) => {
  const peer = new Peer([], guardEnv(tempDir(t), { PATH: "/nonexistent" }));
  t.after(() => peer.kill());
  const shown = await peer.waitFor("error", (m) => m.method === "window/showMessage");
  assert.match(
    (shown.params as { message: string }).message,
    /\[gopls\.missing\] No gopls binary was found/,
  );
  assert.equal((await peer.exited).code, 1);
});
