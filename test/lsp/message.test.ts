import assert from "node:assert/strict";
import { isUtf8 } from "node:buffer";
import path from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { parseMessage } from "../../src/lsp/message.js";
import { wasmMessageScan } from "../../src/lsp/message-scan.js";
import { BodyScan, scanMessage } from "../../src/lsp/scan.js";
import { useContentEngine } from "../../src/lsp/string-content.js";
import { ROOT } from "../helpers/env.js";

/** The reference: a full JSON.parse of well-formed UTF-8. */
function reference(bytes: Buffer) {
  if (!isUtf8(bytes)) return { ok: false as const };
  const parsed = parseMessage(bytes);
  return parsed.ok ? { ok: true as const, value: parsed.value.info } : { ok: false as const };
}

/** The bytes cut at the given offsets (taken modulo the length), as a message arrives in pieces. */
function cut(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let prev = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(prev, p));
    prev = p;
  }
  return chunks;
}

function scanChunked(bytes: Buffer, cuts: number[]) {
  const scanned = scanMessage(cut(bytes, cuts));
  // Small bodies are read natively (JSON.parse): the byte scanner must agree on its own.
  const direct = new BodyScan(Buffer.from(bytes)).finish();
  assert.deepEqual(direct.ok ? direct : { ok: false }, scanned.ok ? scanned : { ok: false });
  return scanned;
}

const cases: Array<[string, unknown]> = [
  [
    '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}',
    { kind: "request", id: 1, method: "initialize" },
  ],
  [
    '{"jsonrpc":"2.0","method":"initialized","params":{}}',
    { kind: "notification", method: "initialized" },
  ],
  [
    '{"jsonrpc":"2.0","result":{"id":5,"method":"x"},"id":"a\\"b"}',
    { kind: "response", id: 'a"b', isError: false },
  ],
  [
    '{"jsonrpc":"2.0","error":{"code":1,"message":"}"},"id":null}',
    { kind: "response", id: null, isError: true },
  ],
  [
    ' { "params" : [ "\\\\" , {"x":[ ]} ,[]] , "method" : "m" , "id" : -3 } ',
    { kind: "request", id: -3, method: "m" },
  ],
  ['{"id":null,"method":"$/cancelRequest"}', { kind: "notification", method: "$/cancelRequest" }],
  [
    '{"\\u0069d":7,"method":"\\u00e9t\\u00e9","params":{"t":"日本 🚀"}}',
    { kind: "request", id: 7, method: "été" },
  ],
  [
    '{"id":1.5e+3,"result":[true,false,null,-0.25E-2]}',
    { kind: "response", id: 1500, isError: false },
  ],
];

for (const [text, expected] of cases) {
  test(`the scanner and a full parse agree on ${text.slice(0, 50)}`, () => {
    assert.deepEqual(scanMessage([Buffer.from(text)]), { ok: true, value: expected });
    assert.deepEqual(reference(Buffer.from(text)), { ok: true, value: expected });
    for (let cut = 0; cut <= Buffer.byteLength(text); cut++) {
      assert.deepEqual(
        scanChunked(Buffer.from(text), [cut]),
        { ok: true, value: expected },
        `cut at ${cut}`,
      );
    }
  });
}

const invalid = [
  "",
  "{",
  "[]",
  "[1,2]",
  '"str"',
  "42",
  "null",
  '{"id":1',
  '{"id":{"a":1},"method":"m"}',
  '{"method":7}',
  '{"jsonrpc":"2.0"}',
  '{"a":1}x',
  "\xff\xfe",
  '{"id":1,}',
  '{"id":01}',
  '{"id":1.}',
  '{"id":-}',
  '{"a":tru}',
  '{"a":"\\x"}',
  '{"a":"\\u12g4"}',
  '{"a":"tab\there"}',
  '{"a" 1}',
  '{"a":[1,]}',
  '{"a":[,1]}',
  '{,"a":1}',
  '{"id":1}{"id":2}',
  '{"a":"\xc3\x28"}',
  '{"a":"\xed\xa0\x80"}',
  '{"a":"\xf4\x90\x80\x80"}',
  '{"a":1}\x00',
];
for (const text of invalid) {
  test(`${JSON.stringify(text)} is not a message to either reader`, () => {
    const bytes = Buffer.from(text, "latin1");
    assert.equal(scanMessage([bytes]).ok, false);
    assert.equal(reference(bytes).ok, false);
  });
}

test("JSON that is not an object names batches", () => {
  const r = parseMessage(Buffer.from('[{"jsonrpc":"2.0","method":"a"}]'));
  assert.equal(r.ok, false);
  assert.match(r.ok ? "" : r.reason, /batches/);
});

const messageArb = fc.record(
  {
    jsonrpc: fc.constant("2.0"),
    id: fc.oneof(fc.integer(), fc.string({ unit: "grapheme" }), fc.constant(null)),
    method: fc.string(),
    params: fc.jsonValue(),
    result: fc.jsonValue(),
  },
  { requiredKeys: ["jsonrpc"] },
);

test("the scanner agrees with a full parse on JSON-RPC shaped objects in any chunking", () => {
  fc.assert(
    fc.property(messageArb, fc.array(fc.nat(), { maxLength: 6 }), (m, cuts) => {
      const bytes = Buffer.from(JSON.stringify(m));
      const scanned = scanChunked(bytes, cuts);
      assert.deepEqual(scanned.ok ? scanned : { ok: false }, reference(bytes));
    }),
    { numRuns: 2000 },
  );
});

const editArb = fc.record({
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
  kind: fc.constantFrom("replace", "insert", "delete"),
});

/** A message's bytes with bytes replaced, inserted and deleted. */
function corrupted(m: unknown, edits: Array<{ at: number; byte: number; kind: string }>): Buffer {
  const bytes = [...Buffer.from(JSON.stringify(m))];
  for (const e of edits) {
    const at = e.at % (bytes.length + 1);
    if (e.kind === "insert") bytes.splice(at, 0, e.byte);
    else if (e.kind === "delete") bytes.splice(at, 1);
    else if (at < bytes.length) bytes[at] = e.byte;
  }
  return Buffer.from(bytes);
}

test("the scanner rejects exactly what a full parse rejects, on corrupted messages", () => {
  fc.assert(
    fc.property(
      messageArb,
      fc.array(editArb, { minLength: 1, maxLength: 3 }),
      fc.array(fc.nat(), { maxLength: 4 }),
      (m, edits, cuts) => {
        const buf = corrupted(m, edits);
        assert.deepEqual(scanChunked(buf, cuts).ok, reference(buf).ok, buf.toString("latin1"));
      },
    ),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 5000) },
  );
});

test("the head-and-tail peek agrees with the full scan on messages in gopls's encoding", async () => {
  const { peekMessage } = await import("../../src/lsp/peek.js");
  const id = fc.oneof(fc.integer(), fc.string({ unit: "grapheme", maxLength: 10 }));
  const value = fc.jsonValue();
  // Key orders gopls's jsonrpc2 (and jsonrpc2_v2) write.
  const shapes = [
    fc.record({
      jsonrpc: fc.constant("2.0"),
      method: fc.string({ minLength: 1 }),
      params: value,
      id,
    }),
    fc.record({ jsonrpc: fc.constant("2.0"), method: fc.string({ minLength: 1 }), params: value }),
    fc.record({ jsonrpc: fc.constant("2.0"), result: value, id }),
    fc.record({
      jsonrpc: fc.constant("2.0"),
      error: fc.record({ code: fc.integer(), message: fc.string() }),
      id,
    }),
    fc.record({
      jsonrpc: fc.constant("2.0"),
      id,
      method: fc.string({ minLength: 1 }),
      params: value,
    }),
  ];
  fc.assert(
    fc.property(fc.oneof(...shapes), fc.array(fc.nat(), { maxLength: 3 }), (m, cuts) => {
      const bytes = Buffer.from(JSON.stringify(m));
      assert.deepEqual(
        peekMessage({ chunks: cut(bytes, cuts), length: bytes.length }),
        scanMessage([bytes]),
      );
    }),
    { numRuns: 3000 },
  );
});

for (const engine of ["wasm", "regex"] as const) {
  test(`the scanner agrees with a full parse on large messages (long strings read by ${engine})`, () => {
    useContentEngine(engine);
    // Long strings with quotes, backslashes, control characters and multi-byte characters at any
    // alignment, valid and corrupted, so every path out of the four-bytes-at-a-time loop is taken.
    const piece = fc.oneof(
      fc.string({ minLength: 0, maxLength: 40 }),
      fc.constantFrom('"', "\\", "\n", "\t", "\u0001", "é", "世界", "🚀", "\\u00e9"),
    );
    const text = fc.array(piece, { minLength: 100, maxLength: 400 }).map((ps) => ps.join(""));
    fc.assert(
      fc.property(
        text,
        fc.nat({ max: 3 }),
        fc.option(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) })),
        fc.array(fc.nat(), { maxLength: 3 }),
        (t, pad, corrupt, cuts) => {
          const bytes = Buffer.from(
            `${" ".repeat(pad)}{"jsonrpc":"2.0","id":1,"method":"m","params":{"text":${JSON.stringify(t)}}}`,
          );
          if (corrupt) bytes[corrupt.at % bytes.length] = corrupt.byte;
          // Offsets within a larger allocation move the body's alignment too.
          const shifted = Buffer.alloc(bytes.length + pad);
          bytes.copy(shifted, pad);
          const body = shifted.subarray(pad);
          const scanned = scanChunked(body, cuts);
          assert.deepEqual(scanned.ok ? scanned : { ok: false }, reference(body));
        },
      ),
      { numRuns: 1500 },
    );
  });

  test(`long strings across the ${engine} engine's 64 KB slices: escapes cut at every offset`, () => {
    useContentEngine(engine);
    const SLICE = 64 * 1024;
    const prefix = '{"jsonrpc":"2.0","id":1,"method":"m","params":"';
    // The string's content starts at prefix.length; the first long-string slice begins 256
    // bytes in. Put each kind of escape (and each fault) so it straddles that slice's end.
    const sliceEnd = prefix.length + 256 + SLICE;
    const cases = ["\\n", '\\"', "\\\\", "\\u00e9", "\\uZZZZ", "\\x", "\u0001", '"', "é", "世"];
    for (const piece of cases) {
      for (let back = -7; back <= 7; back++) {
        const before = "a".repeat(sliceEnd - prefix.length + back);
        const text = `${prefix}${before}${piece}${"b".repeat(300)}"}`;
        const bytes = Buffer.from(text);
        for (const cuts of [[], [sliceEnd - 3, sliceEnd + 1], [sliceEnd]]) {
          const scanned = scanChunked(bytes, cuts);
          assert.deepEqual(
            scanned.ok ? scanned : { ok: false },
            reference(bytes),
            `${piece} ${back}`,
          );
          const arriving = scanAsItArrives(bytes, cuts, 0x5c);
          assert.deepEqual(
            arriving.ok ? arriving : { ok: false },
            reference(bytes),
            `${piece} ${back}`,
          );
        }
      }
    }
  });
}
useContentEngine("wasm");

for (const name of ["string-content", "message-scan"]) {
  test(`the embedded WebAssembly is built from ${name}.wat as it is now`, async () => {
    const { createHash } = await import("node:crypto");
    const { readFileSync } = await import("node:fs");
    const { WAT_SHA256 } = (await import(`../../src/lsp/${name}-wasm.js`)) as {
      WAT_SHA256: string;
    };
    const wat = readFileSync(path.join(ROOT, "src", "lsp", `${name}.wat`));
    assert.equal(
      createHash("sha256").update(wat).digest("hex"),
      WAT_SHA256,
      `${name}.wat changed: run node scripts/wasm.mjs (needs wabt's wat2wasm)`,
    );
  });
}

test("the WebAssembly scan answers for the messages editors send, as a full parse does", () => {
  const sent = [
    { jsonrpc: "2.0", id: 12, method: "textDocument/hover", params: { position: { line: 3 } } },
    {
      jsonrpc: "2.0",
      method: "textDocument/didChange",
      params: { textDocument: { uri: "file:///é.go" }, contentChanges: [{ text: 'é\n\t"x"\\' }] },
    },
    { jsonrpc: "2.0", id: "7-a", method: "$/cancelRequest" },
    { jsonrpc: "2.0", id: 123456789012345, error: { code: -32601, message: "no" } },
    { jsonrpc: "2.0", id: 5, result: [1.5, -2e-7, true, false, null, {}, []] },
    { jsonrpc: "2.0", id: "é\u0001", method: "café\u0000", params: "日本" },
  ].map((m) => JSON.stringify(m));
  sent.push(
    '{"jsonrpc":"2.0","id":-0,"result":null}',
    '{"jsonrpc":"2.0","id":1e3,"result":1E+2}',
    ' {"method" : "exit" } \r\n',
  );
  for (const text of sent) {
    const bytes = Buffer.from(text);
    const scanned = wasmMessageScan(bytes);
    assert.ok(scanned, `answered: ${text}`);
    assert.deepEqual(scanned, reference(bytes), text);
  }
});

test("the WebAssembly scan declines what it does not settle, and the byte scanner decides", () => {
  const escapedKey = `{"${String.fromCharCode(0x5c)}u0069d":7,"method":"m"}`;
  for (const bytes of [
    Buffer.from(escapedKey),
    Buffer.from('{"id":1,"id":2,"method":"m"}'),
    Buffer.from('{"id":[1],"method":"m"}'),
    Buffer.from(`{"method":"${"m".repeat(5000)}"}`),
    Buffer.from(`{"a":${"[".repeat(600)}${"]".repeat(600)},"method":"m"}`),
    Buffer.from([...Buffer.from('{"method":"'), 0xc3, 0x28, ...Buffer.from('"}')]),
  ]) {
    const text = bytes.toString("latin1").slice(0, 40);
    assert.equal(wasmMessageScan(bytes), undefined, text);
    // What the byte scanner says, reason included (a method this long is refused by it alone).
    assert.deepEqual(scanMessage([bytes]), new BodyScan(Buffer.from(bytes)).finish(), text);
  }
});

test("whatever the WebAssembly scan answers, a full parse answers the same, on corrupted messages", () => {
  let answered = 0;
  fc.assert(
    fc.property(messageArb, fc.array(editArb, { maxLength: 3 }), (m, edits) => {
      const buf = corrupted(m, edits);
      const scanned = wasmMessageScan(buf);
      if (scanned === undefined) return;
      answered++;
      assert.deepEqual(scanned, reference(buf), buf.toString("latin1"));
    }),
    { numRuns: Number(process.env.FUZZ_RUNS ?? 5000) },
  );
  assert.ok(answered > 1000, `answered ${answered}`);
});

/** A scan that sees the body fill up to each cut, with garbage beyond what has arrived. */
function scanAsItArrives(bytes: Buffer, cuts: number[], garbage: number) {
  const body = Buffer.alloc(bytes.length, garbage);
  const scan = new BodyScan(body);
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  for (const p of points) {
    bytes.copy(body, 0, 0, p);
    scan.advance(p);
  }
  bytes.copy(body);
  return scan.finish();
}

test("a scan that runs as the body arrives agrees with a full parse, and never reads ahead", () => {
  const piece = fc.oneof(
    fc.string({ maxLength: 30 }),
    fc.constantFrom('"', "\\", "\n", "é", "🚀", "\\u00e9", "true", "-1.5e+3"),
  );
  const message = fc.oneof(
    messageArb.map((m) => JSON.stringify(m)),
    fc
      .array(piece, { maxLength: 200 })
      .map((ps) => JSON.stringify({ jsonrpc: "2.0", id: 3, method: "m", params: ps })),
  );
  const edit = fc.option(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }));
  fc.assert(
    fc.property(
      message,
      edit,
      fc.array(fc.nat(), { maxLength: 12 }),
      fc.constantFrom(0x22, 0x5c, 0x7d, 0x20, 0xff, 0x00),
      (text, corrupt, cuts, garbage) => {
        const bytes = Buffer.from(text);
        if (corrupt && bytes.length > 0) bytes[corrupt.at % bytes.length] = corrupt.byte;
        const scanned = scanAsItArrives(bytes, cuts, garbage);
        assert.deepEqual(scanned.ok ? scanned : { ok: false }, reference(bytes));
      },
    ),
    { numRuns: 3000 },
  );
});
