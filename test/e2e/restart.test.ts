// gopls crashing mid-session: in-flight requests get errors, a new gopls is brought to the dead
// one's state (initialize, configuration, every open document with its unsaved text), the
// editor's registrations are not duplicated, and after too many crashes the session degrades.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { standinGopls, tempDir } from "../helpers/env.js";
import { guardEnv, type Json, Peer } from "../helpers/peer.js";
import { waitGone, waitUntil } from "../helpers/procs.js";

type T = Parameters<typeof tempDir>[0];

function start(t: T, extra: NodeJS.ProcessEnv = {}): Peer {
  const peer = new Peer(
    [],
    guardEnv(tempDir(t), {
      GOPLS_GUARD_GOPLS: standinGopls(),
      GOPLS_GUARD_RESTART_BACKOFF_MS: "50",
      ...extra,
    }),
  );
  t.after(() => peer.kill());
  return peer;
}

interface StandinState {
  documents: Record<string, { version: number; text: string }>;
  initializes: number;
  pid: number;
}

async function state(peer: Peer): Promise<StandinState> {
  return (await peer.call("standin/state")).result as StandinState;
}

const uri = "file:///work/a.go";
const messages = (peer: Peer, type: number) =>
  peer.received
    .filter(
      (m) => m.method === "window/showMessage" && (m.params as { type: number }).type === type,
    )
    .map((m) => (m.params as { message: string }).message);

test("a crash is survived: in-flight requests get ContentModified, open documents come back with their unsaved text", async (t) => {
  const peer = start(t);
  await peer.initialize();
  peer.notify("workspace/didChangeConfiguration", { settings: { gopls: { staticcheck: true } } });
  peer.notify("textDocument/didOpen", {
    textDocument: { uri, languageId: "go", version: 1, text: "package a\n\nfunc f() {}\n" },
  });
  peer.notify("textDocument/didOpen", {
    textDocument: { uri: "file:///work/b.go", languageId: "go", version: 1, text: "package a\n" },
  });
  // Incremental edits in UTF-16 positions, across a multi-byte rune: an emoji is two UTF-16 units.
  peer.notify("textDocument/didChange", {
    textDocument: { uri, version: 2 },
    contentChanges: [
      {
        range: { start: { line: 2, character: 10 }, end: { line: 2, character: 10 } },
        text: ' println("🚀") ',
      },
    ],
  });
  peer.notify("textDocument/didChange", {
    textDocument: { uri, version: 3 },
    contentChanges: [
      { range: { start: { line: 2, character: 22 }, end: { line: 2, character: 22 } }, text: "!" },
      {
        range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } },
        text: "\nfunc g() { f() }\n",
      },
    ],
  });
  peer.notify("textDocument/didClose", { textDocument: { uri: "file:///work/b.go" } });
  const before = await state(peer);
  const hanging = peer.request("standin/hang");
  peer.notify("standin/crash");
  const interrupted = await peer.response(hanging);
  assert.equal(interrupted.error?.code, -32801);
  assert.match(
    interrupted.error?.message ?? "",
    /standin\/hang was interrupted: gopls exited with code 3 and is being restarted/,
  );
  // The whole text, evidence included, is in the log; the pop-up is its first sentence.
  const told = await peer.waitFor(
    "restart message",
    (m) =>
      m.method === "window/logMessage" &&
      /was restarted/.test((m.params as { message: string }).message),
  );
  assert.match(
    (told.params as { message: string }).message,
    /\[gopls\.crash\] gopls exited with code 3 and was restarted \(its 1st crash in 3 minutes; after 5 it is not restarted\); 1 open file restored\..*log: .*\.log.*stderr: panic: stand-in crashing on request/,
  );
  assert.equal((told.params as { type: number }).type, 2);
  const after = await state(peer);
  assert.notEqual(after.pid, before.pid);
  assert.equal(after.initializes, 1);
  assert.deepEqual(Object.keys(after.documents), [uri]);
  assert.deepEqual(after.documents[uri], {
    version: 3,
    text: 'package a\n\nfunc f() { println("🚀!") }\n\nfunc g() { f() }\n',
  });
  assert.deepEqual((await peer.call("standin/echo", { still: "alive" })).result, {
    still: "alive",
  });
  assert.deepEqual(messages(peer, 1), [], "no error shown");
});

test("requests sent while gopls restarts are answered by the new gopls", async (t) => {
  const peer = start(t, { GOPLS_GUARD_RESTART_BACKOFF_MS: "400" });
  await peer.initialize();
  peer.notify("standin/crash");
  await peer.waitFor("first restart", (m) => /was restarted/.test(JSON.stringify(m.params ?? "")));
  // The second crash waits 400 ms before restarting: a request sent meanwhile is held for the new gopls.
  const hanging = peer.request("standin/hang");
  peer.notify("standin/crash");
  assert.equal((await peer.response(hanging)).error?.code, -32801);
  const id = peer.request("standin/echo", ["queued"]);
  assert.deepEqual((await peer.response(id, 20_000)).result, ["queued"]);
  assert.equal((await state(peer)).initializes, 1);
});

test("registrations of the dead gopls are withdrawn, so the new gopls's are not duplicates", async (t) => {
  const peer = start(t, { STANDIN_REGISTER: "1" });
  await peer.initialize();
  const registered = await peer.waitFor(
    "registration",
    (m) => m.method === "client/registerCapability",
  );
  peer.send({ id: registered.id, result: null });
  peer.notify("standin/crash");
  await peer.waitFor("restart message", (m) =>
    /was restarted/.test(JSON.stringify(m.params ?? "")),
  );
  await waitUntil(
    "re-registration",
    () => peer.received.filter((m) => m.method === "client/registerCapability").length === 2,
  );
  const active = new Map<string, string>();
  for (const m of peer.received) {
    const p = m.params as {
      registrations?: Array<{ id: string; method: string }>;
      unregisterations?: Array<{ id: string }>;
    };
    if (m.method === "client/registerCapability")
      for (const r of p.registrations ?? []) {
        assert.equal(active.has(r.id), false, `${r.id} registered twice`);
        active.set(r.id, r.method);
      }
    if (m.method === "client/unregisterCapability")
      for (const r of p.unregisterations ?? []) active.delete(r.id);
  }
  assert.deepEqual([...active], [["watch-1", "workspace/didChangeWatchedFiles"]]);
  const unregister = peer.received.find((m) => m.method === "client/unregisterCapability") as Json;
  assert.match(String(unregister.id), /^gopls-guard#/);
  // The restarted gopls's own request ids cannot collide with the dead one's.
  const second = peer.received.filter((m) => m.method === "client/registerCapability")[1] as Json;
  assert.equal(typeof second.id, "string");
  assert.notEqual(second.id, registered.id);
});

test("a reply to a request of the dead gopls is dropped, not given to the new one", async (t) => {
  const peer = start(t);
  await peer.initialize();
  await peer.call("standin/ask");
  const ask = await peer.waitFor(
    "showMessageRequest",
    (m) => m.method === "window/showMessageRequest",
  );
  peer.notify("standin/crash");
  await peer.waitFor("restart message", (m) =>
    /was restarted/.test(JSON.stringify(m.params ?? "")),
  );
  peer.send({ id: ask.id, result: { title: "A" } });
  await peer.call("standin/ask");
  const asks = peer.received.filter((m) => m.method === "window/showMessageRequest");
  assert.equal(asks.length, 2);
  assert.match(String(asks[1]?.id), /^gopls#2:/);
  assert.doesNotMatch(peer.stderr, /stand-in: bad/);
  assert.deepEqual((await peer.call("standin/echo", 1)).result, 1);
});

test("after 5 restarts in 3 minutes the 6th crash leaves the session degraded: prompt errors, clean exit", async (t) => {
  const peer = start(t);
  await peer.initialize();
  for (let crash = 1; crash <= 5; crash++) {
    peer.notify("standin/crash");
    await waitUntil(
      `restart ${crash}`,
      () =>
        peer.received.filter(
          (m) =>
            m.method === "window/showMessage" && /was restarted/.test(JSON.stringify(m.params)),
        ).length === crash,
      10_000,
    );
  }
  const last = (await state(peer)).pid;
  peer.notify("standin/crash");
  const shown = await peer.waitFor(
    "degraded",
    (m) => m.method === "window/showMessageRequest" && (m.params as { type: number }).type === 1,
  );
  assert.match(
    (shown.params as { message: string }).message,
    /\[gopls\.crash\] gopls exited with code 3, its 6th crash in 3 minutes; it is not restarted again/,
  );
  await waitGone(last);
  const t0 = Date.now();
  const failed = await peer.call("textDocument/hover", {
    textDocument: { uri },
    position: { line: 0, character: 0 },
  });
  assert.equal(failed.error?.code, -32803);
  assert.match(failed.error?.message ?? "", /gopls is not running/);
  assert.ok(Date.now() - t0 < 1000);
  assert.equal((await peer.call("shutdown")).result, null);
  peer.notify("exit");
  assert.equal((await peer.exited).code, 0);
});

test("gopls.stalled: a gopls that stops halfway through a message is restarted, said once", async (t) => {
  const peer = new Peer(
    [],
    guardEnv(tempDir(t), { GOPLS_GUARD_GOPLS: standinGopls(), GOPLS_GUARD_FRAME_STALL_MS: "500" }),
  );
  t.after(() => peer.kill());
  await peer.initialize();
  peer.notify("textDocument/didOpen", {
    textDocument: { uri: "file:///w/a.go", languageId: "go", version: 1, text: "package a\n" },
  });
  const first = await peer.goplsPid();
  const stuck = peer.request("standin/stall");
  const interrupted = await peer.response(stuck, 10_000);
  assert.equal(interrupted.error?.code, -32801);
  const state = (await peer.call("standin/state")).result as { pid: number; documents: object };
  assert.notEqual(state.pid, first);
  assert.deepEqual(Object.keys(state.documents), ["file:///w/a.go"]);
  // Once: one pop-up, one whole text in the log.
  const said = peer.received.filter(
    (m) =>
      m.method === "window/logMessage" &&
      /\[gopls\.(stalled|crash)\]/.test(JSON.stringify(m.params ?? "")),
  );
  assert.equal(said.length, 1, JSON.stringify(said));
  assert.equal(
    peer.showMessages().filter((m) => /\[gopls\.(stalled|crash)\]/.test(m)).length,
    1,
    peer.showMessages().join("\n"),
  );
  assert.match(
    JSON.stringify(said[0]?.params),
    /\[gopls\.stalled\] gopls stopped writing halfway through a message \(\d+ of 100 bytes, nothing more for \d+ s\)/,
  );
});

test("gopls dying halfway through a large answer: no part of it reaches the editor, which stays in step", async (t) => {
  // The guard passes a frame on only once it is whole: half of a 1 MB answer is dropped with the
  // gopls that wrote it, the request is answered by the crash handling, and the editor never
  // reads a cut frame.
  const peer = start(t);
  await peer.initialize();
  peer.notify("textDocument/didOpen", {
    textDocument: { uri, languageId: "go", version: 1, text: "package a\n" },
  });
  const first = await peer.goplsPid();
  const cut = peer.request("standin/half");
  const interrupted = await peer.response(cut, 10_000);
  assert.equal(interrupted.error?.code, -32801);
  const after = await state(peer);
  assert.notEqual(after.pid, first);
  assert.deepEqual(Object.keys(after.documents), [uri]);
  assert.deepEqual((await peer.call("standin/echo", { still: "here" })).result, { still: "here" });
  assert.deepEqual(peer.stdoutErrors, []);
});

test("gopls dies before answering initialize: the editor's initialize is never interrupted; the restarted gopls answers it", async (t) => {
  const once = path.join(tempDir(t), "died-once");
  const peer = new Peer(
    [],
    guardEnv(tempDir(t), { GOPLS_GUARD_GOPLS: standinGopls(), STANDIN_DIE_AT_INIT: once }),
  );
  t.after(() => peer.kill());
  const init = await peer.initialize({}, 20_000);
  assert.equal(init.error, undefined, JSON.stringify(init.error));
  assert.equal((init.result as { serverInfo: { name: string } }).serverInfo.name, "gopls-standin");
  assert.ok(fs.existsSync(once), "the first gopls died");
  assert.deepEqual((await peer.call("standin/echo", ["ok"])).result, ["ok"]);
  assert.equal((await peer.call("shutdown")).result, null);
  peer.notify("exit");
  assert.equal((await peer.exited).code, 0);
});

test("gopls dies before answering initialize at every start: the editor gets the guard's answer, then clean shutdown", async (t) => {
  const peer = new Peer(
    [],
    guardEnv(tempDir(t), {
      GOPLS_GUARD_GOPLS: standinGopls(),
      STANDIN_DIE_AT_INIT: "always",
      GOPLS_GUARD_RESTART_BACKOFF_MS: "50",
    }),
  );
  t.after(() => peer.kill());
  const init = await peer.initialize({}, 60_000);
  assert.equal(init.error, undefined, JSON.stringify(init.error));
  assert.equal((init.result as { serverInfo: { name: string } }).serverInfo.name, "gopls-guard");
  assert.equal((await peer.call("shutdown")).result, null);
  peer.notify("exit");
  assert.equal((await peer.exited).code, 0);
});

test("after a restart, gopls's $/cancelRequest names its request by the id the editor was given", async (t) => {
  const peer = start(t);
  await peer.initialize();
  peer.notify("standin/crash");
  await peer.waitFor("restart message", (m) =>
    /was restarted/.test(JSON.stringify(m.params ?? "")),
  );
  await peer.call("standin/ask-and-cancel");
  const ask = await peer.waitFor("the request", (m) => m.method === "window/showMessageRequest");
  const cancel = await peer.waitFor("the cancel", (m) => m.method === "$/cancelRequest");
  assert.match(String(ask.id), /^gopls#2:/);
  assert.equal((cancel.params as { id: unknown }).id, ask.id);
});
