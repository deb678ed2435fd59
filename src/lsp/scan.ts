// A JSON validator for one LSP message: it checks the whole grammar (and UTF-8) in one pass over
// the bytes without building anything, and keeps only what the guard routes on: where the
// top-level "id" and "method" values are, and whether there is a top-level "error".
//
// UTF-8 is checked natively (buffer.isUtf8: SIMD, ~20× the speed of a JavaScript byte loop), so
// the grammar pass only has to tell string content from structure: any byte from 0x80 up inside
// a string is part of a character already known to be well-formed. Long strings are matched by a
// regular expression, which V8 compiles to machine code. A large body can be scanned while it is
// still arriving (BodyScan.advance over the part filled so far), so the check overlaps the
// transfer instead of following it.

import { isUtf8 } from "node:buffer";
import type { BodyProgress } from "./framing.js";
import { classify, type MessageInfo, type Parsed } from "./message.js";
import { describeByte, firstUtf8Error, keyName } from "./scan-facts.js";

const MAX_DEPTH = 512;
const MAX_CAPTURE = 4096;
const OBJ = 1;
const ARR = 2;

// The expectations between tokens.
const VALUE = 0;
const FIRST_VALUE = 1; // just after '[': a value or ']'
const FIRST_KEY = 2; // just after '{': a key or '}'
const KEY = 3;
const COLON = 4;
const AFTER = 5; // after a value: ',' or a closing bracket
const END = 6;

// Which top-level key the value being read belongs to.
const K_OTHER = 0;
const K_ID = 1;
const K_METHOD = 2;

/** Strings are read byte by byte this far; the rest of a longer one by the regex below. */
const BYTEWISE_FIRST = 256;
/** A long string's content is matched in slices of this size (bounded work per match). */
const SLICE = 64 * 1024;
/** A run of string content: V8 compiles this to machine code, about twice the speed of a
 * JavaScript byte loop. It stops at the closing quote, at anything invalid, and at the end. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON forbids raw control characters
const STRING_CONTENT = /(?:[^"\\\x00-\x1f]+|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*/y;

// What the token helpers return besides an index: an error (in `failure`), or a pause at the
// end of the bytes filled so far (resume at `resumeAt`).
const FAIL = -1;
const PAUSE = -2;
let failure = "";
let resumeAt = 0;

function fail(reason: string, at: number): typeof FAIL {
  failure = `${reason} at byte ${at}`;
  return FAIL;
}

function isHex(h: number): boolean {
  return (h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66);
}

/**
 * From `from`, inside a string, to just past its closing quote; FAIL; or PAUSE when the bytes
 * filled so far (`limit`) end first, with resumeAt where to go on (never inside an escape).
 */
function skipString(buf: Buffer, from: number, limit: number): number {
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
      resumeAt = i;
      return PAUSE;
    }
    const end = Math.min(limit, i + SLICE);
    STRING_CONTENT.lastIndex = 0;
    STRING_CONTENT.test(buf.toString("latin1", i, end));
    const stop = i + STRING_CONTENT.lastIndex;
    if (stop < end && buf[stop] === 0x22) return stop + 1;
    // What stopped the match (an escape cut by the slice's end, an invalid escape, a control
    // character) is judged byte by byte.
    i = stop;
    bytewiseUntil = stop < end ? Math.min(limit, stop + 8) : stop;
  }
}

function isNumberByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || (c | 0x20) === 0x65;
}

/** The index where the number starting at `at` ends (within `end`), or FAIL. */
function numberEnd(buf: Buffer, at: number, end: number): number {
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

const TRUE = Buffer.from("true");
const FALSE = Buffer.from("false");
const NULL = Buffer.from("null");

function hasBackslash(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] === 0x5c) return true;
  return false;
}

/** Which of the keys the guard routes on a top-level key is (its raw text, quotes included). */
function keyKind(buf: Buffer, start: number, end: number): number | "error" {
  const len = end - start - 2;
  const a = buf[start + 1];
  if (len === 2 && a === 0x69 && buf[start + 2] === 0x64) return K_ID;
  if (len === 6 && a === 0x6d && buf.toString("latin1", start + 1, end - 1) === "method")
    return K_METHOD;
  if (len === 5 && a === 0x65 && buf.toString("latin1", start + 1, end - 1) === "error")
    return "error";
  if (!hasBackslash(buf, start, end)) return K_OTHER;
  const name = keyName(buf.toString("latin1", start, end));
  return name === "id" ? K_ID : name === "method" ? K_METHOD : name === "error" ? "error" : K_OTHER;
}

/** A top-level value's JSON text, decoded (ids and methods: numbers, strings, null). */
function valueAt(buf: Buffer, start: number, end: number): unknown {
  const c = buf[start];
  if (c === 0x22) {
    return hasBackslash(buf, start, end)
      ? JSON.parse(buf.toString("utf8", start, end))
      : buf.toString("utf8", start + 1, end - 1);
  }
  if (c === 0x6e) return null;
  if (c === 0x74 || c === 0x66) return c === 0x74;
  return Number(buf.toString("latin1", start, end));
}

/** Open brackets for the one-shot scans (they run start to end without yielding). */
const sharedStack = new Uint8Array(MAX_DEPTH + 1);

/** One message body's scan, in one go (scanMessage) or as the body fills (advance). */
export class BodyScan implements BodyProgress {
  private i = 0;
  private depth = 0;
  private expect = VALUE;
  private key = K_OTHER;
  private hasError = false;
  private idStart = -1;
  private idEnd = -1;
  private methodStart = -1;
  private methodEnd = -1;
  /** Paused inside the string that starts at tokenStart. */
  private inString = false;
  private tokenStart = 0;
  private failed: string | undefined;

  constructor(
    private readonly buf: Buffer,
    private readonly stack = new Uint8Array(MAX_DEPTH + 1),
  ) {}

  /** Scans what lies before `limit` (the bytes filled so far); the last call is with the length. */
  advance(limit: number): void {
    if (this.failed !== undefined) return;
    const buf = this.buf;
    const final = limit === buf.length;
    let i = this.i;
    if (this.inString) {
      const end = skipString(buf, i, limit);
      if (end === PAUSE) {
        this.i = resumeAt;
        return;
      }
      this.inString = false;
      if (end === FAIL || !this.token(this.tokenStart, end)) return this.stop(failure);
      i = end;
    }
    while (i < limit) {
      const c = buf[i] as number;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        i++;
        continue;
      }
      let expect = this.expect;
      if (expect === FIRST_VALUE || expect === FIRST_KEY) {
        if (c === (expect === FIRST_VALUE ? 0x5d : 0x7d)) {
          this.depth--;
          this.expect = this.depth === 0 ? END : AFTER;
          i++;
          continue;
        }
        expect = this.expect = expect === FIRST_VALUE ? VALUE : KEY;
      }
      if (expect === VALUE || expect === KEY) {
        if (expect === KEY && c !== 0x22)
          return this.stopAt(`expected a key, found ${describeByte(c)}`, i);
        if (c === 0x7b || c === 0x5b) {
          if (!this.open(c, i)) return this.stop(failure);
          i++;
          continue;
        }
        let end: number;
        if (c === 0x22) {
          end = skipString(buf, i + 1, limit);
          if (end === PAUSE) {
            this.inString = true;
            this.tokenStart = i;
            this.i = resumeAt;
            return;
          }
        } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
          let j = i + 1;
          while (j < limit && isNumberByte(buf[j] as number)) j++;
          if (j === limit && !final) break; // the number may go on: read it again later
          end = numberEnd(buf, i, j);
        } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
          const lit = c === 0x74 ? TRUE : c === 0x66 ? FALSE : NULL;
          if (i + lit.length > limit) {
            if (!final) break;
            end = fail("the message ends early", limit);
          } else
            end =
              buf.compare(lit, 0, lit.length, i, i + lit.length) === 0
                ? i + lit.length
                : fail("invalid literal", i);
        } else if (this.depth === 0) {
          end = fail(
            c === 0x5b
              ? "a message must be a JSON object, not an array (JSON-RPC batches are not part of LSP)"
              : "a message must be a JSON object",
            i,
          );
        } else end = fail(`unexpected ${describeByte(c)}`, i);
        if (end === FAIL || !this.token(i, end)) return this.stop(failure);
        i = end;
        continue;
      }
      if (expect === COLON) {
        if (c !== 0x3a) return this.stopAt(`expected ':', found ${describeByte(c)}`, i);
        this.expect = VALUE;
        i++;
        continue;
      }
      if (expect === AFTER) {
        const top = this.stack[this.depth];
        if (c === 0x2c) this.expect = top === OBJ ? KEY : VALUE;
        else if ((c === 0x7d && top === OBJ) || (c === 0x5d && top === ARR)) {
          this.depth--;
          this.expect = this.depth === 0 ? END : AFTER;
        } else return this.stopAt(`expected ',' or a closing bracket, found ${describeByte(c)}`, i);
        if (this.depth === 1) this.key = K_OTHER;
        i++;
        continue;
      }
      return this.stopAt(`trailing ${describeByte(c)} after the message`, i);
    }
    this.i = i;
  }

  /** The message's routing facts, or why it is not a valid message. */
  finish(): Parsed<MessageInfo> {
    const buf = this.buf;
    if (!isUtf8(buf)) return { ok: false, reason: `invalid JSON: ${firstUtf8Error(buf)}` };
    this.advance(buf.length);
    if (this.failed !== undefined) return { ok: false, reason: `invalid JSON: ${this.failed}` };
    if (this.expect !== END) return { ok: false, reason: "invalid JSON: the message ends early" };
    let id: unknown;
    let method: unknown;
    try {
      id = this.idStart < 0 ? undefined : valueAt(buf, this.idStart, this.idEnd);
      method = this.methodStart < 0 ? undefined : valueAt(buf, this.methodStart, this.methodEnd);
    } catch {
      return { ok: false, reason: "invalid JSON in id or method" };
    }
    return classify(id, this.idStart >= 0, method, this.hasError);
  }

  private stop(reason: string): void {
    this.failed = reason;
  }

  private stopAt(reason: string, at: number): void {
    this.failed = `${reason} at byte ${at}`;
  }

  private open(c: number, at: number): boolean {
    if (this.depth === 0 ? c !== 0x7b : this.depth === 1 && this.key !== K_OTHER) {
      if (this.depth === 0) {
        fail(
          "a message must be a JSON object, not an array (JSON-RPC batches are not part of LSP)",
          at,
        );
        return false;
      }
      fail(`"${this.key === K_ID ? "id" : "method"}" must not be an object or array`, at);
      return false;
    }
    if (this.depth >= MAX_DEPTH) {
      fail(`nesting deeper than ${MAX_DEPTH}`, at);
      return false;
    }
    this.stack[++this.depth] = c === 0x7b ? OBJ : ARR;
    this.expect = c === 0x7b ? FIRST_KEY : FIRST_VALUE;
    return true;
  }

  /** A whole key or scalar value from start to end: what it means for routing; false on error. */
  private token(start: number, end: number): boolean {
    if (this.expect === KEY) {
      if (this.depth === 1) {
        const kind = keyKind(this.buf, start, end);
        if (kind === "error") this.hasError = true;
        this.key = kind === "error" ? K_OTHER : kind;
      }
      this.expect = COLON;
      return true;
    }
    if (this.depth === 0) {
      fail("a message must be a JSON object", start);
      return false;
    }
    if (this.depth === 1 && this.key !== K_OTHER) {
      if (end - start > MAX_CAPTURE) {
        fail(
          `top-level ${this.key === K_ID ? "id" : "method"} longer than ${MAX_CAPTURE} bytes`,
          end,
        );
        return false;
      }
      if (this.key === K_ID) {
        this.idStart = start;
        this.idEnd = end;
      } else {
        this.methodStart = start;
        this.methodEnd = end;
      }
    }
    this.expect = AFTER;
    return true;
  }
}

/** A whole message, as the pieces it arrived in: its routing facts, or why it is not one. */
export function scanMessage(chunks: readonly Buffer[]): Parsed<MessageInfo> {
  const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks as Buffer[]);
  return new BodyScan(body, sharedStack).finish();
}
