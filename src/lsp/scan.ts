// A resumable JSON validator for one LSP message that arrives in pieces: it checks the whole
// grammar (and UTF-8) in one pass without building anything, and keeps only what the guard
// routes on: the top-level "id", "method" and whether there is an "error".

import { ARR, FALSE, isWs, MAX_CAPTURE, MAX_DEPTH, N, NULL, OBJ, S, TRUE } from "./json-grammar.js";
import type { MessageInfo, Parsed } from "./message.js";
import { describeByte, keyName, routingFacts } from "./scan-facts.js";

export class MessageScanner {
  private state = S.Value;
  private readonly stack: number[] = [];
  private error: string | undefined;
  private offset = 0;
  // string and literal sub-states
  private strIsKey = false;
  private hexLeft = 0;
  private utf8Left = 0;
  private utf8Lo = 0x80;
  private utf8Hi = 0xbf;
  private num = N.Minus;
  private lit: number[] = TRUE;
  private litAt = 0;
  // capture of top-level keys and of the "id"/"method" values
  private capturing: "key" | "id" | "method" | undefined;
  private captured = "";
  private lastKey = "";
  private id: string | undefined;
  private method: string | undefined;
  private hasError = false;

  push(buf: Buffer): void {
    if (this.error !== undefined) return;
    const n = buf.length;
    let capStart = 0;
    let i = 0;
    let state = this.state;
    const stack = this.stack;
    while (i < n) {
      const c = buf[i] as number;
      switch (state) {
        case S.Str: {
          // Fast path: plain ASCII string content.
          let j = i;
          let d = c;
          while (d >= 0x20 && d < 0x80 && d !== 0x22 && d !== 0x5c) {
            j++;
            if (j >= n) break;
            d = buf[j] as number;
          }
          i = j;
          if (i >= n) continue;
          if (d === 0x22) {
            i++;
            state = S.After;
            if (this.capturing) this.endCapture(buf, capStart, i);
            if (this.strIsKey) state = S.Colon;
            continue;
          }
          if (d === 0x5c) {
            state = S.Esc;
            i++;
            continue;
          }
          if (d < 0x20) return this.fail(`control character 0x${d.toString(16)} in a string`, i);
          // A multi-byte UTF-8 sequence.
          if (d >= 0xc2 && d <= 0xdf) this.utf8(1, 0x80, 0xbf);
          else if (d === 0xe0) this.utf8(2, 0xa0, 0xbf);
          else if ((d >= 0xe1 && d <= 0xec) || d === 0xee || d === 0xef) this.utf8(2, 0x80, 0xbf);
          else if (d === 0xed) this.utf8(2, 0x80, 0x9f);
          else if (d === 0xf0) this.utf8(3, 0x90, 0xbf);
          else if (d >= 0xf1 && d <= 0xf3) this.utf8(3, 0x80, 0xbf);
          else if (d === 0xf4) this.utf8(3, 0x80, 0x8f);
          else return this.fail(`invalid UTF-8 byte 0x${d.toString(16)}`, i);
          state = S.Utf8;
          i++;
          continue;
        }
        case S.Utf8:
          if (c < this.utf8Lo || c > this.utf8Hi)
            return this.fail(`invalid UTF-8 continuation byte 0x${c.toString(16)}`, i);
          this.utf8Lo = 0x80;
          this.utf8Hi = 0xbf;
          if (--this.utf8Left === 0) state = S.Str;
          i++;
          continue;
        case S.Esc:
          if (c === 0x75) {
            this.hexLeft = 4;
            state = S.Hex;
          } else if (
            c === 0x22 ||
            c === 0x5c ||
            c === 0x2f ||
            c === 0x62 ||
            c === 0x66 ||
            c === 0x6e ||
            c === 0x72 ||
            c === 0x74
          ) {
            state = S.Str;
          } else {
            return this.fail(`invalid escape \\${String.fromCharCode(c)}`, i);
          }
          i++;
          continue;
        case S.Hex:
          if (!((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)))
            return this.fail("invalid \\u escape", i);
          if (--this.hexLeft === 0) state = S.Str;
          i++;
          continue;
        case S.Num: {
          const digit = c >= 0x30 && c <= 0x39;
          const num = this.num;
          if (digit) {
            if (num === N.Zero) return this.fail("leading zero in a number", i);
            this.num =
              num === N.Minus
                ? c === 0x30
                  ? N.Zero
                  : N.Int
                : num === N.Dot
                  ? N.Frac
                  : num === N.E || num === N.ESign
                    ? N.Exp
                    : num;
            i++;
            continue;
          }
          if (c === 0x2e && (num === N.Zero || num === N.Int)) {
            this.num = N.Dot;
            i++;
            continue;
          }
          if ((c === 0x65 || c === 0x45) && (num === N.Zero || num === N.Int || num === N.Frac)) {
            this.num = N.E;
            i++;
            continue;
          }
          if ((c === 0x2b || c === 0x2d) && num === N.E) {
            this.num = N.ESign;
            i++;
            continue;
          }
          if (num !== N.Zero && num !== N.Int && num !== N.Frac && num !== N.Exp)
            return this.fail("malformed number", i);
          state = S.After;
          if (this.capturing) this.endCapture(buf, capStart, i);
          continue; // this byte belongs to what follows the number
        }
        case S.Lit:
          if (c !== this.lit[this.litAt]) return this.fail("invalid literal", i);
          i++;
          if (++this.litAt === this.lit.length) {
            state = S.After;
            if (this.capturing) this.endCapture(buf, capStart, i);
          }
          continue;
        default:
          break;
      }
      if (isWs(c)) {
        i++;
        continue;
      }
      if (state === S.FirstValue) {
        if (c === 0x5d) {
          stack.pop();
          state = S.After;
          i++;
          continue;
        }
        state = S.Value;
      }
      switch (state) {
        case S.Value: {
          const atTop = stack.length === 1;
          if (stack.length === 0 && c !== 0x7b)
            return this.fail(
              c === 0x5b
                ? "a message must be a JSON object, not an array (JSON-RPC batches are not part of LSP)"
                : "a message must be a JSON object",
              i,
            );
          if (atTop && (this.lastKey === "id" || this.lastKey === "method")) {
            this.capturing = this.lastKey;
            this.captured = "";
            capStart = i;
          }
          if (c === 0x7b || c === 0x5b) {
            if (this.capturing)
              return this.fail(`"${this.lastKey}" must not be an object or array`, i);
            if (stack.length >= MAX_DEPTH) return this.fail(`nesting deeper than ${MAX_DEPTH}`, i);
            stack.push(c === 0x7b ? OBJ : ARR);
            state = c === 0x7b ? S.FirstKey : S.FirstValue;
          } else if (c === 0x22) {
            this.strIsKey = false;
            state = S.Str;
          } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
            this.num = c === 0x2d ? N.Minus : c === 0x30 ? N.Zero : N.Int;
            state = S.Num;
          } else if (c === 0x74 || c === 0x66 || c === 0x6e) {
            this.lit = c === 0x74 ? TRUE : c === 0x66 ? FALSE : NULL;
            this.litAt = 1;
            state = S.Lit;
          } else {
            return this.fail(`unexpected ${describeByte(c)}`, i);
          }
          i++;
          continue;
        }
        case S.FirstKey:
        case S.Key:
          if (c === 0x7d && state === S.FirstKey) {
            stack.pop();
            state = stack.length === 0 ? S.End : S.After;
          } else if (c === 0x22) {
            this.strIsKey = true;
            state = S.Str;
            if (stack.length === 1) {
              this.capturing = "key";
              this.captured = "";
              capStart = i;
            }
          } else {
            return this.fail(`expected a key, found ${describeByte(c)}`, i);
          }
          i++;
          continue;
        case S.Colon:
          if (c !== 0x3a) return this.fail(`expected ':', found ${describeByte(c)}`, i);
          state = S.Value;
          i++;
          continue;
        case S.After: {
          const top = stack[stack.length - 1];
          if (c === 0x2c) state = top === OBJ ? S.Key : S.Value;
          else if ((c === 0x7d && top === OBJ) || (c === 0x5d && top === ARR)) {
            stack.pop();
            state = stack.length === 0 ? S.End : S.After;
          } else return this.fail(`expected ',' or a closing bracket, found ${describeByte(c)}`, i);
          i++;
          continue;
        }
        case S.End:
          return this.fail(`trailing ${describeByte(c)} after the message`, i);
        default:
          return this.fail("scanner bug", i);
      }
    }
    if (this.capturing) this.appendCapture(buf, capStart, n);
    this.state = state;
    this.offset += n;
  }

  /** After the last piece: the message's routing facts, or why it is not a valid message. */
  finish(): Parsed<MessageInfo> {
    if (this.error !== undefined) return { ok: false, reason: this.error };
    if (this.state !== S.End) return { ok: false, reason: "invalid JSON: the message ends early" };
    return routingFacts(this.id, this.method, this.hasError);
  }

  private utf8(left: number, lo: number, hi: number): void {
    this.utf8Left = left;
    this.utf8Lo = lo;
    this.utf8Hi = hi;
  }

  private appendCapture(buf: Buffer, from: number, to: number): void {
    this.captured += buf.toString("latin1", from, to);
    if (this.captured.length > MAX_CAPTURE)
      this.fail(`top-level ${this.capturing} longer than ${MAX_CAPTURE} bytes`, to);
  }

  private endCapture(buf: Buffer, from: number, to: number): void {
    this.appendCapture(buf, from, to);
    const what = this.capturing;
    this.capturing = undefined;
    if (what === "key") {
      this.lastKey = keyName(this.captured);
      if (this.lastKey === "error") this.hasError = true;
    } else if (what === "id") {
      this.id = this.captured;
    } else if (what === "method") {
      this.method = this.captured;
    }
    this.lastKey = what === "key" ? this.lastKey : "";
  }

  private fail(reason: string, at: number): void {
    this.error ??= `invalid JSON: ${reason} at byte ${this.offset + at}`;
    this.capturing = undefined;
  }
}

export function scanMessage(chunks: readonly Buffer[]): Parsed<MessageInfo> {
  const scanner = new MessageScanner();
  for (const chunk of chunks) scanner.push(chunk);
  return scanner.finish();
}
