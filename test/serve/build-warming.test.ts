// A session's warming of a new build, against the stand-in gopls (which answers a warming as
// gopls does): one at a time per install root (a second session's waits for the first's), and
// nothing run when warming is off or there is no workspace.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { warmBuild } from "../../src/serve/build-warming.js";
import { rssSampler } from "../../src/serve/process-memory.js";
import { SessionFile } from "../../src/serve/session-file.js";
import { standinGopls, tempDir } from "../helpers/env.js";

const logger = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, fatal() {} };

function warming(t: Parameters<typeof tempDir>[0], root: string, log: string, extra = {}) {
  return {
    gopls: { path: standinGopls(), source: "managed" as const, version: "v0.9.0", warm: false },
    env: { ...process.env, STANDIN_WARM_LOG: log, STANDIN_WARM_MS: "1000" },
    folders: [{ uri: "file:///w", name: "w" }],
    documents: [],
    initializationOptions: {},
    lockRoots: [root],
    maxRss: 2 ** 30,
    timeoutMs: 60_000,
    sampleRss: rssSampler(),
    sessionFile: new SessionFile(tempDir(t)),
    logger,
    signal: new AbortController().signal,
    ...extra,
  };
}

test("two sessions warming at once on one install root: the second waits for the first", async (t) => {
  const root = tempDir(t);
  const log = path.join(tempDir(t), "warm.log");
  const [a, b] = await Promise.all([
    warmBuild(warming(t, root, log)),
    warmBuild(warming(t, root, log)),
  ]);
  assert.equal(a.warmed && b.warmed, true, JSON.stringify([a, b]));
  const lines = fs
    .readFileSync(log, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { at?: number; done?: number });
  // start, done, start, done: never two under way.
  assert.deepEqual(
    lines.map((l) => (l.at ? "start" : "done")),
    ["start", "done", "start", "done"],
  );
  assert.ok((lines[2]?.at ?? 0) >= (lines[1]?.done ?? Number.POSITIVE_INFINITY));
  // The lock is gone once both are done.
  assert.deepEqual(
    fs.readdirSync(root).filter((f) => f.startsWith(".warm.lock")),
    [],
  );
});

test("warming off (GOPLS_GUARD_WARM=off), or no workspace folder: nothing is run", async (t) => {
  const log = path.join(tempDir(t), "warm.log");
  const off = await warmBuild(warming(t, tempDir(t), log, { timeoutMs: 0 }));
  assert.deepEqual(off, { warmed: false, why: "off", ms: 0, peakRss: 0 });
  const none = await warmBuild(warming(t, tempDir(t), log, { folders: [] }));
  assert.deepEqual(none, { warmed: false, why: "no-workspace", ms: 0, peakRss: 0 });
  assert.equal(fs.existsSync(log), false);
});
