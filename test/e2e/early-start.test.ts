// A warm start spawns gopls before the proxy has loaded (src/serve/early-gopls.ts): with the
// stand-in and a real guard, the session runs that very gopls (one start, not two), and a guard
// killed or told to stop while it loads leaves no gopls behind.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { standinGopls, tempDir } from "../helpers/env.js";
import { guardEnv, orderlySession, Peer } from "../helpers/peer.js";
import { pidsWithEnv, waitGone, waitUntil } from "../helpers/procs.js";

interface Start {
  pid: number;
  atMs: number;
}

function starts(file: string): Start[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => {
      const [pid, atMs] = l.split(" ").map(Number);
      return { pid: pid as number, atMs: atMs as number };
    });
}

/** A home whose warm state is written: one cold session with the stand-in, ended. */
async function warmHome(t: Parameters<typeof tempDir>[0]): Promise<NodeJS.ProcessEnv> {
  const home = tempDir(t);
  const env = guardEnv(home, { GOPLS_GUARD_GOPLS: standinGopls() });
  const cold = new Peer([], env);
  t.after(() => cold.kill());
  await cold.initialize();
  cold.notify("exit");
  await cold.exited;
  assert.ok(fs.readdirSync(path.join(home, "state")).length > 0, "the cold start kept its state");
  return env;
}

function events(home: string): Array<Record<string, unknown>> {
  const dir = path.join(home, "logs");
  return fs
    .readdirSync(dir)
    .flatMap((f) => fs.readFileSync(path.join(dir, f), "utf8").trim().split("\n"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test("a warm start spawns gopls before the proxy loads, and the session runs that one", async (t) => {
  const env = await warmHome(t);
  const home = env.GOPLS_GUARD_HOME as string;
  fs.rmSync(path.join(home, "logs"), { recursive: true });
  const file = path.join(tempDir(t), "starts");
  const peer = new Peer([], { ...env, STANDIN_STARTS: file });
  t.after(() => peer.kill());
  const gopls = await orderlySession(peer);
  const [only, ...more] = starts(file);
  assert.deepEqual(more, [], "one gopls for the session");
  assert.equal(only?.pid, gopls);
  const log = events(home);
  const session = log.find((e) => e.event === "session.start");
  const started = log.find((e) => e.event === "gopls.start");
  assert.equal(started?.goplsPid, gopls);
  assert.equal(started?.early, true);
  // Spawned before the proxy's first line: the log is opened once the proxy has loaded.
  assert.ok(
    (started?.spawnedAt as number) <= (session?.time as number),
    `gopls spawned at ${started?.spawnedAt}, session.start at ${session?.time}`,
  );
  assert.deepEqual(peer.stdoutErrors, []);
});

test("a cold start spawns gopls once, from the session (nothing ahead of it)", async (t) => {
  const home = tempDir(t);
  const file = path.join(tempDir(t), "starts");
  const peer = new Peer(
    [],
    guardEnv(home, { GOPLS_GUARD_GOPLS: standinGopls(), STANDIN_STARTS: file }),
  );
  t.after(() => peer.kill());
  await peer.initialize();
  const gopls = await peer.goplsPid();
  peer.notify("exit");
  await peer.exited;
  await waitGone(gopls);
  assert.deepEqual(
    starts(file).map((s) => s.pid),
    [gopls],
  );
  const started = events(home).find((e) => e.event === "gopls.start");
  assert.equal(started?.early, false);
});

for (const signal of ["SIGKILL", "SIGTERM", "SIGHUP"] as const) {
  test(`a guard sent ${signal} as soon as its early gopls runs: no gopls left behind`, async (t) => {
    const env = await warmHome(t);
    const marker = tempDir(t);
    const file = path.join(marker, "starts");
    const peer = new Peer([], { ...env, STANDIN_STARTS: file, EARLY_MARKER: marker });
    t.after(() => peer.kill());
    // The stand-in writes its line once it runs: the guard may still be loading its proxy.
    await waitUntil("the early gopls runs", () => starts(file).length > 0, 10_000);
    peer.child.kill(signal);
    await peer.exited;
    const [gopls] = starts(file);
    await waitGone(gopls?.pid as number);
    await waitUntil("nothing of the session is left", () => pidsWithEnv(marker).length === 0);
  });
}

test("the editor closes stdin at once: the guard exits and its early gopls is gone", async (t) => {
  const env = await warmHome(t);
  const marker = tempDir(t);
  const file = path.join(marker, "starts");
  const peer = new Peer([], { ...env, STANDIN_STARTS: file, EARLY_MARKER: marker });
  t.after(() => peer.kill());
  peer.child.stdin.end();
  const exit = await peer.exited;
  assert.equal(exit.signal, null);
  for (const s of starts(file)) await waitGone(s.pid);
  await waitUntil("nothing of the session is left", () => pidsWithEnv(marker).length === 0);
  assert.deepEqual(peer.stdoutErrors, []);
});
