// Routing facts for gopls's messages without a pass over the body. gopls's jsonrpc2 encodes
// {"jsonrpc":"2.0","method":M,"params":P,"id":N} and {"jsonrpc":"2.0","result":R,"id":N}, so
// the method sits at the head and the id at the tail. gopls's JSON is trusted (encoding/json
// wrote it); any other shape falls back to the full scanner.

import type { Frame } from "./framing.js";
import type { MessageInfo, Parsed } from "./message.js";
import { scanMessage } from "./scan.js";

const HEAD = '{"jsonrpc":"2.0",';
const TAIL_ID = /,"id":(-?[0-9]{1,15}|"[^"\\]{0,64}")\}$/;
const HEAD_ID = /^"id":(-?[0-9]{1,15}|"[^"\\]{0,64}"),/;
const METHOD = /^"method":"([^"\\]{1,200})",/;

export function peekMessage(frame: Frame): Parsed<MessageInfo> {
  return answer(frame) ?? quick(frame) ?? scanMessage(frame.chunks);
}

const HEAD_BYTES = Buffer.from(HEAD, "latin1");
const RESULT_BYTES = Buffer.from('"result":', "latin1");
const ERROR_BYTES = Buffer.from('"error":', "latin1");
const ID_BYTES = Buffer.from(',"id":', "latin1");

function startsAt(b: Buffer, at: number, what: Buffer): boolean {
  if (b.length < at + what.length) return false;
  for (let i = 0; i < what.length; i++) if (b[at + i] !== what[i]) return false;
  return true;
}

/**
 * gopls's most frequent message, an answer with a numeric id, {"jsonrpc":"2.0","result":R,
 * "id":N} (or "error"), read from a few bytes at each end: no string made, no pattern run (that
 * cost ~12 µs a message while the code still runs interpreted, a session's first minutes). The
 * final "}" closes the message, so the ,"id":N before it is the message's own.
 */
function answer(frame: Frame): Parsed<MessageInfo> | undefined {
  const first = frame.chunks[0];
  const last = frame.chunks[frame.chunks.length - 1];
  if (!first || !last || !startsAt(first, 0, HEAD_BYTES)) return undefined;
  const isError = !startsAt(first, HEAD_BYTES.length, RESULT_BYTES);
  if (isError && !startsAt(first, HEAD_BYTES.length, ERROR_BYTES)) return undefined;
  let end = last.length - 1;
  if (last[end] !== 0x7d) return undefined;
  let id = 0;
  let scale = 1;
  while (end > 0 && scale <= 1e14) {
    const d = (last[end - 1] as number) - 0x30;
    if (d < 0 || d > 9) break;
    id += d * scale;
    scale *= 10;
    end--;
  }
  if (scale === 1 || end < ID_BYTES.length || !startsAt(last, end - ID_BYTES.length, ID_BYTES))
    return undefined;
  return { ok: true, value: { kind: "response", id, isError } };
}

/** The last `n` bytes of a body in pieces, as latin1 (a large body's last piece can be short). */
function tailOf(chunks: Buffer[], n: number): string {
  let tail = "";
  for (let k = chunks.length - 1; k >= 0 && tail.length < n; k--) {
    const chunk = chunks[k] as Buffer;
    tail = chunk.toString("latin1", Math.max(0, chunk.length - (n - tail.length))) + tail;
  }
  return tail;
}

function quick(frame: Frame): Parsed<MessageInfo> | undefined {
  const first = frame.chunks[0];
  if (!first || first.length < 64 || frame.length < 64) return undefined;
  const start = first.toString("latin1", 0, HEAD.length + 240);
  if (!start.startsWith(HEAD)) return undefined;
  const head = start.slice(HEAD.length);
  const tail = tailOf(frame.chunks, 80);
  let id: number | string | undefined;
  let rest = head;
  const headId = HEAD_ID.exec(head);
  if (headId) {
    id = decodeLatin1Json(headId[1] as string) as number | string;
    rest = head.slice((headId[0] as string).length);
  } else {
    const tailId = TAIL_ID.exec(tail);
    if (tailId) id = decodeLatin1Json(tailId[1] as string) as number | string;
    // An id the pattern cannot read (escapes, say) must not be taken for no id.
    else if (tail.includes('"id"')) return undefined;
  }
  // An answer (gopls's most frequent message) has no method to look for.
  const isError = rest.startsWith('"error":');
  if (id !== undefined && (isError || rest.startsWith('"result":')))
    return { ok: true, value: { kind: "response", id, isError } };
  const rawMethod = METHOD.exec(rest)?.[1];
  const method =
    rawMethod === undefined ? undefined : Buffer.from(rawMethod, "latin1").toString("utf8");
  if (method !== undefined) {
    return {
      ok: true,
      value: id === undefined ? { kind: "notification", method } : { kind: "request", id, method },
    };
  }
  return undefined;
}

/** The bytes were read as latin1 (one char a byte); JSON text is UTF-8. A number (every id
 * gopls makes) or an ASCII string needs no decoding. */
function decodeLatin1Json(raw: string): unknown {
  if (raw.charCodeAt(0) !== 0x22) return Number(raw);
  // The patterns exclude backslashes, so a string is its text between the quotes.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range, on purpose
  return /^[\x00-\x7f]*$/.test(raw)
    ? raw.slice(1, -1)
    : Buffer.from(raw, "latin1").toString("utf8").slice(1, -1);
}
