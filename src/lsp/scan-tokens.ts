// The JSON tokens the scanner (scan.ts) skips over: strings, numbers and literals, checked as
// it goes, each able to stop at the end of what has arrived so far (PAUSE) and be read again
// from a safe point once more is there.

import { STRING_CONTENT_WASM } from "./string-content-wasm.js";

/** Strings are read byte by byte this far; the rest of a longer one by a content run below. */
const BYTEWISE_FIRST = 256;
/** A long string's content is read in slices of this size (bounded work per call). */
const SLICE = 64 * 1024;

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

/** WebAssembly with SIMD (string-content.wat): sixteen bytes a step, ~0.5 ms a MB of
 * escape-dense source, where the regex below takes ~2 and leaves a string a slice behind. */
function wasmContentRun(): ContentRun | undefined {
  try {
    const module = new WebAssembly.Module(Buffer.from(STRING_CONTENT_WASM, "base64"));
    const exports = new WebAssembly.Instance(module).exports as {
      skip(from: number, end: number): number;
      memory: WebAssembly.Memory;
    };
    const window = new Uint8Array(exports.memory.buffer, 0, SLICE);
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

/** Compiled on the first long string: a session of short messages never pays for it. */
let contentRun: ContentRun = (buf, from, end) => {
  contentRun = wasmContentRun() ?? regexContentRun;
  return contentRun(buf, from, end);
};

/** For tests: the engine long strings are read with. */
export function useContentEngine(engine: "wasm" | "regex"): void {
  const run = engine === "wasm" ? wasmContentRun() : regexContentRun;
  if (run === undefined) throw new Error("WebAssembly is not available");
  contentRun = run;
}

// What the token helpers return besides an index: an error (in outcome.failure), or a pause at
// the end of the bytes filled so far (resume at outcome.resumeAt).
export const FAIL = -1;
export const PAUSE = -2;
/** Set by the helpers when they return FAIL or PAUSE. */
export const outcome = { failure: "", resumeAt: 0 };

export function fail(reason: string, at: number): typeof FAIL {
  outcome.failure = `${reason} at byte ${at}`;
  return FAIL;
}

function isHex(h: number): boolean {
  return (h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66);
}

/**
 * From `from`, inside a string, to just past its closing quote; FAIL; or PAUSE when the bytes
 * filled so far (`limit`) end first, with resumeAt where to go on (never inside an escape).
 */
export function skipString(buf: Buffer, from: number, limit: number): number {
  let i = from;
  let bytewiseUntil = Math.min(limit, from + BYTEWISE_FIRST);
  for (;;) {
    while (i < bytewiseUntil) {
      const c = buf[i] as number;
      if (c === 0x22) return i + 1;
      if (c === 0x5c) {
        const need = i + 1 < limit && buf[i + 1] === 0x75 ? 6 : 2;
        if (i + need > limit) break;
        const e = buf[i + 1] as number;
        if (e === 0x75) {
          for (let k = i + 2; k < i + 6; k++)
            if (!isHex(buf[k] as number)) return fail("invalid \\u escape", k);
        } else if (
          e !== 0x22 &&
          e !== 0x5c &&
          e !== 0x2f &&
          e !== 0x62 &&
          e !== 0x66 &&
          e !== 0x6e &&
          e !== 0x72 &&
          e !== 0x74
        )
          return fail(`invalid escape \\${String.fromCharCode(e)}`, i + 1);
        i += need;
        continue;
      }
      if (c < 0x20) return fail(`control character 0x${c.toString(16)} in a string`, i);
      i++;
    }
    if (i < bytewiseUntil || i >= limit) {
      // An escape or the string runs past what has arrived.
      if (limit === buf.length) return fail("the message ends early", limit);
      outcome.resumeAt = i;
      return PAUSE;
    }
    const end = Math.min(limit, i + SLICE);
    const stop = contentRun(buf, i, end);
    if (stop < end && buf[stop] === 0x22) return stop + 1;
    // What stopped the run (an escape cut by the slice's end, an invalid escape, a control
    // character) is judged byte by byte.
    i = stop;
    bytewiseUntil = stop < end ? Math.min(limit, stop + 8) : stop;
  }
}

export function isNumberByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || (c | 0x20) === 0x65;
}

/** The index where the number starting at `at` ends (within `end`), or FAIL. */
export function numberEnd(buf: Buffer, at: number, end: number): number {
  const digit = (k: number) => k < end && (buf[k] as number) >= 0x30 && (buf[k] as number) <= 0x39;
  let i = at;
  if (buf[i] === 0x2d) i++;
  if (i < end && buf[i] === 0x30) {
    i++;
    if (digit(i)) return fail("leading zero in a number", i);
  } else if (digit(i)) {
    while (digit(i)) i++;
  } else return fail("malformed number", i);
  if (i < end && buf[i] === 0x2e) {
    i++;
    if (!digit(i)) return fail("malformed number", i);
    while (digit(i)) i++;
  }
  if (i < end && (buf[i] === 0x65 || buf[i] === 0x45)) {
    i++;
    if (i < end && (buf[i] === 0x2b || buf[i] === 0x2d)) i++;
    if (!digit(i)) return fail("malformed number", i);
    while (digit(i)) i++;
  }
  return i;
}

export const TRUE = Buffer.from("true");
export const FALSE = Buffer.from("false");
export const NULL = Buffer.from("null");
