// What the scanner (scan.ts) keeps, turned into facts: a captured top-level key's name, the
// routing facts from the raw "id" and "method" text, and a byte named for an error message.

import { classify, type MessageInfo, type Parsed } from "./message.js";

/** The name of a top-level key from its raw JSON text (quotes included). */
export function keyName(raw: string): string {
  if (raw.indexOf("\\") < 0) return raw.slice(1, -1);
  try {
    return JSON.parse(Buffer.from(raw, "latin1").toString("utf8")) as string;
  } catch {
    return "";
  }
}

export function describeByte(c: number): string {
  return c >= 0x21 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16)}`;
}

/** A complete, valid message's routing facts from the raw text of its "id" and "method". */
export function routingFacts(
  rawId: string | undefined,
  rawMethod: string | undefined,
  hasError: boolean,
): Parsed<MessageInfo> {
  let id: unknown;
  let method: unknown;
  try {
    id =
      rawId === undefined ? undefined : JSON.parse(Buffer.from(rawId, "latin1").toString("utf8"));
    method =
      rawMethod === undefined
        ? undefined
        : JSON.parse(Buffer.from(rawMethod, "latin1").toString("utf8"));
  } catch {
    return { ok: false, reason: "invalid JSON in id or method" };
  }
  return classify(id, rawId !== undefined, method, hasError);
}
