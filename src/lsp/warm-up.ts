// The per-message path, run on made-up messages while gopls starts: the editor's first requests
// then find it compiled and its inline caches filled, instead of paying for both (V8 compiles a
// function at its first call and runs it in its interpreter until it is hot). Nothing it makes
// leaves this module; it runs in small batches, so a real message never waits behind it.

import { encodeFrame, type Frame, FrameReader } from "./framing.js";
import { peekMessage } from "./peek.js";
import { scanFrame } from "./scan.js";

const REQUEST = encodeFrame(
  JSON.stringify({
    jsonrpc: "2.0",
    id: 7,
    method: "textDocument/hover",
    params: {
      textDocument: { uri: "file:///warm/up.go" },
      position: { line: 12, character: 8 },
    },
  }),
);
const ANSWER = encodeFrame(
  JSON.stringify({
    jsonrpc: "2.0",
    result: { contents: { kind: "markdown", value: "```go\nfunc Warm()\n```" } },
    id: 7,
  }),
);

/**
 * Runs `rounds` requests and answers through framing and routing facts, `batch` at a time.
 * Resolves to how many of them were read as valid messages (all: the path warmed is the one
 * real messages take, not the error path).
 */
export function warmMessagePath(rounds = 300, batch = 25): Promise<number> {
  let frames = 0;
  let done: (n: number) => void = () => {};
  const finished = new Promise<number>((resolve) => {
    done = resolve;
  });
  const sink = (frame: Frame) => {
    frames += scanFrame(frame).ok ? 1 : 0;
    frames += peekMessage(frame).ok ? 1 : 0;
  };
  const reader = new FrameReader({ maxBodyBytes: 1 << 20, onFrame: sink, onError: () => {} });
  let left = rounds;
  const step = () => {
    for (let i = 0; i < batch && left > 0; i++, left--) {
      reader.push(REQUEST);
      reader.push(ANSWER);
    }
    if (left > 0) setImmediate(step).unref();
    else done(frames);
  };
  setImmediate(step).unref();
  return finished;
}
