// A trivial LSP server for the forwarding benchmark: answers "echo" with its params (sliced
// from the request bytes, not parsed) and counts what "sink" notifications carried. Its cost is
// the same with and without the guard, so the difference is the guard's.

import { FrameReader, frameBody, writeFrame } from "../src/lsp/framing.js";

let sunk = 0;
const reader = new FrameReader({
  maxBodyBytes: 1 << 30,
  onFrame(frame) {
    const body = frameBody(frame);
    // Requests from the bench client look like {"jsonrpc":"2.0","id":N,"method":"M","params":P}.
    const text = body.toString("latin1", 0, Math.min(body.length, 80));
    const id = /"id":(\d+)/.exec(text)?.[1];
    const method = /"method":"([^"]+)"/.exec(text)?.[1];
    if (method === "sink") {
      sunk += body.length;
      return;
    }
    if (id === undefined) {
      if (method === "exit") process.exit(0);
      return;
    }
    let result: Buffer;
    if (method === "echo") {
      const at = body.indexOf('"params":');
      result = body.subarray(at + 9, body.length - 1);
    } else if (method === "sunk") {
      result = Buffer.from(String(sunk));
      sunk = 0;
    } else {
      result = Buffer.from(method === "initialize" ? '{"capabilities":{}}' : "null");
    }
    writeFrame(
      process.stdout,
      Buffer.concat([
        Buffer.from(`{"jsonrpc":"2.0","id":${id},"result":`),
        result,
        Buffer.from("}"),
      ]),
    );
  },
  onError(e) {
    process.stderr.write(`echo-server: ${e.message}\n`);
    process.exit(2);
  },
});
process.stdin.on("data", (c: Buffer) => reader.push(c));
process.stdin.on("end", () => process.exit(0));
