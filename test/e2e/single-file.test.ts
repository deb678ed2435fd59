// The single-file executables (`npm run dist`): built here from the npm registry's Node binaries
// (cached), then the linux-x64 one runs an editor session with the real gopls where `node` is not
// on PATH, builds its own launcher (`link`, from the Go source it carries), and the win-x64 one
// runs under Wine; the others are checked by their format (Mach-O for macOS, ELF aarch64).

import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { before, test } from "node:test";
import { promisify } from "node:util";
import { copyFixture, ROOT, realGopls, tempDir } from "../helpers/env.js";
import { REAL_GO } from "../helpers/gocount.js";
import { guardEnv, Peer } from "../helpers/peer.js";
import { ensureUsers, usersUnavailable } from "../helpers/users.js";
import { E, noWine, stopWineserver, win, wine } from "../helpers/wine.js";

const run = promisify(execFile);
const OUT = path.join(ROOT, "dist-bin");
const exe = (target: string) =>
  path.join(OUT, `gopls-guard-${target}${target.startsWith("win") ? ".exe" : ""}`);
const FUSE_ON = Buffer.from("NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1");

before(async () => {
  // One command builds all five, as a release would.
  await run(process.execPath, [path.join(ROOT, "scripts", "dist.mjs")], {
    cwd: ROOT,
    maxBuffer: 1 << 26,
  });
});

/** A PATH with go on it and no node: a Go user's machine without Node.js. */
function pathWithoutNode(t: Parameters<typeof tempDir>[0]): string {
  const bin = tempDir(t, "gg-nonode-");
  fs.symlinkSync(REAL_GO, path.join(bin, "go"));
  assert.throws(() => execFileSync("sh", ["-c", "command -v node"], { env: { PATH: bin } }));
  return bin;
}

/** A directory anyone can read, with a copy of the file in it (what a user downloaded). */
function publicCopy(t: Parameters<typeof tempDir>[0], file: string): string {
  const dir = tempDir(t, "gg-public-");
  fs.chmodSync(dir, 0o755);
  const copy = path.join(dir, path.basename(file));
  fs.copyFileSync(file, copy);
  fs.chmodSync(copy, 0o755);
  return copy;
}

const noUsers = usersUnavailable();

test("linux-x64: a new user, node not on PATH, runs an editor session with the real gopls", {
  skip: noUsers ?? false,
  timeout: 120_000,
}, async (t) => {
  ensureUsers();
  const user = "gg-alice";
  // A fresh home and a module of the user's own; the executable and gopls where anyone reads them.
  const home = tempDir(t, "gg-newuser-");
  const dir = copyFixture(t, "hello");
  const bin = pathWithoutNode(t);
  for (const d of [home, dir]) execFileSync("chown", ["-R", `${user}:${user}`, d]);
  fs.chmodSync(bin, 0o755);
  const guard = publicCopy(t, exe("linux-x64"));
  const gopls = publicCopy(t, realGopls());
  const env = [`PATH=${bin}`, `HOME=${home}`, `USER=${user}`, `GOPLS_GUARD_GOPLS=${gopls}`];
  const argv = ["--reuid", user, "--regid", user, "--init-groups", "--", "env", "-i", ...env];
  const version = await run("setpriv", [...argv, guard, "version"]);
  assert.match(version.stdout, /golang\.org\/x\/tools\/gopls v0\.23\.0/);
  const peer = new Peer([...argv, guard], {}, dir, "setpriv");
  t.after(() => peer.kill());
  await peer.initialize({ rootUri: `file://${dir}` }, 60_000);
  const uri = `file://${path.join(dir, "hello.go")}`;
  const text = fs.readFileSync(path.join(dir, "hello.go"), "utf8");
  peer.notify("textDocument/didOpen", {
    textDocument: { uri, languageId: "go", version: 1, text },
  });
  await peer.waitFor(
    "gopls's diagnostic",
    (m) =>
      m.method === "textDocument/publishDiagnostics" && /not an int/.test(JSON.stringify(m.params)),
    60_000,
  );
  const lines = text.split("\n");
  const line = lines.findIndex((l) => l.includes("return Greet("));
  const hover = await peer.call("textDocument/hover", {
    textDocument: { uri },
    position: { line, character: (lines[line] as string).indexOf("Greet") + 1 },
  });
  assert.match(JSON.stringify(hover.result), /Greet returns a friendly greeting/);
  assert.equal((await peer.call("shutdown")).result, null);
  peer.notify("exit");
  assert.equal((await peer.exited).code, 0);
  // The guard's home is the user's, private.
  const guardHome = path.join(home, ".local", "share", "gopls-guard");
  assert.equal(fs.statSync(guardHome).mode & 0o077, 0);
});

test("linux-x64: link builds gopls (the launcher) from the Go source inside the executable; it runs the executable", {
  timeout: 120_000,
}, async (t) => {
  const dir = tempDir(t);
  const env = {
    ...guardEnv(tempDir(t), { GOPLS_GUARD_GOPLS: realGopls() }),
    PATH: pathWithoutNode(t),
  };
  const linked = await run(exe("linux-x64"), ["link", dir], { env });
  const launcher = linked.stdout.trim();
  assert.equal(launcher, path.join(dir, "gopls"));
  // A Go program (VS Code's Go extension reads its build info), not a link.
  assert.ok(!fs.lstatSync(launcher).isSymbolicLink());
  const info = execFileSync(REAL_GO, ["version", "-m", launcher], { encoding: "utf8" });
  assert.match(info, /path\s+gopls-guard\/launcher/);
  const version = await run(launcher, ["version"], { env });
  assert.match(version.stdout, /golang\.org\/x\/tools\/gopls v0\.23\.0/);
});

test("linux-x64: shared mode, node not on PATH, starts its instance from the executable itself", {
  timeout: 120_000,
}, async (t) => {
  const home = tempDir(t, "gg-sea-share-");
  const dir = copyFixture(t, "hello");
  const env = guardEnv(home, {
    PATH: pathWithoutNode(t),
    GOPLS_GUARD_GOPLS: realGopls(),
    GOPLS_GUARD_SHARE: "1",
    GOPLS_GUARD_SHARE_DIR: path.join(home, "run"),
  });
  const [a, b] = [0, 1].map(() => {
    const peer = new Peer([], env, dir, exe("linux-x64"));
    t.after(() => peer.kill());
    return peer;
  });
  const hello = `file://${dir}/hello.go`;
  for (const peer of [a, b] as Peer[]) {
    await peer.initialize(
      { rootUri: `file://${dir}`, workspaceFolders: [{ uri: `file://${dir}`, name: "hello" }] },
      60_000,
    );
    peer.notify("textDocument/didOpen", {
      textDocument: {
        uri: hello,
        languageId: "go",
        version: 1,
        text: fs.readFileSync(path.join(dir, "hello.go"), "utf8"),
      },
    });
  }
  for (const peer of [a, b] as Peer[]) {
    const r = await peer.call(
      "textDocument/hover",
      { textDocument: { uri: hello }, position: { line: 17, character: 9 } },
      60_000,
    );
    assert.match(JSON.stringify(r.result), /Greet returns a friendly greeting/);
  }
  // One instance, and it is the executable (there is no node to run).
  const sessions = fs.readdirSync(path.join(home, "sessions")).filter((n) => n.endsWith(".json"));
  assert.equal(sessions.length, 1);
  const pid = Number((sessions[0] as string).replace(".json", ""));
  assert.equal(fs.realpathSync(`/proc/${pid}/exe`), fs.realpathSync(exe("linux-x64")));
});

test("win-x64 under Wine: the executable runs gopls version through a Windows gopls", {
  skip: noWine,
  timeout: 300_000,
}, async (t) => {
  stopWineserver(t);
  const r = await wine(t, exe("win-x64"), ["version"], {
    GOPLS_GUARD_HOME: win(tempDir(t)),
    GOPLS_GUARD_GO: win(E.GOPLS_GUARD_TEST_WINE_GO as string),
    GOROOT: win(execFileSync("go", ["env", "GOROOT"], { encoding: "utf8" }).trim()),
    GOPLS_GUARD_GOPLS: win(E.GOPLS_GUARD_TEST_WINE_STANDIN as string),
    GOPLS_GUARD_CHECKS: "off",
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "golang.org/x/tools/gopls (devel)\n");
});

test("darwin-x64, darwin-arm64, linux-arm64: the right executable format, with the guard injected", () => {
  const formats: Array<[string, (b: Buffer) => boolean]> = [
    // Mach-O 64-bit, CPU_TYPE_X86_64 / CPU_TYPE_ARM64, with a NODE_SEA segment.
    ["darwin-x64", (b) => b.readUInt32LE(0) === 0xfeedfacf && b.readUInt32LE(4) === 0x01000007],
    ["darwin-arm64", (b) => b.readUInt32LE(0) === 0xfeedfacf && b.readUInt32LE(4) === 0x0100000c],
    // ELF 64-bit, EM_AARCH64.
    ["linux-arm64", (b) => b.readUInt32BE(0) === 0x7f454c46 && b.readUInt16LE(18) === 183],
  ];
  for (const [target, format] of formats) {
    const bytes = fs.readFileSync(exe(target));
    assert.ok(format(bytes), `${target}: not the expected executable format`);
    assert.ok(bytes.includes(FUSE_ON), `${target}: the single-executable fuse is not set`);
    if (target.startsWith("darwin"))
      assert.ok(
        bytes.subarray(0, 1 << 16).includes(Buffer.from("NODE_SEA\0")),
        `${target}: no NODE_SEA segment`,
      );
  }
});
