// The Session in process, over in-memory streams and a fake gopls: every state transition,
// and the races the end-to-end tests found (answers arriving mid-restart, shutdown during an
// install, Retry and adopted settings answered at once).

import assert from "node:assert/strict";
import { test } from "node:test";
import type { Result } from "../../src/findings.js";
import type { Located } from "../../src/gopls/launch.js";
import { fail, harness, later, located } from "../helpers/fake-session.js";

// A client that shows message requests with buttons (it declares window.showMessage).
const init = { processId: null, rootUri: null, capabilities: { window: { showMessage: {} } } };
const hover = { textDocument: { uri: "file:///w/a.go" }, position: { line: 0, character: 0 } };
const open = {
  textDocument: { uri: "file:///w/a.go", languageId: "go", version: 1, text: "package a\n" },
};

test("starting → running: initialize waits for gopls, then everything passes through", async (t) => {
  const h = harness(t);
  const reply = await h.response(h.request("initialize", init));
  assert.deepEqual((reply.result as { serverInfo: unknown }).serverInfo, { name: "fake" });
  h.send({ method: "initialized", params: {} });
  const r = await h.response(h.request("textDocument/hover", hover));
  assert.deepEqual(r.result, { echo: "textDocument/hover", pid: h.goplses[0]?.pid });
  assert.deepEqual(h.transitions(), ["starting→running"]);
  assert.equal(h.goplses.length, 1);
});

test("a crash: in-flight requests get ContentModified, a new gopls gets the session replayed, then the queue", async (t) => {
  const h = harness(t);
  await h.response(h.request("initialize", init));
  h.send({ method: "initialized", params: {} });
  h.send({ method: "textDocument/didOpen", params: open });
  const first = h.goplses[0];
  assert.ok(first);
  first.hold = true;
  const inFlight = h.request("textDocument/hover", hover);
  await new Promise((r) => setTimeout(r, 20));
  first.crash();
  const interrupted = await h.response(inFlight);
  assert.equal(interrupted.error?.code, -32801);
  // Sent while the new gopls is being replayed to: queued, then answered by it.
  const queued = h.request("textDocument/hover", hover);
  const answer = await h.response(queued);
  assert.equal((answer.result as { pid: number }).pid, h.goplses[1]?.pid);
  assert.deepEqual(h.goplses[1]?.methods(), [
    "initialize",
    "initialized",
    "textDocument/didOpen",
    "textDocument/hover",
  ]);
  // The replayed initialize's answer is the guard's, not the editor's.
  assert.equal(
    h.received.filter((m) => (m.result as { serverInfo?: unknown })?.serverInfo).length,
    1,
  );
  await h.waitFor("the user told", (m) =>
    /\[gopls\.crash\].*restarted \(its 1st crash in 3 minutes; after 5 it is not restarted\); 1 open file restored/.test(
      JSON.stringify(m.params ?? ""),
    ),
  );
  assert.deepEqual(h.transitions(), [
    "starting→running",
    "running→restarting{crash}",
    "restarting{crash}→running",
  ]);
});

test("an answer to the dead gopls's request arriving mid-restart is dropped, not given to the new one", async (t) => {
  const h = harness(t);
  await h.response(h.request("initialize", init));
  const first = h.goplses[0];
  assert.ok(first);
  first.emit({ id: 7, method: "workspace/configuration", params: { items: [{}] } });
  await h.waitFor("gopls's request", (m) => m.method === "workspace/configuration");
  first.crash();
  h.send({ id: 7, result: [{}] });
  await h.response(h.request("textDocument/hover", hover));
  assert.ok(!h.goplses[1]?.received.some((m) => m.id === 7 && m.method === undefined));
});

test("crashing too often: degraded{crashed-too-often}, requests refused at once, no more gopls", async (t) => {
  const h = harness(t, { restartPolicy: { maxRestarts: 1, windowMs: 60_000, backoffMs: [0] } });
  await h.response(h.request("initialize", init));
  h.goplses[0]?.crash();
  await h.waitFor("restarted", (m) =>
    /\[gopls\.crash\].*restarted/.test(JSON.stringify(m.params ?? "")),
  );
  h.goplses[1]?.crash();
  await h.waitFor("given up", (m) =>
    /\[gopls\.crash\].*not restarted again/.test(JSON.stringify(m.params ?? "")),
  );
  const refused = await h.response(h.request("textDocument/hover", hover));
  assert.match(refused.error?.message ?? "", /it kept crashing/);
  assert.equal(h.goplses.length, 2);
  assert.equal(h.transitions().at(-1), "running→degraded{crashed-too-often}");
});

test("a failed start: degraded{launch-failed}, initialize answered by the guard, Retry brings gopls", async (t) => {
  const h = harness(t, {
    resolve: async (_hooks, call) =>
      call === 1 ? fail({ id: "proxy.off" }) : { ok: true, value: located },
  });
  const reply = await h.response(h.request("initialize", init));
  assert.equal((reply.result as { serverInfo: { name: string } }).serverInfo.name, "gopls-guard");
  h.send({ method: "initialized", params: {} });
  h.send({ method: "textDocument/didOpen", params: open });
  const refused = await h.response(h.request("textDocument/hover", hover));
  assert.match(refused.error?.message ?? "", /it could not be started: proxy\.off/);
  const ask = await h.waitFor("Retry", (m) => m.method === "window/showMessageRequest");
  h.send({ id: ask.id, result: { title: "Retry" } });
  await h.waitFor("running again", (m) =>
    /gopls-guard: gopls .*is running now/.test(JSON.stringify(m.params ?? "")),
  );
  const r = await h.response(h.request("textDocument/hover", hover));
  assert.equal((r.result as { pid: number }).pid, h.goplses[0]?.pid);
  assert.deepEqual(h.goplses[0]?.methods().slice(0, 3), [
    "initialize",
    "initialized",
    "textDocument/didOpen",
  ]);
  assert.deepEqual(h.transitions(), [
    "starting→degraded{launch-failed: proxy.off}",
    "degraded{launch-failed: proxy.off}→degraded{launch-failed: proxy.off, retrying}",
    "degraded{launch-failed: proxy.off, retrying}→restarting{retry}",
    "restarting{retry}→running",
  ]);
});

test("a long install: initialize answered early (installing), requests refused, then gopls handed the session", async (t) => {
  const install = later<Result<Located>>();
  const h = harness(t, { resolve: () => install.promise, config: { earlyAnswerMs: 50 } });
  const reply = await h.response(h.request("initialize", init));
  assert.equal(
    (reply.result as { serverInfo: { version: string } }).serverInfo.version,
    "installing gopls",
  );
  h.send({ method: "textDocument/didOpen", params: open });
  const refused = await h.response(h.request("textDocument/hover", hover));
  assert.match(refused.error?.message ?? "", /it is being set up/);
  install.settle({ ok: true, value: located });
  await h.waitFor("handed over", (m) => /handed to it/.test(JSON.stringify(m.params ?? "")));
  assert.deepEqual(h.goplses[0]?.methods(), ["initialize", "textDocument/didOpen"]);
  // The editor was answered once, by the guard.
  assert.equal(h.received.filter((m) => m.id === 1).length, 1);
  assert.deepEqual(h.transitions(), [
    "starting→installing",
    "installing→restarting{hand-over}",
    "restarting{hand-over}→running",
  ]);
});

test("shutdown and exit during an install: nothing is started or announced after, exit code 0", async (t) => {
  const install = later<Result<Located>>();
  const h = harness(t, { resolve: () => install.promise, config: { earlyAnswerMs: 50 } });
  await h.response(h.request("initialize", init));
  assert.equal((await h.response(h.request("shutdown"))).result, null);
  const before = h.received.length;
  install.settle({ ok: true, value: located });
  await new Promise((r) => setTimeout(r, 50));
  h.send({ method: "exit" });
  assert.deepEqual(await h.ended, { reason: "editor sent exit", exitCode: 0 });
  assert.equal(h.goplses.length, 0);
  assert.deepEqual(h.received.slice(before), []);
  assert.equal(h.transitions().at(-1), "installing→ending");
});

test("Retry and adopted settings answered at once: one retry at a time, one gopls, with the settings", async (t) => {
  const h = harness(t, {
    resolve: async (hooks, call) => {
      if (call > 1) return { ok: true, value: located };
      hooks.report({
        id: "go.shell_env_drift",
        severity: "warning",
        message: "the login shell sets GOPROXY.",
        evidence: {},
        fix: "adopt it.",
        adopt: { GOPROXY: "https://proxy.example" },
      });
      return fail({ id: "proxy.unreachable" });
    },
  });
  await h.response(h.request("initialize", init));
  await h.waitFor(
    "both questions",
    () => h.received.filter((m) => m.method === "window/showMessageRequest").length === 2,
  );
  for (const ask of h.received.filter((m) => m.method === "window/showMessageRequest")) {
    const adopt = JSON.stringify(ask.params).includes("Use them for gopls");
    h.send({ id: ask.id, result: { title: adopt ? "Use them for gopls" : "Retry" } });
  }
  await h.response(h.request("textDocument/hover", hover));
  assert.equal(h.resolves.length, 2);
  assert.equal(h.resolves[1]?.env.GOPROXY, "https://proxy.example");
  assert.equal(h.goplses.length, 1);
  assert.equal(h.goplses[0]?.env.GOPROXY, "https://proxy.example");
});

test("adopted settings while running: restarting{planned}, the new gopls has them and the documents", async (t) => {
  const h = harness(t, {
    resolve: async (hooks) => {
      hooks.report({
        id: "go.shell_env_drift",
        severity: "warning",
        message: "the login shell sets GOFLAGS.",
        evidence: {},
        fix: "adopt it.",
        adopt: { GOFLAGS: "-tags=integration" },
      });
      return { ok: true, value: located };
    },
  });
  await h.response(h.request("initialize", init));
  h.send({ method: "initialized", params: {} });
  h.send({ method: "textDocument/didOpen", params: open });
  const ask = await h.waitFor("the question", (m) => m.method === "window/showMessageRequest");
  h.send({ id: ask.id, result: { title: "Use them for gopls" } });
  await h.waitFor("restarted with them", (m) =>
    /now runs with GOFLAGS from your login shell/.test(JSON.stringify(m.params ?? "")),
  );
  assert.equal(h.goplses.length, 2);
  assert.equal(h.goplses[1]?.env.GOFLAGS, "-tags=integration");
  assert.deepEqual(h.goplses[1]?.methods(), ["initialize", "initialized", "textDocument/didOpen"]);
  assert.deepEqual(h.transitions(), [
    "starting→running",
    "running→restarting{planned}",
    "restarting{planned}→running",
  ]);
});

const MB = 1024 ** 2;

/** A sampler the test sets: gopls's memory is whatever it says. */
function memory() {
  const m = { rss: 10 * MB, sample: async () => m.rss };
  return m;
}

test("memory over the soft limit: the user is asked once, with the figures; yes restarts gopls with the session", async (t) => {
  const mem = memory();
  const h = harness(t, {
    config: { memoryLimit: 100 * MB, memorySampleMs: 20 },
    sampleRss: mem.sample,
  });
  await h.response(h.request("initialize", { ...init, rootUri: "file:///w" }));
  h.send({ method: "textDocument/didOpen", params: open });
  mem.rss = 150 * MB;
  const ask = await h.waitFor("the question", (m) => m.method === "window/showMessageRequest");
  assert.match(
    JSON.stringify(ask.params),
    /\[gopls\.memory\] gopls is using 150 MiB for \/w, over the soft limit of 100 MiB/,
  );
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(h.received.filter((m) => m.method === "window/showMessageRequest").length, 1);
  mem.rss = 20 * MB;
  h.send({ id: ask.id, result: { title: "Restart gopls" } });
  await h.waitFor("restarted", (m) =>
    /gopls-guard: gopls was restarted to free its 150 MiB; 1 open file restored/.test(
      JSON.stringify(m.params ?? ""),
    ),
  );
  assert.equal(h.goplses.length, 2);
  assert.deepEqual(h.goplses[1]?.methods(), ["initialize", "textDocument/didOpen"]);
  assert.deepEqual(h.transitions().slice(-2), [
    "running→restarting{memory}",
    "restarting{memory}→running",
  ]);
});

test("memory over the hard limit: gopls is restarted at once, and the user told why", async (t) => {
  const mem = memory();
  const h = harness(t, {
    config: { memoryLimit: 100 * MB, memorySampleMs: 20 },
    sampleRss: mem.sample,
  });
  await h.response(h.request("initialize", init));
  mem.rss = 300 * MB;
  await h.waitFor("told", (m) =>
    /\[gopls\.memory\] gopls used 300 MiB, over the hard limit of 200 MiB, and was restarted/.test(
      JSON.stringify(m.params ?? ""),
    ),
  );
  assert.equal(h.goplses.length, 2);
});

test("a SIGKILL while memory was high is named as the out-of-memory killer's, with the figure", async (t) => {
  const mem = memory();
  const h = harness(t, {
    config: { memoryLimit: 100 * MB, memorySampleMs: 20 },
    sampleRss: mem.sample,
  });
  await h.response(h.request("initialize", init));
  mem.rss = 80 * MB;
  await new Promise((r) => setTimeout(r, 100));
  h.goplses[0]?.killNow();
  await h.waitFor("named", (m) =>
    /\[gopls\.crash\] gopls was killed by SIGKILL, most likely by the system's out-of-memory killer \(its last reading: 80 MiB\)/.test(
      JSON.stringify(m.params ?? ""),
    ),
  );
});
