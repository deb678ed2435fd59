// A JSON validator for one LSP message: it checks the whole grammar (and UTF-8) in one pass over
// the bytes without building anything, and keeps only what the guard routes on: where the
// top-level "id" and "method" values are, and whether there is a top-level "error".
//
// UTF-8 is checked first, natively (buffer.isUtf8: SIMD, ~20× the speed of a JavaScript byte
// loop), so the grammar pass only has to tell string content from structure: any byte from 0x80
// up inside a string is part of a character already known to be well-formed.

import { isUtf8 } from "node:buffer";
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

/** Open brackets, innermost last; shared, as a scan runs start to end without yielding. */
const stack = new Uint8Array(MAX_DEPTH + 1);

/** Set by the helpers below when they return -1. */
let failure = "";

function fail(reason: string, at: number): -1 {
  failure = `${reason} at byte ${at}`;
  return -1;
}

/** The index just past the string that starts at `at` (its opening quote), or -1. */
function skipString(buf: Buffer, at: number): number {
  const n = buf.length;
  let i = at + 1;
  while (i < n) {
    const c = buf[i] as number;
    if (c === 0x22) return i + 1;
    if (c === 0x5c) {
      const e = buf[i + 1];
      if (e === 0x75) {
        for (let k = i + 2; k < i + 6; k++) {
          const h = buf[k];
          if (h === undefined) return fail("the message ends early", n);
          if (!((h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66)))
            return fail("invalid \\u escape", k);
        }
        i += 6;
        continue;
      }
      if (
        e === 0x22 ||
        e === 0x5c ||
        e === 0x2f ||
        e === 0x62 ||
        e === 0x66 ||
        e === 0x6e ||
        e === 0x72 ||
        e === 0x74
      ) {
        i += 2;
        continue;
      }
      if (e === undefined) break;
      return fail(`invalid escape \\${String.fromCharCode(e)}`, i + 1);
    }
    if (c < 0x20) return fail(`control character 0x${c.toString(16)} in a string`, i);
    i++;
  }
  return fail("the message ends early", n);
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/** The index just past the number that starts at `at`, or -1. */
function skipNumber(buf: Buffer, at: number): number {
  let i = at;
  if (buf[i] === 0x2d) i++;
  if (buf[i] === 0x30) {
    i++;
    if (isDigit(buf[i])) return fail("leading zero in a number", i);
  } else if (isDigit(buf[i])) {
    while (isDigit(buf[i])) i++;
  } else return fail("malformed number", i);
  if (buf[i] === 0x2e) {
    i++;
    if (!isDigit(buf[i])) return fail("malformed number", i);
    while (isDigit(buf[i])) i++;
  }
  if (buf[i] === 0x65 || buf[i] === 0x45) {
    i++;
    if (buf[i] === 0x2b || buf[i] === 0x2d) i++;
    if (!isDigit(buf[i])) return fail("malformed number", i);
    while (isDigit(buf[i])) i++;
  }
  return i;
}

const TRUE = Buffer.from("true");
const FALSE = Buffer.from("false");
const NULL = Buffer.from("null");

function skipLiteral(buf: Buffer, at: number, lit: Buffer): number {
  const end = at + lit.length;
  if (end > buf.length) return fail("the message ends early", buf.length);
  if (buf.compare(lit, 0, lit.length, at, end) !== 0) return fail("invalid literal", at);
  return end;
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

function hasBackslash(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] === 0x5c) return true;
  return false;
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

function scanBody(buf: Buffer): Parsed<MessageInfo> {
  const n = buf.length;
  let i = 0;
  let depth = 0;
  let expect = VALUE;
  let key = K_OTHER;
  let hasError = false;
  let idStart = -1;
  let idEnd = -1;
  let methodStart = -1;
  let methodEnd = -1;
  while (i < n) {
    const c = buf[i] as number;
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      i++;
      continue;
    }
    if (expect === FIRST_VALUE || expect === FIRST_KEY) {
      if (c === (expect === FIRST_VALUE ? 0x5d : 0x7d)) {
        depth--;
        expect = depth === 0 ? END : AFTER;
        i++;
        continue;
      }
      expect = expect === FIRST_VALUE ? VALUE : KEY;
    }
    switch (expect) {
      case VALUE: {
        if (depth === 0 && c !== 0x7b)
          return invalid(
            fail(
              c === 0x5b
                ? "a message must be a JSON object, not an array (JSON-RPC batches are not part of LSP)"
                : "a message must be a JSON object",
              i,
            ),
          );
        const captured = depth === 1 ? key : K_OTHER;
        const start = i;
        if (c === 0x7b || c === 0x5b) {
          if (captured !== K_OTHER) {
            const name = captured === K_ID ? "id" : "method";
            return invalid(fail(`"${name}" must not be an object or array`, i));
          }
          if (depth >= MAX_DEPTH) return invalid(fail(`nesting deeper than ${MAX_DEPTH}`, i));
          stack[++depth] = c === 0x7b ? OBJ : ARR;
          expect = c === 0x7b ? FIRST_KEY : FIRST_VALUE;
          i++;
          continue;
        }
        if (c === 0x22) i = skipString(buf, i);
        else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) i = skipNumber(buf, i);
        else if (c === 0x74) i = skipLiteral(buf, i, TRUE);
        else if (c === 0x66) i = skipLiteral(buf, i, FALSE);
        else if (c === 0x6e) i = skipLiteral(buf, i, NULL);
        else return invalid(fail(`unexpected ${describeByte(c)}`, i));
        if (i < 0) return invalid(-1);
        if (captured !== K_OTHER) {
          const name = captured === K_ID ? "id" : "method";
          if (i - start > MAX_CAPTURE)
            return invalid(fail(`top-level ${name} longer than ${MAX_CAPTURE} bytes`, i));
          if (captured === K_ID) {
            idStart = start;
            idEnd = i;
          } else {
            methodStart = start;
            methodEnd = i;
          }
        }
        expect = AFTER;
        continue;
      }
      case KEY: {
        if (c !== 0x22) return invalid(fail(`expected a key, found ${describeByte(c)}`, i));
        const start = i;
        i = skipString(buf, i);
        if (i < 0) return invalid(-1);
        if (depth === 1) {
          const kind = keyKind(buf, start, i);
          if (kind === "error") hasError = true;
          key = kind === "error" ? K_OTHER : kind;
        }
        expect = COLON;
        continue;
      }
      case COLON:
        if (c !== 0x3a) return invalid(fail(`expected ':', found ${describeByte(c)}`, i));
        expect = VALUE;
        i++;
        continue;
      case AFTER: {
        const top = stack[depth];
        if (c === 0x2c) expect = top === OBJ ? KEY : VALUE;
        else if ((c === 0x7d && top === OBJ) || (c === 0x5d && top === ARR)) {
          depth--;
          expect = depth === 0 ? END : AFTER;
        } else
          return invalid(fail(`expected ',' or a closing bracket, found ${describeByte(c)}`, i));
        if (depth === 1) key = K_OTHER;
        i++;
        continue;
      }
      default:
        return invalid(fail(`trailing ${describeByte(c)} after the message`, i));
    }
  }
  if (expect !== END) return { ok: false, reason: "invalid JSON: the message ends early" };
  let id: unknown;
  let method: unknown;
  try {
    id = idStart < 0 ? undefined : valueAt(buf, idStart, idEnd);
    method = methodStart < 0 ? undefined : valueAt(buf, methodStart, methodEnd);
  } catch {
    return { ok: false, reason: "invalid JSON in id or method" };
  }
  return classify(id, idStart >= 0, method, hasError);
}

function invalid(_: -1): Parsed<MessageInfo> {
  return { ok: false, reason: `invalid JSON: ${failure}` };
}

/** A whole message, as the pieces it arrived in: its routing facts, or why it is not one. */
export function scanMessage(chunks: readonly Buffer[]): Parsed<MessageInfo> {
  const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks as Buffer[]);
  if (!isUtf8(body)) return { ok: false, reason: `invalid JSON: ${firstUtf8Error(body)}` };
  return scanBody(body);
}
