// A raw LSP peer over a spawned guard's stdio: sends objects or raw bytes, collects every frame
// the guard writes, and waits for the ones a test expects. Built on the guard's own FrameReader
// only for reading; what it sends is encoded by hand.

import assert from "node:assert/strict";
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { FrameReader, frameBody } from "../../src/lsp/framing.js";
import { GUARD } from "./env.js";
import { childrenOf, waitGone, waitUntil } from "./procs.js";

export type Json = Record<string, unknown> & {
  id?: unknown;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
};

export class Peer {
  readonly child: ChildProcessWithoutNullStreams;
  readonly received: Json[] = [];
  readonly stdoutErrors: string[] = [];
  stderr = "";
  /** false: count messages instead of keeping them (soak tests). */
  keep = true;
  count = 0;
  onMessage: ((m: Json) => void) | undefined;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private nextId = 1;

  constructor(args: string[], env: NodeJS.ProcessEnv, cwd?: string, command = GUARD) {
    this.child = spawn(command, args, {
      env,
      cwd,
      stdio: ["pipe", "pipe", "pipe"],
    });
    const reader = new FrameReader({
      maxBodyBytes: 1 << 30,
      onFrame: (frame) => {
        try {
          const m = JSON.parse(frameBody(frame).toString("utf8")) as Json;
          this.count++;
          if (this.keep) this.received.push(m);
          this.onMessage?.(m);
        } catch (error) {
          this.stdoutErrors.push(`not JSON: ${String(error)}`);
        }
      },
      onError: (e) => this.stdoutErrors.push(`${e.kind}: ${e.message}`),
    });
    this.child.stdout.on("data", (c: Buffer) => reader.push(c));
    this.child.stderr.on("data", (c: Buffer) => {
      this.stderr += c.toString("utf8");
    });
    this.child.stdin.on("error", () => {});
    this.exited = new Promise((resolve) =>
      this.child.on("exit", (code, signal) => resolve({ code, signal })),
    );
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  sendRaw(bytes: Buffer | string): void {
    this.child.stdin.write(bytes);
  }

  send(message: object): void {
    const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", ...message }), "utf8");
    this.child.stdin.write(
      Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]),
    );
  }

  request(method: string, params: unknown = {}): number {
    const id = this.nextId++;
    this.send({ id, method, params });
    return id;
  }

  notify(method: string, params: unknown = {}): void {
    this.send({ method, params });
  }

  async waitFor(what: string, pred: (m: Json) => boolean, timeoutMs = 15_000): Promise<Json> {
    let found: Json | undefined;
    await waitUntil(
      what,
      () => {
        found = this.received.find(pred);
        return found !== undefined;
      },
      timeoutMs,
    );
    return found as Json;
  }

  async response(id: number, timeoutMs = 15_000): Promise<Json> {
    return this.waitFor(`response ${id}`, (m) => m.id === id && m.method === undefined, timeoutMs);
  }

  async call(method: string, params: unknown = {}, timeoutMs = 15_000): Promise<Json> {
    return this.response(this.request(method, params), timeoutMs);
  }

  /** timeoutMs: an initialize that waits for an install (a go build) needs longer on a loaded machine. */
  async initialize(params: Record<string, unknown> = {}, timeoutMs = 15_000): Promise<Json> {
    const reply = await this.call(
      "initialize",
      {
        processId: process.pid,
        rootUri: null,
        // Message requests with buttons, as VS Code, Neovim and Emacs show them.
        capabilities: { window: { showMessage: {} } },
        ...params,
      },
      timeoutMs,
    );
    this.notify("initialized", {});
    return reply;
  }

  /** The gopls the guard spawned (its only child), once it exists. */
  async goplsPid(): Promise<number> {
    let pid = 0;
    await waitUntil("the guard has spawned gopls", () => {
      pid = childrenOf(this.pid)[0] ?? 0;
      return pid > 0;
    });
    return pid;
  }

  /** The whole texts of the findings said (window/logMessage: evidence and fix included). */
  logMessages(): string[] {
    return this.received
      .filter((m) => m.method === "window/logMessage")
      .map((m) => (m.params as { message: string }).message);
  }

  /** What popped up: messages, and message requests (with buttons). */
  showMessages(): string[] {
    return this.received
      .filter((m) => m.method === "window/showMessage" || m.method === "window/showMessageRequest")
      .map((m) => (m.params as { message: string }).message);
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill("SIGKILL");
  }
}

/** Environment for a guard under test: a private home, and nothing inherited that changes it. */
export function guardEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GOPLS_GUARD_HOME: home,
    GOPLS_GUARD_KILL_GRACE_MS: "1000",
    GOPLS_GUARD_PARENT_POLL_MS: "200",
  };
  for (const k of Object.keys(env)) if (k.startsWith("GOPLS_GUARD_TEST_")) delete env[k];
  for (const k of [
    "GOPLS_GUARD_GOPLS",
    "GOPLS_GUARD_PARENT_PID",
    "GOPLS_GUARD_GO",
    "GOPLS_GUARD_GOPLS_VERSION",
    "GOPLS_GUARD_INSTALL_DIR",
  ])
    delete env[k];
  env.GOPLS_GUARD_CONFIG = `${home}/config.json`;
  // The in-session checks probe the network; the tests that are about them turn them on.
  env.GOPLS_GUARD_CHECKS = "off";
  // An install on a loaded machine can pass the 10 s after which initialize is answered early;
  // the tests that are about that answer set their own.
  env.GOPLS_GUARD_EARLY_ANSWER_MS = "600000";
  return { ...env, ...extra };
}

/**
 * A whole session as an editor ends it properly, against the stand-in: initialize (answered by
 * the stand-in), shutdown, exit; the guard exits 0 and its gopls is gone. Returns gopls's pid.
 */
export async function orderlySession(peer: Peer): Promise<number> {
  const init = await peer.initialize();
  assert.equal((init.result as { serverInfo: { name: string } }).serverInfo.name, "gopls-standin");
  const gopls = await peer.goplsPid();
  assert.equal((await peer.call("shutdown")).result, null);
  peer.notify("exit");
  assert.deepEqual(await peer.exited, { code: 0, signal: null });
  await waitGone(gopls);
  return gopls;
}
