// gopls cannot start: the editor is never left with a dead server. initialize is answered,
// the error is shown, requests fail at once, shutdown/exit end cleanly, and Retry starts gopls
// once the cause is fixed, without restarting anything.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { standinGopls, tempDir } from "../helpers/env.js";
import { REAL_GO } from "../helpers/gocount.js";
import { guardEnv, Peer } from "../helpers/peer.js";
import { waitUntil } from "../helpers/procs.js";

test("no usable Go: initialize answered, the error shown, prompt request errors, Retry after the fix", async (t) => {
  const dir = tempDir(t);
  const go = path.join(dir, "go");
  const home = tempDir(t);
  const peer = new Peer(
    [],
    guardEnv(home, { GOPLS_GUARD_GO: go, GOPLS_GUARD_GOPLS: standinGopls() }),
  );
  t.after(() => peer.kill());
  const init = await peer.initialize();
  assert.equal((init.result as { serverInfo: { name: string } }).serverInfo.name, "gopls-guard");
  // The failure's one message (the request with Retry) follows the initialize answer.
  await peer.waitFor("the failure", () =>
    peer
      .showMessages()
      .some((m) => /\[go\.missing\] GOPLS_GUARD_GO does not name an executable go binary/.test(m)),
  );
  peer.notify("textDocument/didOpen", {
    textDocument: { uri: "file:///w/a.go", languageId: "go", version: 1, text: "package a\n" },
  });
  const started = Date.now();
  const hover = await peer.call("textDocument/hover", {
    textDocument: { uri: "file:///w/a.go" },
    position: { line: 0, character: 0 },
  });
  assert.equal(hover.error?.code, -32803);
  assert.match(
    hover.error?.message ?? "",
    /gopls is not running \(it could not be started: go\.missing\)/,
  );
  assert.ok(Date.now() - started < 1000);
  const ask = await peer.waitFor("Retry", (m) => m.method === "window/showMessageRequest");
  assert.deepEqual((ask.params as { actions: unknown }).actions, [{ title: "Retry" }]);
  // The user fixes the cause (installs Go where the setting points), then clicks Retry.
  fs.symlinkSync(REAL_GO, go);
  peer.send({ id: ask.id, result: { title: "Retry" } });
  await peer.waitFor(
    "running",
    (m) =>
      /gopls-guard: gopls .*running now; 1 open file handed to it/.test(
        JSON.stringify(m.params ?? ""),
      ),
    20_000,
  );
  assert.deepEqual((await peer.call("standin/echo", ["back"])).result, ["back"]);
  // Said without a fault id (it is no fault), logged with its own: gopls.retry.
  const log = () =>
    fs
      .readdirSync(path.join(home, "logs"))
      .map((f) => fs.readFileSync(path.join(home, "logs", f), "utf8"))
      .join("");
  await waitUntil("gopls.retry in the log", () => /"id":"gopls\.retry"/.test(log()));
  const state = (await peer.call("standin/state")).result as {
    documents: Record<string, unknown>;
    initializes: number;
  };
  assert.deepEqual(Object.keys(state.documents), ["file:///w/a.go"]);
  assert.equal((await peer.call("shutdown")).result, null);
  peer.notify("exit");
  assert.equal((await peer.exited).code, 0);
});

test("degraded, then shutdown and exit: a clean exit 0", async (t) => {
  const peer = new Peer([], guardEnv(tempDir(t), { GOPLS_GUARD_GO: "/nonexistent/go" }));
  t.after(() => peer.kill());
  await peer.initialize();
  assert.equal((await peer.call("shutdown")).result, null);
  peer.notify("exit");
  assert.equal((await peer.exited).code, 0);
});

test("a gopls anyone could replace is never run: serve mode degrades with fs.unsafe_binary", async (t) => {
  const dir = tempDir(t);
  fs.chmodSync(dir, 0o777);
  const gopls = path.join(dir, "gopls");
  fs.copyFileSync(standinGopls(), gopls);
  fs.chmodSync(gopls, 0o755);
  const peer = new Peer([], guardEnv(tempDir(t), { GOPLS_GUARD_GOPLS: gopls }));
  t.after(() => peer.kill());
  const init = await peer.initialize();
  assert.equal((init.result as { serverInfo: { name: string } }).serverInfo.name, "gopls-guard");
  await peer.waitFor("the fault", () =>
    peer
      .showMessages()
      .some((m) =>
        /\[fs\.unsafe_binary\] .* is writable by every user, so anyone could replace gopls; the guard will not run it/.test(
          m,
        ),
      ),
  );
});
