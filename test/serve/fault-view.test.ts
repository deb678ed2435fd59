// Held faults as every client sees them, in process (fake gopls): diagnostics on go.mod and the
// open Go files, merged with gopls's own both ways; quick fixes and the guard's commands; one
// message per fault, a request only for a client that declares window.showMessage.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fail, harness, type Json, located } from "../helpers/fake-session.js";

function workspace(t: { after(fn: () => void): void }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gg-fv-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, "go.mod"), "module example.com/w\n\ngo 1.22\n");
  const root = `file://${dir}`;
  return { root, goMod: `${root}/go.mod`, main: `${root}/main.go` };
}

const declaresNothing = {};
/** A warning that holds while gopls runs (Go found off the editor's PATH). */
const goElsewhere = {
  id: "go.missing",
  severity: "warning",
  message: "go is elsewhere.",
  evidence: {},
  fix: "add it.",
} as const;
const showsRequests = { window: { showMessage: {} } };

type Diagnostic = { source?: string; code?: string; message: string; severity: number };
const diagnosticsFor = (h: { received: Json[] }, uri: string) =>
  h.received
    .filter((m) => m.method === "textDocument/publishDiagnostics")
    .map((m) => m.params as { uri: string; diagnostics: Diagnostic[] })
    .filter((p) => p.uri === uri)
    .map((p) => p.diagnostics);

function start(h: ReturnType<typeof harness>, w: ReturnType<typeof workspace>, caps: object) {
  const id = h.request("initialize", {
    processId: null,
    rootUri: w.root,
    workspaceFolders: [{ uri: w.root, name: "w" }],
    capabilities: caps,
  });
  h.send({ method: "initialized", params: {} });
  h.send({
    method: "textDocument/didOpen",
    params: { textDocument: { uri: w.main, languageId: "go", version: 1, text: "package main\n" } },
  });
  return h.response(id);
}

test("a failed start in a client without message requests: one showMessage, a diagnostic on go.mod and main.go, Retry as a code action", async (t) => {
  const w = workspace(t);
  let fixed = false;
  const h = harness(t, {
    resolve: async () => (fixed ? { ok: true, value: located } : fail({ id: "install.failed" })),
  });
  const init = await start(h, w, declaresNothing);
  const commands = (
    init.result as { capabilities: { executeCommandProvider: { commands: string[] } } }
  ).capabilities.executeCommandProvider.commands;
  assert.ok(commands.includes("gopls-guard.retry"), commands.join(" "));
  await h.waitFor("the diagnostic on main.go", () => diagnosticsFor(h, w.main).length > 0);
  for (const uri of [w.goMod, w.main]) {
    const [d] = diagnosticsFor(h, uri).at(-1) ?? [];
    assert.equal(d?.source, "gopls-guard");
    assert.equal(d?.code, "install.failed");
    assert.equal(d?.severity, 1);
    assert.match(
      d?.message ?? "",
      /it failed\. Fix: fix it\. Code action: "Retry" \(gopls-guard\.retry\)/,
    );
  }
  assert.equal(h.received.filter((m) => m.method === "window/showMessageRequest").length, 0);
  const popups = h.received.filter((m) => m.method === "window/showMessage");
  assert.equal(popups.length, 1, JSON.stringify(popups));
  assert.match(JSON.stringify(popups[0]?.params), /\[install\.failed\] it failed\./);
  // Standing in: the quick fixes are the guard's; a command runs the Retry.
  const actions = await h.response(
    h.request("textDocument/codeAction", {
      textDocument: { uri: w.goMod },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [] },
    }),
  );
  // No codeActionLiteralSupport: bare commands.
  assert.deepEqual(actions.result, [{ title: "Retry", command: "gopls-guard.retry" }]);
  fixed = true;
  const ran = await h.response(
    h.request("workspace/executeCommand", { command: "gopls-guard.retry", arguments: [] }),
  );
  assert.equal(ran.result, null);
  await h.waitFor("withdrawn", () => diagnosticsFor(h, w.goMod).at(-1)?.length === 0);
  assert.deepEqual(diagnosticsFor(h, w.main).at(-1), []);
  assert.equal(h.goplses.length, 1);
  // Nothing offers it now: the command says so.
  const again = await h.response(
    h.request("workspace/executeCommand", { command: "gopls-guard.retry" }),
  );
  assert.match(again.error?.message ?? "", /nothing to do now/);
});

test("a client that declares window.showMessage: the request with buttons is the one message, with evidence and fix; an error reply leaves the code action", async (t) => {
  const w = workspace(t);
  const h = harness(t, {
    resolve: async () => fail({ id: "proxy.off", evidence: { GOPROXY: "off" } }),
  });
  await start(h, w, showsRequests);
  const ask = await h.waitFor("the question", (m) => m.method === "window/showMessageRequest");
  assert.match(
    JSON.stringify(ask.params),
    /gopls-guard \[proxy\.off\] it failed\. \(GOPROXY: off\) Fix: fix it\. gopls could not be started: fix it, then Retry\./,
  );
  assert.equal(h.received.filter((m) => m.method === "window/showMessage").length, 0);
  // Helix-style MethodNotFound (or any error): dismissed, nothing else happens.
  h.send({ id: ask.id, error: { code: -32601, message: "Method not found" } });
  await h.waitFor("the diagnostic", () => diagnosticsFor(h, w.goMod).length > 0);
  const actions = await h.response(
    h.request("textDocument/codeAction", {
      textDocument: { uri: w.goMod },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ["refactor"] },
    }),
  );
  assert.deepEqual(actions.result, [], "a request for refactorings gets no quick fix");
  assert.equal(h.resolves.length, 1);
});

test("merged with gopls's own: gopls's diagnostics on go.mod keep the guard's, and the guard's carry gopls's last", async (t) => {
  const w = workspace(t);
  const h = harness(t, {
    resolve: async (hooks) => {
      hooks.report({
        id: "go.missing",
        severity: "warning",
        message: "go is not on the editor's PATH.",
        evidence: {},
        fix: "add it.",
      });
      return { ok: true, value: located };
    },
  });
  await start(h, w, {
    textDocument: { codeAction: { codeActionLiteralSupport: {} } },
    workspace: { executeCommand: {} },
  });
  const gopls = h.goplses[0];
  assert.ok(gopls);
  await h.waitFor("the guard's", () => diagnosticsFor(h, w.goMod).length > 0);
  assert.deepEqual(
    diagnosticsFor(h, w.goMod)
      .at(-1)
      ?.map((d) => d.code),
    ["go.missing"],
  );
  // The warning is on go.mod only: Go features are on.
  assert.equal(diagnosticsFor(h, w.main).length, 0);
  const theirs = {
    range: { start: { line: 2, character: 0 }, end: { line: 2, character: 4 } },
    severity: 1,
    source: "go",
    message: "bad go line",
  };
  gopls.emit({
    method: "textDocument/publishDiagnostics",
    params: { uri: w.goMod, version: 1, diagnostics: [theirs] },
  });
  await h.waitFor("merged", () => diagnosticsFor(h, w.goMod).at(-1)?.length === 2);
  assert.deepEqual(
    diagnosticsFor(h, w.goMod)
      .at(-1)
      ?.map((d) => d.message.slice(0, 11)),
    ["bad go line", "go is not o"],
  );
  // gopls's own for other files pass untouched.
  gopls.emit({
    method: "textDocument/publishDiagnostics",
    params: { uri: w.main, diagnostics: [theirs] },
  });
  await h.waitFor("main.go", () => diagnosticsFor(h, w.main).length === 1);
  assert.deepEqual(diagnosticsFor(h, w.main)[0], [theirs]);
  // A new fault: the guard's publication carries gopls's last for go.mod.
  h.session.report({
    id: "gopls.path_shadow",
    severity: "warning",
    message: "another gopls.",
    evidence: {},
    fix: "remove it.",
  });
  await h.waitFor("both faults", () => diagnosticsFor(h, w.goMod).at(-1)?.length === 3);
  assert.equal(diagnosticsFor(h, w.goMod).at(-1)?.[0]?.message, "bad go line");
});

test("gopls's code actions for a file that carries a fault get the guard's quick fixes appended", async (t) => {
  const w = workspace(t);
  const MB = 1024 ** 2;
  let rss = 10 * MB;
  const h = harness(t, {
    config: { memoryLimit: 100 * MB, memorySampleMs: 20 },
    sampleRss: async () => rss,
  });
  await start(h, w, { textDocument: { codeAction: { codeActionLiteralSupport: {} } } });
  h.session.report(goElsewhere);
  await h.waitFor("the diagnostic", () => diagnosticsFor(h, w.goMod).length > 0);
  const ask = { textDocument: { uri: w.goMod }, range: {}, context: { diagnostics: [] } };
  // No action offered: gopls's answer passes as it is.
  const plain = await h.response(h.request("textDocument/codeAction", ask));
  assert.deepEqual(plain.result, { echo: "textDocument/codeAction", pid: h.goplses[0]?.pid });
  // Over the soft limit: Restart gopls is offered, and joins gopls's own actions.
  rss = 150 * MB;
  await h.waitFor("the memory fault", () =>
    (diagnosticsFor(h, w.goMod).at(-1) ?? []).some((d) => d.code === "gopls.memory"),
  );
  rss = 10 * MB;
  const gopls = h.goplses[0];
  assert.ok(gopls);
  gopls.hold = true;
  const id = h.request("textDocument/codeAction", ask);
  const theirs = {
    title: "Tidy go.mod",
    kind: "source",
    command: { title: "tidy", command: "gopls.tidy" },
  };
  await new Promise((r) => setTimeout(r, 20));
  gopls.emit({ id, result: [theirs] });
  const merged = (await h.response(id)).result as Array<{
    title: string;
    command: { command: string };
  }>;
  assert.deepEqual(
    merged.map((a) => [a.title, a.command.command]),
    [
      ["Tidy go.mod", "gopls.tidy"],
      ["gopls-guard: Restart gopls", "gopls-guard.restart"],
    ],
  );
  gopls.hold = false;
  // The command restarts gopls; the fault is withdrawn.
  assert.equal(
    (await h.response(h.request("workspace/executeCommand", { command: "gopls-guard.restart" })))
      .result,
    null,
  );
  await h.waitFor("restarted", () => h.goplses.length === 2);
  await h.waitFor(
    "withdrawn",
    () => !(diagnosticsFor(h, w.goMod).at(-1) ?? []).some((d) => d.code === "gopls.memory"),
  );
});

test("pull diagnostics: the guard's are in gopls's full report (asked for in full), and in its own while there is no gopls", async (t) => {
  const w = workspace(t);
  let fixed = false;
  const h = harness(t, {
    resolve: async () => (fixed ? { ok: true, value: located } : fail({ id: "install.failed" })),
  });
  await start(h, w, {
    textDocument: { diagnostic: {} },
    workspace: { diagnostics: { refreshSupport: true }, executeCommand: {} },
  });
  await h.waitFor("the diagnostic", () => diagnosticsFor(h, w.goMod).length > 0);
  const pull = { textDocument: { uri: w.goMod }, previousResultId: "7" };
  const own = await h.response(h.request("textDocument/diagnostic", pull));
  const report = own.result as { kind: string; items: Diagnostic[] };
  assert.equal(report.kind, "full");
  assert.deepEqual(
    report.items.map((d) => d.code),
    ["install.failed"],
  );
  // gopls runs, yet a warning still holds: gopls's full report gets the guard's appended.
  fixed = true;
  h.session.report(goElsewhere);
  assert.equal(
    (await h.response(h.request("workspace/executeCommand", { command: "gopls-guard.retry" })))
      .result,
    null,
  );
  await h.waitFor("gopls", () => h.goplses.length === 1);
  await h.waitFor("refreshed", (m) => m.method === "workspace/diagnostic/refresh");
  const gopls = h.goplses[0];
  assert.ok(gopls);
  gopls.hold = true;
  const id = h.request("textDocument/diagnostic", pull);
  await new Promise((r) => setTimeout(r, 20));
  const asked = gopls.received.find((m) => m.id === id);
  assert.ok(asked && !("previousResultId" in (asked.params as object)), JSON.stringify(asked));
  const theirs = { message: "bad go line", range: {} };
  gopls.emit({ id, result: { kind: "full", resultId: "8", items: [theirs] } });
  const merged = (await h.response(id)).result as {
    kind: string;
    resultId: string;
    items: Diagnostic[];
  };
  assert.equal(merged.resultId, "8");
  assert.deepEqual(
    merged.items.map((d) => d.code ?? d.message),
    ["bad go line", "go.missing"],
  );
});
