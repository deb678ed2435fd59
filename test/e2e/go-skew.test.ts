// Go-version skew for real (golang/go#68258), the slow test: a module whose go line is 1.27
// under the local Go 1.26.8, with the real gopls v0.23.0 (built with Go 1.26) installed. The
// guard says gopls cannot load it, names the toolchain the go command will fetch (go1.27.3,
// with its size from the module proxy), and on "Build it" builds the real gopls v0.24.0 with
// GOTOOLCHAIN=go1.27.3 beside the current one, then switches to it with the open file.
// Its module and build caches are warmed once by the test set-up (scripts/setup.mjs).

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { realGopls, tempDir } from "../helpers/env.js";
import { guardEnv, type Json, Peer } from "../helpers/peer.js";

const run = promisify(execFile);
const cache = process.env.GOPLS_GUARD_TEST_SKEW_CACHE;
const said = (re: RegExp) => (m: Json) => re.test(JSON.stringify(m.params ?? ""));

test("gopls.go_skew: a go 1.27 module under Go 1.26: gopls v0.24.0 built with go1.27.3 on consent, switched to", {
  skip: cache ? false : "the set-up could not warm the Go 1.27 caches (no module proxy?)",
  timeout: 170_000,
}, async (t) => {
  const module = tempDir(t);
  // The toolchain line names the Go to build with (the warmed one); without it, the newest 1.27.x.
  fs.writeFileSync(
    path.join(module, "go.mod"),
    "module example.com/newgo\n\ngo 1.27\n\ntoolchain go1.27.3\n",
  );
  const main = path.join(module, "main.go");
  fs.writeFileSync(
    main,
    'package main\n\n// Hello says hello.\nfunc Hello() string { return "hello" }\n\nfunc main() { _ = Hello() }\n',
  );
  const home = tempDir(t);
  const installed = path.join(home, "gopls", "gopls-v0.23.0-go1.26");
  fs.mkdirSync(installed, { recursive: true });
  fs.copyFileSync(realGopls(), path.join(installed, "gopls"));
  fs.chmodSync(path.join(installed, "gopls"), 0o755);
  const env = guardEnv(home, {
    GOPLS_GUARD_GOPLS_VERSION: "v0.23.0",
    GOMODCACHE: path.join(cache as string, "modcache"),
    GOCACHE: path.join(cache as string, "gocache"),
    GOFLAGS: "-modcacherw",
  });
  // As users have it (Fedora's Go, and this machine's): GOTOOLCHAIN=local in go's env file, so
  // go never switches on its own; gopls's go commands must get the Go it was built with.
  delete env.GOTOOLCHAIN;
  const goenvFile = path.join(tempDir(t), "go.env");
  fs.writeFileSync(goenvFile, "GOTOOLCHAIN=local\n");
  env.GOENV = goenvFile;
  const peer = new Peer([], env, module);
  t.after(() => peer.kill());
  const init = await peer.initialize({ rootUri: `file://${module}` }, 60_000);
  assert.match(JSON.stringify(init.result), /v0\.23\.0/);
  const uri = `file://${main}`;
  peer.notify("textDocument/didOpen", {
    textDocument: { uri, languageId: "go", version: 1, text: fs.readFileSync(main, "utf8") },
  });
  const ask = await peer.waitFor(
    "the offer",
    (m) => m.method === "window/showMessageRequest",
    30_000,
  );
  assert.match(
    JSON.stringify(ask.params),
    /go\.mod says go 1\.27, but gopls v0\.23\.0 was built with go1\.26 and cannot load it\..*Fix: Build the newest gopls for Go 1\.27 with go1\.27\.3: the go command downloads go1\.27\.3 \(72 MiB\) through your module proxy.* Build it\?/,
  );
  peer.send({ id: ask.id, result: { title: "Build it" } });
  await peer.waitFor(
    "switched",
    said(
      /gopls-guard: gopls v0\.2[4-9]\.\d+, built for Go 1\.27, runs for this workspace now .*1 open file handed to it/,
    ),
    150_000,
  );
  const built = fs
    .readdirSync(path.join(home, "gopls"))
    .find((d) => /^gopls-v0\.2[4-9]\.\d+-go1\.27$/.test(d));
  assert.ok(built, fs.readdirSync(path.join(home, "gopls")).join(", "));
  const info = (await run("go", ["version", "-m", path.join(home, "gopls", built, "gopls")]))
    .stdout;
  assert.match(info, /: go1\.27\.3\n/);
  // The new gopls loads the module: hover on Hello.
  const hover = await peer.call(
    "textDocument/hover",
    { textDocument: { uri }, position: { line: 3, character: 6 } },
    60_000,
  );
  assert.match(JSON.stringify(hover.result), /func Hello\(\) string/);

  assert.equal((await peer.call("shutdown")).result, null);
  peer.notify("exit");
  await peer.exited;

  // The next session in this workspace starts with that build at once: no question, no restart.
  const next = new Peer([], env, module);
  t.after(() => next.kill());
  const again = await next.initialize({ rootUri: `file://${module}` }, 60_000);
  assert.match(JSON.stringify(again.result), /v0\.2[4-9]\.\d+/);
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok(!next.received.some((m) => m.method === "window/showMessageRequest"));
});
