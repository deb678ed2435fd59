// The fixes that need the user's yes, asked with window/showMessageRequest and acted on only
// after the answer: installing gopls once through a mirror when the user's proxy cannot be
// reached, and using the login shell's Go settings the editor lacks. Neither writes a setting.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { standinGopls, tempDir } from "../helpers/env.js";
import { countingGo } from "../helpers/gocount.js";
import { startGoProxy } from "../helpers/goproxy.js";
import { guardEnv, Peer } from "../helpers/peer.js";
import { alive } from "../helpers/procs.js";

type Params = { type: number; message: string; actions?: Array<{ title: string }> };
const params = (m: { params?: unknown }) => m.params as Params;

test("the proxy unreachable and nothing installed: a mirror offered, used once on consent, GOPROXY untouched", async (t) => {
  const mirror = await startGoProxy([{ version: "v0.1.0", go: "1.21" }]);
  t.after(() => mirror.close());
  const closed = await startGoProxy([]);
  await closed.close();
  const home = tempDir(t);
  const go = countingGo(tempDir(t));
  const peer = new Peer(
    [],
    guardEnv(home, {
      GOPLS_GUARD_GO: go.path,
      GOPROXY: closed.url,
      GOPLS_GUARD_MIRRORS: mirror.url,
      GONOSUMDB: "golang.org/x/tools/gopls",
      GOMODCACHE: path.join(tempDir(t), "modcache"),
      GOFLAGS: "-modcacherw",
    }),
  );
  t.after(() => peer.kill());
  const init = await peer.initialize({}, 60_000);
  assert.equal((init.result as { serverInfo: { name: string } }).serverInfo.name, "gopls-guard");
  const ask = await peer.waitFor("the offer", (m) => m.method === "window/showMessageRequest");
  assert.match(params(ask).message, /\[proxy\.unreachable\]/);
  assert.match(params(ask).message, /your GOPROXY stays as it is/);
  const through = `Install once through ${mirror.url}`;
  assert.deepEqual(params(ask).actions, [{ title: "Retry" }, { title: through }]);
  assert.equal(go.installs(), 0, "nothing is tried through the mirror before the answer");
  assert.equal(mirror.requests.length, 0);

  peer.notify("textDocument/didOpen", {
    textDocument: { uri: "file:///w/a.go", languageId: "go", version: 1, text: "package a\n" },
  });
  peer.send({ id: ask.id, result: { title: through } });
  const done = await peer.waitFor(
    "installed through the mirror",
    (m) =>
      m.method === "window/showMessage" &&
      /gopls was installed through .* this once, and is running; 1 open file/.test(
        params(m).message,
      ),
    90_000,
  );
  assert.ok(
    peer.logMessages().some((m) => /installed through .*Your GOPROXY is unchanged/.test(m)),
    peer.logMessages().join("\n"),
  );
  assert.equal(go.installs(), 1);
  assert.ok(mirror.requests.some((r) => r.endsWith(".zip")));
  // gopls itself keeps the user's settings; nothing was written anywhere.
  const env = (await peer.call("standin/env", ["GOPROXY"])).result as Record<string, string>;
  assert.equal(env.GOPROXY, closed.url);
  assert.ok(!fs.existsSync(path.join(home, "config.json")));
  assert.equal((await peer.call("shutdown")).result, null);
  peer.notify("exit");
  assert.equal((await peer.exited).code, 0);
});

test("login-shell settings the editor lacks: offered, and on consent gopls restarts with them, documents kept", async (t) => {
  const dir = tempDir(t);
  const shell = path.join(dir, "fake-login-shell");
  fs.writeFileSync(
    shell,
    `#!/bin/sh\nexport GOFLAGS=-tags=fromshell GOPRIVATE=corp.example.com/*\nshift 2; exec /bin/sh -c "$1"\n`,
    { mode: 0o755 },
  );
  const home = tempDir(t);
  const peer = new Peer(
    [],
    guardEnv(home, {
      GOPLS_GUARD_GOPLS: standinGopls(),
      SHELL: shell,
      GOPLS_GUARD_CHECKS: "on",
      GOPLS_GUARD_CHECKS_DELAY_MS: "1",
      // No network: nothing to probe.
      GOPROXY: "off",
      GOSUMDB: "off",
      GOFLAGS: "",
      GOPRIVATE: "",
    }),
  );
  t.after(() => peer.kill());
  await peer.initialize();
  peer.notify("textDocument/didOpen", {
    textDocument: { uri: "file:///w/a.go", languageId: "go", version: 1, text: "package a\n" },
  });
  const before = (await peer.call("standin/state")).result as { pid: number };
  const ask = await peer.waitFor(
    "the offer",
    (m) =>
      m.method === "window/showMessageRequest" && /\[go\.shell_env_drift\]/.test(params(m).message),
  );
  assert.match(params(ask).message, /your login shell sets GOPRIVATE, GOFLAGS/);
  assert.match(params(ask).message, /Nothing is written to your settings/);
  assert.deepEqual(params(ask).actions, [{ title: "Use them for gopls" }, { title: "Not now" }]);
  const unchanged = (await peer.call("standin/env", ["GOFLAGS"])).result as Record<string, string>;
  assert.equal(unchanged.GOFLAGS, "", "nothing changes before the answer");

  peer.send({ id: ask.id, result: { title: "Use them for gopls" } });
  await peer.waitFor("restarted", (m) =>
    /gopls now runs with GOPRIVATE, GOFLAGS from your login shell, for this session; 1 open file restored/.test(
      JSON.stringify(m.params ?? ""),
    ),
  );
  const env = (await peer.call("standin/env", ["GOFLAGS", "GOPRIVATE"])).result;
  assert.deepEqual(env, { GOFLAGS: "-tags=fromshell", GOPRIVATE: "corp.example.com/*" });
  const after = (await peer.call("standin/state")).result as {
    pid: number;
    documents: Record<string, unknown>;
  };
  assert.notEqual(after.pid, before.pid);
  assert.deepEqual(Object.keys(after.documents), ["file:///w/a.go"]);
  assert.equal(alive(before.pid), false, "the old gopls is gone");
  assert.ok(!fs.existsSync(path.join(home, "config.json")));
  assert.equal((await peer.call("shutdown")).result, null);
  peer.notify("exit");
  assert.equal((await peer.exited).code, 0);
});

test("GOPROXY only in the login shell, so the install fails: adopting it installs gopls and starts it", async (t) => {
  const proxy = await startGoProxy([{ version: "v0.1.0", go: "1.21" }]);
  t.after(() => proxy.close());
  const dir = tempDir(t);
  const shell = path.join(dir, "fake-login-shell");
  // The terminal's profile points go at the organisation's proxy; an editor started from the
  // desktop never read it and has GOPROXY=off from a system-wide setting.
  fs.writeFileSync(
    shell,
    `#!/bin/sh\nexport GOPROXY=${proxy.url}\nshift 2; exec /bin/sh -c "$1"\n`,
    { mode: 0o755 },
  );
  const home = tempDir(t);
  const go = countingGo(tempDir(t));
  const peer = new Peer(
    [],
    guardEnv(home, {
      GOPLS_GUARD_GO: go.path,
      SHELL: shell,
      GOPROXY: "off",
      GONOSUMDB: "golang.org/x/tools/gopls",
      GOMODCACHE: path.join(tempDir(t), "modcache"),
      GOFLAGS: "-modcacherw",
      GOPLS_GUARD_CHECKS: "on",
      GOPLS_GUARD_CHECKS_DELAY_MS: "1",
    }),
  );
  t.after(() => peer.kill());
  await peer.initialize({}, 60_000);
  // The failure's one message, the request with Retry, follows the initialize answer.
  await peer.waitFor("the failure", () =>
    peer.showMessages().some((m) => /\[proxy\.off\]/.test(m)),
  );
  const ask = await peer.waitFor(
    "the offer",
    (m) =>
      m.method === "window/showMessageRequest" && /\[go\.shell_env_drift\]/.test(params(m).message),
  );
  assert.match(params(ask).message, /your login shell sets GOPROXY/);
  assert.equal(go.installs(), 0);
  peer.send({ id: ask.id, result: { title: "Use them for gopls" } });
  await peer.waitFor(
    "running with the shell's GOPROXY",
    (m) =>
      /gopls now runs with GOPROXY from your login shell, for this session/.test(
        JSON.stringify(m.params ?? ""),
      ),
    90_000,
  );
  assert.equal(go.installs(), 1);
  const env = (await peer.call("standin/env", ["GOPROXY"])).result as Record<string, string>;
  assert.equal(env.GOPROXY, proxy.url);
  assert.ok(!fs.existsSync(path.join(home, "config.json")));
  assert.equal((await peer.call("shutdown")).result, null);
  peer.notify("exit");
  assert.equal((await peer.exited).code, 0);
});
