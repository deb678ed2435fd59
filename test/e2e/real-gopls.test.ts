// Against the real gopls: the guard's answers are gopls's answers, byte for byte after
// decoding, and no real gopls outlives a guard that is killed.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { type Client, initializeParams, startClient } from "../helpers/client.js";
import { copyFixture, GUARD, realGopls, tempDir } from "../helpers/env.js";
import { guardEnv, Peer } from "../helpers/peer.js";
import { waitGone, waitUntil } from "../helpers/procs.js";

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
  const guarded = startClient(process.execPath, [GUARD, "-mode=stdio"], env, dir);
  const viaGuard = await session(guarded, dir);
  assert.equal(await guarded.close(), 0);

  // Sanity: the session exercised what it claims to.
  assert.match(JSON.stringify(viaDirect.hover), /Greet returns a friendly greeting/);
  assert.match(JSON.stringify(viaDirect.definition), /hello\.go/);
  assert.ok((viaDirect.completion as { items: unknown[] }).items.length > 0);
  assert.ok((viaDirect.formatting as unknown[]).length > 0);
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
