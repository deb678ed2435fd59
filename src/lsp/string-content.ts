// Runs of JSON string content: where the content of a long string stops (its closing quote,
// a control character, an escape that is invalid or cut by the end), read by WebAssembly with
// SIMD (string-content.wat), or by a regular expression where WebAssembly is off.

import { STRING_CONTENT_WASM } from "./string-content-wasm.js";

/** The most a run reads at once: the size of the module's window (one 64 KB page). */
export const MAX_RUN = 64 * 1024;

/**
 * How far valid string content runs in buf[from, end): the index of the first quote, control
 * character or backslash that does not begin a whole escape before end; end if there is none.
 */
type ContentRun = (buf: Buffer, from: number, end: number) => number;

// The part of the WebAssembly API used here: its types come with the DOM lib, not node's.
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module);
    readonly exports: unknown;
  }
  interface Memory {
    readonly buffer: ArrayBuffer;
  }
}

/** WebAssembly with SIMD: sixteen bytes a step, ~0.5 ms a MB of escape-dense source, where the
 * regex below takes ~2 and leaves a string a slice behind. */
function wasmContentRun(): ContentRun | undefined {
  try {
    const module = new WebAssembly.Module(Buffer.from(STRING_CONTENT_WASM, "base64"));
    const exports = new WebAssembly.Instance(module).exports as {
      skip(from: number, end: number): number;
      memory: WebAssembly.Memory;
    };
    const window = new Uint8Array(exports.memory.buffer, 0, MAX_RUN);
    const skip = exports.skip;
    return (buf, from, end) => {
      buf.copy(window, 0, from, end);
      return from + skip(0, end - from);
    };
  } catch {
    return undefined; // no WebAssembly here (node --jitless)
  }
}

/** A run of string content as a regular expression V8 compiles: the fallback. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw control characters
const STRING_CONTENT = /(?:[^"\\\x00-\x1f]+|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*/y;
const regexContentRun: ContentRun = (buf, from, end) => {
  STRING_CONTENT.lastIndex = 0;
  STRING_CONTENT.test(buf.toString("latin1", from, end));
  return from + STRING_CONTENT.lastIndex;
};

/** Chosen on the first long string: a session of short messages never compiles the module. */
let engine: ContentRun = (buf, from, end) => {
  engine = wasmContentRun() ?? regexContentRun;
  return engine(buf, from, end);
};

/** See ContentRun; at most MAX_RUN bytes at once. */
export function contentRun(buf: Buffer, from: number, end: number): number {
  return engine(buf, from, end);
}

/** For tests: the engine long strings are read with. */
export function useContentEngine(name: "wasm" | "regex"): void {
  const run = name === "wasm" ? wasmContentRun() : regexContentRun;
  if (run === undefined) throw new Error("WebAssembly is not available");
  engine = run;
}
