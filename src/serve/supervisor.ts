// Supervising gopls: one process at a time, started through a seam (the real one spawns the
// binary; tests give a fake), its unexpected exit judged by the restart policy, and a new one
// brought to the session's state by replaying what the session remembers. The session decides
// what each step means; this holds the processes and does the mechanics.

import type { Logger } from "../log.js";
import type { EditorChannel } from "../lsp/editor-channel.js";
import { GUARD_ID_PREFIX } from "../lsp/editor-channel.js";
import type { Frame, FramingError } from "../lsp/framing.js";
import type { MessageId } from "../lsp/message.js";
import type { FrameStall } from "../lsp/stall.js";
import { saveCapabilities } from "./capabilities.js";
import { decode } from "./decode.js";
import { type Exit, GoplsProcess, type GoplsProcessOptions } from "./gopls-process.js";
import type { SessionMemory } from "./memory.js";
import { decideRestart, type RestartDecision, type RestartPolicy } from "./restart-policy.js";
import type { ServerRequests } from "./server-requests.js";

/** What the session needs of a running gopls. */
export interface GoplsHandle {
  readonly pid: number | undefined;
  /** Spawned before the guard had loaded, by a warm start (src/serve/early-gopls.ts). */
  readonly early?: boolean;
  /** When it was spawned (epoch ms). */
  readonly spawnedAt?: number;
  /** Its output read straight from the pipe (src/lsp/pipe-input.ts), for the log. */
  readonly direct?: boolean;
  /** Resolves once it has exited and its output is read. */
  readonly closed: Promise<Exit>;
  /** Returns the back-pressure signal. */
  send(frame: Frame): boolean;
  pauseOutput(): void;
  resumeOutput(): void;
  stop(graceMs: number, tellExit?: boolean): Promise<Exit>;
  killNow(): void;
}

/** The seam for starting gopls. */
export type StartGopls = (options: GoplsProcessOptions) => GoplsHandle;

export const spawnGopls: StartGopls = (options) => new GoplsProcess(options);

export interface SupervisorOptions {
  start: StartGopls;
  args: string[];
  maxMessageBytes: number;
  restartPolicy: RestartPolicy;
  home: string;
  memory: SessionMemory;
  serverRequests: ServerRequests;
  editor: EditorChannel;
  logger: Logger;
  /** A frame from the current gopls. */
  onFrame: (frame: Frame) => void;
  onFramingError: (error: FramingError) => void;
  onSpawnError: (path: string, error: NodeJS.ErrnoException) => void;
  /** gopls's stdin takes input again after back-pressure. */
  onDrain: () => void;
  /** The current gopls exited without being asked to. */
  onExit: (exit: Exit) => void;
  /** A gopls was started (the first, or a replacement). */
  onStarted?: (gopls: GoplsHandle, path: string) => void;
  /** The current gopls stopped writing halfway through a frame for frameStallMs. */
  onStall?: (stall: FrameStall) => void;
  frameStallMs?: number;
}

export class Supervisor {
  private gopls: GoplsHandle | undefined;
  /** A gopls being stopped to make way for another: owned until it is gone. */
  private retiring: GoplsHandle | undefined;
  private readonly crashes: number[] = [];
  /** Crashes before this time no longer count against a restart (the user asked for one). */
  private forgivenAt = 0;
  /** The replayed initialize a new gopls has not answered yet. */
  private reinitializeId: string | undefined;
  lastExit: Exit | undefined;
  /** The pid of the gopls that exited last. */
  lastPid: number | undefined;
  /** The session is ending: exits from now on are expected. */
  private stopping = false;

  constructor(private readonly o: SupervisorOptions) {}

  get current(): GoplsHandle | undefined {
    return this.gopls;
  }

  get restarts(): number {
    return this.crashes.length;
  }

  /** Starts gopls; it becomes the current one. */
  start(path: string, env: NodeJS.ProcessEnv): GoplsHandle {
    const gopls: GoplsHandle = this.o.start({
      path,
      args: this.o.args,
      env,
      maxMessageBytes: this.o.maxMessageBytes,
      onFrame: (frame) => {
        if (this.gopls === gopls) this.o.onFrame(frame);
      },
      onFramingError: (e) => this.o.onFramingError(e),
      onSpawnError: (e) => this.o.onSpawnError(path, e),
      onDrain: this.o.onDrain,
      ...(this.o.frameStallMs ? { frameStallMs: this.o.frameStallMs } : {}),
      onStall: (stall) => {
        if (this.gopls === gopls) this.o.onStall?.(stall);
      },
    });
    this.gopls = gopls;
    this.o.onStarted?.(gopls, path);
    void gopls.closed.then((exit) => {
      if (this.gopls !== gopls || this.stopping) return;
      this.lastExit = exit;
      this.lastPid = gopls.pid;
      this.reinitializeId = undefined;
      this.o.onExit(exit);
    });
    return gopls;
  }

  /** A crash, judged: restart (after a pause) or give up. */
  crashed(now = Date.now()): RestartDecision {
    const counted = this.crashes.filter((t) => t > this.forgivenAt);
    const decision = decideRestart(this.o.restartPolicy, counted, now);
    this.crashes.push(now);
    return decision;
  }

  /** Crashes within the policy's window, this one included (said with each restart). */
  recentCrashes(now = Date.now()): number {
    const { windowMs } = this.o.restartPolicy;
    return this.crashes.filter((t) => t > this.forgivenAt && now - t < windowMs).length;
  }

  /** The user restarts gopls after it crashed too often: it gets a fresh count. */
  forgiveCrashes(now = Date.now()): void {
    this.forgivenAt = now;
  }

  /**
   * A new gopls in place of none or a dead one, given everything the session remembers: what
   * the dead one registered is unregistered, then the replayed initialize goes first. Returns
   * false when there is nothing to wait for (no initialize to replay): the caller goes on at once.
   */
  replace(path: string, env: NodeJS.ProcessEnv): boolean {
    const stale = this.o.memory.takeRegistrations();
    if (stale.length)
      void this.o.editor.request("client/unregisterCapability", { unregisterations: stale });
    const gopls = this.start(path, env);
    this.reinitializeId = `${GUARD_ID_PREFIX}reinitialize-${this.o.serverRequests.current}`;
    const [initialize] = this.o.memory.replay(this.reinitializeId);
    this.o.logger.info(
      {
        event: "gopls.restart",
        goplsPid: gopls.pid,
        documents: this.o.memory.documentCount,
        unregistered: stale.length,
      },
      "restarting gopls",
    );
    if (!initialize) {
      this.reinitializeId = undefined;
      return false;
    }
    gopls.send({ chunks: [initialize], length: initialize.length });
    return true;
  }

  /** gopls's answer to the replayed initialize (it is not the editor's to see). */
  isReinitialize(id: MessageId | null): boolean {
    return id !== null && id === this.reinitializeId;
  }

  /** The new gopls answered the replayed initialize: it gets the rest of the session's state. */
  reinitialized(frame: Frame | undefined): void {
    this.reinitializeId = undefined;
    if (frame) {
      const result = decode(frame).result;
      this.o.memory.initializeResult(result);
      saveCapabilities(this.o.home, result);
    }
    const [, ...rest] = this.o.memory.replay("");
    for (const body of rest) this.gopls?.send({ chunks: [body], length: body.length });
  }

  /**
   * Another build in place of a gopls that has seen nothing yet (the editor's initialize is on
   * its way to the new one): the old one is stopped, its exit no crash.
   */
  swap(path: string, env: NodeJS.ProcessEnv): GoplsHandle {
    const old = this.gopls;
    this.gopls = undefined;
    this.retiring = old;
    void old?.stop(0, false).then(() => {
      if (this.retiring === old) this.retiring = undefined;
    });
    return this.start(path, env);
  }

  /** A planned stop: the current gopls goes, and its exit is no crash. */
  async retire(graceMs: number): Promise<void> {
    const old = this.gopls;
    this.gopls = undefined;
    this.reinitializeId = undefined;
    this.retiring = old;
    await old?.stop(graceMs, true);
    this.retiring = undefined;
  }

  /** The session ends: every gopls is stopped (told, then SIGTERM, then SIGKILL). */
  async stop(graceMs: number, tellExit: boolean): Promise<Exit | undefined> {
    this.stopping = true;
    const [exit] = await Promise.all([
      this.gopls?.stop(graceMs, tellExit),
      this.retiring?.stop(graceMs, true),
    ]);
    return exit;
  }

  /** Synchronous last resort when the process is going down regardless. */
  killNow(): void {
    this.gopls?.killNow();
    this.retiring?.killNow();
  }
}
