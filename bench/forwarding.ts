// (b) Pure forwarding: round-trip latency for 1 KB and 1 MB messages and one-way throughput,
// the same client against a trivial echo server (the stand-in gopls in its fast echo mode: the
// guard verifies what it runs) directly, through a bare relay, and through the guard.

import fs from "node:fs";
import path from "node:path";
import { BenchClient, cpuMs, nowMs, peakRssMb, percentile } from "./client.js";

interface Percentiles {
  p50: number;
  p99: number;
}

export interface ForwardingResult {
  size: string;
  direct: Percentiles;
  /** A bare byte-copying Node relay: the floor for any process in the middle. */
  relay: Percentiles;
  guard: Percentiles;
  added: Percentiles;
  /** CPU (all threads) per round trip of the process in the middle, µs. */
  cpuUs: { relay: number; guard: number };
}

function payload(bytes: number): string {
  const unit = 'func main() { println("héllo, 世界") }\n';
  return unit.repeat(Math.ceil(bytes / Buffer.byteLength(unit))).slice(0, bytes);
}

/** Round trips through each client in turn, one request each, so any hiccup of the machine
 * falls on all of them alike. */
async function roundTrips(
  clients: BenchClient[],
  body: (id: number) => Buffer,
  n: number,
  into: number[][],
): Promise<void> {
  for (let i = 0; i < n; i++) {
    for (const [k, client] of clients.entries()) {
      const id = client.allocId();
      const bytes = body(id);
      const t = nowMs();
      await client.requestRaw(id, bytes);
      into[k]?.push(nowMs() - t);
    }
  }
}

export async function forwarding(
  echo: string,
  guardCmd: string[],
  relayScript: string,
  env: NodeJS.ProcessEnv,
): Promise<{
  latency: ForwardingResult[];
  throughput: { direct: number; relay: number; guard: number };
  guardPeakRssMb: number;
}> {
  const direct = new BenchClient(echo, [], env);
  // The session's one-time checks (go env, the update and skew checks: go subprocesses) run
  // right away, and the measuring waits for them: left at their 10 s delay they fell inside the
  // 1 MB loop and gave its worst round trips (95-200 ms on two cores), which are not forwarding.
  const guarded = new BenchClient(guardCmd[0] as string, guardCmd.slice(1), {
    ...env,
    GOPLS_GUARD_GOPLS: echo,
    GOPLS_GUARD_CHECKS_DELAY_MS: "1",
  });
  const relay = new BenchClient(process.execPath, [relayScript, echo], env);
  await direct.request("initialize", {});
  await guarded.request("initialize", {});
  await relay.request("initialize", {});
  await logged(env.GOPLS_GUARD_HOME as string, guarded.pid, "checks.done");
  const latency: ForwardingResult[] = [];
  for (const [size, bytes, n] of [
    ["1 KB", 1024, 5000],
    // A p99 of 300 is the third-worst round trip; of 1,000, the tenth.
    ["1 MB", 1024 * 1024, 1000],
  ] as const) {
    const text = JSON.stringify(payload(bytes));
    const body = (id: number) =>
      Buffer.from(`{"jsonrpc":"2.0","id":${id},"method":"echo","params":{"text":${text}}}`, "utf8");
    const d: number[] = [];
    const g: number[] = [];
    const r: number[] = [];
    await roundTrips([direct, guarded, relay], body, n / 10, []); // warm-up
    const cpuBefore = [cpuMs(relay.pid), cpuMs(guarded.pid)];
    await roundTrips([direct, guarded, relay], body, n, [d, g, r]);
    const cpuUs = {
      relay: ((cpuMs(relay.pid) - (cpuBefore[0] as number)) * 1000) / n,
      guard: ((cpuMs(guarded.pid) - (cpuBefore[1] as number)) * 1000) / n,
    };
    const stat = (xs: number[]) => {
      xs.sort((a, b) => a - b);
      return { p50: percentile(xs, 50), p99: percentile(xs, 99) };
    };
    const ds = stat(d);
    const gs = stat(g);
    latency.push({
      size,
      direct: ds,
      relay: stat(r),
      guard: gs,
      added: { p50: gs.p50 - ds.p50, p99: gs.p99 - ds.p99 },
      cpuUs,
    });
  }
  const throughput = { direct: 0, relay: 0, guard: 0 };
  const mb = 256;
  const sink = Buffer.from(
    `{"jsonrpc":"2.0","method":"sink","params":{"text":${JSON.stringify(payload(1024 * 1024 - 60))}}}`,
    "utf8",
  );
  for (let round = 0; round < 3; round++) {
    for (const [name, client] of [
      ["direct", direct],
      ["relay", relay],
      ["guard", guarded],
    ] as const) {
      const t = nowMs();
      for (let i = 0; i < mb; i++) {
        if (!client.sendRaw(sink)) await new Promise((r) => client.child.stdin.once("drain", r));
      }
      const sunk = Number((await client.request("sunk", null)).result);
      const seconds = (nowMs() - t) / 1000;
      if (sunk !== sink.length * mb)
        throw new Error(`sink lost bytes: ${sunk} != ${sink.length * mb}`);
      throughput[name] = Math.max(throughput[name], sunk / (1024 * 1024) / seconds);
    }
  }
  const guardPeakRssMb = peakRssMb(guarded.pid);
  await direct.close();
  await guarded.close();
  relay.child.stdin.end();
  await relay.exited;
  return { latency, throughput, guardPeakRssMb };
}

/** Waits until the guard's session log (its home, its pid) has an event. */
async function logged(home: string, pid: number, event: string, timeoutMs = 60_000): Promise<void> {
  const dir = path.join(home, "logs");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const files = fs.existsSync(dir)
      ? fs.readdirSync(dir).filter((f) => f.includes(`-${pid}-session.log`))
      : [];
    if (
      files.some((f) => fs.readFileSync(path.join(dir, f), "utf8").includes(`"event":"${event}"`))
    )
      return;
    if (Date.now() > deadline) throw new Error(`the guard (pid ${pid}) never logged ${event}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
