// A JSON validator for one LSP message: it checks the whole grammar (and UTF-8) in one pass over
// the bytes without building anything, and keeps only what the guard routes on: where the
// top-level "id" and "method" values are, and whether there is a top-level "error".
//
// UTF-8 is checked natively (buffer.isUtf8: SIMD, ~20× the speed of a JavaScript byte loop), so
// the grammar pass only has to tell string content from structure: any byte from 0x80 up inside
// a string is part of a character already known to be well-formed. Long strings are read by
// WebAssembly with SIMD (string-content.ts). A large body can be scanned, its UTF-8 included,
// while it is still arriving (BodyScan.advance over the part filled so far), so the check
// overlaps the transfer instead of following it.

import { isUtf8 } from "node:buffer";
import type { BodyProgress, Frame } from "./framing.js";
import { classify, type MessageInfo, type Parsed } from "./message.js";
import { WASM_WINDOW, wasmMessageScan } from "./message-scan.js";
import { describeByte, firstUtf8Error, K_ID, K_OTHER, keyKind, valueAt } from "./scan-facts.js";
import {
  FAIL,
  FALSE,
  fail,
  isNumberByte,
  NULL,
  numberEnd,
  outcome,
  PAUSE,
  skipString,
  TRUE,
} from "./scan-tokens.js";

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
  /** Bytes before this are known to be well-formed UTF-8. */
  private utf8Checked = 0;
  private utf8Failed = false;

  constructor(
    private readonly buf: Buffer,
    private readonly stack = new Uint8Array(MAX_DEPTH + 1),
  ) {}

  /** Scans what lies before `limit` (the bytes filled so far); the last call is with the length. */
  advance(limit: number): void {
    if (this.failed !== undefined) return;
    const buf = this.buf;
    const final = limit === buf.length;
    if (!final) this.checkUtf8(limit);
    let i = this.i;
    if (this.inString) {
      const end = skipString(buf, i, limit);
      if (end === PAUSE) {
        this.i = outcome.resumeAt;
        return;
      }
      this.inString = false;
      if (end === FAIL || !this.token(this.tokenStart, end)) return this.stop(outcome.failure);
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
          if (!this.open(c, i)) return this.stop(outcome.failure);
          i++;
          continue;
        }
        let end: number;
        if (c === 0x22) {
          end = skipString(buf, i + 1, limit);
          if (end === PAUSE) {
            this.inString = true;
            this.tokenStart = i;
            this.i = outcome.resumeAt;
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
        if (end === FAIL || !this.token(i, end)) return this.stop(outcome.failure);
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
    if (!this.restIsUtf8()) return { ok: false, reason: `invalid JSON: ${firstUtf8Error(buf)}` };
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

  /**
   * UTF-8 of the body filled up to `limit`, but for its last character, which may be cut and is
   * left for the next call: a well-formed text cut just before a lead byte is two well-formed
   * texts, so the check goes piece by piece and never reads what has not arrived.
   */
  private checkUtf8(limit: number): void {
    const buf = this.buf;
    // Back to the byte that starts the last character (not 10xxxxxx): at most four back.
    let cut = limit - 1;
    while (cut > this.utf8Checked && cut > limit - 4 && ((buf[cut] as number) & 0xc0) === 0x80)
      cut--;
    if (((buf[cut] as number) & 0xc0) === 0x80) return; // ill-formed; finish() says where
    if (cut <= this.utf8Checked || this.utf8Failed) return;
    if (!isUtf8(buf.subarray(this.utf8Checked, cut))) this.utf8Failed = true;
    this.utf8Checked = cut;
  }

  /** UTF-8 of what checkUtf8 has not seen: the whole body for a message scanned in one go. */
  private restIsUtf8(): boolean {
    if (this.utf8Failed) return false;
    const buf = this.buf;
    return isUtf8(this.utf8Checked === 0 ? buf : buf.subarray(this.utf8Checked));
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

/** A frame's routing facts: finishing the scan that watched it arrive, if one did. */
export function scanFrame(frame: Frame): Parsed<MessageInfo> {
  return frame.progress instanceof BodyScan ? frame.progress.finish() : scanMessage(frame.chunks);
}

/** A whole message, as the pieces it arrived in: its routing facts, or why it is not one. */
export function scanMessage(chunks: readonly Buffer[]): Parsed<MessageInfo> {
  const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks as Buffer[]);
  if (body.length <= WASM_WINDOW) {
    const scanned = wasmMessageScan(body);
    if (scanned !== undefined) return scanned;
  }
  if (body.length < NATIVE_BELOW) {
    const native = nativeScan(body);
    if (native !== undefined) return native;
  }
  return new BodyScan(body, sharedStack).finish();
}

/**
 * Below this size a message is checked by buffer.isUtf8 and JSON.parse, both native: as fast
 * for the first message of a session as for the millionth, where the byte loop above runs
 * interpreted for the first few hundred (and costs V8 a 15 ms optimizing compile). A valid
 * text this short cannot nest deeper than MAX_DEPTH nor hold an id or method longer than
 * MAX_CAPTURE, so the answers are the scanner's, but for a top-level "id" or "method" given
 * twice, first as an object or array: the scanner refuses it, JSON.parse takes the last one.
 */
const NATIVE_BELOW = 2 * MAX_DEPTH + 2;

/** The routing facts of a valid message; undefined for anything else (the scanner says why). */
function nativeScan(body: Buffer): Parsed<MessageInfo> | undefined {
  if (!isUtf8(body)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    return undefined;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return undefined;
  const o = json as Record<string, unknown>;
  const info = classify(o.id, Object.hasOwn(o, "id"), o.method, Object.hasOwn(o, "error"));
  return info.ok ? info : undefined;
}
