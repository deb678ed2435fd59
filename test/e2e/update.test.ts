// Updates in the background, for real against a module proxy on 127.0.0.1: a day after the last
// decision a newer gopls has been published; the session starts with the installed one at once
// (no go on the start path), then decides again, installs the new one at low priority, and
// offers to switch; Switch now restarts gopls with the session's state and removes the old
// build. GOPLS_GUARD_UPDATE=patch keeps a minor release out; a pin wins over everything.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { GUARD, tempDir } from "../helpers/env.js";
import { REAL_GO } from "../helpers/gocount.js";
import { type GoProxy, startGoProxy } from "../helpers/goproxy.js";
import { guardEnv, type Json, Peer } from "../helpers/peer.js";
import { childrenOf, waitUntil } from "../helpers/procs.js";

const run = promisify(execFile);
let proxy: GoProxy;
before(async () => {
  proxy = await startGoProxy([{ version: "v0.1.0", go: "1.21" }]);
  proxy.publish({ version: "v0.1.1", go: "1.21" });
});
after(() => proxy.close());

type T = Parameters<typeof tempDir>[0];

/** A go that logs each call with the nice value it runs at. */
function niceGo(dir: string): { path: string; calls: () => string[] } {
  const shim = path.join(dir, "go");
  const log = path.join(dir, "calls.log");
  fs.writeFileSync(
    shim,
    `#!/bin/sh\necho "nice=$(cut -d' ' -f19 /proc/self/stat) $*" >> "${log}"\nexec "${REAL_GO}" "$@"\n`,
    { mode: 0o755 },
  );
  return {
    path: shim,
    calls: () => (fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : []),
  };
}

const open = {
  textDocument: { uri: "file:///w/a.go", languageId: "go", version: 1, text: "package a\n" },
};
const said = (re: RegExp) => (m: Json) => re.test(JSON.stringify(m.params ?? ""));

async function start(t: T, env: NodeJS.ProcessEnv): Promise<Peer> {
  const peer = new Peer([], env);
  t.after(() => peer.kill());
  await peer.initialize({}, 90_000);
  peer.notify("textDocument/didOpen", open);
  return peer;
}

async function stop(peer: Peer): Promise<void> {
  await peer.call("shutdown");
  peer.notify("exit");
  await peer.exited;
}

/** A home whose gopls v0.1.1 was decided a day ago, with v0.2.0 published since. */
async function dayOld(t: T, extra: NodeJS.ProcessEnv = {}, newer = "v0.2.0") {
  const home = tempDir(t);
  const go = niceGo(tempDir(t));
  const env = guardEnv(home, {
    GOPLS_GUARD_GO: go.path,
    GOPROXY: proxy.url,
    GONOSUMDB: "golang.org/x/tools/gopls",
    GOMODCACHE: path.join(tempDir(t), "modcache"),
    GOFLAGS: "-modcacherw",
    GOPLS_GUARD_CHECKS_DELAY_MS: "1000",
    ...extra,
  });
  await stop(await start(t, env));
  const state = path.join(home, "state");
  for (const f of fs.readdirSync(state)) {
    const file = path.join(state, f);
    const s = JSON.parse(fs.readFileSync(file, "utf8")) as { decidedAt: number };
    fs.writeFileSync(file, JSON.stringify({ ...s, decidedAt: Date.now() - 25 * 3600_000 }));
  }
  proxy.publish({ version: newer, go: "1.21" });
  return { home, go, env, before: go.calls().length };
}

test("gopls.update: a day later, the installed gopls starts at once; the newer one is installed at low priority and switched to on consent", {
  timeout: 180_000,
}, async (t) => {
  const { home, go, env, before } = await dayOld(t);
  const peer = await start(t, env);
  // The start itself ran no go: the update waits until gopls is up.
  assert.deepEqual(go.calls().slice(before), []);
  const first = peer.received.find((m) => m.id === 1);
  const serverInfo = (first?.result as { serverInfo?: { version: string } } | undefined)
    ?.serverInfo;
  assert.equal(serverInfo?.version, "v0.1.1");
  const ask = await peer.waitFor(
    "the offer",
    (m) => m.method === "window/showMessageRequest",
    90_000,
  );
  assert.match(
    JSON.stringify(ask.params),
    /gopls v0\.2\.0 is installed; this session runs v0\.1\.1\..* Switch now\?/,
  );
  const calls = go.calls().slice(before);
  assert.ok(
    calls.some((c) => /^nice=10 install golang\.org\/x\/tools\/gopls@v0\.2\.0/.test(c)),
    calls.join("\n"),
  );
  const file = path.join(home, "sessions", `${peer.pid}.json`);
  await waitUntil("status shows the pending update", () => {
    const status = JSON.parse(fs.readFileSync(file, "utf8")) as { pendingUpdate?: string };
    return status.pendingUpdate === "v0.2.0";
  });
  peer.send({ id: ask.id, result: { title: "Switch now" } });
  await peer.waitFor(
    "switched",
    said(/gopls-guard: gopls v0\.2\.0 runs now \(was v0\.1\.1\); 1 open file handed to it/),
  );
  const state = (await peer.call("standin/state")).result as { documents: object };
  assert.deepEqual(Object.keys(state.documents), ["file:///w/a.go"]);
  await waitUntil(
    "the old build removed",
    () => !fs.readdirSync(path.join(home, "gopls")).some((d) => d.startsWith("gopls-v0.1.1-")),
  );
  assert.ok(fs.readdirSync(path.join(home, "gopls")).some((d) => d.startsWith("gopls-v0.2.0-")));
  await stop(peer);
});

test("GOPLS_GUARD_UPDATE=patch keeps a minor release out: no install, no question, decided for another day", {
  timeout: 180_000,
}, async (t) => {
  const { home, go, env, before } = await dayOld(t, { GOPLS_GUARD_UPDATE: "patch" });
  const peer = await start(t, env);
  await waitUntil(
    "decided again",
    () =>
      // State files only (a write in progress is a temp file beside them).
      fs
        .readdirSync(path.join(home, "state"))
        .filter((f) => f.endsWith(".json"))
        .some((f) => {
          const s = JSON.parse(fs.readFileSync(path.join(home, "state", f), "utf8")) as {
            decidedAt: number;
          };
          return Date.now() - s.decidedAt < 3600_000;
        }),
    30_000,
  );
  assert.ok(
    !go
      .calls()
      .slice(before)
      .some((c) => / install /.test(c)),
  );
  assert.ok(!peer.received.some((m) => m.method === "window/showMessageRequest"));
  await stop(peer);
});

test("a command (install) decides again at once when the decision is a day old: it is not deferred", {
  timeout: 180_000,
}, async (t) => {
  const { env } = await dayOld(t, {}, "v0.3.0");
  const { stdout } = await run(process.execPath, [GUARD, "install"], { env });
  assert.match(stdout.trim().split("\n").at(-1) ?? "", /gopls-v0\.3\.0-go1\.\d+\/gopls$/);
});

test("gopls.update: before the offer, the new gopls's cache is warmed for the workspace (low priority, the editor's settings), status shows it, and the offer says it is ready warm", {
  timeout: 180_000,
}, async (t) => {
  const log = path.join(tempDir(t), "warm.log");
  // v0.4.0: the tests before this one published up to v0.3.0, which its first start installs.
  const { home, env } = await dayOld(
    t,
    { STANDIN_WARM_LOG: log, STANDIN_WARM_MS: "4000" },
    "v0.4.0",
  );
  const workspace = tempDir(t);
  fs.writeFileSync(path.join(workspace, "go.mod"), "module example.com/w\n\ngo 1.21\n");
  const folder = { uri: `file://${workspace}`, name: "w" };
  const peer = new Peer([], env);
  t.after(() => peer.kill());
  await peer.initialize(
    {
      rootUri: folder.uri,
      workspaceFolders: [folder],
      initializationOptions: { "ui.semanticTokens": true },
      capabilities: { window: { showMessage: {} }, workspace: { configuration: true } },
    },
    90_000,
  );
  // The warming gopls asks for the editor's settings: the guard asks the editor.
  const ask = await peer.waitFor(
    "the settings asked for",
    (m) => m.method === "workspace/configuration",
    90_000,
  );
  peer.send({ id: ask.id, result: [{ staticcheck: true }] });
  const file = path.join(home, "sessions", `${peer.pid}.json`);
  await waitUntil("status shows the warming", () => {
    const s = JSON.parse(fs.readFileSync(file, "utf8")) as { warming?: { version: string } };
    return s.warming?.version === "v0.4.0";
  });
  const { stdout } = await run(process.execPath, [GUARD, "status"], { env });
  assert.match(stdout, /warming v0\.4\.0: \d+ s/);
  const offer = await peer.waitFor(
    "the offer",
    (m) => m.method === "window/showMessageRequest",
    30_000,
  );
  assert.match(
    JSON.stringify(offer.params),
    /gopls v0\.4\.0 is installed and ready warm for this workspace; this session runs v0\.[1-3]\.\d\..*its cache filled for this workspace in \d/,
  );
  const warmed = JSON.parse(fs.readFileSync(log, "utf8").split("\n")[0] as string) as {
    folders: unknown;
    settings: unknown;
    nice: string;
    threads: string[];
  };
  assert.deepEqual(warmed.folders, [folder]);
  assert.deepEqual(warmed.settings, [{ staticcheck: true, verboseWorkDoneProgress: true }]);
  assert.equal(warmed.nice, "19");
  // Every thread, the Go runtime's own from before main too: started under nice, not lowered after.
  assert.ok(warmed.threads.length > 1);
  assert.deepEqual(new Set(warmed.threads), new Set(["19"]), warmed.threads.join(" "));
  // The warming gopls is gone: the guard's only child is the session's gopls.
  await waitUntil("the warming gopls gone", () => childrenOf(peer.pid).length === 1);
  await waitUntil("status no longer shows the warming", () => {
    const s = JSON.parse(fs.readFileSync(file, "utf8")) as { warming?: unknown };
    return s.warming === undefined;
  });
  await stop(peer);
});
