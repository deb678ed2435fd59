// A Session in this process: the editor is a pair of in-memory streams, gopls is a fake that
// answers over the StartGopls seam, resolve is whatever the test says, and the log is kept in
// memory, so every transition and race can be driven step by step without spawning anything.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PassThrough } from "node:stream";
import { type Config, loadConfig } from "../../src/config.js";
import type { Finding, Result } from "../../src/findings.js";
import type { Located } from "../../src/gopls/launch.js";
import type { Logger } from "../../src/log.js";
import { encodeFrame, type Frame, FrameReader, frameBody } from "../../src/lsp/framing.js";
import type { Exit, GoplsProcessOptions } from "../../src/serve/gopls-process.js";
import type { RestartPolicy } from "../../src/serve/restart-policy.js";
import { type ResolveHooks, Session, type SessionEnd } from "../../src/serve/session.js";
import type { GoplsHandle } from "../../src/serve/supervisor.js";
import type { Json } from "./peer.js";
import { waitUntil } from "./procs.js";

export type { Json };

let nextPid = 90_000;

/** A gopls that answers initialize and echoes every request, unless told to hold or crash. */
export class FakeGopls implements GoplsHandle {
  readonly pid = nextPid++;
  readonly closed: Promise<Exit>;
  readonly received: Json[] = [];
  env: NodeJS.ProcessEnv;
  /** Requests are kept unanswered (to crash with them in flight). */
  hold = false;
  private done: ((exit: Exit) => void) | undefined;

  constructor(private readonly o: GoplsProcessOptions) {
    this.env = o.env;
    this.closed = new Promise((resolve) => {
      this.done = resolve;
    });
  }

  send(frame: Frame): boolean {
    const m = JSON.parse(frameBody(frame).toString("utf8")) as Json;
    this.received.push(m);
    queueMicrotask(() => this.handle(m));
    return true;
  }

  private handle(m: Json): void {
    if (!this.done) return;
    if (m.method === "exit") return this.exit(0, null);
    if (m.id === undefined || m.method === undefined) return;
    if (m.method === "initialize")
      return this.emit({
        id: m.id,
        result: { capabilities: { hoverProvider: true }, serverInfo: { name: "fake" } },
      });
    if (m.method === "shutdown") return this.emit({ id: m.id, result: null });
    if (!this.hold) this.emit({ id: m.id, result: { echo: m.method, pid: this.pid } });
  }

  emit(message: object): void {
    const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...message }), "utf8");
    this.o.onFrame({ chunks: [body], length: body.length });
  }

  methods(): string[] {
    return this.received.map((m) => m.method ?? "(response)");
  }

  crash(code = 2): void {
    this.exit(code, null);
  }

  private exit(code: number | null, signal: NodeJS.Signals | null): void {
    const done = this.done;
    this.done = undefined;
    done?.({ code, signal, stderrTail: code ? "panic: fake" : "" });
  }

  pauseOutput(): void {}
  resumeOutput(): void {}

  stop(): Promise<Exit> {
    this.exit(0, null);
    return this.closed;
  }

  killNow(): void {
    this.exit(null, "SIGKILL");
  }
}

export interface Harness {
  session: Session;
  goplses: FakeGopls[];
  received: Json[];
  events: Array<Record<string, unknown>>;
  resolves: ResolveHooks[];
  send(message: object): void;
  request(method: string, params?: unknown): number;
  waitFor(what: string, pred: (m: Json) => boolean, timeoutMs?: number): Promise<Json>;
  response(id: number): Promise<Json>;
  /** The session's state changes, as "from→to". */
  transitions(): string[];
  ended: Promise<SessionEnd>;
}

export interface HarnessOptions {
  resolve?: (hooks: ResolveHooks, call: number) => Promise<Result<Located>>;
  config?: Partial<Config>;
  restartPolicy?: RestartPolicy;
  sampleRss?: (pid: number) => Promise<number | undefined>;
}

export const located: Located = {
  path: "/fake/gopls",
  source: "managed",
  version: "v9.9.9",
  warm: true,
};

export function fail(finding: Partial<Finding> & { id: Finding["id"] }): Result<Located> {
  return {
    ok: false,
    finding: { severity: "error", message: "it failed.", evidence: {}, fix: "fix it.", ...finding },
  };
}

export function harness(t: { after(fn: () => void): void }, o: HarnessOptions = {}): Harness {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "gg-session-"));
  const { config } = loadConfig({
    env: { GOPLS_GUARD_HOME: home },
    platform: process.platform,
    homedir: home,
  });
  const events: Array<Record<string, unknown>> = [];
  const logger = {} as Logger;
  for (const level of ["trace", "debug", "info", "warn", "error", "fatal"] as const)
    logger[level] = (fields) => events.push({ level, ...fields });
  const editorIn = new PassThrough();
  const editorOut = new PassThrough();
  const received: Json[] = [];
  const reader = new FrameReader({
    maxBodyBytes: 1 << 30,
    onFrame: (frame) => received.push(JSON.parse(frameBody(frame).toString("utf8")) as Json),
    onError: (e) => {
      throw new Error(`the session wrote a bad frame: ${e.message}`);
    },
  });
  editorOut.on("data", (chunk: Buffer) => reader.push(chunk));
  const goplses: FakeGopls[] = [];
  const resolves: ResolveHooks[] = [];
  const session = new Session({
    config: { ...config, checksInSession: false, parentPollMs: 60_000, ...o.config },
    logger,
    logFile: path.join(home, "test.log"),
    editorIn,
    editorOut,
    resolve: (hooks) => {
      resolves.push(hooks);
      return o.resolve
        ? o.resolve(hooks, resolves.length)
        : Promise.resolve({ ok: true, value: located });
    },
    goplsArgs: [],
    goplsEnv: { PATH: "/usr/bin" },
    ...(o.restartPolicy ? { restartPolicy: o.restartPolicy } : {}),
    ...(o.sampleRss ? { sampleRss: o.sampleRss } : {}),
    startGopls: (options) => {
      const g = new FakeGopls(options);
      goplses.push(g);
      return g;
    },
    goplsExists: () => true,
  });
  session.start();
  t.after(() => {
    void session.end("test over", 0);
    fs.rmSync(home, { recursive: true, force: true });
  });
  let id = 1;
  const h: Harness = {
    session,
    goplses,
    received,
    events,
    resolves,
    ended: session.ended,
    send: (message) => editorIn.write(encodeFrame(JSON.stringify({ jsonrpc: "2.0", ...message }))),
    request: (method, params = {}) => {
      const n = id++;
      h.send({ id: n, method, params });
      return n;
    },
    async waitFor(what, pred, timeoutMs = 5000) {
      let found: Json | undefined;
      await waitUntil(
        what,
        () => {
          found = received.find(pred);
          return found !== undefined;
        },
        timeoutMs,
      );
      return found as Json;
    },
    response: (n) => h.waitFor(`response ${n}`, (m) => m.id === n && m.method === undefined),
    transitions: () =>
      events.filter((e) => e.event === "session.state").map((e) => `${e.from}→${e.to}`),
  };
  return h;
}

/** A promise and the function that settles it: a resolve the test finishes when it wants. */
export function later<T>(): { promise: Promise<T>; settle: (value: T) => void } {
  let settle!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    settle = resolve;
  });
  return { promise, settle };
}
