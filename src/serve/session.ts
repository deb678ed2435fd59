// One editor session: the state machine (session-state.ts) that decides what every event
// means. Routing (routing.ts) says which messages the guard looks into, the supervisor
// (supervisor.ts) holds gopls, the stand-in (stand-in.ts) answers when there is none. It never
// exits the process itself (serve.ts does, after flushing).

import type { Readable, Writable } from "node:stream";
import type { Config } from "../config.js";
import { type Finding, type Result, sameFault } from "../findings.js";
import type { InstallPhase } from "../gopls/install.js";
import type { Located } from "../gopls/launch.js";
import type { Logger } from "../log.js";
import { EditorChannel } from "../lsp/editor-channel.js";
import { type Frame, FrameReader, frameBody } from "../lsp/framing.js";
import type { MessageId } from "../lsp/message.js";
import { peekMessage } from "../lsp/peek.js";
import { scanMessage } from "../lsp/scan.js";
import { EditorReporter } from "../report/editor.js";
import { Adoption } from "./adoption.js";
import { saveCapabilities } from "./capabilities.js";
import { decode, decodeBody, frameStart, reencode, serverInfoOf } from "./decode.js";
import type { Exit } from "./gopls-process.js";
import { SessionMemory } from "./memory.js";
import * as notices from "./notices.js";
import { ParentWatch } from "./parent-watch.js";
import { DEFAULT_RESTART_POLICY, type RestartPolicy } from "./restart-policy.js";
import { EditorQueue, FROM_EDITOR, FROM_GOPLS, PendingRequests } from "./routing.js";
import { ServerRequests } from "./server-requests.js";
import {
  describeState,
  type RestartCause,
  type SessionState,
  standingIn,
} from "./session-state.js";
import { StandIn } from "./stand-in.js";
import { type StartGopls, Supervisor, spawnGopls } from "./supervisor.js";

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
  /** How gopls is started (tests give a fake). */
  startGopls?: StartGopls;
}

export interface SessionEnd {
  reason: string;
  exitCode: number;
}

export class Session {
  private readonly editor: EditorChannel;
  private readonly reporter: EditorReporter;
  private readonly memory = new SessionMemory();
  private readonly serverRequests = new ServerRequests();
  private readonly pending = new PendingRequests();
  private readonly queue = new EditorQueue();
  private readonly supervisor: Supervisor;
  private readonly standIn: StandIn;
  /** Settings from the login shell the user chose to use for this session. */
  private readonly adoption: Adoption;
  private readonly parentWatch: ParentWatch;
  private state: SessionState = { name: "starting" };
  /** The gopls to run and the PATH it needs, from the latest successful resolve. */
  private located: Located | undefined;
  private initializeId: MessageId | undefined;
  private shutdownRequested = false;
  /** What to tell the user once a new gopls has been brought up to date. */
  private afterReplay: notices.AfterReplay | undefined;
  private readonly reported: Finding[] = [];
  private finish!: (end: SessionEnd) => void;
  readonly ended: Promise<SessionEnd>;

  constructor(private readonly o: SessionOptions) {
    this.editor = new EditorChannel(o.editorOut);
    this.reporter = new EditorReporter(this.editor, o.logger);
    this.adoption = new Adoption(this.editor, o.logger);
    this.standIn = new StandIn(o.config, this.editor, this.reporter, this.memory);
    this.supervisor = new Supervisor({
      start: o.startGopls ?? spawnGopls,
      args: o.goplsArgs,
      maxMessageBytes: o.config.maxMessageBytes,
      restartPolicy: o.restartPolicy ?? DEFAULT_RESTART_POLICY,
      home: o.config.home,
      memory: this.memory,
      serverRequests: this.serverRequests,
      editor: this.editor,
      logger: o.logger,
      onFrame: (frame) => this.fromGopls(frame),
      onFramingError: (e) => this.malformed("gopls", e.message, e.evidence, "lsp.malformed_frame"),
      onSpawnError: (path, e) => this.report(notices.spawnFailed(path, e)),
      onDrain: () => o.editorIn.resume(),
      onExit: (exit) => this.goplsExited(exit),
    });
    this.ended = new Promise((resolve) => {
      this.finish = resolve;
    });
    this.parentWatch = new ParentWatch(o.config.parentPollMs, (why) => void this.end(why, 1));
  }

  /** The one place the state changes: logged from → to, with the cause. */
  private to(next: SessionState, cause: string): void {
    this.o.logger.info(
      { event: "session.state", from: describeState(this.state), to: describeState(next), cause },
      "session state",
    );
    this.state = next;
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
    const { editorIn, editorOut } = this.o;
    editorIn.on("data", (chunk: Buffer) => reader.push(chunk));
    editorIn.on("end", () => {
      void this.end(`editor closed stdin${reader.midFrame ? " mid-message" : ""}`, 1);
    });
    editorIn.on("error", (e) => void this.end(`editor stdin error: ${e.message}`, 1));
    editorOut.on("error", (e) => void this.end(`editor stdout error: ${e.message}`, 1));
    editorOut.on("drain", () => this.supervisor.current?.resumeOutput());
    this.parentWatch.start();
    void this.launch();
  }

  /**
   * Each fault once per session, unless its evidence changed (the start-up, the in-session checks
   * and a Retry can all meet the same fault, in other words).
   */
  report(finding: Finding): void {
    if (this.reported.some((r) => sameFault(r, finding))) return;
    this.reported.push(finding);
    this.reporter.report(finding);
    if (finding.adopt && this.state.name !== "ending")
      this.adoption.offer(finding, finding.adopt, () => this.applyAdoption());
  }

  /**
   * Puts accepted settings to use: a retry when gopls could not start, a planned restart when it
   * runs without them; otherwise again once gopls is running (it may be starting, installing or
   * restarting, and then may already have them).
   */
  private applyAdoption(): void {
    const s = this.state;
    if (!this.adoption.waiting || this.shutdownRequested || s.name === "ending") return;
    // Crashed too often: nothing more is started. A retry under way: tried again after it.
    if (s.name === "degraded") {
      if (s.cause === "launch-failed" && !s.retrying) void this.retry({}, this.adoption.take());
      return;
    }
    if (s.name !== "running") return;
    const done = this.adoption.take() as notices.AfterReplay;
    if (!this.adoption.stale) return this.reporter.report(done(this.memory.documentCount));
    void this.restartWithSettings(done);
  }

  private resolve(once: Record<string, string>, onProgress?: () => void) {
    return this.o.resolve({
      report: (f) => this.report(f),
      progress: (phase, message) => {
        onProgress?.();
        this.reporter.progress(phase, message);
      },
      env: { ...this.adoption.values, ...once },
    });
  }

  private async launch(): Promise<void> {
    // A start that takes long (an install, a module proxy slow to answer go's queries) would
    // outlast editors' initialize timeouts: past earlyAnswerMs the guard answers it.
    const early = setTimeout(() => this.beginInstalling(), this.o.config.earlyAnswerMs);
    const resolved = await this.resolve({}, () => {
      this.standIn.installSeen = true;
    });
    clearTimeout(early);
    // Shut down meanwhile: nothing more is started, offered or announced.
    if (this.state.name === "ending" || this.shutdownRequested) return;
    const ready = resolved.ok ? `gopls ${resolved.value.version ?? ""} ready` : "";
    this.reporter.endProgress(ready.replace("  ", " ") || "gopls could not be installed");
    const answeredEarly = this.state.name === "installing";
    if (!resolved.ok) {
      this.degradeAtLaunch(resolved.finding);
      // The editor already has its initialize answer (else the Retry comes with it).
      if (answeredEarly && this.standIn.answeredInitialize) this.offerRetry();
      this.applyAdoption();
      return this.scheduleChecks(undefined);
    }
    this.located = resolved.value;
    const { path, version } = resolved.value;
    this.scheduleChecks(version);
    // The editor has its initialize answer: gopls gets the session as it stands, as after a Retry.
    if (answeredEarly)
      return this.restart("hand-over", notices.handedOver(version, this.standIn.installSeen, path));
    const gopls = this.supervisor.start(path, this.goplsEnv());
    this.o.logger.info(
      {
        event: "gopls.start",
        gopls: path,
        source: resolved.value.source,
        version,
        warm: resolved.value.warm,
        goplsPid: gopls.pid,
        args: this.o.goplsArgs,
        ...(resolved.value.goplsPATH ? { PATH: resolved.value.goplsPATH } : {}),
      },
      "gopls started",
    );
    this.to({ name: "running" }, "gopls started");
    for (const frame of this.queue.take()) this.toGopls(frame);
    this.applyAdoption();
  }

  /** The environment the next gopls starts with: the editor's, accepted settings, its PATH. */
  private goplsEnv(): NodeJS.ProcessEnv {
    this.adoption.starting();
    const PATH = this.located?.goplsPATH;
    return { ...this.o.goplsEnv, ...this.adoption.values, ...(PATH ? { PATH } : {}) };
  }

  /** A first install is taking long: initialize is answered now, and requests until gopls is there. */
  private beginInstalling(): void {
    if (this.state.name !== "starting") return;
    this.to({ name: "installing" }, `still starting after ${this.o.config.earlyAnswerMs} ms`);
    this.standIn.detachProgress();
    this.queue.answerRequests((id, method) => this.answerStandingIn(id, method));
  }

  /** The checks that do not gate the start, once gopls is up (or could not be started). */
  private scheduleChecks(goplsVersion: string | undefined): void {
    const checks = this.o.postStartChecks;
    if (!checks) return;
    const run = async () => {
      try {
        const findings = await checks(goplsVersion);
        if (this.state.name !== "ending") for (const f of findings) this.report(f);
        this.o.logger.info({ event: "checks.done", findings: findings.map((f) => f.id) }, "checks");
      } catch (error) {
        this.o.logger.error({ event: "checks.failed", error: String(error) }, "checks failed");
      }
    };
    setTimeout(() => void run(), this.o.config.checksDelayMs).unref();
  }

  private fromEditor(frame: Frame): void {
    const scanned = scanMessage(frame.chunks);
    if (!scanned.ok)
      return this.malformed("editor", scanned.reason, frameStart(frame), "lsp.malformed_message");
    const m = scanned.value;
    if (m.kind === "response") {
      if (this.editor.isGuardId(m.id)) return this.editor.settle(m.id, decode(frame));
      const routed = this.serverRequests.reply(m.id);
      if (!routed.deliver) return;
      return this.toGopls(routed.id === m.id ? frame : reencode(frame, { id: routed.id }));
    }
    const action = FROM_EDITOR.get(m.method)?.action;
    if (m.kind === "request") {
      if (action === "initialize") this.initialize(m.id, frame);
      if (standingIn(this.state)) return this.answerStandingIn(m.id, m.method);
      this.pending.add(m.id, m.method);
      if (action === "shutdown") this.shutdownRequested = true;
      return this.toGopls(frame);
    }
    if (action === "exit") {
      if (this.state.name === "running") this.toGopls(frame);
      return void this.end("editor sent exit", this.shutdownRequested ? 0 : 1, false);
    }
    if (action === "remember") {
      const body = frameBody(frame);
      this.memory.editorMessage(m.method, decodeBody(body), body);
      // A new gopls gets the remembered state, not these again.
      if (this.state.name === "restarting") return;
    }
    if (!standingIn(this.state)) this.toGopls(frame);
  }

  private toGopls(frame: Frame): void {
    const gopls = this.supervisor.current;
    if (this.state.name === "running" && gopls) {
      if (!gopls.send(frame)) this.o.editorIn.pause();
    } else if (this.state.name !== "ending" && !standingIn(this.state)) this.queue.push(frame);
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
    this.standIn.clientCreatesProgress = params.capabilities?.window?.workDoneProgress === true;
    const token = params.workDoneToken;
    if (this.state.name === "starting" && (typeof token === "string" || typeof token === "number"))
      this.reporter.workDoneToken = token;
    if (typeof params.processId === "number" && params.processId > 0)
      this.parentWatch.watchEditor(params.processId);
  }

  private fromGopls(frame: Frame): void {
    const peeked = peekMessage(frame);
    if (!peeked.ok)
      return this.malformed("gopls", peeked.reason, frameStart(frame), "lsp.malformed_message");
    const m = peeked.value;
    if (m.kind === "response") {
      if (this.supervisor.isReinitialize(m.id)) return this.reinitialized(frame);
      if (m.id !== null) this.pending.delete(m.id);
      this.forward(frame);
      if (m.id !== null && m.id === this.initializeId) this.initializeAnswered(frame);
      return;
    }
    if (m.kind === "request") {
      const action = FROM_GOPLS.get(m.method)?.action;
      if (action === "register") this.memory.registered(decode(frame).params);
      if (action === "unregister") this.memory.unregistered(decode(frame).params);
      const id = this.serverRequests.outgoing(m.id);
      return this.forward(id === m.id ? frame : reencode(frame, { id }));
    }
    this.forward(frame);
  }

  private initializeAnswered(frame: Frame): void {
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

  private forward(frame: Frame): void {
    if (!this.editor.forward(frame)) this.supervisor.current?.pauseOutput();
  }

  private goplsExited(exit: Exit): void {
    if (this.state.name === "ending") return;
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
    this.serverRequests.nextGeneration();
    this.interruptPending(`gopls ${how} and is being restarted`);
    const decision = this.supervisor.crashed();
    if (this.shutdownRequested) return void this.end(`gopls ${how} during shutdown`, 1);
    if (!decision.restart) {
      this.to({ name: "degraded", cause: "crashed-too-often" }, `gopls ${how}`);
      this.queue.clear();
      const policy = this.o.restartPolicy ?? DEFAULT_RESTART_POLICY;
      const tail = exit.stderrTail || undefined;
      return this.report(
        notices.crashedTooOften(how, decision.crashes, policy.windowMs, this.o.logFile, tail),
      );
    }
    this.to({ name: "restarting", cause: "crash" }, `gopls ${how}`);
    const after = notices.crashRestarted(how, this.o.logFile, exit.stderrTail);
    setTimeout(() => {
      if (this.state.name === "restarting") this.replace(after);
    }, decision.delayMs).unref();
  }

  /** Requests the gopls going away will never answer, queued ones included: answered now. */
  private interruptPending(why: string): void {
    this.queue.dropRequests((id) => this.pending.has(id));
    this.pending.interrupt(this.editor, why);
  }

  /** A planned restart: the running gopls stopped, a new one with the adopted settings brought up to date. */
  private async restartWithSettings(after: notices.AfterReplay): Promise<void> {
    if (this.state.name !== "running" || this.shutdownRequested) return;
    this.to({ name: "restarting", cause: "planned" }, "settings adopted");
    this.serverRequests.nextGeneration();
    this.interruptPending("gopls is restarting with the settings you adopted");
    this.o.logger.info(
      { event: "gopls.restart_planned", adopted: Object.keys(this.adoption.values) },
      "restarting gopls with adopted settings",
    );
    await this.supervisor.retire(this.o.config.killGraceMs);
    // The session may have ended meanwhile (TypeScript cannot see the await change it).
    if ((this.state as SessionState).name === "restarting") this.replace(after);
  }

  /** From standing in to a gopls: it gets the session as it stands. */
  private restart(cause: RestartCause, after: notices.AfterReplay): void {
    this.to({ name: "restarting", cause }, `gopls ready (${cause})`);
    this.replace(after);
  }

  /** A new gopls in place of none or a dead one, given everything the session remembers. */
  private replace(after: notices.AfterReplay): void {
    this.afterReplay = after;
    const located = this.located as Located;
    const waits = this.supervisor.replace(located.path, this.goplsEnv());
    // Editor input paused for the old gopls's full pipe would wait for a drain that never comes.
    this.o.editorIn.resume();
    if (!waits) this.reinitialized(undefined);
  }

  /** The new gopls answered the replayed initialize: the rest, then the queue, then the user told. */
  private reinitialized(frame: Frame | undefined): void {
    if (this.state.name !== "restarting") return;
    this.supervisor.reinitialized(frame);
    this.to({ name: "running" }, "state replayed");
    for (const queued of this.queue.take()) this.toGopls(queued);
    // An event, not a fault: said every time it happens.
    if (this.afterReplay) this.reporter.report(this.afterReplay(this.memory.documentCount));
    this.applyAdoption();
  }

  /**
   * gopls cannot be started: the editor still gets its initialize answer (the capabilities the
   * last gopls had, so that a Retry brings every feature back), prompt errors for requests, and
   * a Retry that re-runs the checks without restarting anything.
   */
  private degradeAtLaunch(failure: Finding): void {
    this.report(failure);
    this.to({ name: "degraded", cause: "launch-failed", failure, retrying: false }, failure.id);
    this.queue.answerRequests((id, method) => this.answerStandingIn(id, method));
  }

  private offerRetry(): void {
    const s = this.state;
    if (s.name !== "degraded" || s.cause !== "launch-failed") return;
    const { failure } = s;
    const env = { ...this.o.goplsEnv, ...this.adoption.values };
    const mirrors = notices.mirrorsFor(failure, this.o.config.mirrors, env);
    void this.standIn.askRetry(failure, mirrors).then((choice) => {
      if (choice?.kind === "retry") return void this.retry();
      if (choice?.kind === "mirror") {
        const { mirror } = choice;
        const goproxy = this.o.goplsEnv.GOPROXY;
        const after = notices.installedThroughMirror(failure.id, mirror, goproxy);
        void this.retry({ GOPROXY: `${mirror},direct` }, after);
      }
    });
  }

  /** Re-runs the checks and the start; once: settings only for this install (a mirror). */
  private async retry(
    once: Record<string, string> = {},
    after?: notices.AfterReplay,
  ): Promise<void> {
    // One at a time: Retry, a mirror and adopted settings can all be answered at once.
    const s = this.state;
    if (s.name !== "degraded" || s.cause !== "launch-failed" || s.retrying) return;
    if (this.shutdownRequested) return;
    this.o.logger.info({ event: "retry", once }, "retrying after a failed start");
    this.to({ ...s, retrying: true }, "Retry");
    const resolved = await this.resolve(once);
    this.reporter.endProgress(resolved.ok ? "gopls ready" : "gopls could not be installed");
    if (this.state.name !== "degraded") return;
    if (!resolved.ok) {
      const failure = resolved.finding;
      this.to({ name: "degraded", cause: "launch-failed", failure, retrying: false }, failure.id);
      this.report(failure);
      this.offerRetry();
      return this.applyAdoption();
    }
    this.located = resolved.value;
    const { path, version } = resolved.value;
    this.restart("retry", after ?? notices.runningAgain(version, path));
  }

  /** The guard answers for gopls: it is being installed, or it cannot run. */
  private answerStandingIn(id: MessageId, method: string): void {
    // Answered here: a later crash or restart must not answer it again.
    this.pending.delete(id);
    const s = this.state;
    const installing = s.name === "installing";
    if (method === "initialize") {
      this.standIn.answerInitialize(id, installing);
      if (s.name === "degraded") this.offerRetry();
      if (installing) this.standIn.createProgress(() => this.state.name === "installing");
      return;
    }
    if (method === "shutdown") {
      this.shutdownRequested = true;
      return this.editor.respond(id, null);
    }
    const failure = s.name === "degraded" && s.cause === "launch-failed" ? s.failure : undefined;
    this.standIn.refuse(id, method, installing, failure);
  }

  private malformed(from: "editor" | "gopls", reason: string, evidence: string, id: string): void {
    if (this.state.name === "ending") return;
    this.o.logger.error({ event: id, from, reason, evidence }, "malformed input");
    this.report(notices.malformedInput(id, from, reason, evidence, this.o.logFile));
    this.pending.fail(this.editor, "the session ended on malformed input");
    void this.end(`malformed ${from} input`, 1);
  }

  /** Ends the session once: gopls is stopped (told, then SIGTERM, then SIGKILL) before resolving. */
  async end(reason: string, exitCode: number, tellExit = true): Promise<void> {
    if (this.state.name === "ending") return;
    this.to({ name: "ending", reason }, reason);
    this.parentWatch.stop();
    this.o.editorIn.pause();
    this.editor.abandon();
    const exit = await this.supervisor.stop(this.o.config.killGraceMs, tellExit);
    this.o.logger.info(
      {
        event: "session.end",
        reason,
        exitCode,
        restarts: this.supervisor.restarts,
        goplsExit: exit && { code: exit.code, signal: exit.signal },
      },
      "session ended",
    );
    this.finish({ reason, exitCode });
  }

  /** Synchronous last resort when the process is going down regardless. */
  killNow(): void {
    this.supervisor.killNow();
  }
}
