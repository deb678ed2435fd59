// Shared mode against the real gopls: two clients of one key get from one gopls exactly the
// answers each gets from a gopls of its own; a client whose gopls settings differ is moved out.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { type Client, initializeParams, startClient } from "../helpers/client.js";
import { copyFixture, GUARD, realGopls, tempDir } from "../helpers/env.js";
import { guardEnv } from "../helpers/peer.js";
import { childrenOf, cmdline, waitUntil } from "../helpers/procs.js";

async function transcript(client: Client, dir: string): Promise<Record<string, unknown>> {
  const c = client.connection;
  await c.sendRequest("initialize", initializeParams(dir));
  await c.sendNotification("initialized", {});
  const hello = `file://${path.join(dir, "hello.go")}`;
  const text = fs.readFileSync(path.join(dir, "hello.go"), "utf8");
  await c.sendNotification("textDocument/didOpen", {
    textDocument: { uri: hello, languageId: "go", version: 1, text },
  });
  const pos = { textDocument: { uri: hello }, position: { line: 17, character: 9 } };
  const hover = await c.sendRequest("textDocument/hover", pos);
  const definition = await c.sendRequest("textDocument/definition", pos);
  const references = await c.sendRequest("textDocument/references", {
    ...pos,
    context: { includeDeclaration: true },
  });
  await waitUntil(
    "diagnostics for hello.go",
    () =>
      (client.diagnostics.get(hello) ?? []).some((d) => JSON.stringify(d).includes("not an int")),
    60_000,
  );
  return { hover, definition, references, diagnostics: client.diagnostics.get(hello)?.at(-1) };
}

/** The gopls a client's guard runs itself: none while it is shared. */
function ownGopls(pid: number): number[] {
  return childrenOf(pid).filter((child) => !cmdline(child).includes("__shared-instance"));
}

/** The gopls processes under a pid, through a shared instance it started. */
function goplsUnder(pid: number): number[] {
  return childrenOf(pid).flatMap((child) =>
    cmdline(child).includes("__shared-instance") ? childrenOf(child) : [child],
  );
}

test("two shared clients get what a gopls of their own gives; other settings move a client out", {
  timeout: 240_000,
}, async (t) => {
  const dir = copyFixture(t, "hello");
  const home = tempDir(t);
  const env = {
    ...guardEnv(home, { GOPLS_GUARD_GOPLS: realGopls(), GOFLAGS: "-mod=mod" }),
    GOPLS_GUARD_SHARE_DIR: path.join(home, "run"),
  };
  const direct = startClient(realGopls(), [], env, dir);
  const own = await transcript(direct, dir);
  assert.equal(await direct.close(), 0);
  assert.match(JSON.stringify(own.hover), /Greet returns a friendly greeting/);
  assert.ok((own.references as unknown[]).length >= 2);

  const shared = { ...env, GOPLS_GUARD_SHARE: "1" };
  const a = startClient(GUARD, [], shared, dir);
  const b = startClient(GUARD, [], shared, dir);
  t.after(() => {
    a.child.kill("SIGKILL");
    b.child.kill("SIGKILL");
  });
  // B joins once gopls has asked A for its settings: B's are asked and compared.
  const viaA = await transcript(a, dir);
  const viaB = await transcript(b, dir);
  assert.deepEqual(viaA, own);
  assert.deepEqual(viaB, own);
  // One gopls for both, under whichever guard started the instance, still after the settings
  // check had all the time it is given (5 s): each answered the same settings, so both stay.
  await new Promise((r) => setTimeout(r, 6000));
  assert.deepEqual(ownGopls(a.child.pid as number), []);
  assert.deepEqual(ownGopls(b.child.pid as number), []);
  assert.equal(
    [...goplsUnder(a.child.pid as number), ...goplsUnder(b.child.pid as number)].length,
    1,
  );
  // gopls's registrations reached each client once.
  assert.ok(b.registrations.size > 0 || a.registrations.size === 0);
  assert.deepEqual(a.duplicateRegistrations, []);
  assert.deepEqual(b.duplicateRegistrations, []);

  // Other gopls settings: moved to a gopls keyed by them, answered as those settings say.
  const c = startClient(GUARD, [], shared, dir, { hoverKind: "NoDocumentation" });
  t.after(() => c.child.kill("SIGKILL"));
  const viaC = await transcript(c, dir);
  assert.doesNotMatch(JSON.stringify(viaC.hover), /friendly greeting/);
  assert.ok(
    c.logged.some((m) => /clients that have its settings \(its gopls settings differ\)/.test(m)),
    c.logged.join("\n"),
  );
  const all = [a, b, c].flatMap((x) => goplsUnder(x.child.pid as number));
  assert.equal(new Set(all).size, 2, "A and B's gopls, and C's");
  assert.equal(await a.close(), 0);
  assert.equal(await b.close(), 0);
  assert.equal(await c.close(), 0);
});
