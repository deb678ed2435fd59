// The warm-up runs the path real messages take (every made-up message reads as valid, both as
// an editor's and as gopls's), in batches that leave the event loop free between them.

import assert from "node:assert/strict";
import { test } from "node:test";
import { warmMessagePath } from "../../src/lsp/warm-up.js";

test("the warm-up's messages all take the valid path, in batches", async () => {
  // Another task that runs once per turn of the event loop: it runs between the batches.
  let turns = 0;
  let running = true;
  const tick = () => {
    turns++;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const valid = await warmMessagePath(100, 10);
  running = false;
  assert.equal(valid, 100 * 2 * 2);
  assert.ok(turns >= 9, `other work ran between the 10 batches (${turns} turns)`);
});
