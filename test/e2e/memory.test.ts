// gopls's memory watched for real: the stand-in gopls allocates on request, the guard reads
// its resident memory from /proc, asks past the soft limit and restarts past the hard one; the
// kernel's out-of-memory killer ends a gopls in a memory cgroup, and the guard names it. And
// `gopls-guard status` lists the running session from its session file.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { GUARD, standinGopls, type tempDir } from "../helpers/env.js";
import { guardEnv, type Json, Peer } from "../helpers/peer.js";
import { waitUntil } from "../helpers/procs.js";

const run = promisify(execFile);
type T = Parameters<typeof tempDir>[0];
const open = {
  textDocument: { uri: "file:///w/a.go", languageId: "go", version: 1, text: "package a\n" },
};
const linux = process.platform === "linux" ? false : "reads /proc";
const said = (re: RegExp) => (m: Json) => re.test(JSON.stringify(m.params ?? ""));

async function session(t: T, limit: string): Promise<{ peer: Peer; home: string }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "gg-memory-"));
  const env = guardEnv(home, {
    GOPLS_GUARD_GOPLS: standinGopls(),
    GOPLS_GUARD_MEMORY_LIMIT: limit,
    GOPLS_GUARD_MEMORY_SAMPLE_MS: "100",
  });
  const peer = new Peer([], env);
  // The guard goes before its home does (it writes there until it is gone).
  t.after(async () => {
    peer.kill();
    await peer.exited;
    fs.rmSync(home, { recursive: true, force: true });
  });
  await peer.initialize({ rootUri: "file:///w" });
  peer.notify("textDocument/didOpen", open);
  return { peer, home };
}

test("a gopls past the soft limit: asked once with the figure; Restart gopls brings a new one with the files", {
  skip: linux,
}, async (t) => {
  const { peer } = await session(t, "100M");
  const first = await peer.goplsPid();
  await peer.call("standin/alloc", 150);
  const ask = await peer.waitFor("the question", (m) => m.method === "window/showMessageRequest");
  assert.match(
    JSON.stringify(ask.params),
    /gopls is using 1\d\d MiB for \/w, over the soft limit of 100 MiB/,
  );
  peer.send({ id: ask.id, result: { title: "Restart gopls" } });
  await peer.waitFor(
    "restarted",
    said(/gopls-guard: gopls was restarted to free its 1\d\d MiB; 1 open file restored/),
  );
  const state = (await peer.call("standin/state")).result as { pid: number; documents: object };
  assert.notEqual(state.pid, first);
  assert.deepEqual(Object.keys(state.documents), ["file:///w/a.go"]);
});

test("a gopls past the hard limit is restarted before the system runs short", {
  skip: linux,
}, async (t) => {
  const { peer } = await session(t, "60M");
  const first = await peer.goplsPid();
  await peer.call("standin/alloc", 160);
  await peer.waitFor(
    "restarted",
    said(
      /\[gopls\.memory\] gopls used 1\d\d MiB for \/w, over the hard limit of 120 MiB, and was restarted/,
    ),
  );
  const state = (await peer.call("standin/state")).result as { pid: number };
  assert.notEqual(state.pid, first);
});

const cgroups = "/sys/fs/cgroup/memory";
const oomSkip =
  linux ||
  (process.getuid?.() !== 0 || !fs.existsSync(path.join(cgroups, "tasks"))
    ? "needs root and the cgroup v1 memory controller"
    : false);

test("the kernel's out-of-memory killer ends gopls (a 180 MiB memory cgroup): named as such, with the figure", {
  skip: oomSkip,
}, async (t) => {
  const { peer, home } = await session(t, "100M");
  const gopls = await peer.goplsPid();
  const group = fs.mkdtempSync(path.join(cgroups, "gg-oom-"));
  // Removed once its tasks are gone (the killed gopls; the restarted one is not in it).
  t.after(async () => {
    await waitUntil(
      "the cgroup empty",
      () => fs.readFileSync(path.join(group, "tasks"), "utf8").trim() === "",
    );
    fs.rmdirSync(group);
  });
  // Under the guard's hard limit (200 MiB for a 100M soft one): gopls's RSS never reaches it, so
  // the kernel acts first, never the guard (at 200 MiB the two raced, and the guard could win).
  fs.writeFileSync(path.join(group, "memory.limit_in_bytes"), String(180 * 1024 ** 2));
  fs.writeFileSync(path.join(group, "tasks"), String(gopls));
  await peer.call("standin/alloc", 80);
  // The guard's reading is in its session file, which `status` shows.
  await waitUntil("a reading over 80 MiB", () => {
    const r = fs.readFileSync(path.join(home, "sessions", `${peer.pid}.json`), "utf8");
    return ((JSON.parse(r) as { rssBytes?: number }).rssBytes ?? 0) > 80 * 1024 ** 2;
  });
  peer.request("standin/alloc", 300);
  await peer.waitFor(
    "named",
    said(
      /\[gopls\.crash\] gopls was killed by SIGKILL, most likely by the system's out-of-memory killer \(its last reading: \d+ MiB\)/,
    ),
    20_000,
  );
  assert.match(fs.readFileSync(path.join(group, "memory.oom_control"), "utf8"), /oom_kill [1-9]/);
});

test("`gopls-guard status` lists the running session, quickly, and forgets it once it ends", async (t) => {
  const { peer, home } = await session(t, "4G");
  const gopls = await peer.goplsPid();
  const env = guardEnv(home);
  await waitUntil("the session file", () =>
    fs.existsSync(path.join(home, "sessions", `${peer.pid}.json`)),
  );
  const started = Date.now();
  const { stdout } = await run(process.execPath, [GUARD, "status", "--json"], { env });
  t.diagnostic(`status --json: ${Date.now() - started} ms`);
  const { sessions } = JSON.parse(stdout) as { sessions: Array<Record<string, unknown>> };
  assert.equal(sessions.length, 1);
  assert.equal(sessions[0]?.guardPid, peer.pid);
  assert.equal(sessions[0]?.goplsPid, gopls);
  assert.equal(sessions[0]?.editorPid, process.pid);
  assert.equal(sessions[0]?.workspace, "/w");
  assert.equal(sessions[0]?.state, "running");
  const human = (await run(process.execPath, [GUARD, "status"], { env })).stdout;
  assert.match(human, new RegExp(`^${peer.pid}\\s+${process.pid}\\s+/w\\s+`, "m"));
  assert.equal((await peer.call("shutdown")).result, null);
  peer.notify("exit");
  await peer.exited;
  const after = JSON.parse(
    (await run(process.execPath, [GUARD, "status", "--json"], { env })).stdout,
  );
  assert.deepEqual(after.sessions, []);
});
