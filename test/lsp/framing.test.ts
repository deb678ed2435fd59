import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import fc from "fast-check";
import {
  encodeFrame,
  type Frame,
  FrameReader,
  type FramingError,
  frameBody,
  writeFrame,
} from "../../src/lsp/framing.js";

function collect(maxBodyBytes = 1 << 20) {
  const frames: string[] = [];
  const errors: FramingError[] = [];
  const reader = new FrameReader({
    maxBodyBytes,
    onFrame: (f) => frames.push(frameBody(f).toString("utf8")),
    onError: (e) => errors.push(e),
  });
  return { reader, frames, errors };
}

/** Cuts a buffer at the given offsets (sorted, deduplicated, in range). */
function cut(bytes: Buffer, offsets: number[]): Buffer[] {
  const points = [...new Set(offsets.map((o) => o % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}

const bodyArb = fc
  .string({ unit: "grapheme", maxLength: 300 })
  .map((s) => JSON.stringify({ jsonrpc: "2.0", method: "x", params: s }));

test("frames survive any chunking, with multi-byte UTF-8 bodies split mid-character", () => {
  fc.assert(
    fc.property(
      fc.array(bodyArb, { minLength: 1, maxLength: 8 }),
      fc.array(fc.nat(), { maxLength: 40 }),
      (bodies, offsets) => {
        const { reader, frames, errors } = collect();
        const stream = Buffer.concat(bodies.map((b) => encodeFrame(b)));
        for (const chunk of cut(stream, offsets)) reader.push(chunk);
        assert.deepEqual(errors, []);
        assert.deepEqual(frames, bodies);
        assert.equal(reader.midFrame, false);
      },
    ),
    { numRuns: 500 },
  );
});

test("several frames in one chunk come out in order", () => {
  const { reader, frames } = collect();
  reader.push(Buffer.concat([encodeFrame('{"a":1}'), encodeFrame('{"b":"é"}'), encodeFrame("{}")]));
  assert.deepEqual(frames, ['{"a":1}', '{"b":"é"}', "{}"]);
});

test("header names are case-insensitive and Content-Type is accepted", () => {
  const { reader, frames, errors } = collect();
  reader.push(
    Buffer.from(
      "content-length: 2\r\nCONTENT-TYPE: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}cOnTeNt-LeNgTh:2\r\n\r\n[]",
    ),
  );
  assert.deepEqual(errors, []);
  assert.deepEqual(frames, ["{}", "[]"]);
});

test("Content-Length counts bytes, not characters", () => {
  const { reader, frames } = collect();
  const body = '{"t":"日本語 🚀"}';
  reader.push(Buffer.from(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`));
  assert.deepEqual(frames, [body]);
});

const bad: Array<[string, string, FramingError["kind"]]> = [
  ["a header line without a colon", "Content-Length 5\r\n\r\nhello", "bad-header"],
  ["a negative Content-Length", "Content-Length: -5\r\n\r\nhello", "bad-header"],
  ["a non-numeric Content-Length", "Content-Length: five\r\n\r\nhello", "bad-header"],
  ["no Content-Length", "Content-Type: application/json\r\n\r\n{}", "bad-header"],
  ["an absurd Content-Length", "Content-Length: 99999999999999\r\n\r\n", "too-large"],
  [
    "a non-UTF-8 charset",
    "Content-Length: 2\r\nContent-Type: text/plain; charset=latin1\r\n\r\n{}",
    "bad-content-type",
  ],
];
for (const [name, input, kind] of bad) {
  test(`rejects ${name} and stops reading`, () => {
    const { reader, frames, errors } = collect(1 << 20);
    reader.push(Buffer.from(input));
    reader.push(encodeFrame("{}"));
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.kind, kind);
    assert.deepEqual(frames, []);
  });
}

test("a header that never ends is an error, not an unbounded buffer", () => {
  const { reader, errors } = collect();
  for (let i = 0; i < 40; i++) reader.push(Buffer.alloc(1024, 0x41));
  assert.equal(errors[0]?.kind, "header-too-long");
});

test("a frame larger than the cap is refused by its header, before any body arrives", () => {
  const { reader, errors } = collect(1000);
  reader.push(Buffer.from("Content-Length: 1001\r\n\r\n"));
  assert.equal(errors[0]?.kind, "too-large");
  assert.match(errors[0]?.message ?? "", /cap of 1000 bytes/);
});

test("random bytes never throw: they frame or fail with a FramingError", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ maxLength: 2000 }),
      fc.array(fc.nat(), { maxLength: 10 }),
      (bytes, offsets) => {
        const { reader, errors } = collect(4096);
        for (const chunk of cut(Buffer.from(bytes), offsets)) reader.push(chunk);
        assert.ok(errors.length <= 1);
      },
    ),
    { numRuns: 1000 },
  );
});

test("a frame that arrives whole with the canonical header is forwarded as its original bytes; any other header is written canonically", () => {
  // Header names are case-insensitive and a Content-Type may follow: the guard reads them, but
  // gopls reads `Content-Length: N` alone, so those frames go on re-framed.
  const typed = Buffer.from(
    'Content-Length: 10\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{"a":"é"}',
  );
  const lower = Buffer.from("content-length: 2\r\n\r\n{}");
  const frames: Frame[] = [];
  const reader = new FrameReader({
    maxBodyBytes: 1 << 20,
    onFrame: (f) => frames.push(f),
    onError: (e) => assert.fail(e.message),
  });
  reader.push(Buffer.concat([typed, encodeFrame("{}"), lower]));
  reader.push(Buffer.from("Content-Length: 2\r\n\r\n"));
  reader.push(Buffer.from("[]"));
  assert.equal(frames.length, 4);
  assert.equal(frames[0]?.raw, undefined);
  assert.deepEqual(frames[1]?.raw, encodeFrame("{}"));
  assert.equal(frames[2]?.raw, undefined);
  // Header and body in different chunks: no original to reuse; written from the body.
  assert.equal(frames[3]?.raw, undefined);
  const written: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      written.push(chunk);
      done();
    },
  });
  for (const f of frames) writeFrame(sink, f);
  assert.deepEqual(written, [
    encodeFrame('{"a":"é"}'),
    encodeFrame("{}"),
    encodeFrame("{}"),
    encodeFrame("[]"),
  ]);
});

test("the Content-Length fast path and the full header parser agree", () => {
  const header = fc.oneof(
    fc.nat({ max: 5000 }).map((n) => `Content-Length: ${n}`),
    fc.stringMatching(/^Content-Length: [0-9]{0,17}[ a\t]?$/),
    fc.constantFrom(
      "Content-Length:  12",
      "Content-Length: 1 2",
      "Content-Length: +1",
      "Content-length: 3",
    ),
  );
  fc.assert(
    fc.property(header, (h) => {
      // The same header twice: once alone (fast path), once followed by a Content-Type line
      // (only the full parser reads it).
      const outcome = (text: string) => {
        const { reader, frames, errors } = collect(4000);
        reader.push(Buffer.from(`${text}\r\n\r\n${"x".repeat(5000)}`));
        return { frames: frames.map((f) => f.length), errors: errors.map((e) => e.kind) };
      };
      assert.deepEqual(outcome(h), outcome(`${h}\r\nContent-Type: application/vscode-jsonrpc`));
    }),
    { numRuns: 1000 },
  );
});

test("a large body arriving in pieces is gathered into one buffer, watched as it fills", () => {
  const body = Buffer.from(JSON.stringify({ text: "é".repeat(3000) }));
  const seen: number[] = [];
  const frames: Frame[] = [];
  const reader = new FrameReader({
    maxBodyBytes: 1 << 20,
    onFrame: (f) => frames.push(f),
    onError: (e) => assert.fail(e.message),
    gather: {
      fromBytes: 1000,
      watch: (b) => {
        assert.equal(b.length, body.length);
        return { advance: (filled) => seen.push(filled) };
      },
    },
  });
  const stream = Buffer.concat([encodeFrame(body), encodeFrame("{}")]);
  for (const chunk of cut(stream, [10, 2000, 4000, 5000])) reader.push(chunk);
  assert.equal(frames.length, 2);
  assert.deepEqual(frames[0]?.chunks, [body]);
  assert.ok(frames[0]?.progress);
  // The body's bytes in at each cut after the header's (the header ends inside the second chunk).
  const header = encodeFrame(body).length - body.length;
  assert.deepEqual(seen, [2000 - header, 4000 - header, 5000 - header]);
  assert.equal(frames[1]?.progress, undefined);
});
