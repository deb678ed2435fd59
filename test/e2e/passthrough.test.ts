// gopls command lines other than serve run gopls as-is; the guard never runs itself as gopls.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { GUARD, standinGopls, tempDir } from "../helpers/env.js";
import { guardEnv } from "../helpers/peer.js";

const run = promisify(execFile);

async function guard(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(GUARD, [...args], { env });
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

test("a wrapper script named as gopls is never run: go version -m says it is not gopls", async (t) => {
  const dir = tempDir(t);
  const wrapper = path.join(dir, "gopls");
  const ran = path.join(dir, "ran");
  fs.writeFileSync(
    wrapper,
    `#!/bin/sh\ntouch "${ran}"\nexec "${process.execPath}" "${GUARD}" "$@"\n`,
    { mode: 0o755 },
  );
  const r = await guard(["version"], guardEnv(tempDir(t), { GOPLS_GUARD_GOPLS: wrapper }));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\[gopls\.not_gopls\].*not a gopls binary; it will not be run/);
  assert.equal(fs.existsSync(ran), false);
});

test("a guard started as gopls by a guard refuses to recurse", async (t) => {
  const r = await guard(["version"], {
    ...guardEnv(tempDir(t), { GOPLS_GUARD_GOPLS: standinGopls() }),
    GOPLS_GUARD_PARENT_PID: "4242",
  });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\[guard\.recursion\].*started as gopls by gopls-guard pid 4242/);
});
