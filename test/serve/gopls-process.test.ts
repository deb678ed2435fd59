// The partial-frame watchdog on gopls's output, with real child processes through GoplsProcess:
// one that stops halfway through a frame and sleeps, one that is slow but steady, one that dies.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { FrameStall } from "../../src/lsp/stall.js";
import { GoplsProcess } from "../../src/serve/gopls-process.js";

/** A child that writes `chunks` (strings) `everyMs` apart, then lingers for `lingerMs`. */
function writer(chunks: string[], everyMs: number, lingerMs: number): string {
  return `const c = ${JSON.stringify(chunks)}; let i = 0;
const next = () => { if (i < c.length) { process.stdout.write(c[i++]); setTimeout(next, ${everyMs}); } };
next(); setTimeout(() => {}, ${lingerMs});`;
}

function start(script: string, stallMs: number, stalls: FrameStall[], frames: number[] = []) {
  let said: (s: FrameStall) => void = () => {};
  const first = new Promise<FrameStall>((resolve) => {
    said = resolve;
  });
  const gopls = new GoplsProcess({
    path: process.execPath,
    args: ["-e", script],
    env: process.env,
    maxMessageBytes: 1024 * 1024,
    onFrame: (f) => frames.push(f.length),
    onFramingError: (e) => assert.fail(e.message),
    onSpawnError: (e) => assert.fail(e.message),
    onDrain: () => {},
    frameStallMs: stallMs,
    onStall: (s) => {
      stalls.push(s);
      said(s);
    },
  });
  return { gopls, first };
}

const HALF = 'Content-Length: 100\r\n\r\n{"jsonrpc"';

test("gopls stopped halfway through a frame: onStall once, with what arrived, long before EOF", async (t) => {
  const stalls: FrameStall[] = [];
  const started = Date.now();
  const { gopls, first } = start(writer([HALF], 0, 20_000), 300, stalls);
  t.after(() => gopls.killNow());
  const stall = await first;
  const ms = Date.now() - started;
  assert.deepEqual(stall.partial, { headerBytes: 0, bodyBytes: 10, bodyLength: 100 });
  assert.ok(stall.stalledMs >= 300 && stall.stalledMs < 3000, `stalled ${stall.stalledMs} ms`);
  assert.ok(ms < 5000, `said after ${ms} ms`);
  assert.ok(gopls.running, "said while gopls still runs, before its EOF");
  // Said once per stall, however long it lasts.
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(stalls.length, 1);
  await gopls.stop(200, false);
});

test("a header cut short counts too", async (t) => {
  const stalls: FrameStall[] = [];
  const { gopls, first } = start(writer(["Content-Len"], 0, 20_000), 200, stalls);
  t.after(() => gopls.killNow());
  assert.deepEqual((await first).partial, { headerBytes: 11, bodyBytes: 0, bodyLength: undefined });
  await gopls.stop(200, false);
});

test("slow but steady output, and silence between whole frames, are not stalls", async (t) => {
  const body = `{"jsonrpc":"2.0","method":"x","params":"${"a".repeat(40)}"}`;
  const frame = `Content-Length: ${body.length}\r\n\r\n${body}`;
  // A byte every 50 ms (well under the 1 s bound), then a whole frame and a long quiet.
  // 3 s in all: a watch that fired a bound after the frame began, moving or not, would say it.
  const pieces = [...frame.slice(0, 60)].concat(frame.slice(60));
  const stalls: FrameStall[] = [];
  const frames: number[] = [];
  const { gopls } = start(writer([...pieces, frame], 50, 20_000), 1000, stalls, frames);
  t.after(() => gopls.killNow());
  await new Promise((r) => setTimeout(r, 50 * pieces.length + 1000));
  assert.deepEqual(frames, [body.length, body.length]);
  assert.deepEqual(stalls, []);
  await gopls.stop(200, false);
});

test("output the guard holds back is not gopls's stall; once released, a real one is said", async (t) => {
  const stalls: FrameStall[] = [];
  const { gopls, first } = start(writer([HALF], 0, 20_000), 200, stalls);
  t.after(() => gopls.killNow());
  await new Promise((r) => setTimeout(r, 50));
  gopls.pauseOutput();
  await new Promise((r) => setTimeout(r, 700));
  assert.deepEqual(stalls, []);
  gopls.resumeOutput();
  assert.equal((await first).partial.bodyBytes, 10);
  await gopls.stop(200, false);
});

test("the watch stops with the process: gopls dead mid-frame is its exit, not a stall", async () => {
  const stalls: FrameStall[] = [];
  const { gopls } = start(
    `process.stdout.write(${JSON.stringify(HALF)}, () => process.exit(3))`,
    200,
    stalls,
  );
  const exit = await gopls.closed;
  assert.equal(exit.code, 3);
  await new Promise((r) => setTimeout(r, 600));
  assert.deepEqual(stalls, []);
});
