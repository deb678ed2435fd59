import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { readGoEnv } from "../../src/go/env.js";
import { tempDir } from "../helpers/env.js";
import { REAL_GO } from "../helpers/gocount.js";

test("a GOCACHE go cannot create: go env read with a private cache, and nothing left in cwd", async (t) => {
  const dir = tempDir(t);
  // Root ignores permission bits; a cache under a regular file cannot be made by anyone.
  fs.writeFileSync(path.join(dir, "file"), "");
  const cache = path.join(dir, "file", "cache");
  const workspace = tempDir(t);
  const env = await readGoEnv(REAL_GO, { ...process.env, GOCACHE: cache, GOFLAGS: "" }, workspace);
  assert.ok(env.ok, JSON.stringify(env));
  assert.equal(env.value.GOCACHE, cache);
  assert.deepEqual(fs.readdirSync(workspace), []);
});
