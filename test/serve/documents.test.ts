import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { OpenDocuments } from "../../src/serve/documents.js";

const uri = "file:///a.go";

test("incremental edits apply in UTF-16 positions, in order within one didChange", () => {
  const docs = new OpenDocuments();
  docs.open({ textDocument: { uri, languageId: "go", version: 1, text: "a🚀b\nline2\n" } });
  docs.change({
    textDocument: { uri, version: 2 },
    contentChanges: [
      { range: { start: { line: 0, character: 3 }, end: { line: 0, character: 4 } }, text: "B" },
      { range: { start: { line: 1, character: 0 }, end: { line: 1, character: 4 } }, text: "L" },
    ],
  });
  assert.deepEqual(docs.get(uri), { uri, languageId: "go", version: 2, text: "a🚀B\nL2\n" });
  docs.change({ textDocument: { uri, version: 3 }, contentChanges: [{ text: "whole" }] });
  assert.equal(docs.get(uri)?.text, "whole");
  assert.equal(
    docs.change({ textDocument: { uri: "file:///nope", version: 1 }, contentChanges: [] }),
    false,
  );
});

test("a negotiated UTF-8 or UTF-32 encoding is honoured", () => {
  for (const [encoding, col] of [
    ["utf-8", 5],
    ["utf-32", 2],
  ] as const) {
    const docs = new OpenDocuments();
    docs.encoding = encoding;
    docs.open({ textDocument: { uri, languageId: "go", version: 1, text: "a🚀b" } });
    docs.change({
      textDocument: { uri, version: 2 },
      contentChanges: [
        {
          range: { start: { line: 0, character: col }, end: { line: 0, character: col + 1 } },
          text: "X",
        },
      ],
    });
    assert.equal(docs.get(uri)?.text, "a🚀X", encoding);
  }
});

test("random edit scripts give the text a reference splice gives", () => {
  fc.assert(
    fc.property(
      fc.string({ unit: "grapheme", maxLength: 40 }),
      fc.array(
        fc.record({
          a: fc.nat(),
          b: fc.nat(),
          text: fc.string({ unit: "grapheme", maxLength: 6 }),
        }),
        { maxLength: 8 },
      ),
      (initial, edits) => {
        const docs = new OpenDocuments();
        docs.open({ textDocument: { uri, languageId: "go", version: 1, text: initial } });
        let expected = initial;
        let version = 1;
        for (const e of edits) {
          const lo = Math.min(e.a, e.b) % (expected.length + 1);
          const hi = Math.max(e.a, e.b) % (expected.length + 1);
          const [s, t] = lo <= hi ? [lo, hi] : [hi, lo];
          // Keep surrogate pairs whole, as editors do.
          const safe = (i: number) =>
            i > 0 && i < expected.length && /[\udc00-\udfff]/.test(expected[i] as string)
              ? i - 1
              : i;
          const start = safe(s);
          const end = Math.max(start, safe(t));
          const pos = (offset: number) => {
            const before = expected.slice(0, offset).split("\n");
            return { line: before.length - 1, character: (before.at(-1) as string).length };
          };
          docs.change({
            textDocument: { uri, version: ++version },
            contentChanges: [{ range: { start: pos(start), end: pos(end) }, text: e.text }],
          });
          expected = expected.slice(0, start) + e.text + expected.slice(end);
        }
        assert.equal(docs.get(uri)?.text, expected);
      },
    ),
    { numRuns: 500 },
  );
});
