// Standing in for gopls while there is none: the initialize answer (the capabilities gopls
// will have), immediate errors that say why for every other request, install progress moved
// to a token of the guard's own, and the Retry question after a failed start.

import type { Config } from "../config.js";
import type { Finding } from "../findings.js";
import { type EditorChannel, ErrorCodes } from "../lsp/editor-channel.js";
import type { MessageId } from "../lsp/message.js";
import type { EditorReporter } from "../report/editor.js";
import { addGuardCommands, loadCapabilities } from "./capabilities.js";
import type { SessionMemory } from "./memory.js";

export class StandIn {
  /** The guard, not gopls, answered the editor's initialize. */
  answeredInitialize = false;
  /** An install began during this start (progress was reported). */
  installSeen = false;
  /** The editor accepts window/workDoneProgress/create. */
  clientCreatesProgress = false;

  constructor(
    private readonly config: Config,
    private readonly editor: EditorChannel,
    private readonly reporter: EditorReporter,
    private readonly memory: SessionMemory,
  ) {}

  /** Why requests cannot be served, for their error message. */
  private why(installing: boolean, failure: Finding | undefined): string {
    if (installing)
      return this.installSeen
        ? "it is being installed; Go features start when it is done"
        : "it is being set up; Go features start when it is ready";
    return failure
      ? `it could not be started: ${failure.id}`
      : 'it kept crashing; run the code action "gopls-guard: Restart gopls" (or gopls-guard.restart)';
  }

  /** The editor's initialize, answered with the capabilities the last gopls had (or gopls's). */
  answerInitialize(id: MessageId, installing: boolean): void {
    // UTF-16, which every client speaks; each gopls started later is held to it.
    this.memory.pinEncoding("utf-16");
    this.editor.respond(
      id,
      addGuardCommands({
        capabilities: { ...loadCapabilities(this.config.home), positionEncoding: "utf-16" },
        serverInfo: {
          name: "gopls-guard",
          version: installing ? "installing gopls" : "gopls not running",
        },
      }),
    );
    this.editor.initializeAnswered();
    this.answeredInitialize = true;
    // The token ends with this answer.
    this.reporter.workDoneToken = undefined;
  }

  /** Any other request: an immediate error that says why. */
  refuse(id: MessageId, method: string, installing: boolean, failure: Finding | undefined): void {
    this.editor.respondError(
      id,
      ErrorCodes.RequestFailed,
      `${method}: gopls is not running (${this.why(installing, failure)}) (gopls-guard)`,
    );
  }

  /** The initialize token ends with the early answer: progress continues on messages. */
  detachProgress(): void {
    this.reporter.detachToken(
      this.installSeen
        ? "gopls is still being installed; Go features start when it is done"
        : "gopls is still being set up; Go features start when it is ready",
    );
  }

  /** The rest of a start the editor was answered early for, on a progress token of the guard's own. */
  createProgress(stillInstalling: () => boolean): void {
    if (!this.clientCreatesProgress) return;
    const token = `gopls-guard-start-${process.pid}`;
    void this.editor.request("window/workDoneProgress/create", { token }).then((reply) => {
      if ("result" in reply && stillInstalling()) this.reporter.attachToken(token);
    });
  }
}
