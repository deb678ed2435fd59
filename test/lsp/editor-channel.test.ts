import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { EditorChannel, GUARD_ID_PREFIX } from "../../src/lsp/editor-channel.js";
import { FrameReader, frameBody } from "../../src/lsp/framing.js";

function channel() {
  const out = new PassThrough();
  const sent: Array<Record<string, unknown>> = [];
  const reader = new FrameReader({
    maxBodyBytes: 1 << 20,
    onFrame: (f) => sent.push(JSON.parse(frameBody(f).toString("utf8"))),
    onError: (e) => assert.fail(e.message),
  });
  out.on("data", (c: Buffer) => reader.push(c));
  return { editor: new EditorChannel(out), sent };
}

test("before initialize is answered only what LSP allows goes out; the rest waits, in order", () => {
  const { editor, sent } = channel();
  editor.notify("window/showMessage", { type: 1, message: "a" });
  editor.notify("window/logMessage", { type: 4, message: "b" });
  editor.notify("$/progress", { token: "t", value: { kind: "begin", title: "x" } });
  void editor.request("window/showMessageRequest", { type: 1, message: "c", actions: [] });
  editor.notify("workspace/semanticTokens/refresh", null);
  assert.deepEqual(
    sent.map((m) => m.method),
    ["window/showMessage", "window/logMessage", "$/progress"],
  );
  editor.initializeAnswered();
  assert.deepEqual(
    sent.map((m) => m.method),
    [
      "window/showMessage",
      "window/logMessage",
      "$/progress",
      "window/showMessageRequest",
      "workspace/semanticTokens/refresh",
    ],
  );
});

test("the guard's requests use string ids gopls never uses, and the editor's reply settles them", async () => {
  const { editor, sent } = channel();
  editor.initializeAnswered();
  const reply = editor.request("window/showMessageRequest", {
    type: 1,
    message: "retry?",
    actions: [{ title: "Retry" }],
  });
  const id = sent[0]?.id;
  assert.equal(typeof id, "string");
  assert.ok((id as string).startsWith(GUARD_ID_PREFIX));
  assert.ok(editor.isGuardId(id as string));
  assert.equal(editor.isGuardId(1), false);
  assert.equal(editor.isGuardId("1"), false);
  editor.settle(id as string, { jsonrpc: "2.0", id, result: { title: "Retry" } });
  assert.deepEqual(await reply, { result: { title: "Retry" } });
});

test("abandon answers every outstanding guard request", async () => {
  const { editor } = channel();
  const reply = editor.request("window/showMessageRequest", {});
  editor.abandon();
  assert.ok("error" in (await reply));
});
