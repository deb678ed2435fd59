// Warming a gopls build's file cache before the session switches to it. gopls keeps its index
// (export data, analysis facts, cross-references) in a cache keyed by its own executable, so a
// new build starts cold. The new build is run once, at low priority, as the editor's gopls is
// (same folders, initializationOptions, settings and environment), until it has diagnosed the
// initial workspace load (gopls's verboseWorkDoneProgress says when) and written its cache
// (it goes idle), then shut down.
// Bounded: a time limit, a memory limit (read as the memory watch reads it), an abort.

import { type ChildProcessByStdio, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { type Frame, FrameReader, frameBody, writeFrame } from "../lsp/framing.js";
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

/** A poll is quiet when the process ran, or waited to run, at most this long (ns) in it. */
const QUIET_NS = 10_000_000;

/**
 * Time a live process's threads have run and have waited to run, in ns (Linux's
 * /proc/PID/task/TID/schedstat); undefined elsewhere or once it is gone. The waiting counts: a
 * nice 19 gopls on a busy machine runs little but is not done.
 */
function busyNs(pid: number): number | undefined {
  try {
    let ns = 0;
    for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
      const [run, wait] = fs.readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "utf8").split(" ");
      ns += Number(run) + Number(wait);
    }
    return ns;
  } catch {
    return undefined;
  }
}

/**
 * Resolves once the process has neither run nor waited to run for more than QUIET_NS in each of
 * two polls (its cache writes done), or after IDLE_MAX_MS; without /proc, after IDLE_FIXED_MS.
 */
async function untilIdle(pid: number, signal: AbortSignal | undefined): Promise<void> {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  let last = busyNs(pid);
  if (last === undefined) return void (await sleep(IDLE_FIXED_MS));
  const deadline = Date.now() + IDLE_MAX_MS;
  let quiet = 0;
  while (quiet < 2 && Date.now() < deadline && !signal?.aborted) {
    await sleep(IDLE_POLL_MS);
    const now = busyNs(pid);
    if (now === undefined) return;
    quiet = now - last <= QUIET_NS ? quiet + 1 : 0;
    last = now;
  }
}

/** `nice` where there is one: the whole process at the lowest priority, from its first thread. */
function niceCommand(): string | undefined {
  if (process.platform === "win32") return undefined;
  return ["/usr/bin/nice", "/bin/nice"].find((p) => fs.existsSync(p));
}

/** Where the warming gopls runs: the workspace's first folder (never a shared temp dir). */
function workDir(folders: Folder[]): string {
  for (const f of folders) {
    try {
      const dir = fileURLToPath(f.uri);
      if (fs.statSync(dir).isDirectory()) return dir;
    } catch {
      // not a local folder
    }
  }
  return os.homedir();
}

/** Runs the build over the folders until its cache holds what the editor's first load needs. */
export function warmCache(o: WarmCacheOptions): Promise<WarmOutcome> {
  const started = Date.now();
  let peakRss = 0;
  if (o.signal?.aborted)
    return Promise.resolve({ warmed: false, ms: 0, peakRss: 0, why: "aborted" });
  const nice = niceCommand();
  let child: ChildProcessByStdio<Writable, Readable, null>;
  try {
    // Started under nice: every thread gopls makes, and every go it runs, inherits the priority
    // (os.setPriority after the spawn reaches only the threads made after it, on Linux).
    child = spawn(nice ?? o.gopls, nice ? ["-n", "19", o.gopls] : [], {
      env: o.env,
      cwd: workDir(o.folders),
      stdio: ["pipe", "pipe", "ignore"],
      windowsHide: true,
    });
  } catch (error) {
    return Promise.resolve({
      warmed: false,
      ms: 0,
      peakRss: 0,
      why: "spawn",
      detail: String(error),
    });
  }
  return new Promise<WarmOutcome>((resolve) => {
    let done = false;
    let ids = INITIALIZE_ID + 1;
    const diagnosing = new Set<string | number>();
    let settling = false;
    let sampling = false;
    const timers: NodeJS.Timeout[] = [];
    // Settled once gopls has exited: the lock is not given up while it still runs.
    const finish = (outcome: WarmOutcome): void => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      o.signal?.removeEventListener("abort", aborted);
      if (gone()) {
        process.off("exit", killNow);
        return resolve(outcome);
      }
      child.once("exit", () => resolve(outcome));
      stop();
    };
    // Exited, or never started (a spawn error: no exit comes then).
    const gone = () =>
      child.pid === undefined || child.exitCode !== null || child.signalCode !== null;
    // The guard going away (an exit, a fatal error) takes the warming gopls with it.
    const killNow = () => {
      if (!gone()) child.kill("SIGKILL");
    };
    process.once("exit", killNow);
    child.once("exit", () => process.off("exit", killNow));
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
      if (gone()) return;
      send({ jsonrpc: "2.0", id: ids++, method: "shutdown", params: null });
      send({ jsonrpc: "2.0", method: "exit", params: null });
      child.stdin.end();
      const kill = setTimeout(killNow, SHUTDOWN_GRACE_MS);
      child.once("exit", () => clearTimeout(kill));
    };
    const send = (message: object): void => {
      if (child.stdin.writable) writeFrame(child.stdin, Buffer.from(JSON.stringify(message)));
    };
    child.on("error", (e) => {
      if (child.pid === undefined) fail("spawn", e.message);
    });
    child.on("exit", (code, signal) => {
      if (!done) fail("exited", signal ? `killed by ${signal}` : `exit status ${code}`);
    });
    child.stdin.on("error", () => {});
    const aborted = () => fail("aborted");
    o.signal?.addEventListener("abort", aborted);
    if (!nice && child.pid !== undefined) {
      try {
        // The session's own gopls comes first: the warming takes what CPU is left (on Windows,
        // the whole process's priority class).
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
        try {
          handle(frame);
        } catch (error) {
          // A background task: its gopls's bad output ends the warming, never the session.
          fail("exited", `malformed output: ${String(error)}`);
        }
      },
    });
    const handle = (frame: Frame): void => {
      const m = JSON.parse(frameBody(frame).toString("utf8")) as {
        id?: string | number;
        method?: string;
        params?: { token?: string | number; value?: { kind?: string; title?: string } };
        result?: unknown;
      };
      if (m.method === "workspace/configuration" && m.id !== undefined) {
        const id = m.id;
        const items = (m.params as { items?: Array<{ section?: string }> } | null)?.items ?? [];
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
    };
    child.stdout.on("data", (chunk: Buffer) => reader.push(chunk));

    timers.push(setTimeout(() => fail("timeout"), o.timeoutMs));
    const pid = child.pid;
    if (pid !== undefined)
      timers.push(
        setInterval(() => {
          // One reading at a time (off Linux each is a ps or tasklist run).
          if (sampling) return;
          sampling = true;
          void o
            .sampleRss(pid)
            .catch(() => undefined)
            .then((rss) => {
              sampling = false;
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
