import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { parseMessage, peekMessage } from "../../src/lsp/message.js";

const cases: Array<[string, unknown]> = [
  ['{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}', { kind: "request", id: 1, method: "initialize" }],
  ['{"jsonrpc":"2.0","method":"initialized","params":{}}', { kind: "notification", method: "initialized" }],
  ['{"jsonrpc":"2.0","result":{"id":5,"method":"x"},"id":"a\\"b"}', { kind: "response", id: 'a"b', isError: false }],
  ['{"jsonrpc":"2.0","error":{"code":1,"message":"}"},"id":null}', { kind: "response", id: null, isError: true }],
  [' { "params" : [ "\\\\" , {"x":[]} ] , "method" : "m" , "id" : -3 } ', { kind: "request", id: -3, method: "m" }],
  ['{"id":null,"method":"$/cancelRequest"}', { kind: "notification", method: "$/cancelRequest" }],
];

for (const [text, expected] of cases) {
  test(`peek and parse agree on ${text.slice(0, 50)}`, () => {
    const peeked = peekMessage(Buffer.from(text));
    const parsed = parseMessage(Buffer.from(text));
    assert.deepEqual(peeked, { ok: true, value: expected });
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.value.info, expected);
  });
}

const invalid = ["", "{", "[]", "[1,2]", '"str"', "42", "null", '{"id":1', '{"id":{"a":1},"method":"m"}', '{"method":7}', '{"jsonrpc":"2.0"}', '{"a":1}x', "\xff\xfe"];
for (const text of invalid) {
  test(`${JSON.stringify(text)} is not a message to either reader`, () => {
    assert.equal(peekMessage(Buffer.from(text, "latin1")).ok, false);
    assert.equal(parseMessage(Buffer.from(text, "latin1")).ok, false);
  });
}

test("JSON that is not an object names batches", () => {
  const r = parseMessage(Buffer.from('[{"jsonrpc":"2.0","method":"a"}]'));
  assert.equal(r.ok, false);
  assert.match(r.ok ? "" : r.reason, /batches/);
});

test("peek agrees with a full parse on arbitrary JSON-RPC shaped objects", () => {
  const id = fc.oneof(fc.integer(), fc.string(), fc.constant(null));
  const value = fc.jsonValue();
  const msg = fc.record({ jsonrpc: fc.constant("2.0"), id, method: fc.string(), params: value, result: value }, { requiredKeys: ["jsonrpc"] });
  fc.assert(
    fc.property(msg, (m) => {
      const text = Buffer.from(JSON.stringify(m));
      const parsed = parseMessage(text);
      const peeked = peekMessage(text);
      assert.equal(peeked.ok, parsed.ok);
      if (parsed.ok && peeked.ok) assert.deepEqual(peeked.value, parsed.value.info);
    }),
    { numRuns: 2000 },
  );
});
