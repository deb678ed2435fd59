// Reading pipes directly (src/lsp/pipe-input.ts) and writing frames to their descriptors
// (FrameSink): real pipes, real child processes, the guard's real standard input.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { encodeFrame, type Frame, FrameReader, FrameSink } from "../../src/lsp/framing.js";
import { readChildOutput } from "../../src/lsp/pipe-input.js";

const pipeInput = fileURLToPath(new URL("../../src/lsp/pipe-input.js", import.meta.url));

/** A frame as a reader hands it on: its original bytes kept (what the guard forwards). */
function rawFrame(body: string): Frame {
  let frame: Frame | undefined;
  const reader = new FrameReader({
    maxBodyBytes: 1 << 24,
    onFrame: (f) => {
      frame = f;
    },
    onError: (e) => assert.fail(e.message),
  });
  reader.push(encodeFrame(body));
  assert.ok(frame?.raw, "a whole canonical frame keeps its bytes");
  return frame;
}

test("a child's output is read straight from its pipe, in order, and the child still closes", async () => {
  const child = spawn(
    process.execPath,
    ["-e", "for (let i = 0; i < 2000; i++) process.stdout.write('line ' + i + '\\n')"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const given = child.stdout;
  const chunks: Buffer[] = [];
  const { stream: out, direct } = readChildOutput(child, (chunk) => chunks.push(chunk));
  assert.ok(direct);
  assert.notEqual(out, given, "the pipe is read by a socket of its own");
  let dataEvents = 0;
  given.on("data", () => dataEvents++);
  const ended = new Promise((resolve) => out.on("end", resolve));
  const closed = new Promise((resolve) => child.on("close", resolve));
  assert.equal(await closed, 0);
  await ended;
  const expected = Array.from({ length: 2000 }, (_, i) => `line ${i}\n`).join("");
  assert.equal(Buffer.concat(chunks).toString(), expected);
  assert.equal(dataEvents, 0);
});

test("a child's output held back by pause() waits in the pipe and comes on resume()", async () => {
  const total = 4 * 1024 * 1024;
  const child = spawn(
    process.execPath,
    ["-e", `process.stdout.write(Buffer.alloc(${total}, 97))`],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let got = 0;
  const { stream: out } = readChildOutput(child, (chunk) => {
    got += chunk.length;
  });
  out.pause();
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.ok(got < total, `paused: ${got} of ${total} bytes read`);
  assert.equal(child.exitCode, null, "the child waits for its pipe to drain");
  out.resume();
  await new Promise((resolve) => child.on("close", resolve));
  assert.equal(got, total);
});

test("a child's output already read through 'data' stays with its stream", async () => {
  const child = spawn(process.execPath, ["-e", "process.stdout.write('x'.repeat(10))"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let before = "";
  child.stdout.on("data", (c: Buffer) => {
    before += c.toString();
  });
  const chunks: Buffer[] = [];
  const { stream: out, direct } = readChildOutput(child, (c) => chunks.push(c));
  assert.equal(out, child.stdout);
  assert.equal(direct, false);
  await new Promise((resolve) => child.on("close", resolve));
  assert.equal(before, "x".repeat(10));
  assert.equal(Buffer.concat(chunks).toString(), "x".repeat(10));
});

/** Runs a script that reads its standard input with readChunks(STDIN), given `input` as stdin. */
function readStdin(stdin: "pipe" | number, input?: Buffer) {
  const script = `
    import { readChunks, STDIN } from ${JSON.stringify(pipeInput)};
    let bytes = 0;
    const { stream: source, direct } = readChunks(STDIN, (chunk) => { bytes += chunk.length; });
    const how = direct && source !== process.stdin ? "direct" : "stream";
    // A module that imports node:process after reading started makes process.stdin (node's
    // ESM view of process): it must not take the pipe (EEXIST) or steal its bytes.
    await import("data:text/javascript,import p from 'node:process'; export const s = p.stdin;");
    source.on("end", () => process.stderr.write(how + " " + bytes));
  `;
  return spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    input,
    stdio: [stdin, "pipe", "pipe"],
    encoding: "utf8",
  });
}

test("standard input that is a pipe is read directly, every byte, to its end", () => {
  const input = Buffer.alloc(3 * 1024 * 1024, 98);
  const r = readStdin("pipe", input);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, `direct ${input.length}`);
});

test("standard input that is a file is read through process.stdin", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gg-stdin-"));
  const file = path.join(dir, "in");
  fs.writeFileSync(file, Buffer.alloc(100_000, 99));
  const fd = fs.openSync(file, "r");
  try {
    const r = readStdin(fd);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, "stream 100000");
  } finally {
    fs.closeSync(fd);
    fs.rmSync(dir, { recursive: true });
  }
});

test("frames written to a pipe's descriptor keep their order when the pipe fills and the stream takes over", async () => {
  // cat echoes what it is given; its output is not read at first, so both pipes fill.
  const cat = spawn("cat", [], { stdio: ["pipe", "pipe", "inherit"] });
  const sink = new FrameSink(cat.stdin);
  /** What went through the stream (net.Socket counts what it wrote itself). */
  const written = () => (cat.stdin as unknown as { bytesWritten: number }).bytesWritten;
  const sent: Buffer[] = [];
  let n = 0;
  // A frame that arrived whole (its original bytes), or in two pieces (header and pieces of
  // body written with writev), by turns.
  const send = (body: string) => {
    sent.push(encodeFrame(body));
    if (n++ % 2 === 0) return sink.write(rawFrame(body));
    const bytes = Buffer.from(body);
    const half = bytes.length >> 1;
    return sink.write({
      chunks: [bytes.subarray(0, half), bytes.subarray(half)],
      length: bytes.length,
    });
  };
  const small = (i: number) =>
    JSON.stringify({ jsonrpc: "2.0", id: i, result: "r".repeat(i % 300) });
  // Sizes past PIPE_BUF and past the pipe itself too, which it takes in part.
  const large = (i: number) =>
    JSON.stringify({ jsonrpc: "2.0", id: i, result: "L".repeat(i % 2 ? 9000 + i : 200_000) });
  assert.equal(send(small(1)), true);
  assert.equal(written(), 0, "written to the descriptor, not through the stream");
  let i = 2;
  while (send(i % 5 === 0 ? large(i) : small(i)) && i < 100_000) i++;
  assert.ok(i < 100_000, "the pipe filled");
  assert.ok(cat.stdin.writableLength > 0, "the stream holds the rest");
  // Written while the stream holds bytes back: they queue behind them.
  for (let k = 0; k < 50; k++) send(k % 3 === 0 ? large(i + k) : small(i + k));
  const received: Buffer[] = [];
  cat.stdout.on("data", (c: Buffer) => received.push(c));
  await new Promise((resolve) => cat.stdin.once("drain", resolve));
  // The stream drained: the descriptor again.
  const before = written();
  send(small(0));
  assert.equal(written(), before);
  cat.stdin.end();
  await new Promise((resolve) => cat.on("close", resolve));
  assert.ok(Buffer.concat(received).equals(Buffer.concat(sent)), "every byte, in order");
});

test("a frame written to a pipe nobody reads any more goes to the stream, which reports the error", async () => {
  // The child closes its input and says so, then stays (its exit would end the stream first).
  const child = spawn(
    process.execPath,
    ["-e", "require('fs').closeSync(0); console.log('closed'); setTimeout(() => {}, 60000)"],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  await new Promise((resolve) => child.stdout.once("data", resolve));
  const sink = new FrameSink(child.stdin);
  const error = new Promise<NodeJS.ErrnoException>((resolve) => child.stdin.on("error", resolve));
  sink.write(rawFrame('{"jsonrpc":"2.0","method":"exit"}'));
  assert.equal((await error).code, "EPIPE");
  child.kill();
});
