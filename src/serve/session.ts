// One editor session: editor frames → gopls, gopls frames → editor, with the guard reading only
// what it must (ids, initialize, shutdown/exit, document sync, replies to itself). It owns
// gopls, restarts it when it crashes (bringing the new one to the dead one's state), and decides
// how the session ends; it never exits the process itself (serve.ts does, after flushing).

import type { Readable, Writable } from "node:stream";
import type { Config } from "../config.js";
import { type Finding, type Result, sameFault } from "../findings.js";
import type { InstallPhase } from "../gopls/install.js";
import type { Located } from "../gopls/launch.js";
import type { Logger } from "../log.js";
import { chosenAction, EditorChannel, ErrorCodes, GUARD_ID_PREFIX } from "../lsp/editor-channel.js";
import { type Frame, FrameReader, frameBody } from "../lsp/framing.js";
import type { MessageId } from "../lsp/message.js";
import { peekMessage } from "../lsp/peek.js";
import { scanMessage } from "../lsp/scan.js";
import { EditorReporter } from "../report/editor.js";
import { Adoption } from "./adoption.js";
import { loadCapabilities, saveCapabilities } from "./capabilities.js";
import { decode, decodeBody, frameStart, reencode, serverInfoOf } from "./decode.js";
import { type Exit, GoplsProcess } from "./gopls-process.js";
import { SessionMemory } from "./memory.js";
import {
  type AfterReplay,
  crashedTooOften,
  crashRestarted,
  handedOver,
  installedThroughMirror,
  malformedInput,
  mirrorsFor,
  RETRY,
  retryPrompt,
  runningAgain,
  spawnFailed,
  throughMirror,
} from "./notices.js";
import { ParentWatch } from "./parent-watch.js";
import { DEFAULT_RESTART_POLICY, decideRestart, type RestartPolicy } from "./restart-policy.js";
import { ServerRequests } from "./server-requests.js";

export interface ResolveHooks {
  report: (finding: Finding) => void;
  progress: (phase: InstallPhase, message: string) => void;
  /** Settings over the user's environment that the user consented to (adopted, or a mirror). */
  env: Record<string, string>;
}

export interface SessionOptions {
  config: Config;
  logger: Logger;
  logFile: string;
  editorIn: Readable;
  editorOut: Writable;
  /** Decides, verifies and if needed installs the gopls to run; may take minutes. */
  resolve: (hooks: ResolveHooks) => Promise<Result<Located>>;
  goplsArgs: string[];
  goplsEnv: NodeJS.ProcessEnv;
  restartPolicy?: RestartPolicy;
  /** The checks that do not gate the start, given the version of the gopls that started. */
  postStartChecks?: (goplsVersion: string | undefined) => Promise<Finding[]>;
}

export interface SessionEnd {
  reason: string;
  exitCode: number;
}

/** Editor notifications whose effect the guard remembers for a restart. */
const REMEMBERED = new Set([
  "initialized",
  "workspace/didChangeConfiguration",
  "workspace/didChangeWorkspaceFolders",
  "textDocument/didOpen",
  "textDocument/didChange",
  "textDocument/didClose",
]);

/**
 * installing: a first install is taking long, so the guard answered initialize itself and
 * answers requests with an error until gopls arrives; degraded: gopls cannot run at all.
 */
type State = "starting" | "installing" | "running" | "restarting" | "degraded" | "ending";

export class Session {
  private readonly editor: EditorChannel;
  private readonly reporter: EditorReporter;
  private readonly memory = new SessionMemory();
  private readonly serverRequests = new ServerRequests();
  private gopls: GoplsProcess | undefined;
  private goplsPath = "";
  /** The PATH gopls needs so that its `go` is the guard's, when the editor's is not. */
  private goplsPATH: string | undefined;
  private state: State = "starting";
  /** Editor frames waiting for gopls (before the first start, during a restart). */
  private queue: Frame[] = [];
  /** Editor requests gopls has not answered yet, by id. */
  private readonly pending = new Map<MessageId, string>();
  private initializeId: MessageId | undefined;
  private reinitializeId: string | undefined;
  private shutdownRequested = false;
  private readonly crashes: number[] = [];
  private lastExit: Exit | undefined;
  /** Settings from the login shell the user chose to use for this session. */
  private readonly adoption: Adoption;
  /** A gopls being stopped to make way for another (adopted settings): owned until it is gone. */
  private retiring: GoplsProcess | undefined;
  private readonly parentWatch: ParentWatch;
  private finish!: (end: SessionEnd) => void;
  readonly ended: Promise<SessionEnd>;

  constructor(private readonly o: SessionOptions) {
    this.editor = new EditorChannel(o.editorOut);
    this.reporter = new EditorReporter(this.editor, o.logger);
    this.adoption = new Adoption(this.editor, o.logger);
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

  private readonly reported: Finding[] = [];

  /**
   * Each fault once per session, unless its evidence changed (the start-up, the in-session checks
   * and a Retry can all meet the same fault, in other words).
   */
  report(finding: Finding): void {
    if (this.reported.some((r) => sameFault(r, finding))) return;
    this.reported.push(finding);
    this.reporter.report(finding);
    if (finding.adopt && this.state !== "ending")
      this.adoption.offer(finding, finding.adopt, () => this.applyAdoption());
  }

  /**
   * Puts accepted settings to use: a retry when gopls could not start, a planned restart when it
   * runs without them; otherwise again once gopls is running (it may be starting, installing or
   * restarting, and then may already have them).
   */
  private applyAdoption(): void {
    if (!this.adoption.waiting || this.shutdownRequested || this.state === "ending") return;
    if (this.state === "degraded") {
      // Crashed too often: nothing more is started. A retry under way: tried again after it.
      if (!this.launchFailure || this.retrying) return;
      return void this.retry({}, this.adoption.take());
    }
    if (this.state !== "running") return;
    const done = this.adoption.take() as AfterReplay;
    if (!this.adoption.stale) return this.reporter.report(done(this.memory.documentCount));
    void this.restartWithSettings(done);
  }

  private async launch(): Promise<void> {
    // A start that takes long (an install, a module proxy slow to answer go's queries) would
    // outlast editors' initialize timeouts: past earlyAnswerMs the guard answers it. A warm
    // start resolves at once and clears the timer.
    const earlyAnswer = setTimeout(() => this.beginInstalling(), this.o.config.earlyAnswerMs);
    const resolved = await this.o.resolve({
      report: (f) => this.report(f),
      progress: (phase, message) => {
        this.installSeen = true;
        this.reporter.progress(phase, message);
      },
      env: this.adoption.values,
    });
    clearTimeout(earlyAnswer);
    if (this.state === "ending") return;
    // Shut down meanwhile: nothing more is started, offered or announced.
    if (this.shutdownRequested) return;
    this.reporter.endProgress(
      resolved.ok
        ? `gopls ${resolved.value.version ?? ""} ready`.replace("  ", " ")
        : "gopls could not be installed",
    );
    const answeredEarly = this.state === "installing";
    if (!resolved.ok) {
      this.degradeAtLaunch(resolved.finding);
      // The editor already has its initialize answer (else the Retry comes with it).
      if (answeredEarly && this.guardAnsweredInitialize) this.offerRetry();
      this.applyAdoption();
      return this.scheduleChecks(undefined);
    }
    this.goplsPath = resolved.value.path;
    this.goplsPATH = resolved.value.goplsPATH;
    if (answeredEarly) {
      // The editor has its initialize answer: gopls gets the session as it stands, like after a Retry.
      const version = resolved.value.version;
      this.state = "restarting";
      this.afterReplay = handedOver(version, this.installSeen, this.goplsPath);
      this.replace();
      return this.scheduleChecks(version);
    }
    this.spawn();
    this.o.logger.info(
      {
        event: "gopls.start",
        gopls: this.goplsPath,
        source: resolved.value.source,
        version: resolved.value.version,
        warm: resolved.value.warm,
        goplsPid: this.gopls?.pid,
        args: this.o.goplsArgs,
        ...(this.goplsPATH ? { PATH: this.goplsPATH } : {}),
      },
      "gopls started",
    );
    this.state = "running";
    for (const frame of this.queue.splice(0)) this.toGopls(frame);
    this.applyAdoption();
    this.scheduleChecks(resolved.value.version);
  }

  /**
   * A first install is taking long: answer initialize now (the capabilities gopls will have),
   * move progress off the initialize token (it ends with that answer) onto messages, and answer
   * requests with an error until gopls is there.
   */
  private beginInstalling(): void {
    if (this.state !== "starting") return;
    this.state = "installing";
    this.o.logger.info(
      { event: "install.early_answer" },
      "answering initialize during the install",
    );
    this.reporter.detachToken(
      this.installSeen
        ? "gopls is still being installed; Go features start when it is done"
        : "gopls is still being set up; Go features start when it is ready",
    );
    for (const frame of this.queue.splice(0)) {
      const scanned = scanMessage(frame.chunks);
      if (scanned.ok && scanned.value.kind === "request")
        this.answerDegraded(scanned.value.id, scanned.value.method);
    }
  }

  /** The rest of a start the editor was answered early for, on a progress token of the guard's own. */
  private createProgress(): void {
    const token = `gopls-guard-start-${process.pid}`;
    void this.editor.request("window/workDoneProgress/create", { token }).then((reply) => {
      if ("result" in reply && this.state === "installing") this.reporter.attachToken(token);
    });
  }

  /** The guard answers for gopls: it is being installed, or it cannot run. */
  private standingIn(): boolean {
    return this.state === "installing" || this.state === "degraded";
  }

  /** The checks that do not gate the start, once gopls is up (or could not be started). */
  private scheduleChecks(goplsVersion: string | undefined): void {
    const checks = this.o.postStartChecks;
    if (checks) {
      setTimeout(() => {
        void checks(goplsVersion).then(
          (findings) => {
            if (this.state !== "ending") for (const f of findings) this.report(f);
            this.o.logger.info(
              { event: "checks.done", findings: findings.map((f) => f.id) },
              "in-session checks done",
            );
          },
          (error: unknown) =>
            this.o.logger.error(
              { event: "checks.failed", error: String(error) },
              "post-start checks failed",
            ),
        );
      }, this.o.config.checksDelayMs).unref();
    }
  }

  private spawn(): GoplsProcess {
    this.adoption.starting();
    const gopls = new GoplsProcess({
      path: this.goplsPath,
      args: this.o.goplsArgs,
      env: {
        ...this.o.goplsEnv,
        ...this.adoption.values,
        ...(this.goplsPATH ? { PATH: this.goplsPATH } : {}),
      },
      maxMessageBytes: this.o.config.maxMessageBytes,
      onFrame: (frame) => {
        if (this.gopls === gopls) this.fromGopls(frame);
      },
      onFramingError: (e) => this.malformed("gopls", e.message, e.evidence, "lsp.malformed_frame"),
      onSpawnError: (e) => this.report(spawnFailed(this.goplsPath, e)),
      onDrain: () => this.o.editorIn.resume(),
    });
    this.gopls = gopls;
    void gopls.closed.then((exit) => this.goplsClosed(gopls, exit));
    return gopls;
  }

  private fromEditor(frame: Frame): void {
    const scanned = scanMessage(frame.chunks);
    if (!scanned.ok)
      return this.malformed("editor", scanned.reason, frameStart(frame), "lsp.malformed_message");
    const info = scanned.value;
    if (info.kind === "response") {
      if (this.editor.isGuardId(info.id)) return this.editor.settle(info.id, decode(frame));
      const routed = this.serverRequests.reply(info.id);
      if (!routed.deliver) return;
      if (routed.id !== info.id) return this.toGopls(reencode(frame, { id: routed.id }));
      return this.toGopls(frame);
    }
    if (info.kind === "request") {
      if (info.method === "initialize") this.initialize(info.id, frame);
      if (this.standingIn()) return this.answerDegraded(info.id, info.method);
      this.pending.set(info.id, info.method);
      if (info.method === "shutdown") this.shutdownRequested = true;
      return this.toGopls(frame);
    }
    if (info.method === "exit") {
      if (this.state === "running") this.toGopls(frame);
      return void this.end("editor sent exit", this.shutdownRequested ? 0 : 1, false);
    }
    if (REMEMBERED.has(info.method)) {
      const body = frameBody(frame);
      this.memory.editorMessage(info.method, decodeBody(body), body);
      // A restarted gopls gets the remembered state, not these again.
      if (this.state === "restarting" || this.standingIn()) return;
    }
    if (this.standingIn()) return;
    this.toGopls(frame);
  }

  private toGopls(frame: Frame): void {
    if (this.state !== "running" || !this.gopls) {
      if (this.state !== "ending" && !this.standingIn()) this.queue.push(frame);
      return;
    }
    if (!this.gopls.send(frame)) this.o.editorIn.pause();
  }

  private initialize(id: MessageId, frame: Frame): void {
    this.initializeId = id;
    const body = frameBody(frame);
    const json = decodeBody(body);
    this.memory.editorMessage("initialize", json, body);
    const params = (json.params ?? {}) as {
      processId?: unknown;
      workDoneToken?: unknown;
      capabilities?: { window?: { workDoneProgress?: unknown } };
    };
    this.clientCreatesProgress = params.capabilities?.window?.workDoneProgress === true;
    if (
      this.state === "starting" &&
      (typeof params.workDoneToken === "string" || typeof params.workDoneToken === "number")
    )
      this.reporter.workDoneToken = params.workDoneToken;
    if (typeof params.processId === "number" && params.processId > 0)
      this.parentWatch.watchEditor(params.processId);
  }

  private fromGopls(frame: Frame): void {
    const info = peekMessage(frame);
    if (!info.ok)
      return this.malformed("gopls", info.reason, frameStart(frame), "lsp.malformed_message");
    const m = info.value;
    if (m.kind === "response") {
      if (m.id !== null && m.id === this.reinitializeId) return this.reinitialized(frame);
      if (m.id !== null) this.pending.delete(m.id);
      this.forward(frame);
      if (m.id !== null && m.id === this.initializeId) {
        const response = decode(frame);
        this.memory.initializeResult(response.result);
        this.reporter.workDoneToken = undefined;
        saveCapabilities(this.o.config.home, response.result);
        this.o.logger.info(
          { event: "gopls.initialized", gopls: serverInfoOf(response) },
          "initialize answered",
        );
        this.editor.initializeAnswered();
      }
      return;
    }
    if (m.kind === "request") {
      if (m.method === "client/registerCapability") this.memory.registered(decode(frame).params);
      else if (m.method === "client/unregisterCapability")
        this.memory.unregistered(decode(frame).params);
      const id = this.serverRequests.outgoing(m.id);
      return this.forward(id === m.id ? frame : reencode(frame, { id }));
    }
    this.forward(frame);
  }

  private forward(frame: Frame): void {
    if (!this.editor.forward(frame)) this.gopls?.pauseOutput();
  }

  private goplsClosed(gopls: GoplsProcess, exit: Exit): void {
    if (this.state === "ending" || this.gopls !== gopls) return;
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    this.o.logger.error(
      {
        event: "gopls.crash",
        code: exit.code,
        signal: exit.signal,
        stderrTail: exit.stderrTail,
        generation: this.serverRequests.current,
      },
      "gopls exited unexpectedly",
    );
    this.lastExit = exit;
    this.serverRequests.nextGeneration();
    this.reinitializeId = undefined;
    this.interruptPending(`gopls ${how} and is being restarted`);
    const now = Date.now();
    const decision = decideRestart(
      this.o.restartPolicy ?? DEFAULT_RESTART_POLICY,
      this.crashes,
      now,
    );
    this.crashes.push(now);
    if (this.shutdownRequested) return void this.end(`gopls ${how} during shutdown`, 1);
    if (!decision.restart) return this.degrade(how, decision.crashes, exit);
    this.state = "restarting";
    setTimeout(() => this.restart(how), decision.delayMs).unref();
  }

  /** Requests the gopls going away will never answer: ContentModified, so editors simply retry. */
  private interruptPending(why: string): void {
    // Requests still queued for the next gopls are among them: answered now, never sent.
    if (this.pending.size && this.queue.length)
      this.queue = this.queue.filter((frame) => {
        const m = scanMessage(frame.chunks);
        return !(m.ok && m.value.kind === "request" && this.pending.has(m.value.id));
      });
    for (const [id, method] of this.pending) {
      if (method === "shutdown") this.editor.respond(id, null);
      else
        this.editor.respondError(
          id,
          ErrorCodes.ContentModified,
          `${method} was interrupted: ${why} (gopls-guard)`,
        );
    }
    this.pending.clear();
  }

  /** A planned restart: the running gopls stopped, a new one with the adopted settings brought up to date. */
  private async restartWithSettings(after: AfterReplay): Promise<void> {
    const old = this.gopls;
    if (this.state !== "running" || !old || this.shutdownRequested) return;
    this.state = "restarting";
    this.gopls = undefined; // its exit is no crash
    this.retiring = old;
    this.reinitializeId = undefined;
    this.serverRequests.nextGeneration();
    this.interruptPending("gopls is restarting with the settings you adopted");
    this.o.logger.info(
      { event: "gopls.restart_planned", adopted: Object.keys(this.adoption.values) },
      "restarting gopls with adopted settings",
    );
    await old.stop(this.o.config.killGraceMs, true);
    this.retiring = undefined;
    if (this.state !== "restarting") return;
    this.afterReplay = after;
    this.replace();
  }

  private restart(how: string): void {
    if (this.state !== "restarting") return;
    this.afterReplay = crashRestarted(how, this.o.logFile, this.lastExit?.stderrTail);
    this.replace();
  }

  /** What to tell the user once a replacement gopls has been brought up to date. */
  private afterReplay: AfterReplay = () => ({
    id: "gopls.crash",
    severity: "info",
    message: "gopls is running.",
    evidence: {},
    fix: "",
  });

  /** A new gopls in place of none or a dead one, given everything the session remembers. */
  private replace(): void {
    const stale = this.memory.takeRegistrations();
    if (stale.length)
      void this.editor.request("client/unregisterCapability", { unregisterations: stale });
    const gopls = this.spawn();
    // Editor input paused for the old gopls's full pipe would wait for a drain that never comes.
    this.o.editorIn.resume();
    this.reinitializeId = `${GUARD_ID_PREFIX}reinitialize-${this.serverRequests.current}`;
    const [initialize] = this.memory.replay(this.reinitializeId);
    this.o.logger.info(
      {
        event: "gopls.restart",
        goplsPid: gopls.pid,
        documents: this.memory.documentCount,
        unregistered: stale.length,
      },
      "restarting gopls",
    );
    if (initialize) gopls.send({ chunks: [initialize], length: initialize.length });
    else this.reinitialized(undefined);
  }

  /** The restarted gopls answered the replayed initialize: give it the rest, then the queue. */
  private reinitialized(frame: Frame | undefined): void {
    this.reinitializeId = undefined;
    if (frame) {
      const result = decode(frame).result;
      this.memory.initializeResult(result);
      saveCapabilities(this.o.config.home, result);
    }
    const [, ...rest] = this.memory.replay("");
    for (const body of rest) this.gopls?.send({ chunks: [body], length: body.length });
    this.state = "running";
    for (const queued of this.queue.splice(0)) this.toGopls(queued);
    // An event, not a fault: said every time it happens.
    this.reporter.report(this.afterReplay(this.memory.documentCount));
    this.applyAdoption();
  }

  /**
   * gopls cannot be started: the editor still gets its initialize answer (the capabilities the
   * last gopls had, so that a Retry brings every feature back), prompt errors for requests, and
   * a Retry that re-runs the checks without restarting anything.
   */
  private degradeAtLaunch(finding: Finding): void {
    this.report(finding);
    this.state = "degraded";
    this.launchFailure = finding;
    for (const frame of this.queue.splice(0)) {
      const scanned = scanMessage(frame.chunks);
      if (scanned.ok && scanned.value.kind === "request")
        this.answerDegraded(scanned.value.id, scanned.value.method);
    }
  }

  private launchFailure: Finding | undefined;
  private retrying = false;
  /** An install began during this start (progress was reported). */
  private installSeen = false;
  /** The guard, not gopls, answered the editor's initialize. */
  private guardAnsweredInitialize = false;
  /** The editor accepts window/workDoneProgress/create. */
  private clientCreatesProgress = false;

  private offerRetry(): void {
    const finding = this.launchFailure;
    if (!finding) return;
    const mirrors = mirrorsFor(finding, this.o.config.mirrors, {
      ...this.o.goplsEnv,
      ...this.adoption.values,
    });
    void this.editor
      .request("window/showMessageRequest", retryPrompt(finding, mirrors))
      .then((reply) => {
        const title = chosenAction(reply);
        if (title === RETRY) return void this.retry();
        const mirror = mirrors.find((m) => throughMirror(m) === title);
        if (mirror)
          void this.retry(
            { GOPROXY: `${mirror},direct` },
            installedThroughMirror(finding.id, mirror, this.o.goplsEnv.GOPROXY),
          );
      });
  }

  /** Re-runs the checks and the start; once: settings only for this install (a mirror). */
  private async retry(once: Record<string, string> = {}, after?: AfterReplay): Promise<void> {
    // One at a time: Retry, a mirror and adopted settings can all be answered at once.
    if (this.state !== "degraded" || this.retrying || this.shutdownRequested) return;
    this.o.logger.info({ event: "retry", once }, "retrying after a failed start");
    this.retrying = true;
    const resolved = await this.o
      .resolve({
        report: (f) => this.report(f),
        progress: (phase, message) => this.reporter.progress(phase, message),
        env: { ...this.adoption.values, ...once },
      })
      .finally(() => {
        this.retrying = false;
      });
    this.reporter.endProgress(resolved.ok ? "gopls ready" : "gopls could not be installed");
    if (this.state !== "degraded") return;
    if (!resolved.ok) {
      this.launchFailure = resolved.finding;
      this.report(resolved.finding);
      this.offerRetry();
      return this.applyAdoption();
    }
    this.launchFailure = undefined;
    this.goplsPath = resolved.value.path;
    this.goplsPATH = resolved.value.goplsPATH;
    this.state = "restarting";
    this.afterReplay = after ?? runningAgain(resolved.value.version, this.goplsPath);
    this.replace();
  }

  /** Too many crashes: every request is answered with an error until the editor restarts us. */
  private degrade(how: string, crashes: number, exit: Exit): void {
    this.state = "degraded";
    this.queue = [];
    const policy = this.o.restartPolicy ?? DEFAULT_RESTART_POLICY;
    this.report(
      crashedTooOften(how, crashes, policy.windowMs, this.o.logFile, exit.stderrTail || undefined),
    );
  }

  private answerDegraded(id: MessageId, method: string): void {
    // Answered here: a later crash or restart must not answer it again.
    this.pending.delete(id);
    if (method === "initialize") {
      // UTF-16, which every client speaks; each gopls started later is held to it.
      this.memory.pinEncoding("utf-16");
      this.editor.respond(id, {
        capabilities: { ...loadCapabilities(this.o.config.home), positionEncoding: "utf-16" },
        serverInfo: {
          name: "gopls-guard",
          version: this.state === "installing" ? "installing gopls" : "gopls not running",
        },
      });
      this.editor.initializeAnswered();
      this.guardAnsweredInitialize = true;
      // The token ends with this answer.
      this.reporter.workDoneToken = undefined;
      if (this.state === "degraded") this.offerRetry();
      if (this.state === "installing" && this.clientCreatesProgress) this.createProgress();
      return;
    }
    if (method === "shutdown") {
      this.shutdownRequested = true;
      return this.editor.respond(id, null);
    }
    const why =
      this.state === "installing"
        ? this.installSeen
          ? "it is being installed; Go features start when it is done"
          : "it is being set up; Go features start when it is ready"
        : this.launchFailure
          ? `it could not be started: ${this.launchFailure.id}`
          : "it kept crashing; restart the language server";
    this.editor.respondError(
      id,
      ErrorCodes.RequestFailed,
      `${method}: gopls is not running (${why}) (gopls-guard)`,
    );
  }

  private malformed(from: "editor" | "gopls", reason: string, evidence: string, id: string): void {
    if (this.state === "ending") return;
    this.o.logger.error({ event: id, from, reason, evidence }, "malformed input");
    this.report(malformedInput(id, from, reason, evidence, this.o.logFile));
    for (const [pid, method] of this.pending)
      this.editor.respondError(
        pid,
        ErrorCodes.RequestFailed,
        `${method} failed: the session ended on malformed input (gopls-guard)`,
      );
    this.pending.clear();
    void this.end(`malformed ${from} input`, 1);
  }

  /** Ends the session once: gopls is stopped (told, then SIGTERM, then SIGKILL) before resolving. */
  async end(reason: string, exitCode: number, tellExit = true): Promise<void> {
    if (this.state === "ending") return;
    this.state = "ending";
    this.parentWatch.stop();
    this.o.editorIn.pause();
    this.editor.abandon();
    const [exit] = await Promise.all([
      this.gopls?.stop(this.o.config.killGraceMs, tellExit),
      this.retiring?.stop(this.o.config.killGraceMs, true),
    ]);
    this.o.logger.info(
      {
        event: "session.end",
        reason,
        exitCode,
        restarts: this.crashes.length,
        goplsExit: exit && { code: exit.code, signal: exit.signal },
      },
      "session ended",
    );
    this.finish({ reason, exitCode });
  }

  /** Synchronous last resort when the process is going down regardless. */
  killNow(): void {
    this.gopls?.killNow();
    this.retiring?.killNow();
  }
}
