// Warming a gopls build's file cache before the session switches to it. gopls keeps its index
// (export data, analysis facts, cross-references) in a cache keyed by its own executable, so a
// new build starts cold. The new build is run once, at low priority, as the editor's gopls is
// (same folders, initializationOptions, settings and environment), until it has diagnosed the
// initial workspace load (gopls's verboseWorkDoneProgress says when) and written its cache
// (it goes idle), then shut down.
// Bounded: a time limit, a memory limit (read as the memory watch reads it), an abort.

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { FrameReader, frameBody, writeFrame } from "../lsp/framing.js";
import type { SampleRss } from "../serve/process-memory.js";

export interface Folder {
  uri: string;
  name: string;
}

export interface WarmCacheOptions {
  gopls: string;
  env: NodeJS.ProcessEnv;
  folders: Folder[];
  /**
   * The documents the editor has open, with their text: gopls analyzes only the packages of open
   * files (and computes their dependencies' facts), so they are opened as the switch will open them.
   */
  documents?: Array<{ uri: string; languageId: string; version: number; text: string }>;
  /** The editor's initializationOptions, as its gopls got them. */
  initializationOptions?: unknown;
  /** Answers gopls's workspace/configuration as the editor would (its items, in order). */
  configuration?: (params: unknown) => Promise<unknown[]>;
  timeoutMs: number;
  /** Stopped once its resident memory passes this. */
  maxRss: number;
  sampleRss: SampleRss;
  sampleEveryMs?: number;
  signal?: AbortSignal;
}

export type WarmOutcome =
  | { warmed: true; ms: number; peakRss: number }
  | {
      warmed: false;
      ms: number;
      peakRss: number;
      why: "memory" | "timeout" | "exited" | "aborted" | "spawn";
      detail?: string;
    };

/**
 * gopls's diagnoses are reported as progress titled "diagnosing initial workspace load",
 * "diagnosing opened files"...; the workspace is diagnosed once every one begun has ended.
 */
const DIAGNOSIS = "diagnosing";
const SHUTDOWN_GRACE_MS = 2000;
const INITIALIZE_ID = 1;

/** gopls settings, with the progress that says when the workspace has been diagnosed. */
function verbose(settings: unknown): Record<string, unknown> {
  const base = settings && typeof settings === "object" ? (settings as object) : {};
  return { ...base, verboseWorkDoneProgress: true };
}

const IDLE_POLL_MS = 250;
const IDLE_MAX_MS = 15_000;
const IDLE_FIXED_MS = 3000;

/** CPU time of a live process in clock ticks (Linux), undefined elsewhere or once it is gone. */
function cpuTicks(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

/**
 * Resolves once the process has used at most a tick of CPU in each of two polls (its cache
 * writes done), or after IDLE_MAX_MS; without /proc, after IDLE_FIXED_MS.
 */
async function untilIdle(pid: number, signal: AbortSignal | undefined): Promise<void> {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  let last = cpuTicks(pid);
  if (last === undefined) return void (await sleep(IDLE_FIXED_MS));
  const deadline = Date.now() + IDLE_MAX_MS;
  let quiet = 0;
  while (quiet < 2 && Date.now() < deadline && !signal?.aborted) {
    await sleep(IDLE_POLL_MS);
    const now = cpuTicks(pid);
    if (now === undefined) return;
    quiet = now - last <= 1 ? quiet + 1 : 0;
    last = now;
  }
}

/** Runs the build over the folders until its cache holds what the editor's first load needs. */
export function warmCache(o: WarmCacheOptions): Promise<WarmOutcome> {
  const started = Date.now();
  let peakRss = 0;
  return new Promise<WarmOutcome>((resolve) => {
    const child = spawn(o.gopls, [], {
      env: o.env,
      cwd: os.tmpdir(),
      stdio: ["pipe", "pipe", "ignore"],
      windowsHide: true,
    });
    let done = false;
    let ids = INITIALIZE_ID + 1;
    const diagnosing = new Set<string | number>();
    let settling = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (outcome: WarmOutcome): void => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      o.signal?.removeEventListener("abort", aborted);
      stop();
      resolve(outcome);
    };
    const fail = (why: Exclude<WarmOutcome, { warmed: true }>["why"], detail?: string) =>
      finish({
        warmed: false,
        ms: Date.now() - started,
        peakRss,
        why,
        ...(detail ? { detail } : {}),
      });
    // Asked to shut down and exit, then killed if it has not: it never outlives the warming.
    const stop = (): void => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      send({ jsonrpc: "2.0", id: ids++, method: "shutdown", params: null });
      send({ jsonrpc: "2.0", method: "exit", params: null });
      child.stdin.end();
      setTimeout(() => child.kill("SIGKILL"), SHUTDOWN_GRACE_MS).unref();
    };
    const send = (message: object): void => {
      if (child.stdin.writable) writeFrame(child.stdin, Buffer.from(JSON.stringify(message)));
    };
    const aborted = () => fail("aborted");
    o.signal?.addEventListener("abort", aborted);
    if (o.signal?.aborted) return fail("aborted");

    child.on("error", (e) => fail("spawn", e.message));
    child.on("exit", (code, signal) => {
      if (!done) fail("exited", signal ? `killed by ${signal}` : `exit status ${code}`);
    });
    child.stdin.on("error", () => {});
    if (child.pid !== undefined) {
      try {
        // The session's own gopls comes first: the warming takes what CPU is left.
        os.setPriority(child.pid, 19);
      } catch {
        // Not allowed to lower it (rare): it runs at the normal priority.
      }
    }

    const reply = (id: unknown, result: unknown) => send({ jsonrpc: "2.0", id, result });
    // gopls writes its cache from goroutines of their own, after the diagnosis has ended: it is
    // shut down once it has gone idle (and begun no other diagnosis meanwhile), not before.
    const settle = (): void => {
      if (settling) return;
      settling = true;
      void untilIdle(child.pid ?? 0, o.signal)
        .then(() => o.sampleRss(child.pid ?? 0))
        .catch(() => undefined)
        .then((rss) => {
          settling = false;
          // One last reading: a small workspace is warmed before the first sample.
          peakRss = Math.max(peakRss, rss ?? 0);
          if (!diagnosing.size) finish({ warmed: true, ms: Date.now() - started, peakRss });
        });
    };
    const reader = new FrameReader({
      maxBodyBytes: 256 * 1024 * 1024,
      onError: (e) => fail("exited", `malformed output: ${e.message}`),
      onFrame: (frame) => {
        const m = JSON.parse(frameBody(frame).toString("utf8")) as {
          id?: string | number;
          method?: string;
          params?: { token?: string | number; value?: { kind?: string; title?: string } };
          result?: unknown;
        };
        if (m.method === "workspace/configuration" && m.id !== undefined) {
          const id = m.id;
          const items = (m.params as { items?: Array<{ section?: string }> }).items ?? [];
          const answer = o.configuration ? o.configuration(m.params) : Promise.resolve([]);
          void answer
            .catch(() => [])
            .then((got) =>
              reply(
                id,
                items.map((item, i) =>
                  item.section === "gopls" ? verbose(got[i]) : (got[i] ?? null),
                ),
              ),
            );
        } else if (m.method !== undefined && m.id !== undefined) {
          reply(m.id, null);
        } else if (m.method === "$/progress") {
          const { token, value } = m.params ?? {};
          if (token === undefined) return;
          if (value?.kind === "begin" && value.title?.startsWith(DIAGNOSIS)) diagnosing.add(token);
          else if (value?.kind === "end" && diagnosing.delete(token) && !diagnosing.size) settle();
        } else if (m.id === INITIALIZE_ID && m.method === undefined) {
          const { error } = m as { error?: { message?: string } };
          if (error) return fail("exited", `initialize failed: ${error.message}`);
          send({ jsonrpc: "2.0", method: "initialized", params: {} });
          for (const textDocument of o.documents ?? [])
            send({ jsonrpc: "2.0", method: "textDocument/didOpen", params: { textDocument } });
        }
      },
    });
    child.stdout.on("data", (chunk: Buffer) => reader.push(chunk));

    timers.push(setTimeout(() => fail("timeout"), o.timeoutMs));
    const pid = child.pid;
    if (pid !== undefined)
      timers.push(
        setInterval(() => {
          void o.sampleRss(pid).then((rss) => {
            if (rss === undefined) return;
            peakRss = Math.max(peakRss, rss);
            if (rss > o.maxRss) fail("memory", `${rss} bytes`);
          });
        }, o.sampleEveryMs ?? 1000),
      );
    const root = o.folders[0]?.uri ?? null;
    send({
      jsonrpc: "2.0",
      id: INITIALIZE_ID,
      method: "initialize",
      params: {
        processId: process.pid,
        clientInfo: { name: "gopls-guard (warming)" },
        rootUri: root,
        workspaceFolders: o.folders,
        capabilities: {
          window: { workDoneProgress: true },
          workspace: { configuration: true, workspaceFolders: true },
        },
        initializationOptions: verbose(o.initializationOptions),
      },
    });
  });
}
