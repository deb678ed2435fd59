// Against the real gopls: the guard's answers are gopls's answers, byte for byte after
// decoding, and no real gopls outlives a guard that is killed.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { ALL_GUARD_COMMANDS } from "../../src/serve/held-faults.js";
import { type Client, initializeParams, startClient } from "../helpers/client.js";
import { copyFixture, GUARD, realGopls, tempDir } from "../helpers/env.js";
import { guardEnv, Peer } from "../helpers/peer.js";
import { childrenOf, cmdline, stateOf, waitGone, waitUntil } from "../helpers/procs.js";

interface Transcript {
  initialize: unknown;
  diagnostics: unknown;
  hover: unknown;
  definition: unknown;
  completion: unknown;
  documentSymbol: unknown;
  formatting: unknown;
}

async function session(client: Client, dir: string): Promise<Transcript> {
  const c = client.connection;
  const initialize = await c.sendRequest("initialize", initializeParams(dir));
  await c.sendNotification("initialized", {});
  const hello = `file://${path.join(dir, "hello.go")}`;
  const util = `file://${path.join(dir, "util.go")}`;
  for (const [uri, file] of [
    [hello, "hello.go"],
    [util, "util.go"],
  ] as const) {
    const text = fs.readFileSync(path.join(dir, file), "utf8");
    await c.sendNotification("textDocument/didOpen", {
      textDocument: { uri, languageId: "go", version: 1, text },
    });
  }
  const pos = (uri: string, line: number, character: number) => ({
    textDocument: { uri },
    position: { line, character },
  });
  // Line 17 is `return Greet(g)`; character 8 is inside `Greet`.
  const hover = await c.sendRequest("textDocument/hover", pos(hello, 17, 9));
  const definition = await c.sendRequest("textDocument/definition", pos(hello, 17, 9));
  const completion = await c.sendRequest("textDocument/completion", pos(hello, 16, 20));
  const documentSymbol = await c.sendRequest("textDocument/documentSymbol", {
    textDocument: { uri: hello },
  });
  const formatting = await c.sendRequest("textDocument/formatting", {
    textDocument: { uri: util },
    options: { tabSize: 4, insertSpaces: false },
  });
  await waitUntil(
    "diagnostics for hello.go",
    () =>
      (client.diagnostics.get(hello) ?? []).some((d) => JSON.stringify(d).includes("not an int")),
    60_000,
  );
  const diagnostics = client.diagnostics.get(hello)?.at(-1);
  return { initialize, diagnostics, hover, definition, completion, documentSymbol, formatting };
}

test("through the guard, gopls answers exactly as it does directly", {
  timeout: 240_000,
}, async (t) => {
  const dir = copyFixture(t, "hello");
  const home = tempDir(t);
  const gopls = realGopls();
  const env = { ...guardEnv(home), GOPLS_GUARD_GOPLS: gopls, GOFLAGS: "-mod=mod" };
  const direct = startClient(gopls, [], env, dir);
  const viaDirect = await session(direct, dir);
  assert.equal(await direct.close(), 0);
  const guarded = startClient(GUARD, ["-mode=stdio"], env, dir);
  const viaGuard = await session(guarded, dir);
  assert.equal(await guarded.close(), 0);

  // Sanity: the session exercised what it claims to.
  assert.match(JSON.stringify(viaDirect.hover), /Greet returns a friendly greeting/);
  assert.match(JSON.stringify(viaDirect.definition), /hello\.go/);
  assert.ok((viaDirect.completion as { items: unknown[] }).items.length > 0);
  assert.ok((viaDirect.formatting as unknown[]).length > 0);
  // The one difference: the guard's own commands (its code actions run them) follow gopls's.
  const caps = (r: unknown) =>
    (r as { capabilities: { executeCommandProvider: { commands: string[] } } }).capabilities;
  const commands = caps(viaGuard.initialize).executeCommandProvider.commands;
  const theirs = caps(viaDirect.initialize).executeCommandProvider.commands;
  assert.deepEqual(commands.slice(0, theirs.length), theirs);
  assert.deepEqual(commands.slice(theirs.length), [...ALL_GUARD_COMMANDS]);
  caps(viaGuard.initialize).executeCommandProvider.commands = theirs;
  for (const key of Object.keys(viaDirect) as Array<keyof Transcript>) {
    assert.deepEqual(viaGuard[key], viaDirect[key], `${key} differs through the guard`);
  }
  assert.deepEqual(guarded.shown, []);
});

test("a real gopls goes when its guard is SIGKILLed, and when the editor closes stdin", async (t) => {
  const dir = copyFixture(t, "hello");
  for (const how of ["SIGKILL", "EOF"] as const) {
    const peer = new Peer([], guardEnv(tempDir(t), { GOPLS_GUARD_GOPLS: realGopls() }), dir);
    t.after(() => peer.kill());
    await peer.initialize(initializeParams(dir) as Record<string, unknown>);
    const gopls = await peer.goplsPid();
    if (how === "SIGKILL") peer.child.kill("SIGKILL");
    else peer.child.stdin.end();
    await peer.exited;
    await waitGone(gopls, 15_000);
  }
});

test("SIGKILLed mid-session, a real gopls comes back knowing the unsaved edits", {
  timeout: 120_000,
}, async (t) => {
  const dir = copyFixture(t, "hello");
  const env = { ...guardEnv(tempDir(t)), GOPLS_GUARD_GOPLS: realGopls() };
  const client = startClient(GUARD, [], env, dir);
  t.after(() => client.child.kill("SIGKILL"));
  const c = client.connection;
  await c.sendRequest("initialize", initializeParams(dir));
  await c.sendNotification("initialized", {});
  const uri = `file://${path.join(dir, "hello.go")}`;
  await c.sendNotification("textDocument/didOpen", {
    textDocument: {
      uri,
      languageId: "go",
      version: 1,
      text: fs.readFileSync(path.join(dir, "hello.go"), "utf8"),
    },
  });
  // Unsaved, incremental: a new function at the end, then a call to it inside useGreet.
  await c.sendNotification("textDocument/didChange", {
    textDocument: { uri, version: 2 },
    contentChanges: [
      {
        range: { start: { line: 23, character: 0 }, end: { line: 23, character: 0 } },
        text: '\n// Brand is new and unsaved.\nfunc Brand(n int) string { return "new" }\n',
      },
    ],
  });
  await c.sendNotification("textDocument/didChange", {
    textDocument: { uri, version: 3 },
    contentChanges: [
      {
        range: { start: { line: 16, character: 0 }, end: { line: 16, character: 0 } },
        text: "\t_ = Brand(3)\n",
      },
    ],
  });
  const hoverBrand = () =>
    c.sendRequest("textDocument/hover", {
      textDocument: { uri },
      position: { line: 16, character: 6 },
    });
  assert.match(JSON.stringify(await hoverBrand()), /func Brand\(n int\) string/);
  await waitUntil("gopls registered its watchers", () => client.registrations.size > 0, 30_000);
  const registeredBefore = [...client.registrations.values()].sort();

  // The guard's gopls child (by its command line: the guard may have other short-lived children),
  // stopped for certain before the request goes out, so that the request is really in flight.
  const gopls = childrenOf(client.child.pid as number).find((pid) =>
    cmdline(pid).startsWith(realGopls()),
  ) as number;
  assert.ok(gopls, "the guard's gopls child");
  process.kill(gopls, "SIGSTOP");
  await waitUntil("gopls is stopped", () => stateOf(gopls) === "T");
  const inFlight = c.sendRequest("textDocument/documentSymbol", { textDocument: { uri } }).then(
    () => "answered",
    (error: { code: number }) => error.code,
  );
  await new Promise((r) => setTimeout(r, 200));
  process.kill(gopls, "SIGKILL");
  assert.equal(await inFlight, -32801);
  await waitGone(gopls);
  await waitUntil(
    "the user was told",
    () => client.shown.some((m) => /was restarted/.test(m.message)),
    30_000,
  );
  assert.match(
    client.shown.find((m) => /was restarted/.test(m.message))?.message ?? "",
    /\[gopls\.crash\] gopls was killed by SIGKILL and was restarted \(its 1st crash in 3 minutes; after 5 it is not restarted\); 1 open file restored/,
  );
  let hover = "";
  await waitUntil(
    "hover on the unsaved function answers after the restart",
    () => {
      void hoverBrand().then(
        (h) => {
          hover = JSON.stringify(h);
        },
        () => {},
      );
      return /func Brand\(n int\) string/.test(hover);
    },
    60_000,
  );
  await waitUntil(
    "gopls registered again",
    () => client.registrations.size >= registeredBefore.length,
    30_000,
  );
  assert.deepEqual([...client.registrations.values()].sort(), registeredBefore);
  assert.deepEqual(client.duplicateRegistrations, []);
  assert.notEqual(childrenOf(client.child.pid as number)[0], gopls);
  assert.equal(await client.close(), 0);
});
