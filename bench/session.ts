// (a) A real session on a real module (golang.org/x/sync from the module cache): the same
// 2,000-request mix of hover, definition, completion and documentSymbol, directly and through
// the guard, alternating runs, medians.

import fs from "node:fs";
import path from "node:path";
import { BenchClient, cpuMs, median, nowMs, peakRssMb } from "./client.js";

interface Symbol {
  selectionRange: { start: { line: number; character: number } };
  children?: Symbol[];
}

type Req = [method: string, params: unknown];

function goFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".go"))
    .sort()
    .map((f) => path.join(dir, f));
}

async function open(
  dir: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<BenchClient> {
  const client = new BenchClient(command, args, env, dir);
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

/** Sends the requests with `window` of them in flight at once (1: each waits for the last). */
async function timed(client: BenchClient, reqs: Req[], window = 1): Promise<number> {
  const t = nowMs();
  let next = 0;
  const lane = async () => {
    while (next < reqs.length) {
      const [method, params] = reqs[next++] as Req;
      const reply = await client.request(method, params);
      if (reply.error) throw new Error(`${method} failed: ${JSON.stringify(reply.error)}`);
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
  return nowMs() - t;
}

export async function session(
  dir: string,
  gopls: string,
  guardCmd: string[],
  env: NodeJS.ProcessEnv,
  window = 1,
  rounds = 5,
  total = 2000,
): Promise<{
  window: number;
  requests: number;
  direct: number;
  guard: number;
  ratio: number;
  guardPeakRssMb: number;
  guardCpuMs: number;
}> {
  const probe = await open(dir, gopls, [], env);
  const reqs = await plan(probe, dir, total);
  await timed(probe, reqs.slice(0, 200)); // warm gopls's caches on disk
  await probe.close();
  const direct: number[] = [];
  const guard: number[] = [];
  let rss = 0;
  const guardCpu: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const via of ["direct", "guard"] as const) {
      const client =
        via === "direct"
          ? await open(dir, gopls, [], env)
          : await open(dir, guardCmd[0] as string, guardCmd.slice(1), {
              ...env,
              GOPLS_GUARD_GOPLS: gopls,
            });
      await timed(client, reqs.slice(0, 100)); // this process's warm-up
      const cpuBefore = via === "guard" ? cpuMs(client.pid) : 0;
      const ms = await timed(client, reqs, window);
      (via === "direct" ? direct : guard).push(ms);
      if (via === "guard") {
        rss = Math.max(rss, peakRssMb(client.pid));
        guardCpu.push(cpuMs(client.pid) - cpuBefore);
      }
      await client.close();
    }
  }
  const d = median(direct);
  const g = median(guard);
  return {
    window,
    requests: reqs.length,
    direct: d,
    guard: g,
    ratio: g / d,
    guardPeakRssMb: rss,
    guardCpuMs: median(guardCpu),
  };
}
