// A small message's routing facts from WebAssembly (message-scan.wat): the JSON check and where
// the top-level id and method are, in one pass by a loop compiled before the first message.
// In a session's first minutes the guard's JavaScript runs cold, and so do the caches between
// one message and the next (gopls and the editor run in between): isUtf8, a string of the body
// and JSON.parse, each native, cost 15-25 µs a message there, where this costs a few.
// It answers only when sure: whatever it declines (invalid JSON, escaped top-level keys, an id
// or method given twice) goes to the byte scanner, which decides and says why.

import { isUtf8 } from "node:buffer";
import { classify, type MessageInfo, type Parsed } from "./message.js";
import { MESSAGE_SCAN_WASM } from "./message-scan-wasm.js";
import { valueAt } from "./scan-facts.js";

/** The most a body the module reads may hold: its window (one 64 KB page). */
export const WASM_WINDOW = 64 * 1024;

// The part of the WebAssembly API used here: its types come with the DOM lib, not node's.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  function compile(bytes: Uint8Array): Promise<Module>;
  class Instance {
    constructor(module: Module);
    readonly exports: unknown;
  }
  interface Memory {
    readonly buffer: ArrayBuffer;
  }
}

/** Where the module writes what it found (message-scan.wat: RESULT). */
const RESULT = 67072;
const ID_INTEGER = 1;
const ID_ASCII_STRING = 2;

type Scan = (body: Buffer) => Parsed<MessageInfo> | undefined;

const decline: Scan = () => undefined;

function wasmScan(module = new WebAssembly.Module(Buffer.from(MESSAGE_SCAN_WASM, "base64"))): Scan {
  const exports = new WebAssembly.Instance(module).exports as {
    memory: WebAssembly.Memory;
    scan(len: number): number;
    nonAscii(): number;
  };
  const { memory, scan, nonAscii } = exports;
  const window = new Uint8Array(memory.buffer, 0, WASM_WINDOW);
  const found = new Int32Array(memory.buffer, RESULT, 8);
  const idNumber = new Float64Array(memory.buffer, RESULT + 32, 1);
  return (body) => {
    window.set(body);
    if (scan(body.length) !== 1 || (nonAscii() === 1 && !isUtf8(body))) return undefined;
    const idStart = found[0] as number;
    const methodStart = found[3] as number;
    let id: unknown;
    let method: unknown;
    try {
      if (idStart >= 0) {
        const kind = found[2];
        id =
          kind === ID_INTEGER
            ? idNumber[0]
            : kind === ID_ASCII_STRING
              ? body.toString("latin1", idStart + 1, (found[1] as number) - 1)
              : valueAt(body, idStart, found[1] as number);
      }
      if (methodStart >= 0)
        method =
          found[5] === 0
            ? body.toString("latin1", methodStart + 1, (found[4] as number) - 1)
            : valueAt(body, methodStart, found[4] as number);
    } catch {
      return undefined; // an escape JSON.parse refuses: the byte scanner says so
    }
    const info = classify(id, idStart >= 0, method, found[6] === 1);
    return info.ok ? info : undefined;
  };
}

/** Compiled with the first message, unless prepareMessageScan began it earlier. */
let engine: Scan = (body) => {
  try {
    engine = wasmScan();
  } catch {
    engine = decline; // no WebAssembly here (node --jitless)
  }
  return engine(body);
};
let preparing = false;

/**
 * Compiles the module off the main thread now (~0.4 ms here), so that no message waits for it:
 * a session calls this as it starts. Until it is ready, messages go to the byte scanner.
 */
export function prepareMessageScan(): void {
  if (preparing) return;
  preparing = true;
  engine = decline;
  WebAssembly.compile(Buffer.from(MESSAGE_SCAN_WASM, "base64")).then(
    (module) => {
      try {
        engine = wasmScan(module);
      } catch {
        // no WebAssembly here: the byte scanner reads every message
      }
    },
    () => {},
  );
}

/**
 * The routing facts of a valid message of at most WASM_WINDOW bytes; undefined when the module
 * declines it (or WebAssembly is off): the byte scanner's to decide.
 */
export function wasmMessageScan(body: Buffer): Parsed<MessageInfo> | undefined {
  return engine(body);
}
