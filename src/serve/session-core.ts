import { withEnv } from "../env-lookup.js";
import { type Finding, sameFault } from "../findings.js";
import type { Located } from "../gopls/launch.js";
import { toolchainOf } from "../gopls/toolchain-file.js";
import { EditorChannel, ErrorCodes } from "../lsp/editor-channel.js";
import { type Frame, FrameReader } from "../lsp/framing.js";
import type { MessageId } from "../lsp/message.js";
import { prepareMessageScan } from "../lsp/message-scan.js";
import { type ChunkReader, readChunks } from "../lsp/pipe-input.js";
import { BodyScan } from "../lsp/scan.js";
import type { FrameStall } from "../lsp/stall.js";
import { EditorReporter } from "../report/editor.js";
import { Adoption } from "./adoption.js";
import { saveCapabilities } from "./capabilities.js";
import { type ClientView, clientView, NOTHING_DECLARED } from "./client-view.js";
import { decode, serverInfoOf } from "./decode.js";
import { FaultView } from "./fault-view.js";
import type { Exit } from "./gopls-process.js";
import { HeldFaults } from "./held-faults.js";
import { SessionMemory } from "./memory.js";
import { MemoryWatch, memoryLimits } from "./memory-watch.js";
import * as notices from "./notices.js";
import { ParentWatch } from "./parent-watch.js";
import { rssSampler, type SampleRss } from "./process-memory.js";
import { Questions } from "./questions.js";
import { DEFAULT_RESTART_POLICY } from "./restart-policy.js";
import { Router, type RouterHost } from "./router.js";
import { SessionFile, type SessionInfo, workspaceOf } from "./session-file.js";
import type { SessionEnd, SessionOptions } from "./session-options.js";
import { describeState, type SessionState } from "./session-state.js";
import { StandIn } from "./stand-in.js";
import { Supervisor, spawnGopls } from "./supervisor.js";

/** Editor messages from this size are scanned as they arrive (didOpen of a large file, say). */
const GATHER_FROM_BYTES = 64 * 1024;

export type { ResolveHooks, SessionEnd, SessionOptions, SkewBuilder } from "./session-options.js";

export abstract class SessionCore {
  protected readonly editor: EditorChannel;
  protected readonly reporter: EditorReporter;
  protected readonly memory = new SessionMemory();
  protected readonly router: Router;
  protected readonly supervisor: Supervisor;
  protected readonly standIn: StandIn;
  /** Settings from the login shell the user chose to use for this session. */
  protected readonly adoption: Adoption;
  protected readonly parentWatch: ParentWatch;
  protected readonly memoryWatch: MemoryWatch;
  /** What `gopls-guard status` shows of this session. */
  protected readonly sessionFile: SessionFile;
  /** How gopls's resident memory is read (the memory watch, a warming). */
  protected readonly sampleRss: SampleRss;
  /** Aborted when the session ends: what it runs in the background (a warming) stops. */
  protected readonly ending = new AbortController();
  protected state: SessionState = { name: "starting" };
  /** The gopls to run and the PATH it needs, from the latest successful resolve. */
  protected located: Located | undefined;
  /** What to tell the user once a new gopls has been brought up to date. */
  protected afterReplay: notices.AfterReplay | undefined;
  protected readonly reported: Finding[] = [];
  /** What the client declared it shows (known at initialize). */
  protected clientView: ClientView = NOTHING_DECLARED;
  /** The faults that hold now; the client sees them as diagnostics and code actions. */
  protected readonly held: HeldFaults;
  protected readonly faultView: FaultView;
  protected readonly questions: Questions;
  protected finish!: (end: SessionEnd) => void;
  readonly ended: Promise<SessionEnd>;
  /** Chunks read from the editor so far: the session is idle while it does not move. */
  editorChunks = 0;
  /** What the editor's messages are read from, once the session has started. */
  protected editorInput: ChunkReader | undefined;

  constructor(protected readonly o: SessionOptions) {
    this.editor = new EditorChannel(o.editorOut);
    this.sampleRss = o.sampleRss ?? rssSampler();
    this.reporter = new EditorReporter(this.editor, o.logger, () => this.clientView);
    this.held = new HeldFaults(() => this.faultView.refresh());
    this.faultView = new FaultView({
      editor: this.editor,
      held: this.held,
      view: () => this.clientView,
      folders: () => this.memory.folderUris(),
      openDocuments: () => this.memory.documents.uris(),
    });
    this.questions = new Questions(
      this.editor,
      this.reporter,
      this.held,
      () => this.clientView,
      o.logger,
    );
    this.adoption = new Adoption(this.questions, o.logger);
    this.standIn = new StandIn(o.config, this.editor, this.reporter, this.memory);
    this.router = new Router(this.routerHost(), this.editor, this.memory, this.faultView);
    this.supervisor = new Supervisor({
      start: o.startGopls ?? spawnGopls,
      args: o.goplsArgs,
      maxMessageBytes: o.config.maxMessageBytes,
      restartPolicy: o.restartPolicy ?? DEFAULT_RESTART_POLICY,
      home: o.config.home,
      memory: this.memory,
      serverRequests: this.router.serverRequests,
      editor: this.editor,
      logger: o.logger,
      onFrame: (frame) => this.router.fromGopls(frame),
      onFramingError: (e) => this.malformed("gopls", e.message, e.evidence, "lsp.malformed_frame"),
      onSpawnError: (path, e) => this.report(notices.spawnFailed(path, e)),
      onDrain: () => this.editorInput?.stream.resume(),
      onExit: (exit) => this.goplsExited(exit),
      frameStallMs: o.config.frameStallMs,
      onStall: (stall) => this.goplsStalled(stall),
      onStarted: (gopls, path) => {
        this.memoryWatch.watch(gopls.pid);
        this.sessionFile.update({
          goplsPid: gopls.pid,
          goplsPath: path,
          goplsVersion: this.located?.version,
          restarts: this.supervisor.restarts,
        });
      },
    });
    this.memoryWatch = new MemoryWatch(
      memoryLimits(o.config.memoryLimit, o.config.memorySampleMs),
      this.sampleRss,
      {
        soft: (rss) => this.memoryHigh(rss, false),
        hard: (rss) => this.memoryHigh(rss, true),
        sampled: (rss) => this.sessionFile.update({ rssBytes: rss }),
      },
    );
    this.sessionFile = new SessionFile(o.config.home);
    this.ended = new Promise((resolve) => {
      this.finish = resolve;
    });
    this.parentWatch = new ParentWatch(o.config.parentPollMs, (why) => void this.end(why, 1));
  }

  /** The one place the state changes: logged from → to, with the cause. */
  protected to(next: SessionState, cause: string): void {
    this.o.logger.info(
      { event: "session.state", from: describeState(this.state), to: describeState(next), cause },
      "session state",
    );
    this.state = next;
    // gopls runs: what kept it from starting (or restarting) no longer holds.
    if (next.name === "running") this.held.withdraw("start");
    if (next.name !== "ending") this.sessionFile.update({ state: describeState(next) });
  }

  /** What the router asks of the session. */
  protected routerHost(): RouterHost {
    const session = this;
    return {
      get state() {
        return session.state;
      },
      get gopls() {
        return session.supervisor.current;
      },
      initialize: (params) => this.initialize(params),
      standIn: (id, method, frame) => this.answerStandingIn(id, method, frame),
      command: (id, params) => this.command(id, params),
      documentsChanged: () => {
        if (this.held.size) this.faultView.refresh();
      },
      exit: () => void this.end("editor sent exit", this.router.shutdownRequested ? 0 : 1, false),
      isReinitialize: (id) => this.supervisor.isReinitialize(id),
      reinitialized: (frame) => this.reinitialized(frame),
      initializeAnswered: (frame) => this.initializeAnswered(frame),
      malformed: (from, reason, evidence, id) => this.malformed(from, reason, evidence, id),
      pauseEditor: () => this.editorInput?.stream.pause(),
    };
  }

  start(): void {
    const reader = new FrameReader({
      maxBodyBytes: this.o.config.maxMessageBytes,
      onFrame: (frame) => this.router.fromEditor(frame),
      // A large message is checked while it arrives, not after.
      gather: { fromBytes: GATHER_FROM_BYTES, watch: (body) => new BodyScan(body) },
      onError: (e) =>
        this.malformed(
          "editor",
          e.message,
          e.evidence,
          e.kind === "too-large" ? "lsp.message_too_large" : "lsp.malformed_frame",
        ),
    });
    const { editorOut } = this.o;
    this.editorInput = readChunks(this.o.editorIn, (chunk: Buffer) => {
      this.editorChunks++;
      reader.push(chunk);
    });
    const editorIn = this.editorInput.stream;
    editorIn.on("end", () => {
      void this.end(`editor closed stdin${reader.midFrame ? " mid-message" : ""}`, 1);
    });
    editorIn.on("error", (e) => void this.end(`editor stdin error: ${e.message}`, 1));
    editorOut.on("error", (e) => void this.end(`editor stdout error: ${e.message}`, 1));
    editorOut.on("drain", () => this.supervisor.current?.resumeOutput());
    if (!this.o.detached) this.parentWatch.start();
    void this.launch();
  }

  /**
   * Each fault once per session, unless its evidence changed (the start-up, the in-session checks
   * and a Retry can all meet the same fault, in other words).
   */
  report(finding: Finding): void {
    if (!this.firstSaying(finding)) return;
    // Settings to adopt: the question is the one message (with the evidence and the fix).
    if (finding.adopt && this.state.name !== "ending")
      return this.adoption.offer(finding, finding.adopt, () => this.applyAdoption());
    // A fault holds for the session (the checks found it); an event with nothing to fix does not.
    if (finding.severity !== "info") this.held.hold(`finding:${finding.id}`, finding);
    this.reporter.report(finding);
  }

  /** Notes the fault as said; false when it was said already this session. */
  protected firstSaying(finding: Finding): boolean {
    if (this.reported.some((r) => sameFault(r, finding))) return false;
    this.reported.push(finding);
    return true;
  }

  /**
   * workspace/executeCommand: the guard's own commands run the action a held fault offers (the
   * code actions name them); true when the command was the guard's (answered here).
   */
  protected command(id: MessageId, params: unknown): boolean {
    const p = (params ?? {}) as { command?: unknown; arguments?: unknown };
    if (typeof p.command !== "string" || !p.command.startsWith("gopls-guard.")) return false;
    const args = Array.isArray(p.arguments) ? p.arguments : [];
    const ran = this.held.run(p.command, args);
    this.o.logger.info({ event: "command", command: p.command, args, ran }, "guard command");
    if (ran) this.editor.respond(id, null);
    else
      this.editor.respondError(
        id,
        ErrorCodes.RequestFailed,
        `${p.command}: nothing to do now (no fault the guard holds offers it)`,
      );
    return true;
  }

  /**
   * The environment the next gopls starts with: the editor's, accepted settings, its PATH, and
   * for a build made with a newer Go (a workspace's go line needed it), that Go for its go commands.
   */
  protected goplsEnv(): NodeJS.ProcessEnv {
    this.adoption.starting();
    return this.goplsEnvFor(this.located);
  }

  /** The environment a gopls from this build would start with (nothing started, nothing noted). */
  protected goplsEnvFor(located: Located | undefined): NodeJS.ProcessEnv {
    const PATH = located?.goplsPATH;
    const toolchain = located && toolchainOf(located.path);
    const env = { ...this.o.goplsEnv, ...this.adoption.values };
    return {
      ...(PATH ? withEnv(env, "PATH", PATH) : env),
      ...(toolchain ? { GOTOOLCHAIN: toolchain } : {}),
    };
  }

  /** The checks that do not gate the start, once gopls is up (or could not be started). */
  protected scheduleChecks(goplsVersion: string | undefined): void {
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

  /** The editor's initialize: its process to watch, its progress token and capabilities. */
  protected initialize(params: {
    processId?: unknown;
    workDoneToken?: unknown;
    capabilities?: { window?: { workDoneProgress?: unknown } };
    rootUri?: unknown;
    workspaceFolders?: unknown;
  }): void {
    this.clientView = clientView(params.capabilities);
    this.standIn.clientCreatesProgress = this.clientView.workDoneProgress;
    this.questions.clientKnown();
    const token = params.workDoneToken;
    if (this.state.name === "starting" && (typeof token === "string" || typeof token === "number"))
      this.reporter.workDoneToken = token;
    if (typeof params.processId === "number" && params.processId > 0 && !this.o.detached)
      this.parentWatch.watchEditor(params.processId);
    this.sessionFile.update({
      editorPid: typeof params.processId === "number" ? params.processId : undefined,
      workspace: workspaceOf(params),
    });
    this.workspaceSaid();
  }

  protected initializeAnswered(frame: Frame): void {
    const response = decode(frame);
    this.memory.initializeResult(response.result);
    this.reporter.workDoneToken = undefined;
    saveCapabilities(this.o.config.home, response.result);
    this.o.logger.info(
      { event: "gopls.initialized", gopls: serverInfoOf(response) },
      "initialize answered",
    );
    this.editor.initializeAnswered();
    this.workspaceKnown();
    this.o.onInitialized?.();
    // After the start, not in it: ~1 ms of compiling, while the editor reads the answer.
    prepareMessageScan();
  }

  protected malformed(
    from: "editor" | "gopls",
    reason: string,
    evidence: string,
    id: string,
  ): void {
    if (this.state.name === "ending") return;
    this.o.logger.error({ event: id, from, reason, evidence }, "malformed input");
    this.report(notices.malformedInput(id, from, reason, evidence, this.o.logFile));
    this.router.pending.fail(this.editor, "the session ended on malformed input");
    void this.end(`malformed ${from} input`, 1);
  }

  /** Ends the session once: gopls is stopped (told, then SIGTERM, then SIGKILL) before resolving. */
  async end(reason: string, exitCode: number, tellExit = true): Promise<void> {
    if (this.state.name === "ending") return;
    this.to({ name: "ending", reason }, reason);
    this.ending.abort();
    this.parentWatch.stop();
    this.memoryWatch.stop();
    this.sessionFile.remove();
    this.editorInput?.stream.pause();
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

  /** What `gopls-guard status` shows of this session, beyond what the session knows itself. */
  describe(change: Partial<SessionInfo>): void {
    this.sessionFile.update(change);
  }

  /** Synchronous last resort when the process is going down regardless. */
  killNow(): void {
    this.supervisor.killNow();
  }

  /** Resolves gopls and starts it, or stands in for it (session.ts). */
  protected abstract launch(): Promise<void>;
  /** Accepted settings, put to use when the state allows (session.ts). */
  protected abstract applyAdoption(): void;
  /** A request the guard answers itself, as gopls is not there (session.ts). */
  protected abstract answerStandingIn(id: MessageId, method: string, frame?: Frame): void;
  /** gopls answered the replayed initialize (session.ts). */
  protected abstract reinitialized(frame: Frame | undefined): void;
  /** The current gopls exited without being asked to (session.ts). */
  protected abstract goplsExited(exit: Exit): void;
  /** The editor's initialize names the workspace; gopls has not seen it yet (session.ts). */
  protected abstract workspaceSaid(): void;
  /** gopls answered the editor's initialize: the workspace is known (session.ts). */
  protected abstract workspaceKnown(): void;
  /** gopls stopped writing halfway through a frame (session.ts). */
  protected abstract goplsStalled(stall: FrameStall): void;
  /** gopls's memory passed the soft limit (hard: false) or the hard one (session.ts). */
  protected abstract memoryHigh(rss: number, hard: boolean): void;
}
