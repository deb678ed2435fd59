// The share key: two clients that differ in anything that changes gopls's answers never share;
// two that differ only in what does not (the editor's pid, a terminal's variables) do.

import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { differingParts, type KeyInputs, shareKey } from "../../src/shared/key.js";

function base(t: { after(fn: () => void): void }): KeyInputs {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gg-key-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const bin = path.join(dir, "bin");
  fs.mkdirSync(bin);
  fs.writeFileSync(path.join(bin, "go"), "#!/bin/sh\n", { mode: 0o755 });
  fs.mkdirSync(path.join(dir, "config", "go"), { recursive: true });
  return {
    uid: 1000,
    guard: "0.1.0 /opt/gopls-guard.mjs",
    gopls: "/home/u/.local/share/gopls-guard/gopls/v0.23.0/gopls v0.23.0",
    PATH: bin,
    configFile: "",
    env: { HOME: dir, XDG_CONFIG_HOME: path.join(dir, "config"), PATH: bin, GOFLAGS: "" },
    goplsArgs: [],
    initialize: {
      processId: 111,
      capabilities: { textDocument: { hover: { contentFormat: ["markdown"] } } },
      clientInfo: { name: "Visual Studio Code", version: "1.96.0" },
      workspaceFolders: [{ uri: "file:///work/a", name: "a" }],
      initializationOptions: { staticcheck: false },
    },
  };
}

const differences: [string, string, (i: KeyInputs) => KeyInputs][] = [
  ["user", "user", (i) => ({ ...i, uid: 1001 })],
  ["gopls build", "gopls", (i) => ({ ...i, gopls: `${i.gopls.replace(/v0.23.0/g, "v0.24.0")}` })],
  ["PATH", "PATH", (i) => ({ ...i, PATH: `/usr/local/bin:${i.PATH}` })],
  [
    "GOFLAGS (build tags)",
    "env",
    (i) => ({ ...i, env: { ...i.env, GOFLAGS: "-tags=integration" } }),
  ],
  ["GOOS", "env", (i) => ({ ...i, env: { ...i.env, GOOS: "windows" } })],
  ["GOARCH", "env", (i) => ({ ...i, env: { ...i.env, GOARCH: "arm64" } })],
  ["GOWORK", "env", (i) => ({ ...i, env: { ...i.env, GOWORK: "off" } })],
  ["GOPROXY", "env", (i) => ({ ...i, env: { ...i.env, GOPROXY: "https://corp.example" } })],
  ["GOPRIVATE", "env", (i) => ({ ...i, env: { ...i.env, GOPRIVATE: "corp.example" } })],
  ["GOTOOLCHAIN", "env", (i) => ({ ...i, env: { ...i.env, GOTOOLCHAIN: "go1.25.0" } })],
  ["CGO_ENABLED", "env", (i) => ({ ...i, env: { ...i.env, CGO_ENABLED: "0" } })],
  [
    "the pinned gopls version",
    "env",
    (i) => ({ ...i, env: { ...i.env, GOPLS_GUARD_GOPLS_VERSION: "v0.22.0" } }),
  ],
  [
    "workspace folders",
    "folders",
    (i) => ({
      ...i,
      initialize: { ...i.initialize, workspaceFolders: [{ uri: "file:///work/b", name: "b" }] },
    }),
  ],
  [
    "client capabilities",
    "client",
    (i) => ({ ...i, initialize: { ...i.initialize, capabilities: { textDocument: {} } } }),
  ],
  [
    "the client",
    "client",
    (i) => ({ ...i, initialize: { ...i.initialize, clientInfo: { name: "Neovim" } } }),
  ],
  [
    "gopls settings (initializationOptions)",
    "settings",
    (i) => ({
      ...i,
      initialize: { ...i.initialize, initializationOptions: { staticcheck: true } },
    }),
  ],
  [
    "the guard's config file",
    "config",
    (i) => ({ ...i, configFile: '{"goplsVersion":"v0.22.0"}' }),
  ],
  ["gopls's command line", "args", (i) => ({ ...i, goplsArgs: ["-rpc.trace"] })],
];

for (const [what, part, change] of differences) {
  test(`clients that differ in ${what} never share (part "${part}")`, (t) => {
    const i = base(t);
    const a = shareKey(i);
    const b = shareKey(change(i));
    assert.notEqual(a.hash, b.hash);
    assert.deepEqual(differingParts(a.parts, b.parts), [part]);
  });
}

test("a different go command, or the same one rebuilt, or another go env -w file is another key", (t) => {
  const i = base(t);
  const before = shareKey(i);
  fs.writeFileSync(path.join(i.PATH, "go"), "#!/bin/sh\n# go1.26.9\n", { mode: 0o755 });
  assert.deepEqual(differingParts(before.parts, shareKey(i).parts), ["go"]);
  const after = shareKey(i);
  fs.writeFileSync(path.join(i.env.XDG_CONFIG_HOME as string, "go", "env"), "GOFLAGS=-mod=mod\n");
  assert.deepEqual(differingParts(after.parts, shareKey(i).parts), ["goenv-file"]);
});

test("what does not change gopls's answers does not split clients", (t) => {
  const i = base(t);
  const a = shareKey(i);
  const b = shareKey({
    ...i,
    env: {
      ...i.env,
      TERM: "xterm",
      VSCODE_PID: "42",
      SHLVL: "3",
      GOPLS_GUARD_SHARE: "1",
      GOPLS_GUARD_LOG_LEVEL: "debug",
    },
    initialize: {
      ...i.initialize,
      processId: 222,
      trace: "verbose",
      clientInfo: { name: "Visual Studio Code", version: "1.97.0" },
      // The same settings in another order.
      initializationOptions: { staticcheck: false },
    },
  });
  assert.equal(a.hash, b.hash);
});

test("status may show the workspace and the build, never a variable's value", (t) => {
  const i = base(t);
  const key = shareKey({ ...i, env: { ...i.env, GOPROXY: "https://user:secret@corp.example" } });
  assert.doesNotMatch(JSON.stringify(key), /secret/);
  assert.equal(key.shown.folders, "file:///work/a");
});
