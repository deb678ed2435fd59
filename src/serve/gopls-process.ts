// One running gopls, owned: frames in and out over its stdio, its stderr passed through (and
// its tail kept for crash reports), and a stop that always ends with the process gone.

import { type ChildProcessByStdio, spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { DEFAULTS } from "../defaults.js";
import { type Frame, FrameReader, FrameSink, type FramingError } from "../lsp/framing.js";
import { readChildOutput } from "../lsp/pipe-input.js";
import { type FrameStall, StallWatch } from "../lsp/stall.js";
import { takeEarly } from "./early-gopls.js";

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines gopls wrote to stderr (a panic trace, typically). */
  stderrTail: string;
}

export interface GoplsProcessOptions {
  path: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  maxMessageBytes: number;
  onFrame: (frame: Frame) => void;
  onFramingError: (error: FramingError) => void;
  onSpawnError: (error: NodeJS.ErrnoException) => void;
  /** gopls's stdin is writable again after back-pressure. */
  onDrain: () => void;
  /**
   * gopls's output has stopped halfway through a frame for frameStallMs (GOPLS_GUARD_FRAME_STALL_MS):
   * said once per stall, again only after more output. Never while the guard holds the output back.
   */
  onStall?: (stall: FrameStall) => void;
  frameStallMs?: number;
}

const STDERR_TAIL_BYTES = 8 * 1024;
const EXIT_NOTIFICATION = Buffer.from('{"jsonrpc":"2.0","method":"exit"}', "utf8");

export class GoplsProcess {
  readonly pid: number | undefined;
  /** Spawned by the start before the guard had loaded (src/serve/early-gopls.ts). */
  readonly early: boolean;
  /** When it was spawned (epoch ms). */
  readonly spawnedAt: number;
  /** Resolves once gopls has exited and its stdout and stderr are fully read. */
  readonly closed: Promise<Exit>;
  private readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  private stderrTail = Buffer.alloc(0);
  private exited = false;
  private readonly stallWatch: StallWatch | undefined;
  private readonly sink: FrameSink;
  /** gopls's output, read directly from its pipe where node allows (src/lsp/pipe-input.ts). */
  private readonly stdout: Readable;
  readonly direct: boolean;

  constructor(options: GoplsProcessOptions) {
    const early = takeEarly(options.path, options.args, options.env);
    this.early = early !== undefined;
    this.spawnedAt = early?.at ?? Date.now();
    this.child =
      early?.child ??
      spawn(options.path, options.args, {
        env: options.env,
        stdio: ["pipe", "pipe", "pipe"],
        windowsHide: true,
      });
    this.pid = this.child.pid;
    this.sink = new FrameSink(this.child.stdin);
    const reader = new FrameReader({
      maxBodyBytes: options.maxMessageBytes,
      onFrame: options.onFrame,
      onError: options.onFramingError,
    });
    const { onStall } = options;
    this.stallWatch =
      onStall && new StallWatch(reader, options.frameStallMs ?? DEFAULTS.frameStallMs, onStall);
    const watch = this.stallWatch;
    const output = readChildOutput(
      this.child,
      watch
        ? (chunk: Buffer) => {
            reader.push(chunk);
            watch.took(chunk.length);
          }
        : (chunk: Buffer) => reader.push(chunk),
    );
    this.stdout = output.stream;
    this.direct = output.direct;
    this.child.stderr.on("data", (chunk: Buffer) => {
      process.stderr.write(chunk);
      const tail = Buffer.concat([this.stderrTail, chunk]);
      this.stderrTail = tail.subarray(Math.max(0, tail.length - STDERR_TAIL_BYTES));
    });
    this.child.stdin.on("drain", options.onDrain);
    // EPIPE after gopls died is reported through `closed`, not as an exception.
    this.child.stdin.on("error", () => {});
    this.closed = new Promise((resolve) => {
      this.child.on("error", (error: NodeJS.ErrnoException) => {
        if (this.child.pid === undefined) {
          options.onSpawnError(error);
          resolve({ code: null, signal: null, stderrTail: "" });
        }
      });
      this.child.on("exit", () => {
        this.exited = true;
      });
      this.child.on("close", (code, signal) => {
        this.exited = true;
        this.stallWatch?.stop();
        resolve({ code, signal, stderrTail: this.stderrTail.toString("utf8") });
      });
    });
  }

  get running(): boolean {
    return !this.exited && this.child.pid !== undefined;
  }

  /** Returns the back-pressure signal. */
  send(frame: Frame): boolean {
    if (!this.child.stdin.writable) return true;
    return this.sink.write(frame);
  }

  pauseOutput(): void {
    this.stallWatch?.hold(true);
    this.stdout.pause();
  }

  resumeOutput(): void {
    this.stallWatch?.hold(false);
    this.stdout.resume();
  }

  /** Lets gopls read to the end of what it was sent (it exits on EOF). */
  endInput(): void {
    this.child.stdin.end();
  }

  /**
   * Tell gopls to exit (the exit notification and EOF), then SIGTERM, then SIGKILL, each after
   * graceMs. Resolves when it is gone.
   */
  async stop(graceMs: number, tellExit = true): Promise<Exit> {
    if (this.running && this.child.stdin.writable) {
      if (tellExit) this.sink.write(EXIT_NOTIFICATION);
      this.child.stdin.end();
    }
    for (const signal of ["SIGTERM", "SIGKILL"] as const) {
      if (!this.running) break;
      const gone = await Promise.race([
        this.closed.then(() => true),
        delay(graceMs).then(() => false),
      ]);
      if (!gone && this.running) this.child.kill(signal);
    }
    return this.closed;
  }

  /** Last resort on the way out of the process: synchronous and unconditional. */
  killNow(): void {
    if (this.running) this.child.kill("SIGKILL");
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
