import assert from "node:assert/strict";
import { test } from "node:test";
import { SessionMemory } from "../../src/serve/memory.js";

const raw = (m: object) => Buffer.from(JSON.stringify(m));

test("a promised encoding holds: a later gopls is offered only it, and its own choice is ignored", () => {
  const memory = new SessionMemory();
  const init = {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { capabilities: { general: { positionEncodings: ["utf-8", "utf-16"] }, window: {} } },
  };
  memory.editorMessage("initialize", init, raw(init));
  const unpinned = JSON.parse(memory.replay("g#1")[0]?.toString() ?? "{}");
  assert.deepEqual(unpinned.params.capabilities.general.positionEncodings, ["utf-8", "utf-16"]);

  memory.pinEncoding("utf-16");
  const replayed = JSON.parse(memory.replay("g#2")[0]?.toString() ?? "{}");
  assert.equal(replayed.id, "g#2");
  assert.deepEqual(replayed.params.capabilities.general.positionEncodings, ["utf-16"]);
  assert.deepEqual(replayed.params.capabilities.window, {});
  memory.initializeResult({ capabilities: { positionEncoding: "utf-8" } });
  assert.equal(memory.documents.encoding, "utf-16");
});
