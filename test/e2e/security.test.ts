// Safe on a shared machine, reproduced for real: credentials in proxy URLs never reach the
// editor, the terminal, the log or the state; the home and logs are private; logs never go into
// a directory another user made; a go anyone could replace is not run; and what the guard did not
// write itself reaches a terminal with its control characters escaped.

import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { before, test } from "node:test";
import { promisify } from "node:util";
import { GUARD, standinGopls, tempDir } from "../helpers/env.js";
import { guardEnv, Peer } from "../helpers/peer.js";
import { asUser, ensureUsers, homeOf, publicGuard, usersUnavailable } from "../helpers/users.js";

const run = promisify(execFile);
type T = Parameters<typeof tempDir>[0];

function allFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? allFiles(p) : [p];
  });
}

/** ESC or BEL anywhere in the text. */
const hasControl = (text: string) => text.includes("\u001b") || text.includes("\u0007");

async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

test("credentials in GOPROXY and HTTPS_PROXY reach no message, doctor output, log or state; the home is 0700 and logs 0600", async (t) => {
  const home = tempDir(t);
  fs.chmodSync(home, 0o755);
  const port = await closedPort();
  const env = guardEnv(home, {
    GOPROXY: `http://alice:tok3n-s3cret@127.0.0.1:${port}`,
    HTTPS_PROXY: `http://proxyuser:pr0xy-pass@127.0.0.1:${port}`,
    GOSUMDB: "off",
    GOFLAGS: "",
    GOPLS_GUARD_CHECKS: "on",
    GOPLS_GUARD_CHECKS_DELAY_MS: "1",
  });
  const secrets = /tok3n-s3cret|pr0xy-pass/;
  // A cold start with nothing installed: the install fails on the proxy and says so.
  const peer = new Peer([], env);
  t.after(() => peer.kill());
  await peer.initialize({}, 60_000);
  await peer.waitFor(
    "the proxy fault",
    (m) => /proxy\.|install\.failed/.test(JSON.stringify(m)),
    60_000,
  );
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await peer.call("shutdown")).result, null);
  peer.notify("exit");
  await peer.exited;
  const shown = JSON.stringify(peer.received);
  assert.match(shown, /alice:\*\*\*@127\.0\.0\.1/, "the URL is still named, redacted");
  assert.doesNotMatch(shown, secrets);

  const json = await run(GUARD, ["doctor", "--json"], { env }).catch((e: { stdout: string }) => e);
  const human = await run(GUARD, ["doctor"], { env }).catch((e: { stdout: string }) => e);
  assert.match(json.stdout, /alice:\*\*\*@/);
  assert.doesNotMatch(json.stdout, secrets);
  assert.doesNotMatch(human.stdout, secrets);

  const files = allFiles(home);
  assert.ok(
    files.some((f) => f.includes(`${path.sep}logs${path.sep}`)),
    files.join("\n"),
  );
  for (const f of files) {
    if (f.includes(`${path.sep}gopls${path.sep}`)) continue;
    assert.doesNotMatch(fs.readFileSync(f, "utf8"), secrets, f);
  }
  assert.equal(fs.statSync(home).mode & 0o777, 0o700);
  for (const f of files.filter((x) => x.endsWith(".log")))
    assert.equal(fs.statSync(f).mode & 0o777, 0o600, f);
});

const usersSkip = usersUnavailable() ?? false;
before(() => {
  if (!usersSkip) ensureUsers();
});

test("logs never go into a directory another user made first in the temp dir", {
  skip: usersSkip,
}, async (t) => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gg-tmp-"));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  fs.chmodSync(tmp, 0o1777);
  const aliceUid = execFileSync("id", ["-u", "gg-alice"]).toString().trim();
  // Bob was first: /tmp/gopls-guard-<alice's uid>/logs, open to all.
  const trap = path.join(tmp, `gopls-guard-${aliceUid}`);
  await asUser("gg-bob", ["sh", "-c", `mkdir -p ${trap}/logs && chmod -R 777 ${trap}`], {
    PATH: "/usr/bin:/bin",
  });
  // Alice's home and cache cannot be written (a read-only home): the temp dir is the last place.
  const readOnly = fs.mkdtempSync(path.join(os.tmpdir(), "gg-ro-"));
  t.after(() => fs.rmSync(readOnly, { recursive: true, force: true }));
  fs.chmodSync(readOnly, 0o555);
  const r = await asUser("gg-alice", [process.execPath, publicGuard(t), "doctor", "--json"], {
    PATH: "/usr/local/go/bin:/usr/bin:/bin",
    TMPDIR: tmp,
    HOME: homeOf("gg-alice"),
    GOPLS_GUARD_HOME: path.join(readOnly, "home"),
    XDG_CACHE_HOME: readOnly,
    GOPLS_GUARD_GOPLS: standinGopls(),
    GOPROXY: "off",
    GOFLAGS: "",
  });
  const report = JSON.parse(r.stdout) as { facts: { guard: { log: string } } };
  assert.ok(!report.facts.guard.log.startsWith(trap), report.facts.guard.log);
  assert.deepEqual(fs.readdirSync(path.join(trap, "logs")), []);
});

test("a go anyone can replace (mode 0777 where go is looked for) is not run: fs.unsafe_binary names it", async (t) => {
  const dir = tempDir(t);
  fs.chmodSync(dir, 0o755);
  const marker = path.join(tempDir(t), "ran");
  const go = path.join(dir, "go");
  fs.writeFileSync(go, `#!/bin/sh\ntouch ${marker}\nexec /usr/local/go/bin/go "$@"\n`);
  fs.chmodSync(go, 0o777);
  const env = guardEnv(tempDir(t), {
    PATH: `${dir}:/usr/bin:/bin`,
    GOPLS_GUARD_GO: go,
    GOPLS_GUARD_GOPLS: standinGopls(),
  });
  const r = await run(GUARD, ["doctor", "--json"], { env }).catch((e: { stdout: string }) => e);
  const report = JSON.parse(r.stdout) as { findings: Array<{ id: string; message: string }> };
  const f = report.findings.find((x) => x.id === "fs.unsafe_binary");
  assert.ok(f, JSON.stringify(report.findings));
  assert.match(f.message, /writable by every user, so anyone could replace go/);
  assert.equal(fs.existsSync(marker), false);
});

test("a terminal never gets raw control characters from what others wrote: a workspace name in status, an HTML page in the doctor", async (t: T) => {
  const home = tempDir(t);
  fs.mkdirSync(path.join(home, "sessions"));
  fs.writeFileSync(
    path.join(home, "sessions", `${process.pid}.json`),
    JSON.stringify({
      guardPid: process.pid,
      workspace: "/w/\u001b]0;pwned\u0007\u001b[2J",
      startedAt: new Date().toISOString(),
      restarts: 0,
      state: "running",
    }),
  );
  const status = await run(GUARD, ["status"], { env: guardEnv(home) });
  assert.ok(!hasControl(status.stdout), status.stdout);
  assert.match(status.stdout, /\\x1b\]0;pwned\\x07/);

  const page = http.createServer((_q, s) => {
    s.writeHead(200, { "Content-Type": "text/html" });
    s.end("<html>\u001b[2J\u001b]0;owned\u0007blocked</html>");
  });
  await new Promise<void>((r) => page.listen(0, "127.0.0.1", r));
  t.after(() => page.close());
  const url = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
  const doctor = await run(GUARD, ["doctor"], {
    env: guardEnv(tempDir(t), { GOPROXY: url, GOPLS_GUARD_GOPLS: standinGopls(), GOFLAGS: "" }),
  }).catch((e: { stdout: string }) => e);
  assert.ok(!hasControl(doctor.stdout), doctor.stdout);
});
