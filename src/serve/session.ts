// One editor session's decisions: starting gopls (or standing in for it when a start takes
// long or fails), a crash restarted or given up on, a planned restart for adopted settings, a
// Retry. Each changes the state through to() (session-core.ts holds the parts). It never exits
// the process itself (serve.ts does, after flushing).

import fs from "node:fs";
import path from "node:path";
import { type Finding, sameFault } from "../findings.js";
import type { Located } from "../gopls/launch.js";
import { startFault } from "../gopls/start-fault.js";
import type { Frame } from "../lsp/framing.js";
import type { MessageId } from "../lsp/message.js";
import type { FrameStall } from "../lsp/stall.js";
import type { Warming } from "./build-warming.js";
import { addGuardCommands } from "./capabilities.js";
import { decode } from "./decode.js";
import { discardEarly } from "./early-gopls.js";
import type { Exit } from "./gopls-process.js";
import { GUARD_COMMANDS } from "./held-faults.js";
import { killedForMemory } from "./memory-notices.js";
import * as notices from "./notices.js";
import { DEFAULT_RESTART_POLICY } from "./restart-policy.js";
import { SessionCore } from "./session-core.js";
import type { RestartCause, SessionState } from "./session-state.js";
import { Watchers } from "./watchers.js";

export type { ResolveHooks, SessionEnd, SessionOptions } from "./session-core.js";

export class Session extends SessionCore {
  /**
   * Puts accepted settings to use: a retry when gopls could not start, a planned restart when it
   * runs without them; otherwise again once gopls is running (it may be starting, installing or
   * restarting, and then may already have them).
   */
  protected applyAdoption(): void {
    const s = this.state;
    if (!this.adoption.waiting || this.router.shutdownRequested || s.name === "ending") return;
    // Crashed too often: nothing more is started. A retry under way: tried again after it.
    if (s.name === "degraded") {
      if (s.cause === "launch-failed" && !s.retrying) void this.retry({}, this.adoption.take());
      return;
    }
    if (s.name !== "running") return;
    const done = this.adoption.take() as notices.AfterReplay;
    if (!this.adoption.stale) return this.reporter.report(done(this.memory.documentCount));
    void this.plannedRestart("planned", "the settings you adopted", done);
  }

  protected resolve(once: Record<string, string>, onProgress?: () => void) {
    return this.o.resolve({
      report: (f) => this.report(f),
      progress: (phase, message) => {
        onProgress?.();
        this.reporter.progress(phase, message);
      },
      env: { ...this.adoption.values, ...once },
    });
  }

  protected async launch(): Promise<void> {
    try {
      await this.launchGopls();
    } finally {
      // The gopls a warm start spawned ahead, unless this launch took it.
      discardEarly();
    }
  }

  private async launchGopls(): Promise<void> {
    // A start that takes long (an install, a module proxy slow to answer go's queries) would
    // outlast editors' initialize timeouts: past earlyAnswerMs the guard answers it.
    const early = setTimeout(() => this.beginInstalling(), this.o.config.earlyAnswerMs);
    const resolved = await this.resolve({}, () => {
      this.standIn.installSeen = true;
    });
    clearTimeout(early);
    // Shut down meanwhile: nothing more is started, offered or announced.
    if (this.state.name === "ending" || this.router.shutdownRequested) return;
    const ready = resolved.ok ? `gopls ${resolved.value.version ?? ""} ready` : "";
    this.reporter.endProgress(ready.replace("  ", " ") || "gopls could not be installed");
    const answeredEarly = this.state.name === "installing";
    if (!resolved.ok) {
      this.degradeAtLaunch(resolved.finding);
      this.applyAdoption();
      return this.scheduleChecks(undefined);
    }
    // A workspace whose go line this build cannot load starts with one that can, if installed.
    this.located = this.watchers.fittingBuild(resolved.value) ?? resolved.value;
    const { path, version } = this.located;
    this.scheduleChecks(version);
    // The editor has its initialize answer: gopls gets the session as it stands, as after a Retry.
    if (answeredEarly)
      return this.restart("hand-over", notices.handedOver(version, this.standIn.installSeen, path));
    if (resolved.value.updateDue) this.watchers.scheduleUpdate();
    const gopls = this.supervisor.start(path, this.goplsEnv());
    this.o.logger.info(
      {
        event: "gopls.start",
        gopls: path,
        source: resolved.value.source,
        version,
        warm: resolved.value.warm,
        goplsPid: gopls.pid,
        early: gopls.early === true,
        spawnedAt: gopls.spawnedAt,
        // How the guard reads each side: straight from the pipe, or through node's streams.
        io: {
          editor: this.editorInput?.direct ? "direct" : "stream",
          gopls: gopls.direct ? "direct" : "stream",
        },
        args: this.o.goplsArgs,
        ...(resolved.value.goplsPATH ? { PATH: resolved.value.goplsPATH } : {}),
      },
      "gopls started",
    );
    this.to({ name: "running" }, "gopls started");
    this.router.flush();
    this.applyAdoption();
  }

  /** A first install is taking long: initialize is answered now, and requests until gopls is there. */
  protected beginInstalling(): void {
    if (this.state.name !== "starting") return;
    this.to({ name: "installing" }, `still starting after ${this.o.config.earlyAnswerMs} ms`);
    this.standIn.detachProgress();
    this.router.queue.answerRequests((id, method) => this.answerStandingIn(id, method));
  }

  protected goplsExited(exit: Exit): void {
    if (this.state.name === "ending") return;
    // Its environment, not a bug: the same gopls would die the same way, so no restart.
    const fault = startFault(exit.stderrTail, { ...this.o.goplsEnv, ...this.adoption.values });
    if (fault && !this.router.shutdownRequested) return this.goplsCannotRun(exit, fault);
    // SIGKILL with memory high at the last reading: the out-of-memory killer, most likely.
    const rss = this.memoryWatch.last;
    const how =
      exit.signal === "SIGKILL" && rss >= this.memoryWatch.limits.soft / 2
        ? killedForMemory(rss)
        : exit.signal
          ? `was killed by ${exit.signal}`
          : `exited with code ${exit.code}`;
    this.o.logger.error(
      {
        event: "gopls.crash",
        code: exit.code,
        signal: exit.signal,
        stderrTail: exit.stderrTail,
        generation: this.router.serverRequests.current,
      },
      "gopls exited unexpectedly",
    );
    this.router.serverRequests.nextGeneration();
    this.router.interrupt(`gopls ${how} and is being restarted`);
    const decision = this.supervisor.crashed();
    if (this.router.shutdownRequested) return void this.end(`gopls ${how} during shutdown`, 1);
    const policy = this.o.restartPolicy ?? DEFAULT_RESTART_POLICY;
    const tail = exit.stderrTail || undefined;
    if (!decision.restart) {
      this.to({ name: "degraded", cause: "crashed-too-often" }, `gopls ${how}`);
      this.router.queue.clear();
      const waiting = this.router.unansweredInitialize;
      if (waiting !== undefined) this.answerStandingIn(waiting, "initialize");
      this.held.withdraw("crash");
      return this.questions.ask({
        slot: "start",
        finding: notices.crashedTooOften(
          how,
          decision.crashes,
          policy.windowMs,
          this.o.logFile,
          tail,
        ),
        ask: "Restart it?",
        actions: [
          {
            title: notices.RESTART_GOPLS,
            command: GUARD_COMMANDS.restart,
            run: () => this.restartAfterCrashes(),
          },
        ],
        featuresOff: true,
      });
    }
    this.to({ name: "restarting", cause: "crash" }, `gopls ${how}`);
    const quiet = this.watchers.killedForStalling(this.supervisor.lastPid);
    const count = {
      crashes: this.supervisor.recentCrashes(),
      windowMs: policy.windowMs,
      max: policy.maxRestarts,
    };
    const after = quiet ? undefined : notices.crashRestarted(how, this.o.logFile, tail, count);
    if (after) this.holdCrashStreak(after(this.memory.documentCount), policy.windowMs);
    setTimeout(() => {
      if (this.state.name === "restarting") this.replace(after);
    }, decision.delayMs).unref();
  }

  /** gopls died at start for its environment: the guard stands in, with the fault and Retry. */
  private goplsCannotRun(exit: Exit, fault: Finding): void {
    this.o.logger.error(
      { event: "gopls.cannot_run", code: exit.code, fault: fault.id, stderrTail: exit.stderrTail },
      "gopls cannot run here",
    );
    this.router.serverRequests.nextGeneration();
    const waiting = this.router.pending.take();
    this.degradeAtLaunch(fault);
    // The editor's initialize (and whatever else gopls took) is answered as if gopls had never
    // started: never an interrupted initialize.
    for (const [id, method] of waiting) this.answerStandingIn(id, method);
  }

  /** Crashes restarted lately hold as a warning for the restart policy's window. */
  private crashStreakTimer: NodeJS.Timeout | undefined;
  private holdCrashStreak(finding: Finding, windowMs: number): void {
    this.held.hold("crash", finding);
    clearTimeout(this.crashStreakTimer);
    this.crashStreakTimer = setTimeout(() => this.held.withdraw("crash"), windowMs).unref();
  }

  /** The user's Restart after gopls crashed too often: a fresh count, the session replayed. */
  private restartAfterCrashes(): void {
    const s = this.state;
    if (s.name !== "degraded" || s.cause !== "crashed-too-often" || !this.located) return;
    this.supervisor.forgiveCrashes();
    const { path, version } = this.located;
    this.restart("retry", notices.runningAgain(version, path));
  }

  /** A planned restart: the running gopls stopped, a new one (adopted settings, less memory) brought up to date. */
  protected async plannedRestart(
    cause: "planned" | "memory" | "update",
    why: string,
    after: notices.AfterReplay,
  ): Promise<void> {
    if (this.state.name !== "running" || this.router.shutdownRequested) return;
    this.to({ name: "restarting", cause }, why);
    this.router.serverRequests.nextGeneration();
    this.router.interrupt(`gopls is restarting: ${why}`);
    this.o.logger.info({ event: "gopls.restart_planned", cause, why }, "restarting gopls");
    await this.supervisor.retire(this.o.config.killGraceMs);
    // The session may have ended meanwhile (TypeScript cannot see the await change it).
    if ((this.state as SessionState).name === "restarting") this.replace(after);
  }

  /** What watches over gopls (memory, stalls, updates), given the few levers it needs. */
  private readonly watchers = new Watchers({
    running: () => this.state.name === "running",
    serving: () => this.state.name !== "ending",
    located: () => this.located,
    relocate: (located) => {
      this.located = located;
    },
    gopls: () => this.supervisor.current,
    plannedRestart: (cause, why, after) => this.plannedRestart(cause, why, after),
    goplsEnvFor: (located) => this.goplsEnvFor(located),
    report: (f) => this.report(f),
    tell: (f) => this.reporter.report(f),
    ask: (q) => this.questions.ask(q),
    withdraw: (slot) => this.held.withdraw(slot),
    sessionFile: this.sessionFile,
    memoryWatch: this.memoryWatch,
    options: this.o,
    progress: (phase, message) => this.reporter.progress(phase, message),
    warm: (to) => this.warm(to),
  });

  /** A new build's cache, warmed for this workspace as its gopls would load it. */
  private async warm(to: Located): Promise<Warming> {
    const configuration = this.clientView.configuration
      ? async (params: unknown) => {
          // An editor that never answers does not hold the warming up: its defaults after 10 s.
          const reply = await Promise.race([
            this.editor.request("workspace/configuration", params),
            new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000).unref()),
          ]);
          return reply && "result" in reply && Array.isArray(reply.result) ? reply.result : [];
        }
      : undefined;
    // Loaded when a warming runs (a day after the last decision): never on the start path.
    const { warmBuild } = await import("./build-warming.js");
    return warmBuild({
      gopls: to,
      env: this.goplsEnvFor(to),
      ...this.memory.warmingInputs(),
      configuration,
      lockRoots: [path.dirname(path.dirname(to.path)), this.o.config.home],
      maxRss: this.memoryWatch.limits.soft,
      timeoutMs: this.o.config.warmTimeoutMs,
      sampleRss: this.sampleRss,
      sessionFile: this.sessionFile,
      logger: this.o.logger,
      signal: this.ending.signal,
    });
  }

  /** A gopls just started for a workspace it cannot load gives way, before it sees anything. */
  protected workspaceSaid(): void {
    const located = this.located;
    const fits = this.state.name === "running" && located && this.watchers.fittingBuild(located);
    if (!fits) return;
    this.located = fits;
    this.supervisor.swap(fits.path, this.goplsEnv());
  }

  protected workspaceKnown(): void {
    this.watchers.checkWorkspaceGo();
  }

  protected goplsStalled(stall: FrameStall): void {
    this.watchers.stalled(stall);
  }
  protected memoryHigh(rss: number, hard: boolean): void {
    this.watchers.memoryHigh(rss, hard);
  }

  /** From standing in to a gopls: it gets the session as it stands. */
  protected restart(cause: RestartCause, after: notices.AfterReplay): void {
    this.to({ name: "restarting", cause }, `gopls ready (${cause})`);
    this.replace(after);
  }

  /** A new gopls in place of none or a dead one, given everything the session remembers. */
  protected replace(after: notices.AfterReplay | undefined): void {
    this.afterReplay = after;
    const located = this.located as Located;
    // Removed while it ran (another user's cleanup, a package manager): found or built again.
    if (!(this.o.goplsExists ?? fs.existsSync)(located.path))
      return void this.relocate(located.path, after);
    const waits = this.supervisor.replace(located.path, this.goplsEnv());
    // Editor input paused for the old gopls's full pipe would wait for a drain that never comes.
    this.editorInput?.stream.resume();
    if (!waits) this.reinitialized(undefined);
  }

  /** The build to restart is gone: the start's decision again, then the restart. */
  private async relocate(gone: string, after: notices.AfterReplay | undefined): Promise<void> {
    this.o.logger.warn({ event: "gopls.vanished", gopls: gone }, "gopls's binary is gone");
    const resolved = await this.resolve({});
    if (this.state.name !== "restarting") return;
    if (!resolved.ok) return this.degradeAtLaunch(resolved.finding);
    this.located = resolved.value;
    this.replace(after);
  }

  /** The new gopls answered the replayed initialize: the rest, then the queue, then the user told. */
  protected reinitialized(frame: Frame | undefined): void {
    if (this.state.name !== "restarting") return;
    // The gopls that had the editor's initialize died before answering it: this one's answer
    // is the editor's.
    const waiting = this.router.unansweredInitialize;
    if (frame && waiting !== undefined) {
      this.router.pending.delete(waiting);
      this.editor.respond(waiting, addGuardCommands(decode(frame).result));
      this.initializeAnswered(frame);
    }
    this.supervisor.reinitialized(frame);
    this.to({ name: "running" }, "state replayed");
    this.router.flush();
    // An event, not a fault: said every time it happens.
    if (this.afterReplay) this.reporter.report(this.afterReplay(this.memory.documentCount));
    this.applyAdoption();
  }

  /**
   * gopls cannot be started: the editor still gets its initialize answer (the capabilities the
   * last gopls had, so that a Retry brings every feature back), prompt errors for requests, and
   * a Retry that re-runs the checks without restarting anything.
   */
  protected degradeAtLaunch(failure: Finding): void {
    // Said here, with its Retry: the checks meeting it again later say nothing more.
    this.firstSaying(failure);
    this.to({ name: "degraded", cause: "launch-failed", failure, retrying: false }, failure.id);
    // Said before the waiting initialize is answered, as a report was: the log line and a
    // short pop-up go out now; a request with buttons waits for the answer by itself.
    this.offerRetry(failure);
    this.router.queue.answerRequests((id, method, frame) =>
      this.answerStandingIn(id, method, frame),
    );
    this.scheduleAutoRetry();
  }

  /** The guard's own retries after a failed start: 1×, 2×, 4×… autoRetryMs, at most 5 minutes. */
  private autoRetries = 0;
  private autoRetryTimer: NodeJS.Timeout | undefined;
  private scheduleAutoRetry(): void {
    clearTimeout(this.autoRetryTimer);
    const delay = Math.min(this.o.config.autoRetryMs * 2 ** this.autoRetries++, 300_000);
    this.autoRetryTimer = setTimeout(() => {
      const s = this.state;
      if (s.name !== "degraded" || s.cause !== "launch-failed" || s.retrying) return;
      this.o.logger.info({ event: "retry.auto", after: delay }, "retrying by itself");
      void this.retry({}, undefined, true);
    }, delay).unref();
  }

  /** One message: the fault with its evidence and fix, and Retry (and mirrors) to act on it. */
  private offerRetry(failure: Finding): void {
    const env = { ...this.o.goplsEnv, ...this.adoption.values };
    const mirrors = notices.mirrorsFor(failure, this.o.config.mirrors, env);
    const goproxy = this.o.goplsEnv.GOPROXY;
    this.questions.ask({
      slot: "start",
      finding: failure,
      ...notices.retryQuestion(mirrors),
      actions: [
        { title: notices.RETRY, command: GUARD_COMMANDS.retry, run: () => void this.retry() },
        ...mirrors.map((mirror) => ({
          title: notices.throughMirror(mirror),
          command: GUARD_COMMANDS.retryThroughMirror,
          arguments: [mirror],
          run: () =>
            void this.retry(
              { GOPROXY: `${mirror},direct` },
              notices.installedThroughMirror(failure.id, mirror, goproxy),
            ),
        })),
      ],
      featuresOff: true,
    });
  }

  /** Re-runs the checks and the start; once: settings only for this install (a mirror). */
  protected async retry(
    once: Record<string, string> = {},
    after?: notices.AfterReplay,
    auto = false,
  ): Promise<void> {
    // One at a time: Retry, a mirror and adopted settings can all be answered at once.
    const s = this.state;
    if (s.name !== "degraded" || s.cause !== "launch-failed" || s.retrying) return;
    if (this.router.shutdownRequested) return;
    this.o.logger.info({ event: "retry", once }, "retrying after a failed start");
    this.to({ ...s, retrying: true }, "Retry");
    const resolved = await this.resolve(once);
    this.reporter.endProgress(resolved.ok ? "gopls ready" : "gopls could not be installed");
    if (this.state.name !== "degraded") return;
    if (!resolved.ok) {
      const failure = resolved.finding;
      // The guard's own retry meeting the same fault: nothing new to say; it tries again later.
      if (auto && sameFault(s.failure, failure)) {
        this.to({ name: "degraded", cause: "launch-failed", failure, retrying: false }, "still");
        return this.scheduleAutoRetry();
      }
      this.degradeAtLaunch(failure);
      return this.applyAdoption();
    }
    this.located = resolved.value;
    const { path, version } = resolved.value;
    this.restart("retry", after ?? notices.runningAgain(version, path));
  }

  /** The guard answers for gopls: it is being installed, or it cannot run. */
  protected answerStandingIn(id: MessageId, method: string, frame?: Frame): void {
    // Answered here: a later crash or restart must not answer it again.
    this.router.pending.delete(id);
    const s = this.state;
    const installing = s.name === "installing";
    if (method === "initialize") {
      this.standIn.answerInitialize(id, installing);
      if (installing) this.standIn.createProgress(() => this.state.name === "installing");
      return;
    }
    // Code actions and pulled diagnostics: the guard's own (its faults, and how to act on them).
    const own = frame && this.faultView.standInAnswer(method, decode(frame).params);
    if (own) return this.editor.respond(id, own.result);
    if (method === "shutdown") {
      this.router.shutdownRequested = true;
      return this.editor.respond(id, null);
    }
    const failure = s.name === "degraded" && s.cause === "launch-failed" ? s.failure : undefined;
    this.standIn.refuse(id, method, installing, failure);
  }
}
