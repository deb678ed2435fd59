// go.broken_wrapper reproduced for real: the go first on PATH is an asdf-style shim with no
// version set (exit 126), a wrapper that prints into go's output, or one that splits its
// arguments (`go $*`). The doctor names the file, quotes it, names the real Go found elsewhere
// (/usr/local/go here) and never says "not found"; a session does not start a gopls that would
// fail, and says why.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { GUARD, realGopls, standinGopls, tempDir } from "../helpers/env.js";
import { guardEnv, Peer } from "../helpers/peer.js";
import { parseReport } from "../helpers/report.js";

const run = promisify(execFile);
type T = Parameters<typeof tempDir>[0];
const REAL_GO = "/usr/local/go/bin/go";
const skip = fs.existsSync(REAL_GO) ? false : `needs a real Go at ${REAL_GO}`;

/** A dir holding `go`, an executable script with this body, and the env with it first on PATH. */
function withGo(t: T, dir: string, body: string, extra: NodeJS.ProcessEnv = {}) {
  fs.mkdirSync(dir, { recursive: true });
  const go = path.join(dir, "go");
  fs.writeFileSync(go, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  const env = guardEnv(tempDir(t), {
    PATH: `${dir}:/usr/bin:/bin`,
    GOPLS_GUARD_GOPLS: standinGopls(),
    GOFLAGS: "",
    GOROOT: "",
    ...extra,
  });
  delete env.GOROOT;
  return { go, env };
}

async function doctor(env: NodeJS.ProcessEnv, json = true) {
  const r = await run(GUARD, json ? ["doctor", "--json"] : ["doctor"], { env }).catch(
    (error: { code: number; stdout: string }) => error,
  );
  return r as { stdout: string; code?: number };
}

test("an asdf shim with no version set: go.broken_wrapper quotes it, names the Go that works, and the doctor's header names the shim", {
  skip,
}, async (t) => {
  const home = tempDir(t);
  const { go, env } = withGo(
    t,
    path.join(home, ".asdf", "shims"),
    [
      "# asdf-plugin: golang",
      'echo "No version is set for command go" >&2',
      'echo "Consider adding one of the following versions in your config file at $HOME/.tool-versions" >&2',
      "exit 126",
    ].join("\n"),
    { HOME: home },
  );
  const report = parseReport(await doctor(env));
  const f = report.findings.find((x) => x.id === "go.broken_wrapper");
  assert.ok(f, JSON.stringify(report.findings));
  assert.equal(f.severity, "error");
  assert.equal(f.evidence.go, go);
  assert.equal(f.evidence["it is"], "an asdf shim");
  assert.match(f.evidence["it said"] ?? "", /No version is set for command go/);
  assert.match(f.evidence["Go found elsewhere"] ?? "", /^\/usr\/local\/go\/bin\/go \(go1\./);
  assert.match(f.fix, /asdf set golang 1\.\d+/);
  assert.match(f.fix, /GOPLS_GUARD_GO=\/usr\/local\/go\/bin\/go/);
  assert.ok(!report.findings.some((x) => x.id === "go.missing"), "never 'not found'");
  assert.equal(report.facts.go?.path, go);
  assert.ok(f.message.length <= 120, f.message);
  const human = (await doctor(env, false)).stdout;
  assert.match(human, new RegExp(`go +${go} \\(does not work`));
  assert.doesNotMatch(human, /not found|none found/);
});

test("a wrapper that prints a warning before go's JSON: go.broken_wrapper with the words it printed, not 'no output'", {
  skip,
}, async (t) => {
  const { env } = withGo(
    t,
    path.join(tempDir(t), "bin"),
    `echo "warning: this go is managed by corp-tools"\nexec ${REAL_GO} "$@"`,
  );
  const report = parseReport(await doctor(env));
  const f = report.findings.find((x) => x.id === "go.broken_wrapper");
  assert.ok(f, JSON.stringify(report.findings));
  assert.equal(f.evidence["it is"], "a wrapper script");
  assert.equal(f.evidence["it said"], "warning: this go is managed by corp-tools");
  assert.match(f.message, /prints its own text into go's output/);
});

test('a wrapper that splits its arguments (go $*): go.broken_wrapper says to pass "$@", and a session starts no gopls that would fail', {
  skip,
}, async (t) => {
  const { env, go } = withGo(t, path.join(tempDir(t), "bin"), `exec ${REAL_GO} $*`);
  const report = parseReport(await doctor(env));
  const f = report.findings.find((x) => x.id === "go.broken_wrapper");
  assert.ok(f, JSON.stringify(report.findings));
  assert.match(f.evidence["it said"] ?? "", /malformed import path|cannot find package/);
  assert.match(f.message, /splits its arguments: make it pass "\$@"/);
  assert.match(f.fix, new RegExp(`In ${go}, run go with "\\$@"`));

  // The same in an editor session with the real gopls: the fault, not gopls's "no views".
  const { GOPLS_GUARD_GOPLS: _, ...noExplicit } = env;
  const peer = new Peer([], { ...noExplicit, GOPLS_GUARD_GOPLS: realGopls() });
  t.after(() => peer.kill());
  await peer.initialize({ rootUri: null });
  const shown = await peer.waitFor("the fault", (m) =>
    JSON.stringify(m).includes("go.broken_wrapper"),
  );
  assert.ok(shown);
  peer.kill();
});

test('a wrapper that passes "$@" intact and prints nothing extra is no fault', {
  skip,
}, async (t) => {
  const { env } = withGo(t, path.join(tempDir(t), "bin"), `exec ${REAL_GO} "$@"`);
  const report = parseReport(await doctor(env));
  assert.ok(!report.findings.some((x) => x.id === "go.broken_wrapper"), JSON.stringify(report));
  assert.match(report.facts.go?.version ?? "", /^go1\./);
});
