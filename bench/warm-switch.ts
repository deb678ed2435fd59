// A switch to a new gopls build on a real module (golang.org/x/tools): gopls's file cache is keyed
// by its executable, so a new build starts cold. Three arms on the same workspace, each a fresh
// editor session straight to gopls (the guard's own cost is measured elsewhere):
//   (a) a warm restart: the same build again, its cache filled by the session before;
//   (b) today's switch: a build this cache has never seen;
//   (c) the switch after warming: a new build, warmed first by the guard's own warmer
//       (src/gopls/cache-warmer.ts), as a session does before it offers the build.
// A "new build" is a copy of the real gopls with bytes appended: gopls hashes its executable for
// its cache key, exactly as it would for a rebuilt binary. The memory A/B runs the same session,
// cold, with GOMEMLIMIT at multiples of the steady state measured with no limit.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { warmCache } from "../src/gopls/cache-warmer.js";
import { rssSampler } from "../src/serve/process-memory.js";
import { BenchClient, cpuMs, median, nowMs, peakRssMb } from "./client.js";

const XTOOLS = "golang.org/x/tools@v0.47.1-0.20260707181000-a299dadba899";
/** The file the editor opens, and the function it hovers over. */
const FILE = "go/analysis/passes/printf/printf.go";
const HOVER_AT = "func run(";

/** x/tools, copied writable once into the bench's cache (outside the repo), deps downloaded. */
export function xtoolsModule(cacheDir: string): string {
  const dir = path.join(cacheDir, "xtools");
  if (fs.existsSync(path.join(dir, "go.mod"))) return dir;
  const info = JSON.parse(
    execFileSync("go", ["mod", "download", "-json", XTOOLS], {
      encoding: "utf8",
      cwd: os.tmpdir(),
    }),
  ) as { Dir: string };
  const stage = `${dir}.stage-${process.pid}`;
  fs.cpSync(info.Dir, stage, { recursive: true });
  execFileSync("chmod", ["-R", "u+w", stage]);
  execFileSync("go", ["mod", "download"], { cwd: stage });
  fs.renameSync(stage, dir);
  return dir;
}

function opened(dir: string) {
  const file = path.join(dir, FILE);
  return {
    uri: `file://${file}`,
    languageId: "go",
    version: 1,
    text: fs.readFileSync(file, "utf8"),
  };
}

/** A build gopls's cache has never seen: the same program, another executable hash. */
function newBuild(gopls: string, dir: string, tag: string): string {
  const out = path.join(dir, `gopls-${tag}`);
  fs.copyFileSync(gopls, out);
  fs.appendFileSync(out, `\ngopls-guard bench build ${tag} ${process.pid} ${Date.now()}\n`);
  fs.chmodSync(out, 0o755);
  return out;
}

export interface SessionFigures {
  /** From initialize sent to the hover's answer, ms. */
  firstAnswer: number;
  /** From initialize sent to the opened file's first diagnostics, ms. */
  firstDiagnostics: number;
  /** From initialize sent to the end of gopls's last diagnosis under way (the workspace's), ms. */
  workspaceDiagnosed: number;
  peakRssMb: number;
  /** After the load and a round of requests, settled. */
  steadyRssMb?: number;
  /** gopls's CPU over the steady workload (edits and requests), ms. */
  steadyCpuMs?: number;
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** One editor session on the module: initialize, open FILE, hover; the load diagnosed. */
async function editorSession(
  gopls: string,
  dir: string,
  env: NodeJS.ProcessEnv,
  steady = false,
): Promise<SessionFigures> {
  const file = path.join(dir, FILE);
  const uri = `file://${file}`;
  const text = fs.readFileSync(file, "utf8");
  const line = text.split("\n").findIndex((l) => l.includes(HOVER_AT));
  const client = new BenchClient(gopls, [], env, dir);
  const t0 = nowMs();
  let firstDiagnostics = 0;
  // gopls's diagnoses under way ("diagnosing initial workspace load", "diagnosing opened
  // files"...): the workspace is diagnosed once every one begun has ended.
  const diagnosing = new Set<unknown>();
  let begun = false;
  let workspaceDiagnosed = 0;
  let diagnosticsWaiter: (() => void) | undefined;
  client.onNotification = (m) => {
    const p = m.params as {
      uri?: string;
      token?: unknown;
      value?: { kind: string; title?: string };
    };
    if (m.method === "textDocument/publishDiagnostics" && p.uri === uri) {
      if (!firstDiagnostics) firstDiagnostics = nowMs() - t0;
      diagnosticsWaiter?.();
    }
    if (m.method !== "$/progress") return;
    if (p.value?.kind === "begin" && p.value.title?.startsWith("diagnosing")) {
      diagnosing.add(p.token);
      begun = true;
      workspaceDiagnosed = 0;
    } else if (p.value?.kind === "end" && diagnosing.delete(p.token) && diagnosing.size === 0)
      workspaceDiagnosed = nowMs() - t0;
  };
  await client.request("initialize", {
    processId: process.pid,
    rootUri: `file://${dir}`,
    workspaceFolders: [{ uri: `file://${dir}`, name: "x-tools" }],
    capabilities: {
      window: { workDoneProgress: true },
      textDocument: { hover: { contentFormat: ["markdown"] } },
    },
    initializationOptions: { verboseWorkDoneProgress: true },
  });
  client.notify("initialized", {});
  client.notify("textDocument/didOpen", {
    textDocument: { uri, languageId: "go", version: 1, text },
  });
  const hover = await client.request("textDocument/hover", {
    textDocument: { uri },
    position: { line, character: 6 },
  });
  const firstAnswer = nowMs() - t0;
  if (!hover.result) throw new Error(`warm-switch: no hover answer: ${JSON.stringify(hover)}`);
  const deadline = Date.now() + 300_000;
  while ((!firstDiagnostics || !begun || !workspaceDiagnosed) && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  const figures: SessionFigures = {
    firstAnswer,
    firstDiagnostics,
    workspaceDiagnosed,
    peakRssMb: peakRssMb(client.pid),
  };
  if (steady) {
    // The steady state: 20 edits (each waited for its diagnostics) and 100 requests.
    const cpu0 = cpuMs(client.pid);
    let version = 1;
    let edited = text;
    for (let i = 0; i < 20; i++) {
      edited += `\n// edit ${i}\n`;
      const diagnosed = new Promise<void>((r) => {
        diagnosticsWaiter = r;
      });
      client.notify("textDocument/didChange", {
        textDocument: { uri, version: ++version },
        contentChanges: [{ text: edited }],
      });
      await diagnosed;
      for (let j = 0; j < 5; j++) {
        await client.request(j % 2 ? "textDocument/definition" : "textDocument/hover", {
          textDocument: { uri },
          position: { line: line + j, character: 6 },
        });
      }
    }
    figures.steadyCpuMs = cpuMs(client.pid) - cpu0;
    await new Promise((r) => setTimeout(r, 3000));
    figures.steadyRssMb = rssMb(client.pid);
    figures.peakRssMb = peakRssMb(client.pid);
  }
  await client.close();
  return figures;
}

export interface WarmSwitchResult {
  rounds: number;
  warmRestart: SessionFigures;
  coldSwitch: SessionFigures;
  warmedSwitch: SessionFigures;
  /** The warming itself: wall time and its gopls's peak RSS (MB). */
  warming: { ms: number; peakRssMb: number };
}

const medianOf = (xs: SessionFigures[]): SessionFigures => ({
  firstAnswer: median(xs.map((x) => x.firstAnswer)),
  firstDiagnostics: median(xs.map((x) => x.firstDiagnostics)),
  workspaceDiagnosed: median(xs.map((x) => x.workspaceDiagnosed)),
  peakRssMb: median(xs.map((x) => x.peakRssMb)),
  ...(xs[0]?.steadyRssMb !== undefined
    ? {
        steadyRssMb: median(xs.map((x) => x.steadyRssMb as number)),
        steadyCpuMs: median(xs.map((x) => x.steadyCpuMs as number)),
      }
    : {}),
});

/** Each round: a fresh cache; (b) a new build, (a) it again, (c) another new build warmed first. */
export async function warmSwitch(
  gopls: string,
  scratch: string,
  cacheDir: string,
  rounds = 3,
): Promise<WarmSwitchResult> {
  const dir = xtoolsModule(cacheDir);
  const a: SessionFigures[] = [];
  const b: SessionFigures[] = [];
  const c: SessionFigures[] = [];
  const warming: Array<{ ms: number; peakRssMb: number }> = [];
  for (let round = 0; round < rounds; round++) {
    const work = fs.mkdtempSync(path.join(scratch, "warm-switch-"));
    const env = { ...process.env, GOPLSCACHE: path.join(work, "cache") };
    const first = newBuild(gopls, work, "b");
    b.push(await editorSession(first, dir, env));
    a.push(await editorSession(first, dir, env));
    const next = newBuild(gopls, work, "c");
    const warmed = await warmCache({
      gopls: next,
      env,
      folders: [{ uri: `file://${dir}`, name: "x-tools" }],
      // What the session has open when the newer build is found.
      documents: [opened(dir)],
      timeoutMs: 600_000,
      maxRss: 8 * 2 ** 30,
      sampleRss: rssSampler(),
      sampleEveryMs: 200,
    });
    if (!warmed.warmed)
      throw new Error(`warm-switch: the warming failed: ${JSON.stringify(warmed)}`);
    warming.push({ ms: warmed.ms, peakRssMb: warmed.peakRss / 2 ** 20 });
    c.push(await editorSession(next, dir, env));
    fs.rmSync(work, { recursive: true, force: true });
  }
  return {
    rounds,
    warmRestart: medianOf(a),
    coldSwitch: medianOf(b),
    warmedSwitch: medianOf(c),
    warming: {
      ms: median(warming.map((w) => w.ms)),
      peakRssMb: median(warming.map((w) => w.peakRssMb)),
    },
  };
}

export interface MemoryArm {
  limit: string;
  figures: SessionFigures;
}

/**
 * GOMEMLIMIT against none, each arm a cold session with the steady workload: the limit at 0.75×,
 * 1.5× and 2× the steady RSS measured with none, and at the memory watch's soft limit.
 */
export async function memoryLimits(
  gopls: string,
  scratch: string,
  cacheDir: string,
  softLimitBytes: number,
  rounds = 2,
): Promise<MemoryArm[]> {
  const dir = xtoolsModule(cacheDir);
  const session = async (limit: number | undefined) => {
    const work = fs.mkdtempSync(path.join(scratch, "memlimit-"));
    const env: NodeJS.ProcessEnv = { ...process.env, GOPLSCACHE: path.join(work, "cache") };
    if (limit) env.GOMEMLIMIT = `${Math.round(limit / 2 ** 20)}MiB`;
    else delete env.GOMEMLIMIT;
    try {
      return await editorSession(newBuild(gopls, work, "m"), dir, env, true);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  };
  const none = [await session(undefined)];
  const steady = (none[0]?.steadyRssMb as number) * 2 ** 20;
  const limits: Array<[string, number | undefined]> = [
    ["none", undefined],
    // Below what gopls holds at steady state: binding, to show what a limit costs when it bites.
    [`0.75× steady`, 0.75 * steady],
    [`1.5× steady`, 1.5 * steady],
    [`2× steady`, 2 * steady],
    ["soft limit", softLimitBytes],
  ];
  const runs = new Map<string, SessionFigures[]>(limits.map(([name]) => [name, []]));
  for (let round = 0; round < rounds; round++)
    for (const [name, bytes] of limits) runs.get(name)?.push(await session(bytes));
  runs.get("none")?.push(...none);
  return limits.map(([name, bytes]) => ({
    limit: bytes ? `${name} (${Math.round(bytes / 2 ** 20)} MiB)` : name,
    figures: medianOf(runs.get(name) ?? []),
  }));
}
