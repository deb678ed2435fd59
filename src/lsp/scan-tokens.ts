// The JSON tokens the scanner (scan.ts) skips over: strings, numbers and literals, checked as
// it goes, each able to stop at the end of what has arrived so far (PAUSE) and be read again
// from a safe point once more is there.

import { contentRun, MAX_RUN } from "./string-content.js";

/** Strings are read byte by byte this far; the rest of a longer one by contentRun. */
const BYTEWISE_FIRST = 256;

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
    const end = Math.min(limit, i + MAX_RUN);
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
