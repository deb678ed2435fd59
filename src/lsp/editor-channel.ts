// The guard's side of the editor connection: gopls's frames go out untouched; the guard's own
// messages get ids gopls can never use, and wait until initialize is answered unless LSP allows
// them earlier (showMessage, logMessage, telemetry, $/progress on the editor's token).

import type { Writable } from "node:stream";
import { redact } from "../safe-text.js";
import { type Frame, FrameSink } from "./framing.js";
import type { MessageId } from "./message.js";

const ALLOWED_BEFORE_INITIALIZE = new Set([
  "window/showMessage",
  "window/logMessage",
  "telemetry/event",
  "$/progress",
]);

/** gopls numbers its requests; no LSP server uses this string prefix. */
export const GUARD_ID_PREFIX = "gopls-guard#";

export type Reply = { result: unknown } | { error: { code: number; message: string } };

/** The action the user chose in a window/showMessageRequest, or "" (dismissed, or an error). */
export function chosenAction(reply: Reply): string {
  return ("result" in reply ? (reply.result as { title?: string } | null)?.title : "") ?? "";
}

/** LSP error codes used by the guard (from the specification). */
export const ErrorCodes = {
  InternalError: -32603,
  ServerNotInitialized: -32002,
  RequestFailed: -32803,
  ContentModified: -32801,
} as const;

export const MessageType = { Error: 1, Warning: 2, Info: 3, Log: 4 } as const;

export class EditorChannel {
  private answeredInitialize = false;
  private held: Buffer[] = [];
  private nextId = 1;
  private readonly waiting = new Map<string, (reply: Reply) => void>();

  /** The editor's stream: gopls's frames and the guard's own messages alike. */
  private readonly sink: FrameSink;

  constructor(out: Writable) {
    this.sink = new FrameSink(out);
  }

  /** A frame from gopls, as its original bytes. Returns the back-pressure signal. */
  forward(frame: Frame): boolean {
    return this.sink.write(frame);
  }

  /** The guard's own notification (its words: any URL's credentials redacted). */
  notify(method: string, params: unknown): void {
    this.send(
      { jsonrpc: "2.0", method, params: redactMessage(params) },
      ALLOWED_BEFORE_INITIALIZE.has(method),
    );
  }

  request(method: string, params: unknown): Promise<Reply> {
    const id = `${GUARD_ID_PREFIX}${this.nextId++}`;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.send({ jsonrpc: "2.0", id, method, params: redactMessage(params) }, false);
    });
  }

  respondError(id: MessageId | null, code: number, message: string): void {
    this.send({ jsonrpc: "2.0", id, error: { code, message: redact(message) } }, true);
  }

  respond(id: MessageId | null, result: unknown): void {
    this.send({ jsonrpc: "2.0", id, result }, true);
  }

  /** The initialize response has gone out (requests to the editor are allowed). */
  get initialized(): boolean {
    return this.answeredInitialize;
  }

  /** The initialize response has gone out: release what was held back. */
  initializeAnswered(): void {
    if (this.answeredInitialize) return;
    this.answeredInitialize = true;
    for (const body of this.held.splice(0)) this.sink.write(body);
  }

  isGuardId(id: MessageId | null): id is string {
    return typeof id === "string" && id.startsWith(GUARD_ID_PREFIX);
  }

  /** The editor answered one of the guard's requests. */
  settle(id: string, json: Record<string, unknown>): void {
    const resolve = this.waiting.get(id);
    if (!resolve) return;
    this.waiting.delete(id);
    if (json.error && typeof json.error === "object")
      resolve({ error: json.error as { code: number; message: string } });
    else resolve({ result: json.result ?? null });
  }

  /** No answers will come (the session is ending). */
  abandon(): void {
    for (const resolve of this.waiting.values())
      resolve({ error: { code: ErrorCodes.RequestFailed, message: "session ended" } });
    this.waiting.clear();
  }

  private send(message: object, allowedNow: boolean): void {
    const body = Buffer.from(JSON.stringify(message), "utf8");
    if (allowedNow || this.answeredInitialize) this.sink.write(body);
    else this.held.push(body);
  }
}

/**
 * The text a person reads in a message the guard sends (params.message, a progress value's
 * message) with credentials redacted; buttons and other fields as they are (a reply names them).
 */
function redactMessage(params: unknown): unknown {
  if (!params || typeof params !== "object") return params;
  const p = params as { message?: unknown; value?: { message?: unknown } };
  const out: Record<string, unknown> = { ...(params as Record<string, unknown>) };
  if (typeof p.message === "string") out.message = redact(p.message);
  if (p.value && typeof p.value.message === "string")
    out.value = { ...p.value, message: redact(p.value.message) };
  return out;
}
