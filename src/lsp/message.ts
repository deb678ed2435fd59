// What the guard needs to know about a JSON-RPC message: its kind, id and method.
// scan.ts finds them on the hot path without decoding; parseMessage decodes the few messages
// the guard reads in full (initialize, replies to its own requests).

export type MessageId = number | string;

export type MessageInfo =
  | { kind: "request"; id: MessageId; method: string }
  | { kind: "notification"; method: string }
  | { kind: "response"; id: MessageId | null; isError: boolean };

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface ParsedMessage {
  info: MessageInfo;
  /** The decoded JSON object, for the few messages the guard reads further. */
  json: Record<string, unknown>;
}

/** Full parse and shape check of an editor message. */
export function parseMessage(body: Buffer): Parsed<ParsedMessage> {
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch (error) {
    return { ok: false, reason: `invalid JSON: ${(error as Error).message}` };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    const what = Array.isArray(json)
      ? "an array (JSON-RPC batches are not part of LSP)"
      : typeof json;
    return { ok: false, reason: `message is ${what}, not a JSON object` };
  }
  const obj = json as Record<string, unknown>;
  const info = classify(obj.id, "id" in obj, obj.method, "error" in obj);
  return info.ok ? { ok: true, value: { info: info.value, json: obj } } : info;
}

export function classify(
  id: unknown,
  hasId: boolean,
  method: unknown,
  isError: boolean,
): Parsed<MessageInfo> {
  if (hasId && !(typeof id === "number" || typeof id === "string" || id === null)) {
    return {
      ok: false,
      reason: `"id" must be a number, a string or null, not ${JSON.stringify(id)}`,
    };
  }
  if (method !== undefined) {
    if (typeof method !== "string") return { ok: false, reason: `"method" must be a string` };
    if (hasId && id !== null)
      return { ok: true, value: { kind: "request", id: id as MessageId, method } };
    return { ok: true, value: { kind: "notification", method } };
  }
  if (!hasId) return { ok: false, reason: `message has neither "method" nor "id"` };
  return { ok: true, value: { kind: "response", id: id as MessageId | null, isError } };
}
