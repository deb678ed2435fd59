// Hostile and heavy input: fuzzed bytes from the editor, an editor that stops reading, and a
// long soak. The guard answers garbage with a clear error and an orderly exit, never a crash or
// a hang, and its memory stays bounded.

import assert from "node:assert/strict";
import fs from "node:fs";
import { test } from "node:test";
import fc from "fast-check";
import { encodeFrame } from "../../src/lsp/framing.js";
import { standinGopls, tempDir } from "../helpers/env.js";
import { guardEnv, Peer } from "../helpers/peer.js";
import { waitUntil } from "../helpers/procs.js";

type T = Parameters<typeof tempDir>[0];

function start(t: T, extra: NodeJS.ProcessEnv = {}): Peer {
  const peer = new Peer([], guardEnv(tempDir(t), { GOPLS_GUARD_GOPLS: standinGopls(), ...extra }));
  t.after(() => peer.kill());
  return peer;
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

const valid = fc
  .jsonValue()
  .map((params) => encodeFrame(JSON.stringify({ jsonrpc: "2.0", method: "standin/noop", params })));
const hostile = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.integer({ min: -5, max: 1e12 }).map((n) => Buffer.from(`Content-Length: ${n}\r\n\r\n{}`)),
  fc
    .uint8Array({ minLength: 1, maxLength: 60 })
    .map((b) =>
      Buffer.concat([Buffer.from(`Content-Length: ${b.length}\r\n\r\n`), Buffer.from(b)]),
    ),
  fc
    .constantFrom(
      '[{"jsonrpc":"2.0","method":"x"}]',
      "42",
      '"s"',
      "null",
      '{"id":{},"method":"m"}',
      '{"jsonrpc":"2.0","method":"x","params":{"a":tru}}',
    )
    .map((b) => encodeFrame(b)),
  fc
    .constantFrom(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]))
    .map((b) => Buffer.concat([Buffer.from(`Content-Length: ${b.length}\r\n\r\n`), b])),
  valid.map((f) => f.subarray(0, Math.max(1, f.length - 3))),
);

test("fuzzed editor input: a clear error and exit 1, or normal service; never a crash, a hang or garbage out", {
  timeout: 300_000,
}, async (t) => {
  const cases = Number(process.env.FUZZ_GUARD_CASES ?? 120);
  const samples = fc.sample(
    fc.tuple(fc.array(valid, { maxLength: 3 }), hostile, fc.array(valid, { maxLength: 2 })),
    { numRuns: cases, seed: 20261125 },
  );
  const outcomes = new Map<string, number>();
  for (let i = 0; i < samples.length; i += 2) {
    await Promise.all(
      samples.slice(i, i + 2).map(async ([before, bad, after]) => {
        const peer = start(t);
        peer.sendRaw(Buffer.concat([...before, bad, ...after]));
        peer.child.stdin.end();
        const exit = await Promise.race([
          peer.exited,
          new Promise<"hang">((r) => setTimeout(() => r("hang"), 10_000)),
        ]);
        assert.notEqual(exit, "hang", `hung on ${JSON.stringify(bad.toString("latin1"))}`);
        assert.equal((exit as { signal: unknown }).signal, null);
        assert.equal((exit as { code: number }).code, 1, peer.stderr);
        assert.deepEqual(peer.stdoutErrors, []);
        assert.doesNotMatch(peer.stderr, /internal error|guard\.bug|uncaught/i);
        const errors = peer.showMessages().map((m) => /\[(lsp\.[a-z_]+)\]/.exec(m)?.[1] ?? "other");
        const key = errors[0] ?? "closed stdin";
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      }),
    );
  }
  t.diagnostic(`fuzz cases ${samples.length}: ${JSON.stringify(Object.fromEntries(outcomes))}`);
});

test("a message over the cap is refused by its header, naming the cap", async (t) => {
  const peer = start(t, { GOPLS_GUARD_MAX_MESSAGE_BYTES: "1000" });
  await peer.initialize();
  peer.sendRaw(
    encodeFrame(JSON.stringify({ jsonrpc: "2.0", method: "x", params: "a".repeat(2000) })),
  );
  const shown = await peer.waitFor("error", (m) => m.method === "window/showMessage");
  assert.match(
    (shown.params as { message: string }).message,
    /\[lsp\.message_too_large\].*Content-Length 2\d{3} exceeds the cap of 1000 bytes/,
  );
  assert.equal((await peer.exited).code, 1);
});

test("an editor that stops reading: the guard's memory stays bounded, and nothing is lost once it reads again", {
  timeout: 120_000,
}, async (t) => {
  const peer = start(t);
  await peer.initialize();
  peer.child.stdout.pause();
  const payload = "x".repeat(64 * 1024);
  const total = 1500; // ~96 MB of requests, each echoed back
  let written = 0;
  const pump = (async () => {
    for (let i = 0; i < total; i++) {
      const frame = encodeFrame(
        JSON.stringify({ jsonrpc: "2.0", id: 1000 + i, method: "standin/echo", params: payload }),
      );
      if (!peer.child.stdin.write(frame))
        await new Promise((r) => peer.child.stdin.once("drain", r));
      written++;
    }
  })();
  await new Promise((r) => setTimeout(r, 3000));
  const stalledAt = written;
  const rss = rssMb(peer.pid);
  t.diagnostic(
    `editor not reading: ${stalledAt} of ${total} requests accepted, guard RSS ${rss.toFixed(1)} MB`,
  );
  assert.ok(stalledAt < total, "back-pressure reached the editor");
  assert.ok(rss < 150, `guard RSS ${rss} MB`);
  peer.child.stdout.resume();
  await pump;
  await waitUntil(
    "every response",
    () => peer.received.filter((m) => typeof m.id === "number" && m.id >= 1000).length === total,
    60_000,
  );
});

test("soak: 100,000 messages through the guard with its RSS flat within 10%", {
  timeout: 300_000,
}, async (t) => {
  const peer = start(t);
  await peer.initialize();
  const total = Number(process.env.SOAK_MESSAGES ?? 100_000);
  const window = 64;
  const body = (id: number) =>
    encodeFrame(
      JSON.stringify({
        jsonrpc: "2.0",
        id,
        method: "standin/echo",
        params: { n: id, text: "soak é 🚀" },
      }),
    );
  peer.keep = false;
  let sent = 0;
  let answered = 0;
  const rss: Array<[number, number]> = [];
  const started = Date.now();
  await new Promise<void>((resolve) => {
    peer.onMessage = (m) => {
      if (typeof m.id !== "number") return;
      answered++;
      if (answered % 10_000 === 0) rss.push([answered, rssMb(peer.pid)]);
      if (answered === total) return resolve();
      if (sent < total) peer.child.stdin.write(body(sent++));
    };
    for (; sent < window; sent++) peer.child.stdin.write(body(sent));
  });
  const seconds = (Date.now() - started) / 1000;
  const [, baseline] = rss.find(([n]) => n === 20_000) ?? [0, 0];
  const peak = Math.max(...rss.filter(([n]) => n > 20_000).map(([, r]) => r));
  t.diagnostic(
    `soak: ${total} requests + ${total} responses in ${seconds.toFixed(1)} s; guard RSS at 20k ${baseline.toFixed(1)} MB, peak after ${peak.toFixed(1)} MB; samples ${rss.map(([n, r]) => `${n / 1000}k:${r.toFixed(1)}`).join(" ")}`,
  );
  assert.ok(peak <= baseline * 1.1, `RSS grew from ${baseline} to ${peak} MB`);
  assert.deepEqual(peer.stdoutErrors, []);
});
