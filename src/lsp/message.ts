// What the guard needs to know about a JSON-RPC message: its kind, id and method.
// The editor's messages are parsed in full (validated: garbage never reaches gopls);
// gopls's are only scanned for the top-level keys, so large results cost one byte pass.

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
    const what = Array.isArray(json) ? "an array (JSON-RPC batches are not part of LSP)" : typeof json;
    return { ok: false, reason: `message is ${what}, not a JSON object` };
  }
  const obj = json as Record<string, unknown>;
  const info = classify(obj.id, "id" in obj, obj.method, "error" in obj);
  return info.ok ? { ok: true, value: { info: info.value, json: obj } } : info;
}

function classify(id: unknown, hasId: boolean, method: unknown, isError: boolean): Parsed<MessageInfo> {
  if (hasId && !(typeof id === "number" || typeof id === "string" || id === null)) {
    return { ok: false, reason: `"id" must be a number, a string or null, not ${JSON.stringify(id)}` };
  }
  if (method !== undefined) {
    if (typeof method !== "string") return { ok: false, reason: `"method" must be a string` };
    if (hasId && id !== null) return { ok: true, value: { kind: "request", id: id as MessageId, method } };
    return { ok: true, value: { kind: "notification", method } };
  }
  if (!hasId) return { ok: false, reason: `message has neither "method" nor "id"` };
  return { ok: true, value: { kind: "response", id: id as MessageId | null, isError } };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Scans the top-level keys of a JSON object for "id", "method" and "error" without building
 * the object. Values of other keys are skipped; strings are skipped with indexOf.
 */
export function peekMessage(body: Buffer): Parsed<MessageInfo> {
  const s = new Scanner(body);
  try {
    s.ws();
    s.expect(0x7b); // {
    let id: unknown;
    let hasId = false;
    let method: unknown;
    let isError = false;
    s.ws();
    if (s.peek() === 0x7d) {
      s.pos++;
    } else {
      for (;;) {
        s.ws();
        const key = s.key();
        s.ws();
        s.expect(0x3a); // :
        s.ws();
        if (key === "id") {
          hasId = true;
          id = s.scalar();
        } else if (key === "method") {
          method = s.scalar();
        } else {
          if (key === "error") isError = true;
          s.skipValue();
        }
        s.ws();
        const c = s.next();
        if (c === 0x7d) break;
        if (c !== 0x2c) throw new Error(`expected , or } at byte ${s.pos - 1}`);
      }
    }
    s.ws();
    if (s.pos !== body.length) throw new Error(`trailing bytes at ${s.pos}`);
    return classify(id, hasId, method, isError);
  } catch (error) {
    return { ok: false, reason: `invalid JSON: ${(error as Error).message}` };
  }
}

class Scanner {
  pos = 0;
  constructor(private readonly b: Buffer) {}

  peek(): number {
    return this.b[this.pos] ?? -1;
  }

  next(): number {
    const c = this.b[this.pos];
    if (c === undefined) throw new Error("unexpected end");
    this.pos++;
    return c;
  }

  expect(c: number): void {
    if (this.next() !== c) throw new Error(`expected ${String.fromCharCode(c)} at byte ${this.pos - 1}`);
  }

  ws(): void {
    const b = this.b;
    let p = this.pos;
    for (;;) {
      const c = b[p];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      p++;
    }
    this.pos = p;
  }

  /** Position just past the closing quote of the string starting at this.pos. */
  private stringEnd(): number {
    const b = this.b;
    let p = this.pos + 1;
    for (;;) {
      const q = b.indexOf(QUOTE, p);
      if (q < 0) throw new Error("unterminated string");
      let slashes = 0;
      for (let i = q - 1; b[i] === BACKSLASH; i--) slashes++;
      if (slashes % 2 === 0) return q + 1;
      p = q + 1;
    }
  }

  key(): string {
    if (this.peek() !== QUOTE) throw new Error(`expected a key at byte ${this.pos}`);
    const end = this.stringEnd();
    const key = JSON.parse(this.b.toString("utf8", this.pos, end)) as string;
    this.pos = end;
    return key;
  }

  /** A string, number, true, false or null, decoded; objects and arrays come back as a marker. */
  scalar(): unknown {
    const start = this.pos;
    const c = this.peek();
    if (c === 0x7b || c === 0x5b) {
      this.skipValue();
      return { composite: true };
    }
    this.skipValue();
    return JSON.parse(this.b.toString("utf8", start, this.pos));
  }

  skipValue(): void {
    const b = this.b;
    const c = this.peek();
    if (c === QUOTE) {
      this.pos = this.stringEnd();
      return;
    }
    if (c === 0x7b || c === 0x5b) {
      let depth = 0;
      let p = this.pos;
      for (;;) {
        const d = b[p];
        if (d === undefined) throw new Error("unterminated object or array");
        if (d === QUOTE) {
          this.pos = p;
          p = this.stringEnd();
          continue;
        }
        p++;
        if (d === 0x7b || d === 0x5b) depth++;
        else if (d === 0x7d || d === 0x5d) {
          depth--;
          if (depth === 0) break;
        }
      }
      this.pos = p;
      return;
    }
    const start = this.pos;
    let p = start;
    for (;;) {
      const d = b[p];
      if (d === undefined || d === 0x2c || d === 0x7d || d === 0x5d || d === 0x20 || d === 0x0a || d === 0x0d || d === 0x09) break;
      p++;
    }
    if (p === start) throw new Error(`expected a value at byte ${start}`);
    this.pos = p;
  }
}
