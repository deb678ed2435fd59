// (k) Shared mode on a real module (golang.org/x/tools): 8 headless clients, each opening two
// files (one of them the same for all) and asking hovers, definitions and references.
//   alone:    one client through the guard, unshared, asking every client's requests in turn;
//   unshared: 8 clients through the guard, each with its own gopls;
//   shared:   8 clients with GOPLS_GUARD_SHARE=1, one gopls between them.
// Memory: the summed peak RSS of every gopls process (and, apart, of the guards). Latency: each
// request one at a time (the clients take turns), so what is compared is the path, not 8 clients
// contending for two cores; a pass with all 8 at once is reported beside it. Answers: every
// shared and unshared answer against a gopls of its own (no guard), request by request.

import fs from "node:fs";
import path from "node:path";
import { BenchClient, median, nowMs, percentile } from "./client.js";
import { xtoolsModule } from "./warm-switch.js";

const COMMON = "go/analysis/passes/printf/printf.go";
const OWN = [
  "go/ssa/builder.go",
  "go/packages/packages.go",
  "internal/imports/fix.go",
  "go/ast/astutil/imports.go",
  "go/types/typeutil/map.go",
  "refactor/eg/eg.go",
  "cmd/stringer/stringer.go",
  "go/callgraph/vta/vta.go",
];
const FUNCS_PER_FILE = 4;
const PASSES = 3;
const ROUNDS = 3;
const METHODS = ["textDocument/hover", "textDocument/definition", "textDocument/references"];

interface Req {
  key: string;
  method: string;
  params: unknown;
}

export interface SharedResult {
  clients: number;
  requestsPerClient: number;
  /** Summed over the processes, MB: peak (VmHWM) and at the end (VmRSS). */
  rss: Record<
    "alone" | "unshared" | "shared",
    { goplsPeakMb: number; goplsMb: number; guardsMb: number; gopls: number }
  >;
  /** µs a request, one at a time. */
  latency: {
    aloneP50Us: number;
    sharedP50Us: number;
    aloneP99Us: number;
    sharedP99Us: number;
    perClientAddedP50Us: number[];
  };
  /** All 8 clients' requests at once, µs a request (p50): one client alone, shared, unshared. */
  concurrent: { aloneP50Us: number; sharedP50Us: number; unsharedP50Us: number };
  rounds: number;
  /** Each round's shared gopls peak over the same round's one session. */
  peakRatios: number[];
  answers: { compared: number; differing: number; examples: string[] };
}

function requestsFor(dir: string, file: string): Req[] {
  const uri = `file://${path.join(dir, file)}`;
  const lines = fs.readFileSync(path.join(dir, file), "utf8").split("\n");
  const out: Req[] = [];
  let funcs = 0;
  for (let line = 0; line < lines.length && funcs < FUNCS_PER_FILE; line++) {
    const m = /^func (?:\([^)]*\) )?([A-Za-z_]\w*)/.exec(lines[line] as string);
    if (!m) continue;
    funcs++;
    const character = (m[0] as string).length - (m[1] as string).length + 1;
    for (const method of METHODS) {
      const params = {
        textDocument: { uri },
        position: { line, character },
        ...(method === "textDocument/references" ? { context: { includeDeclaration: true } } : {}),
      };
      out.push({ key: `${file}:${line}:${method}`, method, params });
    }
  }
  return out;
}

function didOpen(dir: string, file: string) {
  return {
    textDocument: {
      uri: `file://${path.join(dir, file)}`,
      languageId: "go",
      version: 1,
      text: fs.readFileSync(path.join(dir, file), "utf8"),
    },
  };
}

/** A client that has initialized and opened its files, and seen gopls's first answer. */
async function session(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  dir: string,
  files: string[],
) {
  const client = new BenchClient(command, args, env, dir);
  await client.request("initialize", {
    processId: process.pid,
    rootUri: `file://${dir}`,
    workspaceFolders: [{ uri: `file://${dir}`, name: "x-tools" }],
    capabilities: {
      workspace: { configuration: true },
      textDocument: { hover: { contentFormat: ["markdown"] } },
    },
  });
  client.notify("initialized", {});
  for (const f of files) client.notify("textDocument/didOpen", didOpen(dir, f));
  const first = requestsFor(dir, files[0] as string)[0] as Req;
  await client.request(first.method, first.params);
  return client;
}

/** Every process whose executable is this file: the gopls processes of a run. */
function pidsOf(exe: string): number[] {
  const real = fs.realpathSync(exe);
  return fs.readdirSync("/proc").flatMap((p) => {
    if (!/^\d+$/.test(p)) return [];
    try {
      return fs.readlinkSync(`/proc/${p}/exe`) === real ? [Number(p)] : [];
    } catch {
      return [];
    }
  });
}

function guardPids(guard: string): number[] {
  return fs.readdirSync("/proc").flatMap((p) => {
    if (!/^\d+$/.test(p)) return [];
    try {
      return fs.readFileSync(`/proc/${p}/cmdline`, "utf8").includes(guard) ? [Number(p)] : [];
    } catch {
      return [];
    }
  });
}

function statusKb(pid: number, field: string): number {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(s)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function memory(gopls: string, guard: string) {
  const g = pidsOf(gopls);
  const sum = (pids: number[], field: string) =>
    pids.reduce((n, p) => n + statusKb(p, field), 0) / 1024;
  return {
    goplsPeakMb: sum(g, "VmHWM"),
    goplsMb: sum(g, "VmRSS"),
    guardsMb: sum(guardPids(guard), "VmRSS"),
    gopls: g.length,
  };
}

async function timed(client: BenchClient, r: Req): Promise<{ us: number; answer: string }> {
  const t0 = nowMs();
  const reply = await client.request(r.method, r.params);
  return { us: (nowMs() - t0) * 1000, answer: JSON.stringify(reply.result ?? reply.error) };
}

async function closeAll(clients: BenchClient[]): Promise<void> {
  await Promise.all(clients.map((c) => c.close()));
}

export async function sharedClients(
  gopls: string,
  guardCmd: string[],
  env: NodeJS.ProcessEnv,
  scratch: string,
  cacheDir: string,
  clients = 8,
): Promise<SharedResult> {
  const dir = xtoolsModule(cacheDir);
  const files = Array.from({ length: clients }, (_, i) => [COMMON, OWN[i % OWN.length] as string]);
  const reqs = files.map((fs2) => fs2.flatMap((f) => requestsFor(dir, f)));
  const guard = guardCmd[0] as string;
  const guardEnv = {
    ...env,
    GOPLS_GUARD_GOPLS: gopls,
    GOPLS_GUARD_HOME: path.join(scratch, "shared-home"),
  };
  const sharedEnv = {
    ...guardEnv,
    GOPLS_GUARD_SHARE: "1",
    GOPLS_GUARD_SHARE_DIR: path.join(scratch, "share"),
    GOPLS_GUARD_SHARE_IDLE_MS: "1000",
  };
  const settle = () => new Promise((r) => setTimeout(r, 3000));

  // The reference: a gopls of its own, every request.
  const reference = new Map<string, string>();
  {
    const direct = await session(gopls, [], env, dir, [...new Set(files.flat())]);
    for (const r of reqs.flat()) reference.set(r.key, (await timed(direct, r)).answer);
    await direct.close();
  }
  const differing: string[] = [];
  let compared = 0;
  const check = (r: Req, answer: string) => {
    compared++;
    if (reference.get(r.key) !== answer) differing.push(r.key);
  };

  type Mem = ReturnType<typeof memory>;
  const mems: Record<"alone" | "unshared" | "shared", Mem[]> = {
    alone: [],
    unshared: [],
    shared: [],
  };
  const aloneUs = new Map<string, number[]>();
  const sharedUs = new Map<string, number[]>();
  const record = (into: Map<string, number[]>, key: string, us: number) =>
    into.set(key, [...(into.get(key) ?? []), us]);
  const at = { alone: [] as number[], unshared: [] as number[], shared: [] as number[] };
  /** Every client's list at once, each in order: over one connection, or over each client's. */
  const allAtOnce = (clientFor: (i: number) => BenchClient, into: number[], verify: boolean) =>
    Promise.all(
      reqs.map(async (list, i) => {
        for (const r of list) {
          const t = await timed(clientFor(i), r);
          into.push(t.us);
          if (verify) check(r, t.answer);
        }
      }),
    );
  // Rounds, the arms alternating: a gopls's peak depends on when its collector ran, so one
  // round's figures move by a quarter; the medians of three do not.
  for (let round = 0; round < ROUNDS; round++) {
    // Alone: one unshared client asks every client's requests, one at a time, then all at once.
    const alone = await session(guard, guardCmd.slice(1), guardEnv, dir, [
      ...new Set(files.flat()),
    ]);
    for (let pass = 0; pass < PASSES; pass++)
      for (let i = 0; i < clients; i++)
        for (const r of reqs[i] as Req[]) {
          const t = await timed(alone, r);
          if (pass > 0) record(aloneUs, `${i} ${r.key}`, t.us);
        }
    await allAtOnce(() => alone, at.alone, false);
    await settle();
    mems.alone.push(memory(gopls, guard));
    await alone.close();

    // Unshared: 8 clients, 8 gopls, all at once.
    const unshared = await Promise.all(
      files.map((f) => session(guard, guardCmd.slice(1), guardEnv, dir, f)),
    );
    await allAtOnce((i) => unshared[i] as BenchClient, at.unshared, true);
    await settle();
    mems.unshared.push(memory(gopls, guard));
    await closeAll(unshared);

    // Shared: 8 clients started at once, one gopls; the clients take turns, then all at once.
    const shared = await Promise.all(
      files.map((f) => session(guard, guardCmd.slice(1), sharedEnv, dir, f)),
    );
    for (let pass = 0; pass < PASSES; pass++)
      for (let k = 0; k < Math.max(...reqs.map((r) => r.length)); k++)
        for (let i = 0; i < clients; i++) {
          const r = reqs[i]?.[k];
          if (!r) continue;
          const t = await timed(shared[i] as BenchClient, r);
          if (pass > 0) record(sharedUs, `${i} ${r.key}`, t.us);
          check(r, t.answer);
        }
    await allAtOnce((i) => shared[i] as BenchClient, at.shared, true);
    await settle();
    mems.shared.push(memory(gopls, guard));
    await closeAll(shared);
    // The instance's idle exit (1 s here) before the next round's arms count processes.
    await settle();
  }
  const medianMem = (xs: Mem[]): Mem => ({
    goplsPeakMb: median(xs.map((x) => x.goplsPeakMb)),
    goplsMb: median(xs.map((x) => x.goplsMb)),
    guardsMb: median(xs.map((x) => x.guardsMb)),
    gopls: median(xs.map((x) => x.gopls)),
  });
  const ratios = mems.shared.map((m, i) => m.goplsPeakMb / (mems.alone[i] as Mem).goplsPeakMb);

  const all = (xs: Map<string, number[]>) => [...xs.values()].flat().sort((a, b) => a - b);
  // Request by request: the shared time over the same request's time alone, then the median.
  const added = (i: number) =>
    median(
      [...sharedUs].flatMap(([k, xs]) =>
        k.startsWith(`${i} `) ? [median(xs) - median(aloneUs.get(k) ?? [])] : [],
      ),
    );
  return {
    clients,
    requestsPerClient: (reqs[0] as Req[]).length,
    rounds: ROUNDS,
    rss: {
      alone: medianMem(mems.alone),
      unshared: medianMem(mems.unshared),
      shared: medianMem(mems.shared),
    },
    peakRatios: ratios,
    latency: {
      aloneP50Us: percentile(all(aloneUs), 50),
      sharedP50Us: percentile(all(sharedUs), 50),
      aloneP99Us: percentile(all(aloneUs), 99),
      sharedP99Us: percentile(all(sharedUs), 99),
      perClientAddedP50Us: files.map((_, i) => added(i)),
    },
    concurrent: {
      aloneP50Us: median(at.alone),
      sharedP50Us: median(at.shared),
      unsharedP50Us: median(at.unshared),
    },
    answers: { compared, differing: differing.length, examples: differing.slice(0, 5) },
  };
}
