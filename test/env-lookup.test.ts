// Environment look-ups on Windows, where names are case-insensitive and a copy of process.env
// spells PATH as Path (simulated: Windows cannot be had here; the Wine test runs the launcher).

import assert from "node:assert/strict";
import { test } from "node:test";
import { loadConfig } from "../src/config.js";
import { envKey, envValue, withEnv } from "../src/env-lookup.js";
import { findGo } from "../src/go/find.js";
import { stateKey } from "../src/gopls/state.js";

test("on Windows, Path is PATH: read, set without a second variable, and the same warm-state key", () => {
  const env = { Path: "C:\\Go\\bin;C:\\Windows", ProgramFiles: "D:\\Apps" };
  assert.equal(envValue(env, "PATH", "win32"), "C:\\Go\\bin;C:\\Windows");
  assert.equal(envKey(env, "PATH", "win32"), "Path");
  assert.deepEqual(Object.keys(withEnv(env, "PATH", "X", "win32")).sort(), [
    "Path",
    "ProgramFiles",
  ]);
  // Elsewhere names are exact.
  assert.equal(envValue(env, "PATH", "linux"), undefined);
  const { config } = loadConfig({ env: {}, platform: "win32", homedir: "C:\\Users\\u" });
  assert.equal(
    stateKey(config, { Path: "C:\\Go\\bin" }, "win32"),
    stateKey(config, { PATH: "C:\\Go\\bin" }, "win32"),
  );
});

test("on Windows, go is found on a PATH spelled Path, not reported missing", async () => {
  const found = await findGo({
    explicit: undefined,
    env: { Path: "C:\\Go\\bin" },
    platform: "win32",
    homedir: "C:\\Users\\u",
    isExecutable: (p) => p === "C:\\Go\\bin\\go.exe",
    listDir: () => [],
    unsafeGo: () => undefined,
  });
  assert.ok(found.ok, JSON.stringify(found));
  assert.equal(found.value.path, "C:\\Go\\bin\\go.exe");
  assert.equal(found.value.source, "PATH");
});
