// The gopls spawned ahead of the session, with real child processes: taken when the session
// would start the same one, killed when it would not, and never handed over once it has exited.

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { discardEarly, spawnEarly, takeEarly } from "../../src/serve/early-gopls.js";
import { GoplsProcess } from "../../src/serve/gopls-process.js";
import { childrenOf, cmdline, waitGone, waitUntil } from "../helpers/procs.js";

// An LSP server of one line: answers any request with its own pid.
const SERVER = `let buf = Buffer.alloc(0);
process.stdin.on("data", (c) => {
  buf = Buffer.concat([buf, c]);
  const end = buf.indexOf("\\r\\n\\r\\n");
  if (end < 0) return;
  const n = Number(/Content-Length: (\\d+)/.exec(buf.subarray(0, end).toString())[1]);
  if (buf.length < end + 4 + n) return;
  const m = JSON.parse(buf.subarray(end + 4, end + 4 + n).toString());
  buf = buf.subarray(end + 4 + n);
  const body = JSON.stringify({ jsonrpc: "2.0", id: m.id, result: process.pid });
  process.stdout.write("Content-Length: " + Buffer.byteLength(body) + "\\r\\n\\r\\n" + body);
});`;
const ARGS = ["-e", SERVER];
const ENV = { PATH: process.env.PATH, MARK: "early" };

/** The early child, found without taking it: this process's child running `args`. */
function heldPid(args: readonly string[]): number {
  const pid = childrenOf(process.pid).find((p) => cmdline(p).endsWith(args.join(" ")));
  assert.ok(pid, "the early child runs");
  return pid;
}

test("the session starting the same gopls takes the early one, and talks to it", async (t) => {
  spawnEarly(process.execPath, ARGS, ENV);
  t.after(discardEarly);
  const frames: string[] = [];
  const gopls = new GoplsProcess({
    path: process.execPath,
    args: [...ARGS],
    env: { MARK: "early", PATH: process.env.PATH }, // the same, in another order
    maxMessageBytes: 1 << 20,
    onFrame: (f) => frames.push(Buffer.concat(f.chunks).toString()),
    onFramingError: (e) => assert.fail(e.message),
    onSpawnError: (e) => assert.fail(e.message),
    onDrain: () => {},
  });
  t.after(() => gopls.killNow());
  assert.equal(gopls.early, true);
  assert.ok(gopls.spawnedAt <= Date.now());
  const body = Buffer.from('{"jsonrpc":"2.0","id":1,"method":"x"}');
  gopls.send({ chunks: [body], length: body.length });
  await waitUntil("the early gopls answers", () => frames.length > 0);
  assert.match(frames[0] as string, new RegExp(`"result":${gopls.pid}`));
  // Taken once: nothing is held any more.
  assert.equal(takeEarly(process.execPath, ARGS, ENV), undefined);
  await gopls.stop(500);
});

for (const [what, path, args, env] of [
  ["another binary", "/bin/cat", ARGS, ENV],
  ["other arguments", process.execPath, [...ARGS, "-remote=auto"], ENV],
  ["another environment", process.execPath, ARGS, { ...ENV, MARK: "later" }],
  ["one more variable", process.execPath, ARGS, { ...ENV, GOFLAGS: "-mod=mod" }],
] as const) {
  test(`the session would start ${what}: the early gopls is killed, not handed over`, async () => {
    spawnEarly(process.execPath, ARGS, ENV);
    const pid = heldPid(ARGS);
    assert.equal(takeEarly(path, [...args], { ...env }), undefined);
    await waitGone(pid);
    assert.equal(takeEarly(process.execPath, ARGS, ENV), undefined, "gone, not held");
  });
}

test("an early gopls nobody takes is killed: by a discard, and at process exit", async () => {
  spawnEarly(process.execPath, ARGS, ENV);
  const pid = heldPid(ARGS);
  discardEarly();
  await waitGone(pid);
  assert.equal(takeEarly(process.execPath, ARGS, ENV), undefined);
  // A process that spawns one and exits without a session (a guard that failed to load).
  const module = new URL("../../src/serve/early-gopls.js", import.meta.url).href;
  const script = `import(${JSON.stringify(module)}).then((m) => {
    m.spawnEarly(process.execPath, ["-e", "setInterval(() => {}, 1000)"], process.env);
    setTimeout(() => {
      console.log(require("node:child_process").execSync("pgrep -P " + process.pid).toString());
      process.exit(3);
    }, 300);
  });`;
  const out = spawnSync(process.execPath, ["-e", script], { encoding: "utf8" });
  assert.equal(out.status, 3, out.stderr);
  const left = out.stdout.trim().split("\n").map(Number);
  assert.ok(left.length > 0 && left.every((p) => p > 0), `its children: ${out.stdout}`);
  for (const p of left) await waitGone(p);
});

test("an early gopls that exited before the session came is not handed over", async () => {
  const args = ["-e", "process.exit(5)"];
  spawnEarly(process.execPath, args, ENV);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(takeEarly(process.execPath, args, ENV), undefined);
});

test("an early spawn that failed (no such binary) is not handed over, and throws nothing", async () => {
  spawnEarly("/nonexistent/gopls", [], ENV);
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(takeEarly("/nonexistent/gopls", [], ENV), undefined);
});
