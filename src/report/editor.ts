// Findings and install progress for the editor: each whole in logMessage, errors and warnings
// also as one short showMessage line, all of them in the log; progress on the editor's
// initialize workDoneToken when it gave one, else as messages.

import { describe, type Finding, headline } from "../findings.js";
import type { InstallPhase } from "../gopls/install.js";
import type { Logger } from "../log.js";
import { type EditorChannel, MessageType } from "../lsp/editor-channel.js";

type MessageTypeValue = (typeof MessageType)[keyof typeof MessageType];

import { type ClientView, NOTHING_DECLARED } from "../serve/client-view.js";

export class EditorReporter {
  /** The editor's initialize workDoneToken. */
  workDoneToken: string | number | undefined;
  private progressStarted: number | undefined;
  private lastProgress = "";
  /** A token of the guard's own is being created (window/workDoneProgress/create). */
  private creating = false;
  private tokens = 0;

  constructor(
    private readonly editor: EditorChannel,
    private readonly logger: Logger,
    private readonly view: () => ClientView = () => NOTHING_DECLARED,
  ) {}

  /** Errors and warnings: the whole text in the logs, and one short line that pops up. */
  report(finding: Finding): void {
    const type = this.record(finding);
    if (finding.severity !== "info")
      this.editor.notify("window/showMessage", { type, message: headline(finding) });
  }

  /**
   * The whole text (evidence, paths, the fix) in the log every client keeps, and the facts in the
   * guard's own log; the message type it was said with.
   */
  record(finding: Finding, fields: Record<string, unknown> = {}): MessageTypeValue {
    const { severity } = finding;
    const level = severity === "error" ? "error" : severity === "warning" ? "warn" : "info";
    this.logger[level]({ event: "finding", finding, ...fields }, finding.message);
    const type =
      severity === "error"
        ? MessageType.Error
        : severity === "warning"
          ? MessageType.Warning
          : MessageType.Info;
    this.editor.notify("window/logMessage", { type, message: describe(finding) });
    return type;
  }

  progress(phase: InstallPhase, message: string): void {
    this.logger.info({ event: "install.progress", phase, message }, message);
    this.lastProgress = message;
    const token = this.workDoneToken;
    if (this.progressStarted === undefined) {
      this.progressStarted = Date.now();
      if (token !== undefined) {
        this.editor.notify("$/progress", {
          token,
          value: { kind: "begin", title: "gopls-guard", message, cancellable: false },
        });
      } else if (this.editor.initialized && this.view().workDoneProgress) {
        // No token from the editor, but it shows progress on one the guard creates.
        this.createToken();
      } else {
        this.editor.notify("window/showMessage", {
          type: MessageType.Info,
          message: `gopls-guard: ${message}. The first start builds gopls, which takes a few minutes; Go features start when it is done.`,
        });
      }
      return;
    }
    if (phase === "done") return this.endProgress(message);
    if (token !== undefined)
      this.editor.notify("$/progress", { token, value: { kind: "report", message } });
    else if (!this.creating)
      this.editor.notify("window/logMessage", {
        type: MessageType.Log,
        message: `gopls-guard: ${message}`,
      });
  }

  private createToken(): void {
    const token = `gopls-guard-${process.pid}-${++this.tokens}`;
    this.creating = true;
    void this.editor.request("window/workDoneProgress/create", { token }).then((reply) => {
      this.creating = false;
      if (this.progressStarted === undefined) return;
      if ("result" in reply) return this.attachToken(token);
      // Refused: progress goes by messages, as for a client without progress.
      this.editor.notify("window/showMessage", {
        type: MessageType.Info,
        message: `gopls-guard: ${this.lastProgress}.`,
      });
    });
  }

  /**
   * The request that gave the token is about to be answered, which ends the token: close the
   * progress on it, and report the rest with messages.
   */
  detachToken(message: string): void {
    const token = this.workDoneToken;
    this.workDoneToken = undefined;
    if (token !== undefined && this.progressStarted !== undefined)
      this.editor.notify("$/progress", { token, value: { kind: "end", message } });
    if (this.progressStarted !== undefined)
      this.editor.notify("window/showMessage", {
        type: MessageType.Info,
        message: `gopls-guard: ${message}.`,
      });
  }

  /**
   * A token the editor created on the guard's request (window/workDoneProgress/create), after
   * the initialize one ended: progress under way continues there; progress to come begins there.
   */
  attachToken(token: string): void {
    this.workDoneToken = token;
    if (this.progressStarted !== undefined)
      this.editor.notify("$/progress", {
        token,
        value: {
          kind: "begin",
          title: "gopls-guard",
          message: this.lastProgress,
          cancellable: false,
        },
      });
  }

  endProgress(message: string): void {
    if (this.progressStarted === undefined) return;
    const seconds = Math.round((Date.now() - this.progressStarted) / 1000);
    this.progressStarted = undefined;
    if (this.workDoneToken !== undefined)
      this.editor.notify("$/progress", {
        token: this.workDoneToken,
        value: { kind: "end", message },
      });
    // A token serves one progress, begin to end.
    this.workDoneToken = undefined;
    this.editor.notify("window/showMessage", {
      type: MessageType.Info,
      message: `gopls-guard: ${message} (${seconds} s).`,
    });
  }
}
