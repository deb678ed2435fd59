// The single-file executables (`npm run dist`): built here from the npm registry's Node binaries
// (cached), then the linux-x64 one runs an editor session with the real gopls where `node` is not
// on PATH, builds its own launcher (`link`, from the Go source it carries), and the win-x64 one
// runs under Wine; the others are checked by their format (Mach-O for macOS, ELF aarch64).

import assert from "node:assert/strict";
import { execFile, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { before, test } from "node:test";
import { promisify } from "node:util";
import { copyFixture, ROOT, realGopls, tempDir } from "../helpers/env.js";
import { REAL_GO } from "../helpers/gocount.js";
import { guardEnv, Peer } from "../helpers/peer.js";
import { waitUntil } from "../helpers/procs.js";

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

test("linux-x64: an editor session with the real gopls, node not on PATH", {
  timeout: 120_000,
}, async (t) => {
  const dir = copyFixture(t, "hello");
  const env = {
    ...guardEnv(tempDir(t), { GOPLS_GUARD_GOPLS: realGopls() }),
    PATH: pathWithoutNode(t),
  };
  const version = await run(exe("linux-x64"), ["version"], { env });
  assert.match(version.stdout, /golang\.org\/x\/tools\/gopls v0\.23\.0/);
  const peer = new Peer([], env, dir, exe("linux-x64"));
  t.after(() => peer.kill());
  await peer.initialize({ rootUri: `file://${dir}` }, 60_000);
  const uri = `file://${path.join(dir, "hello.go")}`;
  peer.notify("textDocument/didOpen", {
    textDocument: {
      uri,
      languageId: "go",
      version: 1,
      text: fs.readFileSync(path.join(dir, "hello.go"), "utf8"),
    },
  });
  await peer.waitFor(
    "gopls's diagnostic",
    (m) =>
      m.method === "textDocument/publishDiagnostics" && /not an int/.test(JSON.stringify(m.params)),
    60_000,
  );
  const text = fs.readFileSync(path.join(dir, "hello.go"), "utf8").split("\n");
  const line = text.findIndex((l) => l.includes("return Greet("));
  const hover = await peer.call("textDocument/hover", {
    textDocument: { uri },
    position: { line, character: (text[line] as string).indexOf("Greet") + 1 },
  });
  assert.match(JSON.stringify(hover.result), /Greet returns a friendly greeting/);
  assert.equal((await peer.call("shutdown")).result, null);
  peer.notify("exit");
  assert.equal((await peer.exited).code, 0);
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

const E = process.env;
const noWine =
  E.GOPLS_GUARD_TEST_WINE_SKIP ||
  (E.GOPLS_GUARD_TEST_WINE_PREFIX ? false : "Wine is not set up (run the tests with `npm test`)");
const win = (p: string) => `Z:${p.replaceAll("/", "\\")}`;

test("win-x64 under Wine: the executable runs gopls version through a Windows gopls", {
  skip: noWine,
  timeout: 300_000,
}, async (t) => {
  t.after(() => {
    spawn("wineserver", ["-k"], {
      env: { ...process.env, WINEPREFIX: E.GOPLS_GUARD_TEST_WINE_PREFIX },
      stdio: "ignore",
    });
  });
  const home = tempDir(t);
  const out = path.join(tempDir(t), "out");
  const env = {
    ...process.env,
    WINEPREFIX: E.GOPLS_GUARD_TEST_WINE_PREFIX,
    WINEDEBUG: "-all",
    GOPLS_GUARD_HOME: win(home),
    GOPLS_GUARD_GO: win(E.GOPLS_GUARD_TEST_WINE_GO as string),
    GOROOT: win(execFileSync("go", ["env", "GOROOT"], { encoding: "utf8" }).trim()),
    GOPLS_GUARD_GOPLS: win(E.GOPLS_GUARD_TEST_WINE_STANDIN as string),
    GOPLS_GUARD_CHECKS: "off",
  };
  // Files, not pipes: Wine's console handles for a child of node's test runner are not usable.
  const fd = fs.openSync(out, "w");
  const err = path.join(tempDir(t), "err");
  const efd = fs.openSync(err, "w");
  const child = spawn("wine", [exe("win-x64"), "version"], { env, stdio: ["ignore", fd, efd] });
  fs.closeSync(fd);
  fs.closeSync(efd);
  const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
  assert.equal(code, 0, `${fs.readFileSync(err, "utf8")}${fs.readFileSync(out, "utf8")}`);
  await waitUntil("output", () => fs.readFileSync(out, "utf8").length > 0);
  assert.equal(fs.readFileSync(out, "utf8"), "golang.org/x/tools/gopls (devel)\n");
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
