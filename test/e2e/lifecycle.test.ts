// The guard's lifecycle against the stand-in gopls: every way a session ends leaves no gopls
// behind, with the exit code LSP asks for.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { realGopls, standinGopls, tempDir } from "../helpers/env.js";
import { guardEnv, orderlySession, Peer } from "../helpers/peer.js";
import { waitGone, waitUntil } from "../helpers/procs.js";

function start(t: Parameters<typeof tempDir>[0], extra: NodeJS.ProcessEnv = {}): Peer {
  const peer = new Peer([], guardEnv(tempDir(t), { GOPLS_GUARD_GOPLS: standinGopls(), ...extra }));
  t.after(() => peer.kill());
  return peer;
}

test("shutdown then exit: exit code 0, gopls gone, and the session logged to a file", async (t) => {
  const home = tempDir(t);
  const peer = new Peer([], guardEnv(home, { GOPLS_GUARD_GOPLS: standinGopls() }));
  t.after(() => peer.kill());
  const gopls = await orderlySession(peer);
  assert.deepEqual(peer.stdoutErrors, []);
  const logs = fs.readdirSync(path.join(home, "logs"));
  assert.equal(logs.length, 1);
  const events = fs
    .readFileSync(path.join(home, "logs", logs[0] as string), "utf8")
    .trim()
    .split("\n")
    .map(
      (l) =>
        JSON.parse(l) as {
          event?: string;
          exitCode?: number;
          goplsPid?: number;
          from?: string;
          to?: string;
        },
    );
  // Every state change is logged, from → to.
  assert.deepEqual(
    events.map((e) => (e.event === "session.state" ? `${e.from}→${e.to}` : e.event)),
    [
      "session.start",
      "gopls.start",
      "starting→running",
      "gopls.initialized",
      "running→ending",
      "session.end",
    ],
  );
  assert.equal(events[1]?.goplsPid, gopls);
  assert.equal(events[5]?.exitCode, 0);
});

test("exit without shutdown: exit code 1 and gopls gone", async (t) => {
  const peer = start(t);
  await peer.initialize();
  const gopls = await peer.goplsPid();
  peer.notify("exit");
  assert.deepEqual(await peer.exited, { code: 1, signal: null });
  await waitGone(gopls);
});

test("the editor closing stdin ends gopls and the guard", async (t) => {
  const peer = start(t);
  await peer.initialize();
  const gopls = await peer.goplsPid();
  peer.child.stdin.end();
  assert.equal((await peer.exited).code, 1);
  await waitGone(gopls);
});

for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
  test(`${signal} to the guard ends gopls too`, async (t) => {
    const peer = start(t);
    await peer.initialize();
    const gopls = await peer.goplsPid();
    peer.child.kill(signal);
    assert.equal((await peer.exited).code, 1);
    await waitGone(gopls);
  });
}

test("SIGKILL of the guard: gopls sees EOF and goes", async (t) => {
  const peer = start(t);
  await peer.initialize();
  const gopls = await peer.goplsPid();
  peer.child.kill("SIGKILL");
  await peer.exited;
  await waitGone(gopls);
});

test("the editor's processId dying ends the session even with stdin still open", async (t) => {
  const editor = spawn("sleep", ["60"]);
  t.after(() => editor.kill("SIGKILL"));
  const peer = start(t);
  await peer.initialize({ processId: editor.pid });
  const gopls = await peer.goplsPid();
  editor.kill("SIGKILL");
  assert.equal((await peer.exited).code, 1);
  await waitGone(gopls);
  assert.equal(peer.child.stdin.writableEnded, false, "the test never closed stdin");
});

test("server-to-client requests pass through and the editor's reply reaches gopls", async (t) => {
  const peer = start(t);
  await peer.initialize();
  assert.equal((await peer.call("standin/ask")).result, "asked");
  const ask = await peer.waitFor(
    "showMessageRequest from gopls",
    (m) => m.method === "window/showMessageRequest",
  );
  assert.equal(ask.id, 1);
  peer.send({ id: 1, result: { title: "A" } });
  // The stand-in ignores responses; the session must stay healthy afterwards.
  assert.deepEqual((await peer.call("standin/echo", { after: true })).result, { after: true });
});

const malformed: Array<[string, string | Buffer, RegExp, string]> = [
  ["a bad header", "Content-Lenght: 10\r\n\r\n{}", /no Content-Length/, "lsp.malformed_frame"],
  [
    "an absurd Content-Length",
    "Content-Length: 99999999999\r\n\r\n",
    /exceeds the cap/,
    "lsp.message_too_large",
  ],
  ["invalid JSON", 'Content-Length: 10\r\n\r\n{"id":1,}}', /invalid JSON/, "lsp.malformed_message"],
  [
    "a batch",
    'Content-Length: 28\r\n\r\n[{"jsonrpc":"2.0","id":1}]  ',
    /batches/,
    "lsp.malformed_message",
  ],
];
for (const [name, bytes, reason, id] of malformed) {
  test(`${name} from the editor: clear error, nothing forwarded, gopls stopped, exit non-zero`, async (t) => {
    const peer = start(t);
    await peer.initialize();
    const gopls = await peer.goplsPid();
    const hanging = peer.request("standin/hang");
    peer.sendRaw(bytes);
    const shown = await peer.waitFor("error message", (m) => m.method === "window/logMessage");
    assert.match(
      (shown.params as { message: string }).message,
      new RegExp(`\\[${id.replace(".", "\\.")}\\]`),
    );
    assert.match((shown.params as { message: string }).message, reason);
    assert.equal((await peer.response(hanging)).error?.code, -32803);
    assert.equal((await peer.exited).code, 1);
    await waitGone(gopls);
    assert.doesNotMatch(peer.stderr, /stand-in: bad/);
  });
}

test("garbage from gopls is not passed to the editor", async (t) => {
  const peer = start(t);
  await peer.initialize();
  peer.notify("standin/garbage");
  const shown = await peer.waitFor("error message", (m) => m.method === "window/showMessage");
  assert.match((shown.params as { message: string }).message, /from gopls that is not valid LSP/);
  assert.equal((await peer.exited).code, 1);
  assert.deepEqual(peer.stdoutErrors, []);
});

test("a broken setting is reported before initialize is answered, and the session still works", async (t) => {
  const peer = start(t, { GOPLS_GUARD_LOG_LEVEL: "loud" });
  await peer.initialize();
  const first = peer.received[0];
  assert.equal(first?.method, "window/logMessage");
  assert.match(
    (first?.params as { message: string } | undefined)?.message ?? "",
    /\[config\.invalid\].*GOPLS_GUARD_LOG_LEVEL: loud/,
  );
  assert.deepEqual((await peer.call("standin/echo", [1, "é"])).result, [1, "é"]);
});

test("an editor that writes `content-length:` (header names are case-insensitive): the real gopls gets a canonical frame and answers", async (t) => {
  const peer = new Peer([], guardEnv(tempDir(t), { GOPLS_GUARD_GOPLS: realGopls() }));
  t.after(() => peer.kill());
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id: 100,
    method: "initialize",
    params: { processId: process.pid, rootUri: null, capabilities: {} },
  });
  peer.sendRaw(`content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  const init = await peer.response(100, 30_000);
  assert.ok((init.result as { capabilities?: object }).capabilities, JSON.stringify(init));
  peer.notify("initialized", {});
  assert.equal((await peer.call("shutdown")).result, null);
  peer.notify("exit");
  assert.equal((await peer.exited).code, 0);
  assert.ok(!peer.received.some((m) => JSON.stringify(m).includes("gopls.crash")));
});

test("initialize then shutdown at once on a cold start: both answered before gopls could start, and exit is 0", async (t) => {
  // go answers slowly (a loaded machine, a network file system): the start is still resolving.
  const dir = tempDir(t);
  const go = path.join(dir, "go");
  fs.writeFileSync(go, '#!/bin/sh\nsleep 3\nexec /usr/local/go/bin/go "$@"\n', { mode: 0o755 });
  const peer = new Peer(
    [],
    guardEnv(tempDir(t), { GOPLS_GUARD_GOPLS: standinGopls(), GOPLS_GUARD_GO: go }),
  );
  t.after(() => peer.kill());
  const started = Date.now();
  const init = peer.request("initialize", {
    processId: process.pid,
    rootUri: null,
    capabilities: {},
  });
  const shutdown = peer.request("shutdown");
  const [a, b] = await Promise.all([peer.response(init, 2500), peer.response(shutdown, 2500)]);
  assert.ok(Date.now() - started < 2500);
  assert.equal((a.result as { serverInfo: { name: string } }).serverInfo.name, "gopls-guard");
  assert.equal(b.result, null);
  peer.notify("exit");
  assert.equal((await peer.exited).code, 0);
});

test("the log's writer (pino, 15–25 ms of CPU) loads once the editor pauses, not during its first burst of requests", async (t) => {
  const home = tempDir(t);
  const peer = new Peer([], guardEnv(home, { GOPLS_GUARD_GOPLS: standinGopls() }));
  t.after(() => peer.kill());
  await peer.initialize();
  const written = () => {
    const dir = path.join(home, "logs");
    return (
      fs.existsSync(dir) && fs.readdirSync(dir).some((f) => fs.statSync(path.join(dir, f)).size > 0)
    );
  };
  // A request every 40 ms for 2.5 s: the editor never pauses for 200 ms.
  const until = Date.now() + 2500;
  while (Date.now() < until) {
    await peer.call("textDocument/hover", { burst: true });
    await new Promise((r) => setTimeout(r, 40));
  }
  assert.equal(written(), false, "the log was written during the burst");
  await waitUntil("the log written once the editor paused", written, 5000);
  await peer.call("shutdown");
  peer.notify("exit");
  assert.deepEqual(await peer.exited, { code: 0, signal: null });
});
