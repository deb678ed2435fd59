// Routing between the editor and gopls: which messages the guard looks into (one table, by
// method), the editor's requests gopls has not answered yet, and the frames waiting for a gopls.
// Everything not in the table passes as its original bytes.

import type { EditorChannel } from "../lsp/editor-channel.js";
import { ErrorCodes } from "../lsp/editor-channel.js";
import type { Frame } from "../lsp/framing.js";
import type { MessageId } from "../lsp/message.js";
import { scanMessage } from "../lsp/scan.js";
import type { StateName } from "./session-state.js";

export type EditorAction =
  | "initialize"
  | "shutdown"
  | "exit"
  | "remember"
  | "command"
  | "code-action"
  | "pull";

/**
 * What the guard does with editor messages beyond passing them on. Besides these: the editor's
 * answers to the guard's own requests (ids with GUARD_ID_PREFIX) are settled, never forwarded;
 * its answers to a restarted gopls's requests get that gopls's ids back.
 */
export const FROM_EDITOR: ReadonlyMap<string, { action: EditorAction; why: string }> = new Map(
  Object.entries({
    initialize: {
      action: "initialize",
      why: "held until gopls runs; remembered for a restart; answered by the guard when it stands in",
    },
    shutdown: { action: "shutdown", why: "a gopls exit after it ends the session, not a restart" },
    exit: { action: "exit", why: "ends the session (a running gopls gets it first)" },
    initialized: { action: "remember", why: "replayed to a restarted gopls" },
    "workspace/didChangeConfiguration": { action: "remember", why: "the latest is replayed" },
    "workspace/didChangeWorkspaceFolders": { action: "remember", why: "folders are replayed" },
    "textDocument/didOpen": { action: "remember", why: "open documents are replayed" },
    "textDocument/didChange": { action: "remember", why: "edits applied to the replayed text" },
    "textDocument/didClose": { action: "remember", why: "closed documents are not replayed" },
    "workspace/executeCommand": {
      action: "command",
      why: "the guard's own commands (gopls-guard.*) are run by the guard, never forwarded",
    },
    "textDocument/codeAction": {
      action: "code-action",
      why: "the guard's quick fixes are added for a file that carries one of its faults",
    },
    "textDocument/diagnostic": {
      action: "pull",
      why: "the guard's diagnostics are added for a file that carries one of its faults",
    },
  }),
);

/**
 * What the guard does with gopls's messages beyond passing them on. Besides these: gopls's
 * answer to initialize is kept (capabilities, for a later stand-in answer), its answer to a
 * replayed initialize is swallowed, and a restarted gopls's request ids are rewritten.
 */
export const FROM_GOPLS: ReadonlyMap<
  string,
  { action: "register" | "unregister" | "cancel" | "diagnostics"; why: string }
> = new Map(
  Object.entries({
    "textDocument/publishDiagnostics": {
      action: "diagnostics",
      why: "kept as gopls's last for the file; merged with the guard's where it has some",
    },
    "client/registerCapability": { action: "register", why: "undone when that gopls dies" },
    "client/unregisterCapability": { action: "unregister", why: "no longer undone" },
    "$/cancelRequest": { action: "cancel", why: "names a request by the id the editor knows" },
  } as const),
);

/** What becomes of a message from the editor. */
export type EditorRoute =
  /** To the running gopls. */
  | "forward"
  /** Held for the next gopls (it is starting, or being restarted). */
  | "queue"
  /** Answered by the guard standing in for gopls (requests only). */
  | "stand-in"
  /** shutdown before any gopls: what waits is answered by the guard, and shutdown with null. */
  | "answer-all"
  /** Nobody will read it (what matters of it is remembered for the next gopls). */
  | "drop";

/** The kinds of editor message that are routed differently. */
export type EditorKind =
  | "request"
  | "shutdown"
  | "notification"
  | "remembered"
  | "exit"
  | "response";

const NOTHING_GOES: Record<EditorKind, EditorRoute> = {
  request: "drop",
  shutdown: "drop",
  notification: "drop",
  remembered: "drop",
  exit: "drop",
  response: "drop",
};

/** The guard answers for gopls (being installed, or unable to run): requests by the guard. */
const STANDING_IN: Record<EditorKind, EditorRoute> = {
  ...NOTHING_GOES,
  request: "stand-in",
  shutdown: "stand-in",
};

/**
 * Every editor message's fate, by session state and kind: one table, read line by line.
 * Besides it: initialize and the "remembered" notifications are stored for replay whatever their
 * route, requests forwarded or queued are pending until answered, and exit ends the session.
 */
export const EDITOR_ROUTES: Record<StateName, Record<EditorKind, EditorRoute>> = {
  starting: {
    request: "queue",
    shutdown: "answer-all",
    notification: "queue",
    remembered: "queue",
    exit: "drop",
    response: "queue",
  },
  installing: STANDING_IN,
  running: {
    request: "forward",
    shutdown: "forward",
    notification: "forward",
    remembered: "forward",
    exit: "forward",
    response: "forward",
  },
  // The new gopls gets the remembered state replayed, so those are not queued again.
  restarting: {
    request: "queue",
    shutdown: "queue",
    notification: "queue",
    remembered: "drop",
    exit: "drop",
    response: "queue",
  },
  degraded: STANDING_IN,
  ending: NOTHING_GOES,
};

/** Editor requests gopls has not answered yet, by id, with their methods. */
export class PendingRequests {
  private readonly byId = new Map<MessageId, string>();

  add(id: MessageId, method: string): void {
    this.byId.set(id, method);
  }

  /** Answered (by gopls, or by the guard standing in): nobody else answers it again. */
  delete(id: MessageId): void {
    this.byId.delete(id);
  }

  has(id: MessageId): boolean {
    return this.byId.has(id);
  }

  /** Every pending request, in order; none is pending after. */
  take(): Array<[MessageId, string]> {
    const all = [...this.byId];
    this.byId.clear();
    return all;
  }

  /** Requests the gopls going away will never answer: ContentModified, so editors retry; all but initialize. */
  interrupt(editor: EditorChannel, why: string): void {
    for (const [id, method] of this.byId) {
      // An editor given an error for initialize gives up on the session: it waits instead.
      if (method === "initialize") continue;
      this.byId.delete(id);
      if (method === "shutdown") editor.respond(id, null);
      else
        editor.respondError(
          id,
          ErrorCodes.ContentModified,
          `${method} was interrupted: ${why} (gopls-guard)`,
        );
    }
  }

  /** The session ends: every request fails. */
  fail(editor: EditorChannel, why: string): void {
    for (const [id, method] of this.byId)
      editor.respondError(id, ErrorCodes.RequestFailed, `${method} failed: ${why} (gopls-guard)`);
    this.byId.clear();
  }
}

/** Editor frames waiting for a gopls (before the first start, during a restart). */
export class EditorQueue {
  private frames: Frame[] = [];

  push(frame: Frame): void {
    this.frames.push(frame);
  }

  /** Everything queued, in order; the queue is empty after. */
  take(): Frame[] {
    return this.frames.splice(0);
  }

  /** Drops queued requests that match (they were answered meanwhile). */
  dropRequests(answered: (id: MessageId) => boolean): void {
    this.frames = this.frames.filter((frame) => {
      const m = scanMessage(frame.chunks);
      return !(m.ok && m.value.kind === "request" && answered(m.value.id));
    });
  }

  /** Takes the queue, calling fn for each request in it (the guard answers them itself). */
  answerRequests(fn: (id: MessageId, method: string, frame: Frame) => void): void {
    for (const frame of this.take()) {
      const m = scanMessage(frame.chunks);
      if (m.ok && m.value.kind === "request") fn(m.value.id, m.value.method, frame);
    }
  }

  clear(): void {
    this.frames = [];
  }
}
