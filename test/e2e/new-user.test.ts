// What a new user hit on ordinary machines, reproduced for real against a module proxy on
// 127.0.0.1 and a real go: GOFLAGS=-mod=vendor in go's env file, one message per fault with
// the fix for where the setting comes from, log files that keep what matters, install
// progress through a quiet build, and an installer SIGKILLed midway.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { GUARD, standinGopls, tempDir } from "../helpers/env.js";
import { countingGo } from "../helpers/gocount.js";
import { type GoProxy, startGoProxy } from "../helpers/goproxy.js";
import { guardEnv, Peer } from "../helpers/peer.js";
import { childrenOf, waitUntil } from "../helpers/procs.js";
import { parseReport } from "../helpers/report.js";

const run = promisify(execFile);
let proxy: GoProxy;

before(async () => {
  proxy = await startGoProxy([
    { version: "v0.1.0", go: "1.21" },
    { version: "v0.2.0", go: "1.21" },
  ]);
});
after(() => proxy.close());

type T = Parameters<typeof tempDir>[0];

function env(t: T, home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const e = guardEnv(home, {
    GOPROXY: proxy.url,
    GONOSUMDB: "golang.org/x/tools/gopls",
    GOMODCACHE: path.join(tempDir(t), "modcache"),
    GOENV: path.join(tempDir(t), "go.env"),
    ...extra,
  });
  for (const [k, v] of Object.entries(e)) if (v === undefined) delete e[k];
  return e;
}

async function guard(
  args: string[],
  e: NodeJS.ProcessEnv,
  cwd?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [GUARD, ...args], { env: e, ...(cwd ? { cwd } : {}) }).then(
    (r) => ({ code: 0, ...r }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
}

/** A module with a requirement and no vendor directory. */
function moduleWithRequirement(t: T): string {
  const dir = tempDir(t);
  fs.writeFileSync(
    path.join(dir, "go.mod"),
    "module example.com/app\n\ngo 1.21\n\nrequire golang.org/x/mod v0.17.0\n",
  );
  fs.writeFileSync(path.join(dir, "main.go"), "package main\n\nfunc main() {}\n");
  return dir;
}

test("GOFLAGS=-mod=vendor in go's env file: gopls installs; the doctor says it once, and what it does to the module", async (t) => {
  const e = env(t, tempDir(t), { GOFLAGS: undefined });
  fs.writeFileSync(e.GOENV as string, "GOFLAGS=-mod=vendor\n");
  const installed = await guard(["install"], e);
  assert.doesNotMatch(installed.stderr, /can't determine available versions/);
  assert.match(installed.stdout.trim(), /gopls-v0\.2\.0-go1\.\d+\/gopls$/, installed.stderr);

  const report = parseReport(await guard(["doctor", "--json"], e, moduleWithRequirement(t)));
  const ids = report.findings.map((f) => f.id);
  assert.equal(ids.filter((id) => id === "install.env_interference").length, 1, `${ids}`);
  assert.equal(ids.filter((id) => id === "proxy.off").length, 0, `${ids}`);
  const vendor = report.findings.filter((f) => f.id === "go.goflags_vendor");
  assert.equal(vendor.length, 1, `${ids}`);
  assert.equal(vendor[0]?.severity, "warning");
  assert.equal(vendor[0]?.evidence["set in"], "go env file");
  assert.match(vendor[0]?.message ?? "", /inconsistent vendoring/);
  assert.match(vendor[0]?.fix ?? "", /`go env -u GOFLAGS`/);

  // The same setting in the environment: `go env -u` would not help, and the fix says so.
  fs.writeFileSync(e.GOENV as string, "");
  const fromEnv = parseReport(
    await guard(["doctor", "--json"], { ...e, GOFLAGS: "-mod=vendor" }, moduleWithRequirement(t)),
  );
  const f = fromEnv.findings.find((x) => x.id === "go.goflags_vendor");
  assert.equal(f?.evidence["set in"], "environment");
  assert.match(f?.fix ?? "", /set in the environment the editor starts with.*cannot override it/);
});

/** The session's log, once the in-session checks have run. */
async function checksDone(home: string): Promise<string> {
  let text = "";
  await waitUntil(
    "the in-session checks",
    () => {
      const dir = path.join(home, "logs");
      const logs = fs.existsSync(dir)
        ? fs.readdirSync(dir).filter((f) => f.endsWith("-session.log"))
        : [];
      text = logs.map((f) => fs.readFileSync(path.join(dir, f), "utf8")).join("");
      return text.includes('"checks.done"');
    },
    30_000,
  );
  return text;
}

for (const where of ["environment", "go env file"] as const) {
  test(`GOPROXY=off in the ${where} on a fresh home: one message in the session, one finding in the doctor, the fix for its source`, async (t) => {
    const home = tempDir(t);
    const e = env(t, home, {
      GOPROXY: where === "environment" ? "off" : undefined,
      GOPLS_GUARD_CHECKS: "on",
      GOPLS_GUARD_CHECKS_DELAY_MS: "300",
    });
    if (where === "go env file") fs.writeFileSync(e.GOENV as string, "GOPROXY=off\n");
    const fix =
      where === "environment"
        ? /GOPROXY is set in the environment the editor starts with.*`go env -w` cannot override it/
        : /`go env -w GOPROXY=https:\/\/proxy\.golang\.org,direct`/;

    const report = parseReport(await guard(["doctor", "--json"], e));
    const found = report.findings.filter((f) => f.id === "proxy.off");
    assert.equal(found.length, 1, JSON.stringify(found));
    assert.match(found[0]?.fix ?? "", fix);

    const peer = new Peer([], e);
    t.after(() => peer.kill());
    await peer.initialize({}, 30_000);
    await checksDone(home);
    // One pop-up, and its whole text (with the fix) once in the log.
    const said = (method: string) =>
      peer.received.filter(
        (m) => m.method === method && JSON.stringify(m.params).includes("[proxy.off]"),
      );
    // The pop-up is the request with Retry (this client declares window.showMessage): no
    // separate message repeats the fault.
    const popups = [...said("window/showMessage"), ...said("window/showMessageRequest")];
    assert.equal(popups.length, 1, JSON.stringify(peer.received, null, 1));
    const notices = said("window/logMessage");
    assert.equal(notices.length, 1, JSON.stringify(notices, null, 1));
    assert.match((notices[0]?.params as { message?: string } | undefined)?.message ?? "", fix);
    assert.equal((await peer.call("shutdown")).result, null);
    peer.notify("exit");
    assert.equal((await peer.exited).code, 0);
  });
}

test("short commands leave no log file unless they log; editor sessions' and install logs are never pruned by them", async (t) => {
  const home = tempDir(t);
  const e = env(t, home, { GOPLS_GUARD_GOPLS: standinGopls(), GOPROXY: "off" });
  const logs = path.join(home, "logs");
  fs.mkdirSync(logs, { recursive: true });
  // Older logs of the kinds that matter: 25 editor sessions and an install.
  const sessions = Array.from(
    { length: 25 },
    (_, i) => `2020-01-01-0000${String(i).padStart(2, "0")}-${100 + i}-session.log`,
  );
  for (const f of [...sessions, "2020-01-01-000000-99-install.log"])
    fs.writeFileSync(path.join(logs, f), "{}\n");
  const before = new Set(fs.readdirSync(logs));
  await guard(["which"], e); // cold: resolves, and may log
  const afterCold = fs.readdirSync(logs).length;
  for (let i = 0; i < 20; i++) {
    const r = await guard(i % 2 ? ["which"] : ["version"], e);
    assert.equal(r.code, 0, r.stderr);
  }
  assert.equal(fs.readdirSync(logs).length, afterCold, "warm which/version wrote no log file");
  // Commands that do log (the doctor) keep their own newest few, whatever the count.
  for (let i = 0; i < 12; i++) await guard(["doctor", "--json"], e);
  const now = fs.readdirSync(logs);
  for (const f of before) assert.ok(now.includes(f), `${f} was kept`);
  assert.equal(now.filter((f) => f.endsWith("-cli.log")).length, 10);
});

test("a quiet build says how long it has been going, until the binary is verified", async (t) => {
  const home = tempDir(t);
  // go prints nothing for 2 s before it starts: what a cold compile of gopls looks like, shorter.
  const go = countingGo(tempDir(t), 2);
  const e = env(t, home, {
    GOPLS_GUARD_GO: go.path,
    GOPLS_GUARD_PROGRESS_MS: "400",
    GOFLAGS: "-modcacherw",
  });
  const r = await guard(["install"], e);
  const lines = r.stderr.split("\n").filter((l) => l.startsWith("gopls-guard: "));
  const building = lines.filter((l) => /building gopls v0\.2\.0: \d+ s so far/.test(l));
  assert.ok(building.length >= 2, lines.join("\n"));
  assert.ok(
    lines.every((l) => !/downloading: downloading/.test(l)),
    lines.join("\n"),
  );
  const order = ["building gopls", "verifying gopls", "gopls v0.2.0 installed"].map((s) =>
    lines.findIndex((l) => l.includes(s)),
  );
  assert.deepEqual(
    [...order].sort((a, b) => a - b),
    order,
    lines.join("\n"),
  );
});

test("install.interrupted: an installer SIGKILLed midway: the next start takes the lock over at once and cleans up after it", async (t) => {
  const home = tempDir(t);
  const tmp = tempDir(t);
  // The stale rule alone would make the next start wait a minute.
  const extra = { GOPLS_GUARD_LOCK_STALE_MS: "60000", TMPDIR: tmp, GOFLAGS: "-modcacherw" };
  const slow = countingGo(tempDir(t), 60);
  const victim = new Peer([], env(t, home, { ...extra, GOPLS_GUARD_GO: slow.path }));
  t.after(() => victim.kill());
  victim.request("initialize", { processId: process.pid, capabilities: {} });
  await waitUntil("go install has started", () => slow.installs() === 1, 90_000);
  const root = path.join(home, "gopls");
  assert.ok(fs.existsSync(path.join(root, ".install.lock")));
  const leftovers = () => [
    ...fs.readdirSync(tmp).filter((d) => d.startsWith(`gopls-guard-install-${victim.pid}-`)),
    ...fs.readdirSync(path.join(home, "tmp")).filter((d) => d.startsWith(`run-${victim.pid}-`)),
  ];
  assert.equal(leftovers().length, 2, "the victim's scratch directories exist");
  // The editor is killed with everything it started.
  const tree = (pid: number): number[] => [pid, ...childrenOf(pid).flatMap(tree)];
  for (const pid of tree(victim.pid)) process.kill(pid, "SIGKILL");
  await victim.exited;
  const killed = Date.now();

  const go = countingGo(tempDir(t));
  const next = new Peer([], env(t, home, { ...extra, GOPLS_GUARD_GO: go.path }));
  t.after(() => next.kill());
  const init = await next.initialize({}, 90_000);
  assert.equal((init.result as { serverInfo: { version: string } }).serverInfo.version, "v0.2.0");
  const hover = await next.call("textDocument/hover", {});
  assert.equal(hover.error, undefined);
  const seconds = (Date.now() - killed) / 1000;
  t.diagnostic(`SIGKILL of the installer to the next session's hover: ${seconds.toFixed(1)} s`);
  assert.ok(seconds < 45, `took ${seconds} s: the lock was not taken over at once`);
  assert.equal(go.installs(), 1);
  assert.deepEqual(leftovers(), []);
  assert.ok(
    next.received.some((m) =>
      /taking over the install lock from pid \d+, which is gone/.test(
        JSON.stringify(m.params ?? ""),
      ),
    ),
  );
});

test("the last download line does not stand for the build: within a few seconds of go falling quiet, it says building", async (t) => {
  const home = tempDir(t);
  const dir = tempDir(t);
  // go says it downloads a module, then compiles in silence (4 s here; minutes for real).
  const go = path.join(dir, "go");
  fs.writeFileSync(
    go,
    `#!/bin/sh\nif [ "$1" = install ]; then echo "go: downloading github.com/segmentio/asm v1.2.1" >&2; sleep 4; fi\nexec /usr/local/go/bin/go "$@"\n`,
    { mode: 0o755 },
  );
  // The default cadence (a line every 10 s): the stale line would have stood through the build.
  const e = env(t, home, { GOPLS_GUARD_GO: go, GOFLAGS: "-modcacherw" });
  delete e.GOPLS_GUARD_PROGRESS_MS;
  const r = await guard(["install"], e);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stderr.split("\n").filter((l) => l.startsWith("gopls-guard: "));
  const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
  const downloading = at(/downloading github\.com\/segmentio\/asm/);
  const building = at(/building gopls v0\.2\.0: [1-3] s so far/);
  assert.ok(downloading >= 0 && building > downloading, lines.join("\n"));
});
