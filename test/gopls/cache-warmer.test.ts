// The cache warmer against the real gopls: a build its cache has never seen (the real binary
// with bytes appended: gopls keys its cache by its executable's hash) fills its own cache dir
// for the workspace; each bound (memory, abort, a gopls that dies at start) stops it with the
// reason, and no gopls outlives it.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { warmCache } from "../../src/gopls/cache-warmer.js";
import { rssSampler } from "../../src/serve/process-memory.js";
import { FIXTURES, realGopls, tempDir } from "../helpers/env.js";
import { childrenOf, cmdline, waitUntil } from "../helpers/procs.js";

type T = Parameters<typeof tempDir>[0];

function workspace(t: T): { folders: Array<{ uri: string; name: string }>; dir: string } {
  const dir = path.join(tempDir(t), "hello");
  fs.cpSync(path.join(FIXTURES, "hello"), dir, { recursive: true });
  return { dir, folders: [{ uri: `file://${dir}`, name: "hello" }] };
}

function newBuild(t: T): string {
  const out = path.join(tempDir(t), "gopls");
  fs.copyFileSync(realGopls(), out);
  fs.appendFileSync(out, `\nnew build ${Date.now()} ${Math.random()}\n`);
  fs.chmodSync(out, 0o755);
  return out;
}

async function noneLeft(gopls: string): Promise<void> {
  await waitUntil("the warming gopls gone", () =>
    childrenOf(process.pid).every((pid) => !cmdline(pid).includes(gopls)),
  );
}

const bounds = { timeoutMs: 120_000, maxRss: 4 * 2 ** 30, sampleRss: rssSampler() };

test("a new build's cache is filled for the workspace, as the editor's settings say, and its gopls exits", async (t) => {
  const cache = tempDir(t);
  const gopls = newBuild(t);
  const asked: unknown[] = [];
  const { dir, folders } = workspace(t);
  const file = path.join(dir, "hello.go");
  const outcome = await warmCache({
    ...bounds,
    gopls,
    env: { ...process.env, GOPLSCACHE: cache },
    folders,
    // An open file: its package is analyzed too (gopls analyzes only open packages).
    documents: [
      { uri: `file://${file}`, languageId: "go", version: 1, text: fs.readFileSync(file, "utf8") },
    ],
    configuration: async (params) => {
      asked.push(params);
      return [{ staticcheck: false }];
    },
  });
  assert.equal(outcome.warmed, true, JSON.stringify(outcome));
  assert.ok(outcome.peakRss > 0);
  // gopls asked for its settings, and got the editor's (and the progress that tells the end).
  assert.ok(asked.length > 0);
  // Its own cache dir (gopls/<hash of this executable>) holds the workspace's index now.
  const dirs = fs.readdirSync(path.join(cache, "gopls"));
  assert.equal(dirs.length, 1);
  const files = fs.readdirSync(path.join(cache, "gopls", dirs[0] as string), { recursive: true });
  assert.ok(files.length > 10, `${files.length} entries`);
  // The open file's package was analyzed: its analysis facts are there too.
  assert.ok(
    files.some((f) => String(f).endsWith("-analysis")),
    files.map(String).join(" "),
  );
  await noneLeft(gopls);
});

test("past the memory limit, the warming stops and says so; its gopls is killed", async (t) => {
  const gopls = newBuild(t);
  const outcome = await warmCache({
    ...bounds,
    maxRss: 8 * 2 ** 20,
    sampleEveryMs: 50,
    gopls,
    env: { ...process.env, GOPLSCACHE: tempDir(t) },
    folders: workspace(t).folders,
  });
  assert.equal(outcome.warmed, false);
  assert.equal(!outcome.warmed && outcome.why, "memory");
  await noneLeft(gopls);
});

test("the session ending (an abort) stops the warming at once; its gopls is gone", async (t) => {
  const gopls = newBuild(t);
  const stop = new AbortController();
  setTimeout(() => stop.abort(), 300);
  const outcome = await warmCache({
    ...bounds,
    gopls,
    env: { ...process.env, GOPLSCACHE: tempDir(t) },
    folders: workspace(t).folders,
    signal: stop.signal,
  });
  assert.equal(!outcome.warmed && outcome.why, "aborted");
  assert.ok(outcome.ms < 5000, `${outcome.ms} ms`);
  await noneLeft(gopls);
});

test("a build that cannot use its cache (a read-only mount) ends the warming with its exit", {
  skip: process.getuid?.() === 0 ? false : "needs root for a private mount namespace",
}, async (t) => {
  const cache = tempDir(t);
  fs.mkdirSync(path.join(cache, "gopls"));
  // gopls run in a mount namespace of its own where its cache dir is read-only.
  const wrapper = path.join(tempDir(t), "gopls-ro-cache");
  fs.writeFileSync(
    wrapper,
    `#!/bin/sh\nexec unshare -m sh -c 'mount --bind -o ro "$0/gopls" "$0/gopls" && exec "$1"' "${cache}" "${newBuild(t)}"\n`,
    { mode: 0o755 },
  );
  const outcome = await warmCache({
    ...bounds,
    gopls: wrapper,
    env: { ...process.env, GOPLSCACHE: cache },
    folders: workspace(t).folders,
  });
  assert.equal(!outcome.warmed && outcome.why, "exited", JSON.stringify(outcome));
});
