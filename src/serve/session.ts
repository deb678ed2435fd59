// One editor session: editor frames → gopls, gopls frames → editor, with the guard reading only
// what it must (ids, initialize, shutdown/exit, replies to itself). It owns gopls and decides
// how the session ends; it never exits the process itself (serve.ts does, after flushing).

import type { Readable, Writable } from "node:stream";
import type { Config } from "../config.js";
import { describe, type Finding } from "../findings.js";
import type { InstallPhase } from "../gopls/install.js";
import type { Located } from "../gopls/launch.js";
import type { Logger } from "../log.js";
import { EditorChannel, ErrorCodes, MessageType } from "../lsp/editor-channel.js";
import { type Frame, FrameReader, frameBody } from "../lsp/framing.js";
import { type MessageId, parseMessage } from "../lsp/message.js";
import { peekMessage } from "../lsp/peek.js";
import { scanMessage } from "../lsp/scan.js";
import { type Exit, GoplsProcess } from "./gopls-process.js";
import { ParentWatch } from "./parent-watch.js";

export interface SessionOptions {
  config: Config;
  logger: Logger;
  logFile: string;
  editorIn: Readable;
  editorOut: Writable;
  /** Decides, verifies and if needed installs the gopls to run; may take minutes. */
  resolve: (
    hooks: ResolveHooks,
  ) => Promise<{ ok: true; value: Located } | { ok: false; finding: Finding }>;
  goplsArgs: string[];
  goplsEnv: NodeJS.ProcessEnv;
}

export interface ResolveHooks {
  report: (finding: Finding) => void;
  progress: (phase: InstallPhase, message: string) => void;
}

export interface SessionEnd {
  reason: string;
  exitCode: number;
}

export class Session {
  private readonly editor: EditorChannel;
  private gopls: GoplsProcess | undefined;
  /** Editor frames that arrived before gopls was running (initialize among them). */
  private queue: Frame[] = [];
  /** Editor requests gopls has not answered yet, by id. */
  private readonly pending = new Map<MessageId, string>();
  private initializeId: MessageId | undefined;
  /** The editor's initialize workDoneToken: install progress goes there. */
  private workDoneToken: string | number | undefined;
  private progressStarted: number | undefined;
  private shutdownRequested = false;
  private ending = false;
  private readonly parentWatch: ParentWatch;
  private finish!: (end: SessionEnd) => void;
  readonly ended: Promise<SessionEnd>;

  constructor(private readonly o: SessionOptions) {
    this.editor = new EditorChannel(o.editorOut);
    this.ended = new Promise((resolve) => {
      this.finish = resolve;
    });
    this.parentWatch = new ParentWatch(o.config.parentPollMs, (why) => void this.end(why, 1));
  }

  start(): void {
    const reader = new FrameReader({
      maxBodyBytes: this.o.config.maxMessageBytes,
      onFrame: (frame) => this.fromEditor(frame),
      onError: (e) =>
        this.malformed(
          "editor",
          e.message,
          e.evidence,
          e.kind === "too-large" ? "lsp.message_too_large" : "lsp.malformed_frame",
        ),
    });
    this.o.editorIn.on("data", (chunk: Buffer) => reader.push(chunk));
    this.o.editorIn.on(
      "end",
      () =>
        void this.end(
          reader.midFrame ? "editor closed stdin mid-message" : "editor closed stdin",
          1,
        ),
    );
    this.o.editorIn.on("error", (e) => void this.end(`editor stdin error: ${e.message}`, 1));
    this.o.editorOut.on("error", (e) => void this.end(`editor stdout error: ${e.message}`, 1));
    this.o.editorOut.on("drain", () => this.gopls?.resumeOutput());
    this.parentWatch.start();
    void this.launch();
  }

  private async launch(): Promise<void> {
    const resolved = await this.o.resolve({
      report: (f) => this.report(f),
      progress: (phase, message) => this.progress(phase, message),
    });
    this.endProgress(
      resolved.ok
        ? `gopls ${resolved.value.version ?? ""} ready`.replace("  ", " ")
        : "gopls could not be installed",
    );
    if (this.ending) return;
    if (!resolved.ok) {
      this.report(resolved.finding);
      // Degraded mode (answering initialize without gopls) arrives with the doctor issue.
      return void this.end(`gopls unavailable: ${resolved.finding.id}`, 1);
    }
    const { path } = resolved.value;
    const gopls = new GoplsProcess({
      path,
      args: this.o.goplsArgs,
      env: this.o.goplsEnv,
      maxMessageBytes: this.o.config.maxMessageBytes,
      onFrame: (frame) => this.fromGopls(frame),
      onFramingError: (e) => this.malformed("gopls", e.message, e.evidence, "lsp.malformed_frame"),
      onSpawnError: (e) =>
        this.report({
          id: "gopls.missing",
          severity: "error",
          message: "gopls could not be started.",
          evidence: { gopls: path, error: `${e.code ?? ""} ${e.message}`.trim() },
          fix: "Check that the file is a gopls binary for this machine, or unset GOPLS_GUARD_GOPLS.",
        }),
      onDrain: () => this.o.editorIn.resume(),
    });
    this.gopls = gopls;
    this.o.logger.info(
      {
        event: "gopls.start",
        gopls: path,
        source: resolved.value.source,
        goplsPid: gopls.pid,
        args: this.o.goplsArgs,
      },
      "gopls started",
    );
    for (const body of this.queue.splice(0)) this.toGopls(body);
    void gopls.closed.then((exit) => this.goplsClosed(exit));
  }

  private fromEditor(frame: Frame): void {
    const scanned = scanMessage(frame.chunks);
    if (!scanned.ok)
      return this.malformed("editor", scanned.reason, start(frame), "lsp.malformed_message");
    const info = scanned.value;
    if (info.kind === "response") {
      if (this.editor.isGuardId(info.id)) return this.editor.settle(info.id, decode(frame));
    } else if (info.kind === "request") {
      this.pending.set(info.id, info.method);
      if (info.method === "initialize") this.initialize(info.id, decode(frame));
      else if (info.method === "shutdown") this.shutdownRequested = true;
    } else if (info.method === "exit") {
      this.toGopls(frame);
      return void this.end("editor sent exit", this.shutdownRequested ? 0 : 1, false);
    }
    if (this.ending) return;
    this.toGopls(frame);
  }

  private toGopls(frame: Frame): void {
    if (!this.gopls) {
      this.queue.push(frame);
      return;
    }
    if (!this.gopls.send(frame)) this.o.editorIn.pause();
  }

  private initialize(id: MessageId, json: Record<string, unknown>): void {
    this.initializeId = id;
    const params = (json.params ?? {}) as { processId?: unknown; workDoneToken?: unknown };
    if (typeof params.workDoneToken === "string" || typeof params.workDoneToken === "number")
      this.workDoneToken = params.workDoneToken;
    if (typeof params.processId === "number" && params.processId > 0)
      this.parentWatch.watchEditor(params.processId);
  }

  private fromGopls(frame: Frame): void {
    const info = peekMessage(frame);
    if (!info.ok)
      return this.malformed("gopls", info.reason, start(frame), "lsp.malformed_message");
    const m = info.value;
    if (!this.editor.forward(frame)) this.gopls?.pauseOutput();
    if (m.kind === "response" && m.id !== null) {
      this.pending.delete(m.id);
      if (m.id === this.initializeId) {
        this.o.logger.info(
          { event: "gopls.initialized", gopls: goplsVersion(decode(frame)) },
          "initialize answered",
        );
        this.editor.initializeAnswered();
      }
    }
  }

  private goplsClosed(exit: Exit): void {
    if (this.ending) return;
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    this.o.logger.error(
      { event: "gopls.crash", code: exit.code, signal: exit.signal, stderrTail: exit.stderrTail },
      "gopls exited unexpectedly",
    );
    this.failPending(`gopls ${how}`);
    this.report({
      id: "gopls.crash",
      severity: "error",
      message: `gopls ${how} while serving.`,
      evidence: {
        log: this.o.logFile,
        ...(exit.stderrTail ? { stderr: lastLines(exit.stderrTail, 3) } : {}),
      },
      fix: "Restart the language server; if it happens again, report the log to the gopls issue tracker.",
    });
    void this.end(`gopls ${how}`, 1);
  }

  private failPending(why: string): void {
    for (const [id, method] of this.pending) {
      this.editor.respondError(
        id,
        ErrorCodes.RequestFailed,
        `${method} failed: ${why} (gopls-guard)`,
      );
    }
    this.pending.clear();
  }

  private malformed(from: "editor" | "gopls", reason: string, evidence: string, id: string): void {
    if (this.ending) return;
    this.o.logger.error({ event: id, from, reason, evidence }, "malformed input");
    this.report({
      id,
      severity: "error",
      message: `The guard received a message from ${from === "editor" ? "the editor" : "gopls"} that is not valid LSP: ${reason}.`,
      evidence: { start: JSON.stringify(evidence.slice(0, 120)), log: this.o.logFile },
      fix:
        from === "editor"
          ? "This is a bug in the editor or its LSP client; restart the language server."
          : "This is a bug in gopls; restart the language server.",
    });
    this.failPending("the session ended on malformed input");
    void this.end(`malformed ${from} input`, 1);
  }

  /** Install progress: on the editor's workDoneToken when it gave one, else as messages. */
  progress(phase: InstallPhase, message: string): void {
    this.o.logger.info({ event: "install.progress", phase, message }, message);
    const token = this.workDoneToken;
    if (this.progressStarted === undefined) {
      this.progressStarted = Date.now();
      if (token !== undefined) {
        this.editor.notify("$/progress", {
          token,
          value: { kind: "begin", title: "gopls-guard", message, cancellable: false },
        });
      } else {
        this.editor.notify("window/showMessage", {
          type: MessageType.Info,
          message: `gopls-guard: ${message}. The first start builds gopls and takes a minute or two; Go features start when it is done.`,
        });
      }
      return;
    }
    if (phase === "done") return this.endProgress(message);
    if (token !== undefined)
      this.editor.notify("$/progress", { token, value: { kind: "report", message } });
    else
      this.editor.notify("window/logMessage", {
        type: MessageType.Log,
        message: `gopls-guard: ${message}`,
      });
  }

  private endProgress(message: string): void {
    if (this.progressStarted === undefined) return;
    const seconds = Math.round((Date.now() - this.progressStarted) / 1000);
    this.progressStarted = undefined;
    if (this.workDoneToken !== undefined)
      this.editor.notify("$/progress", {
        token: this.workDoneToken,
        value: { kind: "end", message },
      });
    this.editor.notify("window/showMessage", {
      type: MessageType.Info,
      message: `gopls-guard: ${message} (${seconds} s).`,
    });
  }

  report(finding: Finding): void {
    const log =
      finding.severity === "error" ? "error" : finding.severity === "warning" ? "warn" : "info";
    this.o.logger[log]({ event: "finding", finding }, finding.message);
    const type =
      finding.severity === "error"
        ? MessageType.Error
        : finding.severity === "warning"
          ? MessageType.Warning
          : MessageType.Info;
    const method = finding.severity === "info" ? "window/logMessage" : "window/showMessage";
    this.editor.notify(method, { type, message: describe(finding) });
  }

  /** Ends the session once: gopls is stopped (told, then SIGTERM, then SIGKILL) before resolving. */
  async end(reason: string, exitCode: number, tellExit = true): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    this.parentWatch.stop();
    this.o.editorIn.pause();
    this.editor.abandon();
    const exit = this.gopls
      ? await this.gopls.stop(this.o.config.killGraceMs, tellExit)
      : undefined;
    this.o.logger.info(
      {
        event: "session.end",
        reason,
        exitCode,
        goplsExit: exit && { code: exit.code, signal: exit.signal },
      },
      "session ended",
    );
    this.finish({ reason, exitCode });
  }

  /** Synchronous last resort when the process is going down regardless. */
  killNow(): void {
    this.gopls?.killNow();
  }
}

/** gopls reports its build info as JSON in serverInfo.version; keep what identifies it. */
function goplsVersion(response: Record<string, unknown>): unknown {
  const info = (response.result as { serverInfo?: { name?: string; version?: string } } | undefined)
    ?.serverInfo;
  try {
    const build = JSON.parse(info?.version ?? "") as {
      GoVersion?: string;
      Main?: { Path?: string; Version?: string };
    };
    return {
      name: info?.name,
      module: build.Main?.Path,
      version: build.Main?.Version,
      goVersion: build.GoVersion,
    };
  } catch {
    return info;
  }
}

/** The decoded body of a message the scanner has already validated. */
function decode(frame: Frame): Record<string, unknown> {
  const parsed = parseMessage(frameBody(frame));
  return parsed.ok ? parsed.value.json : {};
}

function start(frame: Frame): string {
  return (frame.chunks[0] ?? Buffer.alloc(0)).subarray(0, 200).toString("utf8");
}

function lastLines(text: string, n: number): string {
  return text.trimEnd().split("\n").slice(-n).join(" | ");
}
