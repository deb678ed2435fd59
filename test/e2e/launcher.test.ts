// `gopls-guard link`'s launcher, built for real with the local Go: it runs the guard with the same
// arguments, stdio, environment and exit code, in the same process (exec); `go version -m` reports
// the local Go; the guard never runs it as gopls; it is rebuilt when the Go that built it is of
// another minor; it cross-builds for Windows and macOS; without Go, link falls back to a symlink.

import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { buildLauncher } from "../../src/launcher/build.js";
import { nodeFlagsFromShebang } from "../../src/launcher/paths.js";
import { GUARD, ROOT, standinGopls, tempDir } from "../helpers/env.js";
import { guardEnv, Peer } from "../helpers/peer.js";
import { waitUntil } from "../helpers/procs.js";

const run = promisify(execFile);
const GO = execFileSync("sh", ["-c", "command -v go"], { encoding: "utf8" }).trim();
const LOCAL_GO = execFileSync(GO, ["env", "GOVERSION"], { encoding: "utf8" }).trim();

async function exec(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { env, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function link(home: string, dir?: string, extra: NodeJS.ProcessEnv = {}) {
  return exec(process.execPath, [GUARD, "link", ...(dir ? [dir] : [])], guardEnv(home, extra));
}

test("link builds a Go launcher that go version -m says the local Go built; it runs the guard", async (t) => {
  const home = tempDir(t);
  // A directory a Windows or macOS user could have: spaces, quotes, non-ASCII.
  const dir = path.join(tempDir(t), `Ada's "tools" dir/café bin`);
  const r = await link(home, dir);
  assert.equal(r.code, 0, r.stderr);
  const launcher = path.join(dir, "gopls");
  assert.equal(r.stdout, `${launcher}\n`);
  assert.equal(fs.lstatSync(launcher).isSymbolicLink(), false);
  const info = execFileSync(GO, ["version", "-m", launcher], { encoding: "utf8" });
  assert.match(
    info,
    new RegExp(`^${launcher.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: ${LOCAL_GO}\n`),
  );
  assert.match(info, /\tpath\tgopls-guard\/launcher\n/);
  const env = guardEnv(home, { GOPLS_GUARD_GOPLS: standinGopls() });
  const version = await exec(launcher, ["version"], env);
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout, "golang.org/x/tools/gopls (devel)\n");
  // gopls's exit code and stderr come through the launcher and the guard.
  const failed = await exec(launcher, ["fail"], env);
  assert.equal(failed.code, 7);
  assert.match(failed.stderr, /failing on purpose/);
  // Recorded for the serve start's check.
  assert.deepEqual(
    JSON.parse(fs.readFileSync(path.join(home, "state", "launchers.json"), "utf8")),
    [launcher],
  );
});

test("the launcher execs node: the editor's child is the guard itself, and gopls does not see the marker", async (t) => {
  const home = tempDir(t);
  const r = await link(home);
  assert.equal(r.code, 0, r.stderr);
  const launcher = r.stdout.trim();
  const peer = new Peer(
    [],
    guardEnv(home, { GOPLS_GUARD_GOPLS: standinGopls() }),
    undefined,
    launcher,
  );
  t.after(() => peer.kill());
  await peer.initialize();
  // Same pid, now node running the bundle with the shebang's node flags: nothing in between.
  const cmdline = fs.readFileSync(`/proc/${peer.pid}/cmdline`, "utf8").split("\0");
  const shebang = fs.readFileSync(GUARD, "utf8").split("\n")[0] as string;
  const flags = nodeFlagsFromShebang(shebang);
  assert.deepEqual(cmdline.slice(0, 2 + flags.length), [
    process.execPath,
    ...flags,
    fs.realpathSync(GUARD),
  ]);
  const env = (await peer.call("standin/env", ["GOPLS_GUARD_LAUNCHER", "GOPLS_GUARD_PARENT_PID"]))
    .result as Record<string, string>;
  assert.equal(env.GOPLS_GUARD_LAUNCHER || undefined, undefined);
  assert.equal(env.GOPLS_GUARD_PARENT_PID, String(peer.pid));
});

test("GOPLS_GUARD_GOPLS naming a launcher is refused as the guard itself, however it is started", async (t) => {
  const home = tempDir(t);
  const launcher = (await link(home)).stdout.trim();
  const env = guardEnv(home, { GOPLS_GUARD_GOPLS: launcher });
  for (const [cmd, args] of [
    [GUARD, ["version"]],
    [launcher, ["version"]],
  ] as const) {
    const r = await exec(cmd, [...args], env);
    assert.equal(r.code, 1, cmd);
    assert.match(
      r.stderr,
      /\[guard\.recursion\] The gopls the guard would run is the guard itself/,
    );
    assert.match(r.stderr, new RegExp(`gopls: ${launcher}; found: GOPLS_GUARD_GOPLS`));
  }
  // A copy without its sidecar is still known when it is what started the guard.
  const copy = path.join(tempDir(t), "gopls");
  fs.copyFileSync(launcher, copy);
  fs.chmodSync(copy, 0o755);
  const r = await exec(copy, ["version"], guardEnv(home, { GOPLS_GUARD_GOPLS: copy }));
  assert.equal(r.code, 1);
  assert.match(r.stderr, /\[guard\.recursion\]/);
});

test("a serve start rebuilds a launcher another Go minor built, atomically, and leaves a current one alone", async (t) => {
  const home = tempDir(t);
  const launcher = (await link(home)).stdout.trim();
  const sidecar = `${launcher}.launcher.json`;
  const recorded = JSON.parse(fs.readFileSync(sidecar, "utf8")) as { go: string };
  assert.equal(recorded.go, LOCAL_GO);
  // As if the user had upgraded Go since `link`: the launcher says an older minor built it.
  fs.writeFileSync(sidecar, JSON.stringify({ ...recorded, go: "go1.25.7" }));
  const before = fs.statSync(launcher).ino;
  const env = guardEnv(home, { GOPLS_GUARD_GOPLS: standinGopls() });
  const peer = new Peer([], env, undefined, launcher);
  t.after(() => peer.kill());
  await peer.initialize();
  await waitUntil(
    "the launcher is rebuilt",
    () => (JSON.parse(fs.readFileSync(sidecar, "utf8")) as { go: string }).go === LOCAL_GO,
    90_000,
  );
  assert.notEqual(fs.statSync(launcher).ino, before, "replaced by rename, not rewritten in place");
  assert.match(execFileSync(GO, ["version", launcher], { encoding: "utf8" }), new RegExp(LOCAL_GO));
  assert.deepEqual(
    fs.readdirSync(path.dirname(launcher)).sort(),
    ["gopls", "gopls.launcher.json"],
    "no staging files left",
  );
  const logged = () =>
    fs
      .readdirSync(path.join(home, "logs"))
      .map((f) => fs.readFileSync(path.join(home, "logs", f), "utf8"))
      .join("");
  await waitUntil(
    "the rebuild is logged",
    () => /"event":"launcher.rebuilt".*"from":"go1.25.7","to":"go1\./.test(logged()),
    10_000,
  );
  // The next start: current, nothing rebuilt.
  const ino = fs.statSync(launcher).ino;
  const again = new Peer([], env, undefined, launcher);
  t.after(() => again.kill());
  await again.initialize();
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(fs.statSync(launcher).ino, ino);
});

test("without Go, link makes the old symlink and says why; the next start with Go builds the launcher", async (t) => {
  const home = tempDir(t);
  const r = await link(home, undefined, { GOPLS_GUARD_GO: "/nonexistent/go" });
  assert.equal(r.code, 0, r.stderr);
  const launcher = r.stdout.trim();
  assert.equal(fs.readlinkSync(launcher), fs.realpathSync(GUARD));
  assert.match(
    r.stderr,
    /the launcher needs Go to be built: GOPLS_GUARD_GO does not name an executable go binary/,
  );
  assert.match(r.stderr, /will say "Tools \(gopls\) need recompiling" at every start/);
  const peer = new Peer(
    [],
    guardEnv(home, { GOPLS_GUARD_GOPLS: standinGopls() }),
    undefined,
    launcher,
  );
  t.after(() => peer.kill());
  await peer.initialize();
  await waitUntil(
    "the launcher replaces the link",
    () => fs.existsSync(`${launcher}.launcher.json`),
    90_000,
  );
  assert.equal(fs.lstatSync(launcher).isSymbolicLink(), false);
  assert.match(execFileSync(GO, ["version", launcher], { encoding: "utf8" }), new RegExp(LOCAL_GO));
});

test("link leaves a gopls it did not make alone", async (t) => {
  const home = tempDir(t);
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, "gopls"), "someone else's\n");
  const r = await link(home, dir);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /exists and is not a link to the guard; it was left alone/);
  assert.equal(fs.readFileSync(path.join(dir, "gopls"), "utf8"), "someone else's\n");
});

for (const [goos, goarch] of [
  ["windows", "amd64"],
  ["windows", "arm64"],
  ["darwin", "arm64"],
  ["darwin", "amd64"],
] as const) {
  test(`the launcher cross-builds for ${goos}/${goarch}`, async (t) => {
    const out = path.join(tempDir(t), goos === "windows" ? "gopls.exe" : "gopls");
    const built = await buildLauncher({
      go: GO,
      env: process.env,
      sourceDir: path.join(ROOT, "src", "launcher"),
      output: out,
      goos,
      goarch,
      target:
        goos === "windows"
          ? {
              node: "C:\\Program Files\\nodejs\\node.exe",
              nodeFlags: ["--max-semi-space-size=1"],
              guard:
                "C:\\Users\\Ada Lovelace\\AppData\\Roaming\\npm\\node_modules\\gopls-guard\\dist\\gopls-guard.mjs",
            }
          : {
              node: "/opt/homebrew/bin/node",
              nodeFlags: ["--max-semi-space-size=1"],
              guard: "/Users/ada/Library/Application Support/npm/gopls-guard/dist/gopls-guard.mjs",
            },
    });
    assert.ok(built.ok, JSON.stringify(!built.ok && built.finding));
    const info = execFileSync(GO, ["version", "-m", out], { encoding: "utf8" });
    assert.match(info, new RegExp(`\\tbuild\\tGOOS=${goos}\\n`));
    assert.match(info, new RegExp(`\\tbuild\\tGOARCH=${goarch}\\n`));
    const magic = fs.readFileSync(out).subarray(0, 4);
    if (goos === "windows") assert.equal(magic.subarray(0, 2).toString("latin1"), "MZ");
    else assert.ok([0xfeedfacf, 0xcffaedfe].includes(magic.readUInt32BE(0)), magic.toString("hex"));
  });
}

test("the launcher's Go unit test (its argv) passes", async (t) => {
  const dir = tempDir(t);
  for (const f of fs.readdirSync(path.join(ROOT, "src", "launcher")))
    if (f.endsWith(".go"))
      fs.copyFileSync(path.join(ROOT, "src", "launcher", f), path.join(dir, f));
  fs.writeFileSync(
    path.join(dir, "config.go"),
    'package main\n\nconst node = "/n"\n\nconst guard = "/g"\n\nvar nodeFlags []string\n',
  );
  fs.writeFileSync(path.join(dir, "go.mod"), "module gopls-guard/launcher\n\ngo 1.18\n");
  const env = {
    ...process.env,
    GOFLAGS: "",
    GOWORK: "off",
    GOTOOLCHAIN: "local",
    CGO_ENABLED: "0",
  };
  execFileSync(GO, ["test", "./..."], { cwd: dir, env, stdio: "pipe", timeout: 120_000 });
  // And it type-checks for Windows (run_windows.go).
  execFileSync(GO, ["vet", "./..."], {
    cwd: dir,
    env: { ...env, GOOS: "windows" },
    stdio: "pipe",
    timeout: 120_000,
  });
});
