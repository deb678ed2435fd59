// Routing frames between the editor and gopls by the tables in routing.ts: the original bytes
// pass untouched unless the guard must look; what only the session can decide (initialize,
// exit, standing in, a replayed initialize's answer) goes back to it through RouterHost.

import type { EditorChannel } from "../lsp/editor-channel.js";
import { type Frame, frameBody } from "../lsp/framing.js";
import type { MessageId, MessageInfo } from "../lsp/message.js";
import { peekMessage } from "../lsp/peek.js";
import { scanFrame } from "../lsp/scan.js";
import { withGuardCommands } from "./capabilities.js";
import { decode, decodeBody, frameStart, reencode } from "./decode.js";
import type { FaultView } from "./fault-view.js";
import type { SessionMemory } from "./memory.js";
import {
  EDITOR_ROUTES,
  type EditorKind,
  EditorQueue,
  type EditorRoute,
  FROM_EDITOR,
  FROM_GOPLS,
  PendingRequests,
} from "./routing.js";
import { ServerRequests } from "./server-requests.js";
import { type SessionState, standingIn } from "./session-state.js";
import type { GoplsHandle } from "./supervisor.js";

export interface RouterHost {
  readonly state: SessionState;
  readonly gopls: GoplsHandle | undefined;
  /** The editor's initialize, remembered already: the session reads its parameters. */
  initialize(params: Record<string, unknown>): void;
  /** A request the guard answers itself, as gopls is not there (its frame, for its params). */
  standIn(id: MessageId, method: string, frame?: Frame): void;
  /** workspace/executeCommand: true when the command is the guard's own (it answered). */
  command(id: MessageId, params: unknown): boolean;
  /** The open documents or folders changed (remembered already). */
  documentsChanged(): void;
  exit(): void;
  /** gopls's answer to the replayed initialize. */
  isReinitialize(id: MessageId | null): boolean;
  reinitialized(frame: Frame): void;
  /** gopls answered the editor's own initialize (forwarded already). */
  initializeAnswered(frame: Frame): void;
  malformed(from: "editor" | "gopls", reason: string, evidence: string, id: string): void;
  /** gopls's input is full: stop reading the editor until it drains. */
  pauseEditor(): void;
}

/** Editor messages that change which files the guard's faults are shown on. */
const WHERE_FAULTS_GO = new Set([
  "textDocument/didOpen",
  "textDocument/didClose",
  "workspace/didChangeWorkspaceFolders",
]);

export class Router {
  readonly pending = new PendingRequests();
  readonly queue = new EditorQueue();
  readonly serverRequests = new ServerRequests();
  /** The editor asked for shutdown: a gopls exit now ends the session. */
  shutdownRequested = false;
  private initializeId: MessageId | undefined;

  constructor(
    private readonly host: RouterHost,
    private readonly editor: EditorChannel,
    private readonly memory: SessionMemory,
    private readonly faults: FaultView,
  ) {}

  fromEditor(input: Frame): void {
    let frame = input;
    const scanned = scanFrame(frame);
    if (!scanned.ok)
      return this.host.malformed(
        "editor",
        scanned.reason,
        frameStart(frame),
        "lsp.malformed_message",
      );
    const m = scanned.value;
    const state = this.host.state;
    // Most messages: forwarded as they are, as the table says, before the rest of the routing.
    if (
      m.kind !== "response" &&
      !FROM_EDITOR.has(m.method) &&
      EDITOR_ROUTES[state.name][m.kind] === "forward"
    )
      return this.passOn(m, frame);
    if (m.kind === "response") {
      if (this.editor.isGuardId(m.id)) return this.editor.settle(m.id, decode(frame));
      const routed = this.serverRequests.reply(m.id);
      if (!routed.deliver) return;
      const out = routed.id === m.id ? frame : reencode(frame, { id: routed.id });
      return this.take(EDITOR_ROUTES[state.name].response, out);
    }
    const action = FROM_EDITOR.get(m.method)?.action;
    if (action === "initialize" || action === "remember") {
      const body = frameBody(frame);
      const json = decodeBody(body);
      this.memory.editorMessage(m.method, json, body);
      if (action === "initialize") {
        this.initializeId = (m as { id: MessageId }).id;
        this.host.initialize((json.params ?? {}) as Record<string, unknown>);
      } else if (WHERE_FAULTS_GO.has(m.method)) this.host.documentsChanged();
    }
    if (
      action === "command" &&
      m.kind === "request" &&
      this.host.command(m.id, decode(frame).params)
    )
      return;
    const kind: EditorKind =
      m.kind === "request"
        ? action === "shutdown"
          ? "shutdown"
          : "request"
        : action === "exit"
          ? "exit"
          : action === "remember"
            ? "remembered"
            : "notification";
    const route = EDITOR_ROUTES[state.name][kind];
    if (m.kind === "request") {
      if (route === "stand-in") return this.host.standIn(m.id, m.method, frame);
      if (route === "answer-all") {
        this.shutdownRequested = true;
        this.queue.answerRequests((id, method, f) => this.host.standIn(id, method, f));
        return this.host.standIn(m.id, m.method, frame);
      }
      if (route === "drop") return;
      this.pending.add(m.id, m.method);
      if (kind === "shutdown") this.shutdownRequested = true;
      if (action === "code-action" || action === "pull")
        frame = this.faults.editorRequest(action, m.id, frame);
    }
    this.take(route, frame);
    if (kind === "exit") this.host.exit();
  }

  /** A request or notification the guard does not look into, forwarded. */
  private passOn(m: MessageInfo, frame: Frame): void {
    if (m.kind === "request") this.pending.add(m.id, m.method);
    this.toGopls(frame);
  }

  /** Carries out a forward or queue route (the others were handled by the caller). */
  private take(route: EditorRoute, frame: Frame): void {
    if (route === "forward") this.toGopls(frame);
    else if (route === "queue") this.queue.push(frame);
  }

  /** To the running gopls; queued for the next one while there is none. */
  toGopls(frame: Frame): void {
    const { state, gopls } = this.host;
    if (state.name === "running" && gopls) {
      if (!gopls.send(frame)) this.host.pauseEditor();
    } else if (state.name !== "ending" && !standingIn(state)) this.queue.push(frame);
  }

  /** What waited for a gopls, to the one now running. */
  flush(): void {
    for (const frame of this.queue.take()) this.toGopls(frame);
  }

  fromGopls(frame: Frame): void {
    const peeked = peekMessage(frame);
    if (!peeked.ok)
      return this.host.malformed(
        "gopls",
        peeked.reason,
        frameStart(frame),
        "lsp.malformed_message",
      );
    const m = peeked.value;
    if (m.kind === "response") {
      if (this.host.isReinitialize(m.id)) return this.host.reinitialized(frame);
      if (m.id === null) return this.forward(frame);
      this.pending.delete(m.id);
      if (m.id === this.initializeId) {
        // The guard's commands join gopls's, so clients run them as workspace commands.
        const answer = withGuardCommands(frame);
        this.forward(answer);
        return this.host.initializeAnswered(answer);
      }
      return this.forward(this.faults.goplsAnswer(m.id, frame));
    }
    const action = FROM_GOPLS.get(m.method)?.action;
    if (action === "diagnostics") return this.forward(this.faults.fromGopls(frame));
    if (m.kind === "request") {
      if (action === "register") this.memory.registered(decode(frame).params);
      if (action === "unregister") this.memory.unregistered(decode(frame).params);
      const id = this.serverRequests.outgoing(m.id);
      return this.forward(id === m.id ? frame : reencode(frame, { id }));
    }
    if (this.serverRequests.current > 1 && action === "cancel") {
      // A restarted gopls cancels one of its requests by its own id; the editor knows another.
      const params = decode(frame).params as { id?: MessageId } | undefined;
      const id = params?.id !== undefined ? this.serverRequests.known(params.id) : undefined;
      if (id !== undefined && id !== params?.id)
        return this.forward(reencode(frame, { params: { ...params, id } }));
    }
    this.forward(frame);
  }

  private forward(frame: Frame): void {
    if (!this.editor.forward(frame)) this.host.gopls?.pauseOutput();
  }

  /** The editor's initialize, while nobody has answered it. */
  get unansweredInitialize(): MessageId | undefined {
    const id = this.initializeId;
    return id !== undefined && this.pending.has(id) ? id : undefined;
  }

  /**
   * The gopls going away will answer nothing more: its requests, queued ones too, answered now;
   * never initialize, which the next gopls (or the guard standing in) answers.
   */
  interrupt(why: string): void {
    this.queue.dropRequests((id) => this.pending.has(id));
    this.pending.interrupt(this.editor, why);
  }
}
