// The installer against a module proxy on 127.0.0.1 serving the stand-in gopls at several
// versions, with a real go doing the installs: once, safely, under the lock.

import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { GUARD, tempDir } from "../helpers/env.js";
import { countingGo, REAL_GO } from "../helpers/gocount.js";
import { type GoProxy, startGoProxy } from "../helpers/goproxy.js";
import { guardEnv, Peer } from "../helpers/peer.js";
import { childrenOf, pidsWithEnv, waitUntil } from "../helpers/procs.js";
import { startSumDB } from "../helpers/sumdb.js";

const run = promisify(execFile);
let proxy: GoProxy;

before(async () => {
  proxy = await startGoProxy([
    { version: "v0.1.0", go: "1.21" },
    { version: "v0.2.0", go: "1.21" },
    { version: "v0.3.0", go: "1.99" },
    { version: "v0.4.0-pre.1", go: "1.21" },
  ]);
});
after(() => proxy.close());

type T = Parameters<typeof tempDir>[0];

function env(t: T, home: string, go: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return guardEnv(home, {
    GOPLS_GUARD_GO: go,
    GOPROXY: proxy.url,
    GONOSUMDB: "golang.org/x/tools/gopls",
    GOMODCACHE: path.join(tempDir(t), "modcache"),
    GOFLAGS: "-modcacherw",
    GOPLS_GUARD_LOCK_STALE_MS: "3000",
    ...extra,
  });
}

async function serverVersion(peer: Peer): Promise<string> {
  // An install is a go build: on a loaded two-core machine (the suite runs two files at once) it can take a while.
  const init = await peer.initialize({ workDoneToken: "init-token" }, 90_000);
  return (init.result as { serverInfo: { version: string } }).serverInfo.version;
}

async function session(t: T, e: NodeJS.ProcessEnv): Promise<Peer> {
  const peer = new Peer([], e);
  t.after(() => peer.kill());
  return peer;
}

test("a fresh start installs the newest gopls this Go can build, with progress in the editor", async (t) => {
  const home = tempDir(t);
  const go = countingGo(tempDir(t));
  const peer = await session(t, env(t, home, go.path));
  assert.equal(await serverVersion(peer), "v0.2.0");
  const progress = peer.received
    .filter((m) => m.method === "$/progress")
    .map((m) => (m.params as { token: string; value: { kind: string } }).value.kind);
  assert.equal(progress[0], "begin");
  assert.equal(progress.at(-1), "end");
  assert.ok(
    peer.received.every(
      (m) => m.method !== "$/progress" || (m.params as { token: string }).token === "init-token",
    ),
  );
  const logs = peer.received
    .filter((m) => m.method === "window/logMessage")
    .map((m) => (m.params as { message: string }).message);
  assert.ok(
    logs.some((l) =>
      /\[go\.too_old\] Go go1\.\d+\.\d+ is older than gopls v0\.3\.0 needs \(go 1\.99\); using gopls v0\.2\.0/.test(
        l,
      ),
    ),
    logs.join("\n"),
  );
  assert.ok(
    peer.showMessages().some((m) => /gopls v0\.2\.0 installed \(\d+ s\)/.test(m)),
    peer.showMessages().join("\n"),
  );
  assert.equal(go.installs(), 1);
  assert.ok(
    fs.existsSync(
      path.join(
        home,
        "gopls",
        fs.readdirSync(path.join(home, "gopls")).find((d) => d.startsWith("gopls-v0.2.0-go1.")) ??
          "x",
        "gopls",
      ),
    ),
  );
  assert.deepEqual(
    fs.readdirSync(path.join(home, "gopls")).filter((d) => d.startsWith(".stage-")),
    [],
  );
});

test("a pin installs exactly that version; a pin this Go cannot build is refused with go.too_old", async (t) => {
  const home = tempDir(t);
  const go = countingGo(tempDir(t));
  const pinned = await session(t, env(t, home, go.path, { GOPLS_GUARD_GOPLS_VERSION: "v0.1.0" }));
  assert.equal(await serverVersion(pinned), "v0.1.0");
  const tooNew = await session(t, env(t, home, go.path, { GOPLS_GUARD_GOPLS_VERSION: "0.3.0" }));
  // What the client is shown depends on what it declares: it says so in initialize.
  await tooNew.initialize();
  const shown = await tooNew.waitFor(
    "error",
    (m) =>
      // The start's failure is one message: the request with Retry (this client shows buttons).
      m.method === "window/showMessageRequest" &&
      /\[go\.too_old\]/.test((m.params as { message: string }).message),
  );
  assert.match(
    (shown.params as { message: string }).message,
    /gopls v0\.3\.0 needs Go 1\.99; the local Go is go1\.\d+/,
  );
  assert.equal(go.installs(), 1);
});

test("an installed gopls is reused: no go install, and a warm start runs no subprocess at all", async (t) => {
  const home = tempDir(t);
  const go = countingGo(tempDir(t));
  const e = env(t, home, go.path);
  const first = await session(t, e);
  assert.equal(await serverVersion(first), "v0.2.0");
  first.notify("exit");
  await first.exited;
  const callsAfterCold = go.calls().length;
  const warm = await session(t, e);
  assert.equal(await serverVersion(warm), "v0.2.0");
  assert.equal(
    go.calls().length,
    callsAfterCold,
    `warm start ran: ${go.calls().slice(callsAfterCold).join("; ")}`,
  );
  // Without the warm state (a new machine state, same install): verified, not rebuilt.
  fs.rmSync(path.join(home, "state"), { recursive: true });
  const cold = await session(t, e);
  assert.equal(await serverVersion(cold), "v0.2.0");
  assert.equal(go.installs(), 1);
});

test("a first install that takes long: initialize answered meanwhile, requests refused clearly, then gopls takes over", async (t) => {
  const home = tempDir(t);
  const go = countingGo(tempDir(t), 6); // go install sleeps 6 s first: a slow build
  // The answer at 2.5 s: after go's version queries (well under a second) even on a loaded
  // machine, so during the install, with its progress already begun on the token.
  const peer = await session(t, env(t, home, go.path, { GOPLS_GUARD_EARLY_ANSWER_MS: "2500" }));
  // An editor that lets the server create progress tokens (as VS Code and Neovim do).
  peer.onMessage = (m) => {
    if (m.method === "window/workDoneProgress/create") peer.send({ id: m.id, result: null });
  };
  const started = Date.now();
  const init = await peer.initialize(
    {
      workDoneToken: "init-token",
      capabilities: {
        general: { positionEncodings: ["utf-8", "utf-16"] },
        window: { workDoneProgress: true },
      },
    },
    10_000,
  );
  assert.ok(Date.now() - started < 6000, "answered before the install finished");
  const result = init.result as {
    serverInfo: { name: string; version: string };
    capabilities: { hoverProvider?: boolean; positionEncoding?: string };
  };
  assert.deepEqual(result.serverInfo, { name: "gopls-guard", version: "installing gopls" });
  assert.equal(result.capabilities.hoverProvider, true, "gopls's capabilities, announced ahead");
  assert.equal(result.capabilities.positionEncoding, "utf-16");
  // Progress on the initialize token ends before its answer; the rest goes on a token the guard
  // asks the editor to create.
  const answeredAt = peer.received.indexOf(init);
  const onToken = peer.received
    .map((m, i) => ({ m, i }))
    .filter(
      ({ m }) =>
        m.method === "$/progress" && (m.params as { token: string }).token === "init-token",
    );
  assert.ok(onToken.length >= 2, JSON.stringify(onToken));
  assert.ok(
    onToken.every(({ i }) => i < answeredAt),
    "no progress on the token after the answer",
  );
  const last = onToken.at(-1)?.m.params as { value?: { kind?: string } } | undefined;
  assert.equal(last?.value?.kind, "end");

  peer.notify("textDocument/didOpen", {
    textDocument: { uri: "file:///w/a.go", languageId: "go", version: 1, text: "package a\n" },
  });
  const early = await peer.call("textDocument/hover", {
    textDocument: { uri: "file:///w/a.go" },
    position: { line: 0, character: 0 },
  });
  assert.equal(early.error?.code, -32803);
  assert.match(early.error?.message ?? "", /gopls is not running \(it is being installed/);

  const create = await peer.waitFor(
    "a token",
    (m) => m.method === "window/workDoneProgress/create",
  );
  const token = (create.params as { token: string }).token;
  assert.ok(peer.received.indexOf(create) > answeredAt);
  await peer.waitFor(
    "gopls took over",
    (m) =>
      m.method === "window/logMessage" &&
      /^gopls-guard: gopls v0\.2\.0 was installed and is running; 1 open file handed to it/.test(
        (m.params as { message: string }).message,
      ),
    90_000,
  );
  const kinds = peer.received
    .filter((m) => m.method === "$/progress" && (m.params as { token: string }).token === token)
    .map((m) => (m.params as { value: { kind: string } }).value.kind);
  assert.equal(kinds[0], "begin");
  assert.equal(kinds.at(-1), "end");
  const hover = await peer.call("textDocument/hover", {
    textDocument: { uri: "file:///w/a.go" },
    position: { line: 0, character: 0 },
  });
  assert.equal(hover.error, undefined);
  const state = (await peer.call("standin/state")).result as {
    documents: Record<string, unknown>;
    initializes: number;
  };
  assert.deepEqual(Object.keys(state.documents), ["file:///w/a.go"]);
  assert.equal(state.initializes, 1);
  assert.equal(go.installs(), 1);
  // A crash later: the editor's initialize, answered long ago, is not answered again.
  await peer.call("standin/crash");
  await peer.waitFor("restarted", (m) => /\[gopls\.crash\]/.test(JSON.stringify(m.params ?? "")));
  assert.equal(
    peer.received.filter((m) => m.id === init.id && m.method === undefined).length,
    1,
    "one initialize answer",
  );
  assert.equal((await peer.call("shutdown")).result, null);
  peer.notify("exit");
  assert.equal((await peer.exited).code, 0);
});

test("a module proxy slow to answer go's queries: initialize answered meanwhile too", async (t) => {
  const slow = await startGoProxy([{ version: "v0.2.0", go: "1.21" }], { delayMs: 1500 });
  t.after(() => slow.close());
  const home = tempDir(t);
  const go = countingGo(tempDir(t));
  const peer = await session(
    t,
    env(t, home, go.path, { GOPROXY: slow.url, GOPLS_GUARD_EARLY_ANSWER_MS: "500" }),
  );
  const init = await peer.initialize({}, 10_000);
  assert.equal(
    (init.result as { serverInfo: { version: string } }).serverInfo.version,
    "installing gopls",
  );
  assert.equal(go.installs(), 0, "answered while go was still asking the proxy");
  const early = await peer.call("standin/echo", ["x"]);
  assert.match(early.error?.message ?? "", /it is being set up/);
  await peer.waitFor(
    "gopls took over",
    (m) =>
      /"gopls-guard: gopls v0\.2\.0 was installed and is running/.test(
        JSON.stringify(m.params ?? ""),
      ),
    90_000,
  );
  assert.deepEqual((await peer.call("standin/echo", ["x"])).result, ["x"]);
});

test("shutdown and exit while a long install runs: a clean exit, nothing started or announced after", async (t) => {
  const home = tempDir(t);
  const go = countingGo(tempDir(t), 4);
  const peer = await session(t, env(t, home, go.path, { GOPLS_GUARD_EARLY_ANSWER_MS: "300" }));
  await peer.initialize({}, 10_000);
  // On a loaded machine go's queries can outlast the early answer: shut down once go install runs.
  await waitUntil("go install has started", () => go.installs() >= 1, 30_000);
  const shutdown = await peer.call("shutdown");
  assert.equal(shutdown.result, null);
  const after = peer.received.length;
  peer.notify("exit");
  assert.equal((await peer.exited).code, 0);
  assert.deepEqual(peer.received.slice(after), []);
  // Nothing the guard started (go install, its compiler) lives on.
  await waitUntil("the install's processes gone", () => pidsWithEnv(home).length === 0, 10_000);
});

test("install.concurrent: 8 guards started at once on an empty home: one go install, 8 working sessions", async (t) => {
  const home = tempDir(t);
  const go = countingGo(tempDir(t));
  const e = env(t, home, go.path);
  const peers = await Promise.all(Array.from({ length: 8 }, () => session(t, e)));
  const versions = await Promise.all(peers.map((p) => serverVersion(p)));
  assert.deepEqual(versions, Array(8).fill("v0.2.0"));
  assert.equal(go.installs(), 1);
  const waited = peers.filter((p) =>
    p.received.some((m) =>
      /waiting for another install of gopls v0\.2\.0, started by pid \d+/.test(
        JSON.stringify(m.params ?? ""),
      ),
    ),
  );
  assert.ok(waited.length >= 1, "someone was told they are waiting");
  for (const p of peers) assert.equal((await p.call("standin/echo", [1])).error, undefined);
});

test("install.interrupted: an installer SIGKILLed midway: the next start takes over the stale lock and installs", async (t) => {
  const home = tempDir(t);
  const slow = countingGo(tempDir(t), 30);
  const victim = await session(t, env(t, home, slow.path));
  victim.request("initialize", { processId: process.pid, capabilities: {} });
  await waitUntil("go install has started", () => slow.installs() === 1, 90_000);
  const root = path.join(home, "gopls");
  assert.ok(fs.existsSync(path.join(root, ".install.lock")));
  // The whole process tree dies at once (the machine slept and the editor was killed).
  const tree = (pid: number): number[] => [pid, ...childrenOf(pid).flatMap(tree)];
  for (const pid of tree(victim.pid)) process.kill(pid, "SIGKILL");
  const go = countingGo(tempDir(t));
  const next = await session(t, env(t, home, go.path));
  assert.equal(await serverVersion(next), "v0.2.0");
  assert.equal(go.installs(), 1);
  assert.deepEqual(
    fs.readdirSync(root).filter((d) => d.startsWith(".stage-") || d.startsWith(".trash-")),
    [],
  );
});

test("a file at the gopls path that is not gopls is never run, and is replaced", async (t) => {
  const home = tempDir(t);
  const go = countingGo(tempDir(t));
  const e = env(t, home, go.path);
  const { stdout } = await run(GUARD, ["install"], { env: e });
  const installed = stdout.trim().split("\n").at(-1) as string;
  const marker = path.join(tempDir(t), "ran");
  fs.rmSync(path.join(home, "state"), { recursive: true });
  fs.writeFileSync(installed, `#!/bin/sh\ntouch ${marker}\n`, { mode: 0o755 });
  const peer = await session(t, e);
  assert.equal(await serverVersion(peer), "v0.2.0");
  assert.equal(fs.existsSync(marker), false);
  const logs = peer.received.map((m) => JSON.stringify(m.params ?? ""));
  assert.ok(
    logs.some((l) => l.includes("[gopls.not_gopls]")),
    logs.join("\n"),
  );
  assert.equal(go.installs(), 2);
});

test("the proxy unreachable: the newest compatible gopls already installed runs, with a warning", async (t) => {
  const home = tempDir(t);
  const go = countingGo(tempDir(t));
  const { stdout } = await run(GUARD, ["install", "--version", "v0.1.0"], {
    env: env(t, home, go.path),
  });
  assert.match(stdout, /gopls-v0\.1\.0-go/);
  const closed = await startGoProxy([]);
  await closed.close();
  const peer = await session(t, env(t, home, go.path, { GOPROXY: closed.url }));
  assert.equal(await serverVersion(peer), "v0.1.0");
  // The whole text (the pop-up is its first sentence): in the log.
  const warning = peer.received.find(
    (m) => m.method === "window/logMessage" && (m.params as { type: number }).type === 2,
  );
  assert.match(
    (warning?.params as { message: string } | undefined)?.message ?? "",
    /\[proxy\.unreachable\] The module proxy http:\/\/127\.0\.0\.1:\d+ cannot be reached\. Using the installed gopls v0\.1\.0 meanwhile\..*connection refused/,
  );
  assert.equal(go.installs(), 1);
});

test("`install` prints the path last; `which` prints it without installing, or exits 1", async (t) => {
  const home = tempDir(t);
  const go = countingGo(tempDir(t));
  const e = env(t, home, go.path);
  const none = await run(GUARD, ["which"], { env: e }).catch(
    (error: { code: number; stderr: string }) => error,
  );
  assert.equal((none as { code: number }).code, 1);
  assert.match(
    (none as { stderr: string }).stderr,
    /\[gopls\.missing\] gopls v0\.2\.0 is not installed yet/,
  );
  assert.equal(go.installs(), 0);
  const installed = await run(GUARD, ["install", "--version", "v0.1.0"], {
    env: e,
  });
  const lines = installed.stdout.trim().split("\n");
  assert.equal(lines.length, 1);
  assert.match(lines[0] as string, /gopls-v0\.1\.0-go1\.\d+\/gopls$/);
  assert.match(installed.stderr, /downloading|building/);
  const which = await run(GUARD, ["which"], {
    env: { ...e, GOPLS_GUARD_GOPLS_VERSION: "v0.1.0" },
  });
  assert.equal(which.stdout.trim(), lines[0]);
  const version = await run(lines[0] as string, ["version"]);
  assert.equal(version.stdout.trim(), "golang.org/x/tools/gopls v0.1.0");
});

test("a full disk during the build: fs.no_space, and nothing partial at the final path", {
  skip: process.getuid?.() !== 0 ? "needs root for a private mount namespace" : false,
}, async (t) => {
  const home = tempDir(t);
  const tiny = path.join(tempDir(t), "tiny");
  fs.mkdirSync(tiny);
  const go = countingGo(tempDir(t));
  const e = env(t, home, go.path, { GOPLS_GUARD_INSTALL_DIR: tiny });
  // A 1 MiB tmpfs in a private mount namespace: the staging directory lives on it, the binary does not fit.
  const r = await run(
    "unshare",
    [
      "-m",
      "sh",
      "-c",
      `mount -t tmpfs -o size=1m tmpfs "${tiny}" && "${GUARD}" install; rc=$?; ls -A "${tiny}"; exit $rc`,
    ],
    { env: e },
  ).catch((error: { code: number; stdout: string; stderr: string }) => error);
  const out = r as { code?: number; stdout: string; stderr: string };
  assert.equal(out.code, 1, out.stderr);
  assert.match(out.stderr, /\[fs\.no_space\] The disk filled up while go was building gopls/);
  assert.match(out.stderr, /`go clean -cache`/);
  // What stayed on the tmpfs: the lock's own files at most, never a gopls-* directory or a staging one.
  assert.doesNotMatch(out.stdout, /gopls-v|\.stage-/);
});

test("a read-only GOCACHE and GOMODCACHE (bind mounts): built with private caches, and said so", {
  skip: process.getuid?.() !== 0 ? "needs root for a private mount namespace" : false,
}, async (t) => {
  const home = tempDir(t);
  const caches = tempDir(t);
  const gocache = path.join(caches, "gocache");
  const modcache = path.join(caches, "modcache");
  fs.mkdirSync(gocache);
  fs.mkdirSync(modcache);
  const go = countingGo(tempDir(t));
  const e = env(t, home, go.path, { GOCACHE: gocache, GOMODCACHE: modcache });
  const script = `mount --bind -o ro "${gocache}" "${gocache}" && mount --bind -o ro "${modcache}" "${modcache}" && exec "${GUARD}" install`;
  const r = await run("unshare", ["-m", "sh", "-c", script], { env: e }).catch(
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  const out = r as { code?: number; stdout: string; stderr: string };
  assert.equal(out.code ?? 0, 0, out.stderr);
  assert.match(out.stdout.trim(), /gopls-v0\.2\.0-go1\.\d+\/gopls$/);
  assert.match(
    out.stderr,
    /\[fs\.cache_unwritable\] GOCACHE \(.*gocache\) cannot be written, so this gopls build uses a private GOCACHE; your setting is unchanged\..*EROFS/,
  );
  assert.match(out.stderr, /\[fs\.cache_unwritable\] GOMODCACHE/);
  assert.deepEqual(fs.readdirSync(gocache), []);
});

test("the checksum database unreachable while the proxy works: sumdb.unreachable, with the real fixes", async (t) => {
  const home = tempDir(t);
  const go = countingGo(tempDir(t));
  const closed = await startGoProxy([]);
  await closed.close();
  // The real sum.golang.org key, served from a port nobody listens on.
  const e = env(t, home, go.path, {
    GONOSUMDB: "",
    GOSUMDB: `sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8 ${closed.url}`,
  });
  const r = await run(GUARD, ["install", "--version", "v0.1.0"], { env: e }).catch(
    (error: { code: number; stderr: string }) => error,
  );
  assert.equal((r as { code?: number }).code, 1);
  const stderr = (r as { stderr: string }).stderr;
  assert.match(stderr, /\[sumdb\.unreachable\] The checksum database cannot be reached/);
  assert.match(stderr, /GOSUMDB=sum\.golang\.google\.cn/);
  assert.doesNotMatch(stderr, /GOSUMDB=off`/);
});

test("a module that differs from what the checksum database vouches for: sumdb.mismatch, no retry, nothing installed", async (t) => {
  // The database learns v0.1.0 from the honest proxy; the proxy the user has serves an altered zip.
  const db = await startSumDB(proxy.url);
  t.after(() => db.close());
  const tampering = await startGoProxy([{ version: "v0.1.0", go: "1.21" }], { tamper: ["v0.1.0"] });
  t.after(() => tampering.close());
  // go remembers each database's tree in GOPATH/pkg/sumdb: a GOPATH of the test's own.
  const sumdbEnv = {
    GONOSUMDB: "",
    GOSUMDB: db.gosumdb,
    GOPLS_GUARD_GOPLS_VERSION: "v0.1.0",
    GOPATH: tempDir(t),
  };

  // The control: the same database accepts what the honest proxy serves, here through a
  // proxy that also serves the database, as go finds it when GOSUMDB has no URL.
  const proxying = await startGoProxy([{ version: "v0.1.0", go: "1.21" }], { sumdb: db.url });
  t.after(() => proxying.close());
  const honestHome = tempDir(t);
  const ok = await run(GUARD, ["install"], {
    env: env(t, honestHome, countingGo(tempDir(t)).path, {
      ...sumdbEnv,
      GOPROXY: proxying.url,
      GOSUMDB: db.key,
    }),
  });
  assert.ok(proxying.requests.some((r) => r.startsWith("/sumdb/") && r.includes("/lookup/")));
  assert.match(ok.stdout, /gopls-v0\.1\.0-go/);

  const home = tempDir(t);
  const go = countingGo(tempDir(t));
  const e = env(t, home, go.path, { ...sumdbEnv, GOPROXY: tampering.url });
  const peer = await session(t, e);
  const init = await peer.initialize({}, 90_000);
  assert.equal((init.result as { serverInfo: { name: string } }).serverInfo.name, "gopls-guard");
  const shown = peer.logMessages().find((m) => m.includes("[sumdb.mismatch]")) ?? "";
  assert.match(shown, /does not match the checksum database/);
  assert.match(shown, /go clean -modcache/);
  assert.doesNotMatch(shown, /GOSUMDB=off|GONOSUMDB=|GOFLAGS=-insecure/);
  assert.equal(go.installs(), 1, "a mismatch is never retried");
  const installed = path.join(home, "gopls");
  const leftovers = fs.existsSync(installed)
    ? fs.readdirSync(installed, { recursive: true }).map(String)
    : [];
  assert.ok(!leftovers.some((f) => path.basename(f) === "gopls"), leftovers.join(", "));

  // A database that is not the one GOSUMDB's key names (another's key, this one's URL).
  const other = await startSumDB(proxy.url);
  t.after(() => other.close());
  const impostor = `${other.gosumdb.split(" ")[0]} ${db.gosumdb.split(" ")[1]}`;
  const r = await run(GUARD, ["install"], {
    env: env(t, tempDir(t), go.path, { ...sumdbEnv, GOSUMDB: impostor, GOPATH: tempDir(t) }),
  }).catch((error: { code: number; stderr: string }) => error);
  assert.equal((r as { code?: number }).code, 1);
  assert.match(
    (r as { stderr: string }).stderr,
    /\[sumdb\.mismatch\] The checksum database's answer does not verify/,
  );
  assert.doesNotMatch((r as { stderr: string }).stderr, /GOSUMDB=off`/);
});

test("GOTOOLCHAIN=auto in the user's environment never triggers a hidden toolchain download", async (t) => {
  const home = tempDir(t);
  const go = countingGo(tempDir(t));
  const e = env(t, home, go.path, { GOTOOLCHAIN: "auto", GOPLS_GUARD_GOPLS_VERSION: "v0.3.0" });
  const r = await run(GUARD, ["install"], { env: e }).catch(
    (error: { code: number; stderr: string }) => error,
  );
  assert.equal((r as { code?: number }).code, 1);
  assert.match(
    (r as { stderr: string }).stderr,
    /\[go\.too_old\] gopls v0\.3\.0 needs Go 1\.99; the local Go is go1\./,
  );
  assert.equal(go.installs(), 0);
  assert.doesNotMatch(go.calls().join("\n"), /toolchain/);
});

test("GOFLAGS=-modfile=… (the user's, for their own module): the guard's own go commands drop it, and the first install works", async (t) => {
  const home = tempDir(t);
  const go = countingGo(tempDir(t));
  const modfile = path.join(tempDir(t), "alt.mod");
  fs.writeFileSync(modfile, "module example.com/alt\n\ngo 1.21\n");
  const r = await run(GUARD, ["install"], {
    env: env(t, home, go.path, { GOFLAGS: `-modcacherw -modfile=${modfile}` }),
  }).catch((e: { code: number; stdout: string; stderr: string }) => e);
  assert.equal((r as { code?: number }).code ?? 0, 0, r.stderr);
  assert.match(r.stdout.trim(), /gopls-v0\.2\.0-go1\.\d+\/gopls$/);
  assert.doesNotMatch(r.stderr, /-modfile cannot be used/);
});

test("an installer whose lock is taken from it midway stops: it kills its go install, installs nothing, and leaves the new holder's lock alone", async (t) => {
  const home = tempDir(t);
  // go sleeps 5 s before it builds: the lock is lost while it runs.
  const go = countingGo(tempDir(t), 5);
  const child = execFile(process.execPath, [GUARD, "install"], { env: env(t, home, go.path) });
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    let stderr = "";
    child.stderr?.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("exit", (code) => resolve({ code, stderr }));
  });
  t.after(() => child.kill("SIGKILL"));
  const root = path.join(home, "gopls");
  const lock = path.join(root, ".install.lock");
  await waitUntil("the installer holds the lock and runs go install", () => go.installs() === 1);
  // Another guard judged it stale and took it: the old lock dir gone, a new one in its place.
  fs.rmSync(lock, { recursive: true, force: true });
  fs.mkdirSync(lock);
  const { code, stderr } = await exited;
  assert.equal(code, 1, stderr);
  assert.match(stderr, /\[install\.concurrent\] The install lost its lock/);
  assert.ok(fs.existsSync(lock), "the new holder's lock is left alone");
  assert.deepEqual(
    fs.readdirSync(root).filter((n) => n.startsWith("gopls-v")),
    [],
    "nothing installed by a holder without the lock",
  );
});

test("a gopls whose build was removed while it ran is restarted from a build that exists, not given up on", async (t) => {
  const home = tempDir(t);
  const go = countingGo(tempDir(t));
  const peer = await session(t, env(t, home, go.path));
  assert.equal(await serverVersion(peer), "v0.2.0");
  peer.notify("textDocument/didOpen", {
    textDocument: { uri: "file:///w/a.go", languageId: "go", version: 1, text: "package a\n" },
  });
  // Another user's cleanup (or a package manager) removes the build under the running gopls.
  const root = path.join(home, "gopls");
  for (const d of fs.readdirSync(root).filter((n) => n.startsWith("gopls-v")))
    fs.rmSync(path.join(root, d), { recursive: true, force: true });
  peer.notify("standin/crash");
  // Asked until answered: a request gopls took as it died is answered ContentModified.
  let echo: unknown;
  for (let i = 0; i < 5 && echo === undefined; i++)
    echo = (await peer.call("standin/echo", ["back"], 120_000)).result;
  assert.deepEqual(echo, ["back"]);
  assert.ok(!peer.received.some((m) => /not restarted again|ENOENT/.test(JSON.stringify(m))));
  assert.equal(go.installs(), 2, "built again");
  assert.equal((await peer.call("shutdown")).result, null);
});

test("one holder at a time, always: a holder SIGKILLed inside the lock, then two installers at once (one slowed), over several rounds", {
  timeout: 150_000,
}, async (t) => {
  const dir = tempDir(t);
  const log = path.join(dir, "builds.log");
  // A go whose installs log when they start and end (the build is what must never overlap).
  const go = path.join(dir, "go");
  fs.writeFileSync(
    go,
    `#!/bin/sh\nif [ "$1" = install ]; then echo "start $$" >> ${log}; sleep 3; "${REAL_GO}" "$@"; rc=$?; echo "end $$" >> ${log}; exit $rc; fi\nexec "${REAL_GO}" "$@"\n`,
    { mode: 0o755 },
  );
  const stderr = "";
  const spawnInstall = (e: NodeJS.ProcessEnv, slow = false) => {
    const argv = slow ? ["-n", "19", process.execPath, GUARD, "install"] : [GUARD, "install"];
    const child = spawn(slow ? "nice" : process.execPath, argv, {
      env: e,
      detached: true,
      stdio: "ignore",
    });
    t.after(() => {
      try {
        process.kill(-(child.pid as number), "SIGKILL");
      } catch {}
    });
    return child;
  };
  for (let round = 0; round < 4; round++) {
    fs.writeFileSync(log, "");
    const home = tempDir(t);
    const e = env(t, home, go, { GOPLS_GUARD_LOCK_STALE_MS: "2000" });
    const holder = spawnInstall(e);
    await waitUntil(
      "the holder builds",
      () => fs.readFileSync(log, "utf8").includes("start"),
      60_000,
    );
    process.kill(-(holder.pid as number), "SIGKILL");
    // Killed inside the lock, mid-build (go sleeps 3 s before it builds).
    assert.doesNotMatch(fs.readFileSync(log, "utf8"), /end/, `round ${round}: the holder finished`);
    fs.writeFileSync(log, "");
    const waiters = [spawnInstall(e), spawnInstall(e, true)];
    await Promise.all(waiters.map((w) => new Promise((r) => w.on("exit", r))));
    // Every build started after the one before it ended: never two holders at once.
    const events = fs.readFileSync(log, "utf8").trim().split("\n").filter(Boolean);
    let running = 0;
    for (const ev of events) {
      running += ev.startsWith("start") ? 1 : -1;
      assert.ok(running <= 1, `round ${round}: two builds at once: ${events.join(", ")}`);
    }
    assert.equal(events.filter((ev) => ev.startsWith("start")).length, 1, `${events} ${stderr}`);
    const builds = fs.readdirSync(path.join(home, "gopls")).filter((n) => n.startsWith("gopls-v"));
    assert.equal(builds.length, 1);
  }
});
