// Go found and `go env` read once per process: a session's cold start and its in-session checks
// run for real, in this process, with a go that counts its invocations.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { loadConfig } from "../../src/config.js";
import { runChecks } from "../../src/doctor/checks.js";
import { forgetGoFacts, goEnvOnce } from "../../src/go/facts.js";
import { resolveGopls, resolveOptions } from "../../src/gopls/launch.js";
import type { Logger } from "../../src/log.js";
import { standinGopls, tempDir } from "../helpers/env.js";
import { countingGo } from "../helpers/gocount.js";

const quiet = new Proxy({}, { get: () => () => {} }) as Logger;

test("a session's cold start and its in-session checks run `go env` once; adopted settings ask again", async (t) => {
  forgetGoFacts();
  t.after(forgetGoFacts);
  const dir = tempDir(t);
  const go = countingGo(dir);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GOPLS_GUARD_HOME: path.join(dir, "home"),
    GOPLS_GUARD_GO: go.path,
    GOPLS_GUARD_GOPLS: standinGopls(),
    GOPROXY: "off",
    GOSUMDB: "off",
    GOFLAGS: "",
    // go's own env file, which `go env -w` writes: this test's, not the machine's.
    GOENV: path.join(dir, "go.env"),
    GOPLS_GUARD_CONFIG: path.join(dir, "config.json"),
  };
  delete env.SHELL;
  const { config } = loadConfig({ env, platform: "linux", homedir: os.homedir() });
  const log = { file: path.join(dir, "guard.log"), logger: quiet };
  const findings: string[] = [];
  const resolved = await resolveGopls(
    resolveOptions(config, log, { env, allowInstall: true, report: (f) => findings.push(f.id) }),
  );
  assert.ok(resolved.ok, JSON.stringify(resolved));
  assert.equal(resolved.value.warm, false);
  const checked = await runChecks(
    {
      config,
      env,
      platform: "linux",
      homedir: os.homedir(),
      cwd: dir,
      logger: quiet,
      logFile: log.file,
      procVersion: () => "",
    },
    "test",
    { gopls: false, goplsVersion: resolved.value.version },
  );
  assert.equal(checked.facts.go?.path, go.path);
  assert.equal(go.calls().filter((c) => c === "env -json").length, 1, go.calls().join("\n"));

  // A session that adopts the login shell's settings asks go again, with them.
  const adopted = await goEnvOnce(go.path, { ...env, GOPROXY: "https://proxy.example" }, dir);
  assert.ok(adopted.ok);
  assert.equal(adopted.value.GOPROXY, "https://proxy.example");
  assert.equal(go.calls().filter((c) => c === "env -json").length, 2);

  // `go env -w` changes go's env file: the answer kept is stale, and go is asked again.
  const again = await goEnvOnce(go.path, env, dir);
  assert.ok(again.ok);
  fs.writeFileSync(again.value.GOENV, "GOPRIVATE=example.com/private\n");
  const written = await goEnvOnce(go.path, env, dir);
  assert.ok(written.ok);
  assert.equal(written.value.GOPRIVATE, "example.com/private");
  assert.equal(go.calls().filter((c) => c === "env -json").length, 3);
});
