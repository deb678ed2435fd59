// Faults that kill gopls at start for its environment, reproduced for real with the real gopls:
// a malformed GOMEMLIMIT (gopls.runtime_env: the Go runtime's own grammar, compared with a real
// Go program), and a persistent cache on a read-only mount (gopls.cache_unavailable). Neither
// is a crash to restart: the editor gets the guard's initialize answer, the fault and Retry.

import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { parseByteCount } from "../../src/go/runtime-env.js";
import { GUARD, realGopls, tempDir } from "../helpers/env.js";
import { guardEnv, Peer } from "../helpers/peer.js";
import { childrenOf, waitUntil } from "../helpers/procs.js";

const run = promisify(execFile);

test("GOMEMLIMIT is read with the Go runtime's own grammar: the guard and a real Go program agree on every value", async (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, "go.mod"), "module probe\n\ngo 1.21\n");
  fs.writeFileSync(path.join(dir, "main.go"), "package main\n\nfunc main() {}\n");
  const bin = path.join(dir, "probe");
  execFileSync("go", ["build", "-o", bin, "."], {
    cwd: dir,
    env: { ...process.env, GOFLAGS: "", GOWORK: "off", GOMEMLIMIT: "" },
  });
  const values = [
    "4G",
    "4GiB",
    "4GB",
    "4096",
    "0",
    "-0",
    "+5",
    "-1",
    "1.5GiB",
    " 4GiB",
    "4gib",
    "10B",
    "4KiB",
    "4MiB",
    "4TiB",
    "4PiB",
    "5iB",
    "B",
    "GiB",
    "9223372036854775807",
    "9223372036854775808",
    "8388608TiB",
    "8388607TiB",
    "0x10",
  ];
  for (const value of values) {
    const go = await run(bin, [], { env: { GOMEMLIMIT: value } }).then(
      () => true,
      () => false,
    );
    assert.equal(parseByteCount(value) !== undefined, go, `GOMEMLIMIT=${value}`);
  }
});

function session(t: Parameters<typeof tempDir>[0], home: string, extra: NodeJS.ProcessEnv) {
  const peer = new Peer([], guardEnv(home, { GOPLS_GUARD_GOPLS: realGopls(), ...extra }));
  t.after(() => peer.kill());
  return peer;
}

test("GOMEMLIMIT=4G: no gopls is started, cold or warm; the editor gets an answer and gopls.runtime_env with the form Go accepts", async (t) => {
  const home = tempDir(t);
  // A first session leaves the warm state that lets the next start spawn gopls before it loads.
  const first = session(t, home, {});
  await first.initialize();
  await first.goplsPid();
  await first.call("shutdown");
  first.notify("exit");
  await first.exited;
  for (const start of ["warm", "cold"]) {
    const h = start === "warm" ? home : tempDir(t);
    const peer = session(t, h, { GOMEMLIMIT: "4G" });
    const init = await peer.initialize();
    assert.equal((init.result as { serverInfo: { name: string } }).serverInfo.name, "gopls-guard");
    const shown = await peer.waitFor("the fault", (m) =>
      JSON.stringify(m).includes("gopls.runtime_env"),
    );
    assert.match(JSON.stringify(shown), /GOMEMLIMIT=4G is malformed.*write it as 4GiB/);
    assert.deepEqual(childrenOf(peer.pid), [], `${start}: a gopls was started`);
    assert.equal((await peer.call("shutdown")).result, null);
    peer.notify("exit");
    assert.equal((await peer.exited).code, 0);
  }
});

test("gopls-guard version with GOMEMLIMIT=4G: exit 1 and the fault on stderr, not Go's fatal error", async (t) => {
  const r = await run(GUARD, ["version"], {
    env: guardEnv(tempDir(t), { GOPLS_GUARD_GOPLS: realGopls(), GOMEMLIMIT: "4G" }),
  }).catch((e: { code: number; stdout: string; stderr: string }) => e);
  assert.equal((r as { code?: number }).code, 1);
  assert.match(r.stderr, /gopls\.runtime_env/);
  // Not gopls's own death (the runtime's throw and its hint), which the guard never ran into.
  assert.doesNotMatch(r.stderr, /see `go doc runtime|goroutine \d/);
});

const root = process.getuid?.() === 0;

test("gopls's cache on a read-only mount: gopls.cache_unavailable once, with the dir; no restarts, and the editor's initialize answered", {
  skip: root ? false : "needs root for a private mount namespace",
}, async (t) => {
  const cache = tempDir(t);
  fs.mkdirSync(path.join(cache, "gopls"));
  const home = tempDir(t);
  const env = guardEnv(home, { GOPLS_GUARD_GOPLS: realGopls(), GOPLSCACHE: cache });
  // The cache dir is read-only inside the guard's own mount namespace (and its gopls's).
  const script = `mount --bind -o ro "${cache}/gopls" "${cache}/gopls" && exec "$@"`;
  const peer = new Peer(
    ["-m", "sh", "-c", script, "sh", process.execPath, GUARD],
    env,
    undefined,
    "unshare",
  );
  t.after(() => peer.kill());
  const init = await peer.initialize();
  assert.equal((init.result as { serverInfo: { name: string } }).serverInfo.name, "gopls-guard");
  const shown = await peer.waitFor("the fault", (m) =>
    JSON.stringify(m).includes("gopls.cache_unavailable"),
  );
  const text = JSON.stringify(shown);
  assert.match(text, new RegExp(`cannot write its cache in ${cache}/gopls`));
  assert.match(text, /read-only file system/);
  // Not a crash: never restarted, so never said again.
  await new Promise((r) => setTimeout(r, 1500));
  // One pop-up: the request with Retry (this client declares window.showMessage).
  const said = peer.received.filter(
    (m) =>
      (m.method === "window/showMessage" || m.method === "window/showMessageRequest") &&
      JSON.stringify(m).includes("gopls.cache_unavailable"),
  );
  assert.equal(said.length, 1, JSON.stringify(said));
  assert.ok(!peer.received.some((m) => JSON.stringify(m).includes("gopls.crash")));
  const log = fs
    .readdirSync(path.join(home, "logs"))
    .map((f) => fs.readFileSync(path.join(home, "logs", f), "utf8"));
  assert.equal(log.join("").match(/"event":"gopls.start"/g)?.length, 1);
  assert.equal((await peer.call("shutdown")).result, null);
  peer.notify("exit");
  await waitUntil("the guard exits", () => peer.child.exitCode !== null);
});
