// (a) A real session on a real module: the same mix of hover, definition, completion and
// documentSymbol, in three arms in one run — gopls directly, through a bare byte-copying Node
// relay, and through the guard — alternating rounds, medians. The relay is the floor for any
// process in the middle; what the guard adds over it is the guard's own cost.

import fs from "node:fs";
import path from "node:path";
import { BenchClient, cpuMs, median, nowMs, peakRssMb, percentile } from "./client.js";

interface Symbol {
  selectionRange: { start: { line: number; character: number } };
  children?: Symbol[];
}

type Req = [method: string, params: unknown];

export type Arm = "direct" | "relay" | "guard";

/** Requests each process answers before the measured ones. */
const WARM_UP = 1500;
export const ARMS: Arm[] = ["direct", "relay", "guard"];

/** How to start each arm: a command line and its environment. */
export type ArmCommands = Record<Arm, { command: string; args: string[]; env: NodeJS.ProcessEnv }>;

export function armCommands(
  gopls: string,
  guardCmd: string[],
  relayScript: string,
  env: NodeJS.ProcessEnv,
): ArmCommands {
  return {
    direct: { command: gopls, args: [], env },
    relay: { command: process.execPath, args: [relayScript, gopls], env },
    guard: {
      command: guardCmd[0] as string,
      args: guardCmd.slice(1),
      env: { ...env, GOPLS_GUARD_GOPLS: gopls },
    },
  };
}

function goFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".go"))
    .sort()
    .map((f) => path.join(dir, f));
}

async function open(dir: string, arm: ArmCommands[Arm]): Promise<BenchClient> {
  const client = new BenchClient(arm.command, arm.args, arm.env, dir);
  await client.request("initialize", {
    processId: process.pid,
    rootUri: `file://${dir}`,
    workspaceFolders: [{ uri: `file://${dir}`, name: "bench" }],
    capabilities: {
      textDocument: {
        documentSymbol: { hierarchicalDocumentSymbolSupport: true },
        hover: { contentFormat: ["markdown"] },
      },
    },
  });
  client.notify("initialized", {});
  for (const file of goFiles(dir)) {
    client.notify("textDocument/didOpen", {
      textDocument: {
        uri: `file://${file}`,
        languageId: "go",
        version: 1,
        text: fs.readFileSync(file, "utf8"),
      },
    });
  }
  return client;
}

/** The request mix, derived from the module's own symbols so every request has an answer. */
async function plan(client: BenchClient, dir: string, total: number): Promise<Req[]> {
  const positions: Array<{ uri: string; line: number; character: number }> = [];
  for (const file of goFiles(dir)) {
    const uri = `file://${file}`;
    const symbols = ((
      await client.request("textDocument/documentSymbol", { textDocument: { uri } })
    ).result ?? []) as Symbol[];
    const walk = (s: Symbol) => {
      positions.push({ uri, ...s.selectionRange.start });
      s.children?.forEach(walk);
    };
    symbols.forEach(walk);
  }
  const reqs: Req[] = [];
  const methods = [
    "textDocument/hover",
    "textDocument/definition",
    "textDocument/completion",
    "textDocument/documentSymbol",
  ];
  for (let i = 0; reqs.length < total; i++) {
    const p = positions[i % positions.length];
    if (!p) throw new Error("no symbols found in the benchmark module");
    const method = methods[i % methods.length] as string;
    const params =
      method === "textDocument/documentSymbol"
        ? { textDocument: { uri: p.uri } }
        : { textDocument: { uri: p.uri }, position: { line: p.line, character: p.character } };
    reqs.push([method, params]);
  }
  return reqs;
}

/** Sends the requests with `window` of them in flight at once (1: each waits for the last).
 * Returns the wall time and, one at a time, each request's latency. */
async function timed(
  client: BenchClient,
  reqs: Req[],
  window = 1,
): Promise<{ ms: number; each: number[] }> {
  const t = nowMs();
  const each: number[] = [];
  let next = 0;
  const lane = async () => {
    while (next < reqs.length) {
      const [method, params] = reqs[next++] as Req;
      const t0 = nowMs();
      const reply = await client.request(method, params);
      each.push(nowMs() - t0);
      if (reply.error) throw new Error(`${method} failed: ${JSON.stringify(reply.error)}`);
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
  return { ms: nowMs() - t, each };
}

export interface ArmFigures {
  /** Median over rounds of the wall time per request, µs. */
  perRequestUs: number;
  /** Per-request latency percentiles over all rounds, µs (one at a time only). */
  p50Us: number;
  p99Us: number;
  /** CPU (user+sys, all threads) of the process in the middle per request, µs (median over
   * rounds); for direct, gopls's own. */
  cpuUs: number;
  /** The same, its main thread only (where the JavaScript runs). */
  mainCpuUs: number;
  peakRssMb: number;
}

export interface ColdResult {
  module: string;
  requests: number;
  rounds: number;
  /** Per arm, per method: the median latency (µs) of that method's requests, rounds pooled. */
  perMethodUs: Record<Arm, Record<string, number>>;
  /** Per arm: the median per-request wall time (µs) over rounds, the mix. */
  perRequestUs: Record<Arm, number>;
  /**
   * Per arm: CPU a request of the process the client talks to (for direct, gopls), µs, median
   * over rounds: all its threads, and its main thread (where the JavaScript runs). Steadier
   * than the wall figures on a noisy machine: another process's burst moves them less.
   */
  cpuUs: Record<Arm, number>;
  mainCpuUs: Record<Arm, number>;
  /** Per arm: the median latency (µs) of each block of BLOCK requests in order, rounds pooled. */
  perBlockUs: Record<Arm, number[]>;
  /**
   * Per method (and "all"): the guard over the relay, round by round (each round's medians, the
   * arms side by side), the median of those differences, µs: a drift of the machine's speed
   * between rounds (±100 µs a request within minutes here) cancels out.
   */
  pairedUs: Record<string, number>;
}

/** The request mix, from a direct gopls that also warms gopls's caches on disk for every arm. */
async function probedPlan(dir: string, arms: ArmCommands, total: number): Promise<Req[]> {
  const probe = await open(dir, arms.direct);
  const reqs = await plan(probe, dir, total);
  await timed(probe, reqs.slice(0, 200));
  await probe.close();
  return reqs;
}

/** Appends a value to the list under key, made if there is none. */
function add<K extends string | number>(lists: { [k in K]?: number[] }, key: K, value: number) {
  const list = lists[key] ?? [];
  list.push(value);
  lists[key] = list;
}

/** The requests of a cold run, in blocks: how the cost falls as V8 warms the path. */
const BLOCK = 60;

/**
 * In a cold round the three arms run side by side and take turns, this many requests each: the
 * machine's speed drifts by a tenth within a second here (the relay's own median moved from 450
 * to 700 µs between rounds a second apart), which arms run one after the other do not cancel;
 * turns of a few milliseconds do. Whole requests one at a time, each arm's in their order.
 */
const TURN = 20;

/** The pause before a cold round's first request (see coldSession). */
const SETTLE_MS = 1500;

/**
 * A round's arms started at once, so that none sits idle while the others start, each made
 * ready by `prepare`; then the pause (SETTLE_MS), and each process's CPU so far (all threads,
 * main thread). The guard loads its log at a session's first pause, a second in (~25 ms of
 * CPU once, not a cost of each request): started together, the arms wait for one another that
 * long, so the pause is given to every arm before the first request, never left to chance.
 */
async function startTogether(
  dir: string,
  arms: ArmCommands,
  order: Arm[],
  prepare: (client: BenchClient) => Promise<unknown>,
): Promise<{ clients: Record<Arm, BenchClient>; start: Record<Arm, [number, number]> }> {
  const opened = await Promise.all(
    order.map(async (arm) => {
      const client = await open(dir, arms[arm]);
      await prepare(client);
      return [arm, client] as const;
    }),
  );
  const clients = Object.fromEntries(opened) as Record<Arm, BenchClient>;
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const start = Object.fromEntries(
    order.map((arm) => [arm, [cpuMs(clients[arm].pid), cpuMs(clients[arm].pid, true)]]),
  ) as Record<Arm, [number, number]>;
  return { clients, start };
}

/**
 * From the first request: fresh processes each round, initialize, the files opened, one hover,
 * then `total` requests one at a time with no warm-up (the first minute of a session), the arms
 * taking turns (TURN).
 */
export async function coldSession(
  name: string,
  dir: string,
  arms: ArmCommands,
  rounds = 24,
  total = 300,
): Promise<ColdResult> {
  const reqs = await probedPlan(dir, arms, total);
  const hover = reqs.find(([m]) => m === "textDocument/hover") as Req;
  const byMethod: Record<Arm, Record<string, number[]>> = { direct: {}, relay: {}, guard: {} };
  const wall: Record<Arm, number[]> = { direct: [], relay: [], guard: [] };
  const cpu: Record<Arm, number[]> = { direct: [], relay: [], guard: [] };
  const mainCpu: Record<Arm, number[]> = { direct: [], relay: [], guard: [] };
  const blocks: Record<Arm, number[][]> = { direct: [], relay: [], guard: [] };
  /** Each round's median per method (and "all"), per arm. */
  const roundMedians: Array<Record<Arm, Record<string, number>>> = [];
  const method = (i: number) => (reqs[i] as Req)[0].replace("textDocument/", "");
  for (let r = 0; r < rounds; r++) {
    // Rotated each round: which arm takes the first turn.
    const order = ARMS.map((_, k) => ARMS[(k + r) % ARMS.length] as Arm);
    const { clients, start } = await startTogether(dir, arms, order, (c) => timed(c, [hover]));
    const each: Record<Arm, number[]> = { direct: [], relay: [], guard: [] };
    const ms: Record<Arm, number> = { direct: 0, relay: 0, guard: 0 };
    for (let from = 0, turn = 0; from < reqs.length; from += TURN, turn++) {
      for (let k = 0; k < order.length; k++) {
        const arm = order[(k + turn) % order.length] as Arm;
        const run = await timed(clients[arm], reqs.slice(from, from + TURN));
        each[arm].push(...run.each.map((t) => t * 1000));
        ms[arm] += run.ms;
      }
    }
    const thisRound = { direct: {}, relay: {}, guard: {} } as Record<Arm, Record<string, number>>;
    roundMedians.push(thisRound);
    for (const arm of order) {
      const pid = clients[arm].pid;
      cpu[arm].push(((cpuMs(pid) - start[arm][0]) * 1000) / reqs.length);
      mainCpu[arm].push(((cpuMs(pid, true) - start[arm][1]) * 1000) / reqs.length);
      wall[arm].push((ms[arm] * 1000) / reqs.length);
      const mine: Record<string, number[]> = { all: each[arm] };
      each[arm].forEach((us, i) => {
        const m = method(i);
        const b = Math.floor(i / BLOCK);
        add(mine, m, us);
        add(byMethod[arm], m, us);
        add(blocks[arm], b, us);
      });
      for (const [m, us] of Object.entries(mine)) thisRound[arm][m] = median(us);
    }
    for (const arm of order) await clients[arm].close();
  }
  const pairedUs = Object.fromEntries(
    Object.keys(roundMedians[0]?.guard ?? {}).map((m) => [
      m,
      median(roundMedians.map((x) => (x.guard[m] ?? 0) - (x.relay[m] ?? 0))),
    ]),
  );
  const perMethod = (arm: Arm) =>
    Object.fromEntries(Object.entries(byMethod[arm]).map(([m, us]) => [m, median(us)]));
  return {
    module: name,
    requests: reqs.length,
    rounds,
    perMethodUs: {
      direct: perMethod("direct"),
      relay: perMethod("relay"),
      guard: perMethod("guard"),
    },
    perRequestUs: {
      direct: median(wall.direct),
      relay: median(wall.relay),
      guard: median(wall.guard),
    },
    cpuUs: { direct: median(cpu.direct), relay: median(cpu.relay), guard: median(cpu.guard) },
    pairedUs,
    perBlockUs: {
      direct: blocks.direct.map(median),
      relay: blocks.relay.map(median),
      guard: blocks.guard.map(median),
    },
    mainCpuUs: {
      direct: median(mainCpu.direct),
      relay: median(mainCpu.relay),
      guard: median(mainCpu.guard),
    },
  };
}

export interface SessionResult {
  module: string;
  window: number;
  requests: number;
  rounds: number;
  arms: Record<Arm, ArmFigures>;
  /** The guard's wall time a request over the relay's, round by round (side by side), median. */
  pairedUs: number;
  /** The same for each round's median latency (one at a time only). */
  pairedP50Us: number;
}

/**
 * After a warm-up: each arm warmed by WARM_UP requests of its own, then the measured ones with
 * the arms side by side, taking turns (as coldSession), `window` requests in flight.
 */
export async function session(
  name: string,
  dir: string,
  arms: ArmCommands,
  window = 1,
  rounds = 5,
  total = 1000,
): Promise<SessionResult> {
  const reqs = await probedPlan(dir, arms, total);
  const wall: Record<Arm, number[]> = { direct: [], relay: [], guard: [] };
  const each: Record<Arm, number[]> = { direct: [], relay: [], guard: [] };
  const cpu: Record<Arm, number[]> = { direct: [], relay: [], guard: [] };
  const mainCpu: Record<Arm, number[]> = { direct: [], relay: [], guard: [] };
  const rss: Record<Arm, number> = { direct: 0, relay: 0, guard: 0 };
  const p50s: Array<{ relay: number; guard: number }> = [];
  const turn = TURN * window;
  for (let r = 0; r < rounds; r++) {
    const order = ARMS.map((_, k) => ARMS[(k + r) % ARMS.length] as Arm);
    // Each process's warm-up: until V8 has compiled the guard's hot paths (its background
    // compilation runs for the first ~2,000 requests; a long session pays it once).
    const { clients, start } = await startTogether(dir, arms, order, (c) =>
      timed(c, [...reqs, ...reqs].slice(0, WARM_UP)),
    );
    const ms: Record<Arm, number> = { direct: 0, relay: 0, guard: 0 };
    const mine: Record<Arm, number[]> = { direct: [], relay: [], guard: [] };
    for (let from = 0, t = 0; from < reqs.length; from += turn, t++) {
      for (let k = 0; k < order.length; k++) {
        const arm = order[(k + t) % order.length] as Arm;
        const run = await timed(clients[arm], reqs.slice(from, from + turn), window);
        ms[arm] += run.ms;
        mine[arm].push(...run.each);
      }
    }
    p50s.push({ relay: median(mine.relay), guard: median(mine.guard) });
    for (const arm of order) {
      const pid = clients[arm].pid;
      cpu[arm].push(((cpuMs(pid) - start[arm][0]) * 1000) / reqs.length);
      mainCpu[arm].push(((cpuMs(pid, true) - start[arm][1]) * 1000) / reqs.length);
      wall[arm].push((ms[arm] * 1000) / reqs.length);
      each[arm].push(...mine[arm]);
      rss[arm] = Math.max(rss[arm], peakRssMb(pid));
    }
    for (const arm of order) await clients[arm].close();
  }
  const figures = (arm: Arm): ArmFigures => {
    const sorted = [...each[arm]].sort((a, b) => a - b);
    return {
      perRequestUs: median(wall[arm]),
      p50Us: percentile(sorted, 50) * 1000,
      p99Us: percentile(sorted, 99) * 1000,
      cpuUs: median(cpu[arm]),
      mainCpuUs: median(mainCpu[arm]),
      peakRssMb: rss[arm],
    };
  };
  return {
    module: name,
    window,
    requests: reqs.length,
    rounds,
    arms: { direct: figures("direct"), relay: figures("relay"), guard: figures("guard") },
    pairedUs: median(wall.guard.map((g, i) => g - (wall.relay[i] ?? 0))),
    pairedP50Us: median(p50s.map((p) => (p.guard - p.relay) * 1000)),
  };
}
