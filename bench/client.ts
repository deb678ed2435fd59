// A minimal, low-overhead LSP client for the benchmarks: raw frames over a child's stdio,
// one promise per request.

import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import fs from "node:fs";
import { FrameReader, frameBody, writeFrame } from "../src/lsp/framing.js";

export class BenchClient {
  readonly child: ChildProcessWithoutNullStreams;
  private nextId = 1;
  private readonly waiting = new Map<number, (m: { result?: unknown; error?: unknown }) => void>();
  readonly exited: Promise<number | null>;
  onNotification: (m: { method: string; params: unknown }) => void = () => {};

  constructor(command: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string) {
    this.child = spawn(command, args, { env, cwd, stdio: ["pipe", "pipe", "pipe"] });
    this.child.stderr.resume();
    const reader = new FrameReader({
      maxBodyBytes: 1 << 30,
      onFrame: (frame) => {
        const m = JSON.parse(frameBody(frame).toString("utf8")) as {
          id?: number;
          method?: string;
          params?: unknown;
          result?: unknown;
          error?: unknown;
        };
        if (m.method !== undefined && m.id !== undefined) {
          // Server-to-client requests (configuration, registrations, progress): answer null/empty.
          const result =
            m.method === "workspace/configuration"
              ? (m.params as { items: unknown[] }).items.map(() => ({}))
              : null;
          this.sendRaw(JSON.stringify({ jsonrpc: "2.0", id: m.id, result }));
        } else if (m.method !== undefined) {
          this.onNotification(m as { method: string; params: unknown });
        } else if (typeof m.id === "number") {
          this.waiting.get(m.id)?.(m);
          this.waiting.delete(m.id);
        }
      },
      onError: (e) => {
        throw new Error(`bench client: ${e.message}`);
      },
    });
    this.child.stdout.on("data", (c: Buffer) => reader.push(c));
    this.exited = new Promise((resolve) => this.child.on("exit", (code) => resolve(code)));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  sendRaw(body: string | Buffer): boolean {
    return writeFrame(
      this.child.stdin,
      typeof body === "string" ? Buffer.from(body, "utf8") : body,
    );
  }

  request(method: string, params: unknown): Promise<{ result?: unknown; error?: unknown }> {
    const id = this.nextId++;
    return this.requestRaw(
      id,
      `{"jsonrpc":"2.0","id":${id},"method":"${method}","params":${JSON.stringify(params)}}`,
    );
  }

  requestRaw(id: number, body: string | Buffer): Promise<{ result?: unknown; error?: unknown }> {
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.sendRaw(body);
    });
  }

  allocId(): number {
    return this.nextId++;
  }

  notify(method: string, params: unknown): boolean {
    return this.sendRaw(JSON.stringify({ jsonrpc: "2.0", method, params }));
  }

  async close(): Promise<number | null> {
    await this.request("shutdown", null);
    this.notify("exit", null);
    return this.exited;
  }
}

/** Peak resident set of a live process, in MB (VmHWM). */
export function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export function median(xs: number[]): number {
  return percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
}

export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** CPU time a live process has used, all its threads, in ms: the scheduler's own nanosecond
 * account (/proc/PID/task/TID/schedstat), not /proc/PID/stat's 10 ms ticks. */
export function cpuMs(pid: number, mainThreadOnly = false): number {
  let ns = 0;
  for (const tid of mainThreadOnly ? [String(pid)] : fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ns / 1e6;
}
