// `npm run bench`: the proxy's cost, measured against direct gopls in the same run.
// Prints a Markdown report (the README's figures come from it) and writes bench-results.json.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DEFAULTS } from "../src/defaults.js";
import { memoryLimits } from "../src/serve/memory-watch.js";
import { median } from "./client.js";
import { doctor } from "./doctor.js";
import { forwarding } from "./forwarding.js";
import { concurrentCold, realColdStarts, realInstall, warmStart } from "./install.js";
import { sampling } from "./sampling.js";
import { armCommands, type ColdResult, coldSession, session } from "./session.js";
import { sharedClients } from "./shared.js";
import { singleFile } from "./single-file.js";
import { startup } from "./startup.js";
import { memoryLimits as memoryAB, type SessionFigures, warmSwitch } from "./warm-switch.js";

const root = path.resolve(import.meta.dirname, "..", "..");
const gopls = process.env.GOPLS_GUARD_TEST_REAL_GOPLS as string;
// Started as editors start it: the file itself, so its shebang (and node flags) apply.
// GOPLS_GUARD_BENCH_GUARD: another build's bundle, to compare before and after in one sitting.
const guardCmd = [
  process.env.GOPLS_GUARD_BENCH_GUARD || path.join(root, "dist", "gopls-guard.mjs"),
];
/** What the bench sets up once and keeps between runs (a real module), outside the repo. */
const benchCache = path.join(os.homedir(), ".cache", "gopls-guard-bench");
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gg-bench-"));
const env: NodeJS.ProcessEnv = { ...process.env, GOPLS_GUARD_HOME: path.join(scratch, "home") };
delete env.GOPLS_GUARD_GOPLS;

function module(): string {
  const info = JSON.parse(
    execFileSync("go", ["mod", "download", "-json", "golang.org/x/sync@v0.21.0"], {
      cwd: scratch,
      encoding: "utf8",
    }),
  ) as { Dir: string };
  const dir = path.join(scratch, "sync");
  fs.cpSync(info.Dir, dir, { recursive: true });
  execFileSync("chmod", ["-R", "u+w", dir]);
  return dir;
}

/** The smallest module worth asking about: one package, a type, a few functions. */
function tinyModule(): string {
  const dir = path.join(scratch, "tiny");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "go.mod"), "module example.com/tiny\n\ngo 1.22\n");
  fs.writeFileSync(
    path.join(dir, "tiny.go"),
    `package tiny

import "strings"

// Greeter says hello.
type Greeter struct {
	Name string
}

// Hello greets g's name.
func (g Greeter) Hello() string { return "hello, " + g.Name }

// Shout greets loudly.
func Shout(g Greeter) string { return strings.ToUpper(g.Hello()) }

// Count counts the greetings.
func Count(gs []Greeter) int {
	n := 0
	for range gs {
		n++
	}
	return n
}
`,
  );
  return dir;
}

const relayScript = path.join(root, "build", "bench", "bare-relay.js");

function printCold(cold: ColdResult): void {
  console.log(
    `\n(a′) from the first request (fresh processes, no warm-up, ${cold.requests} requests one at a time, ${cold.rounds} rounds; in each the three arms side by side, taking turns of 20 requests): median µs a request, by method`,
  );
  console.log(
    "| method | direct | bare relay | guard | guard over relay, pooled | **guard over relay, round by round** |\n|---|---|---|---|---|---|",
  );
  const c = cold.perMethodUs;
  for (const m of [...Object.keys(c.direct), "all (the mix, wall)"]) {
    const row =
      m in c.direct
        ? [c.direct[m], c.relay[m], c.guard[m]]
        : [cold.perRequestUs.direct, cold.perRequestUs.relay, cold.perRequestUs.guard];
    const [d, l, g] = row as [number, number, number];
    console.log(
      `| ${m} | ${d.toFixed(0)} | ${l.toFixed(0)} | ${g.toFixed(0)} | ${(g - l).toFixed(0)} | **${(cold.pairedUs[m in c.direct ? m : "all"] ?? Number.NaN).toFixed(0)}** |`,
    );
  }
  const { cpuUs: c2, mainCpuUs: m2, perBlockUs: b } = cold;
  console.log(
    `guard over relay by block of 60 requests, in order (median µs): ${b.guard.map((g, i) => (g - (b.relay[i] ?? 0)).toFixed(0)).join(", ")}`,
  );
  console.log(
    `CPU a request, relay / guard: all threads ${c2.relay.toFixed(0)} / ${c2.guard.toFixed(0)} µs (guard +${(c2.guard - c2.relay).toFixed(0)}), main thread ${m2.relay.toFixed(0)} / ${m2.guard.toFixed(0)} µs (guard +${(m2.guard - m2.relay).toFixed(0)})`,
  );
}
const arms = armCommands(gopls, guardCmd, relayScript, env);
const f = (n: number, digits = 2) => n.toFixed(digits);
const only = process.argv[2];
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  node: process.version,
  cpus: os.cpus().length,
};
try {
  if (!only || only === "forwarding") {
    // The stand-in gopls in its fast echo mode: the guard only runs what verifies as gopls.
    const echo = process.env.GOPLS_GUARD_TEST_STANDIN as string;
    const r = await forwarding(echo, guardCmd, relayScript, { ...env, STANDIN_FAST_ECHO: "1" });
    results.forwarding = r;
    console.log("\n(b) forwarding through the guard vs direct, echo server, round trips (ms)");
    console.log(
      "| size | direct p50 | bare relay p50 | guard p50 | added p50 | over relay p50 | direct p99 | bare relay p99 | guard p99 | added p99 | CPU a round trip: relay / guard (µs) |\n|---|---|---|---|---|---|---|---|---|---|---|",
    );
    for (const l of r.latency)
      console.log(
        `| ${l.size} | ${f(l.direct.p50, 3)} | ${f(l.relay.p50, 3)} | ${f(l.guard.p50, 3)} | **${f(l.added.p50, 3)}** | ${f(l.guard.p50 - l.relay.p50, 3)} | ${f(l.direct.p99, 3)} | ${f(l.relay.p99, 3)} | ${f(l.guard.p99, 3)} | **${f(l.added.p99, 3)}** | ${f(l.cpuUs.relay, 0)} / ${f(l.cpuUs.guard, 0)} |`,
      );
    console.log(
      `throughput, 1 MB notifications one way: direct ${f(r.throughput.direct, 0)} MB/s, bare relay ${f(r.throughput.relay, 0)} MB/s, guard ${f(r.throughput.guard, 0)} MB/s`,
    );
    console.log(`guard peak RSS: ${f(r.guardPeakRssMb, 1)} MB`);
  }
  if (only === "single-file") {
    const exe = path.join(root, "dist-bin", "gopls-guard-linux-x64");
    if (!fs.existsSync(exe)) throw new Error(`${exe} is missing: npm run dist -- linux-x64`);
    const r = await singleFile(exe, guardCmd, arms.guard.env, scratch);
    results.singleFile = r;
    console.log(
      `\n(h) the single-file executable vs the bundle under node, spawn to initialize, real gopls (median of ${r.runs}, alternating)`,
    );
    console.log(
      "| size | `node dist/gopls-guard.mjs` | `gopls-guard-linux-x64` | executable − bundle, round by round |\n|---|---|---|---|",
    );
    console.log(
      `| ${f(r.bytes / 2 ** 20, 1)} MiB | ${f(r.bundle, 1)} | ${f(r.executable, 1)} | **${f(r.paired, 1)}** |`,
    );
  }
  if (!only || only === "startup") {
    const r = await startup(arms, scratch);
    results.startup = r;
    const over = r.pairedGuardOverRelay;
    console.log(
      `\n(c) start-up, spawn to initialize response, real gopls (median of ${r.runs}, arms alternating)`,
    );
    console.log(
      "| bare `node -e 0` | gopls direct | bare relay | guard | guard − relay, medians | **guard − relay, round by round** | target | CPU at the answer, relay / guard |\n|---|---|---|---|---|---|---|---|",
    );
    console.log(
      `| ${f(r.node, 1)} | ${f(r.direct, 1)} | ${f(r.relay, 1)} | ${f(r.guard, 1)} | ${f(r.guard - r.relay, 1)} | **${f(over, 1)}** | ≤ 20 ${over <= 20 ? "✓" : "✗"} | ${f(r.cpu.relay, 0)} / ${f(r.cpu.guard, 0)} ms |`,
    );
  }
  if (only === "session-cold") {
    const cold = await coldSession("tiny", tinyModule(), arms);
    results.sessionCold = cold;
    printCold(cold);
  }
  if (!only || only === "session") {
    const runs = [];
    console.log(
      "\n(a) real sessions after a warm-up of 1,500 requests: hover/definition/completion/documentSymbol, 5 rounds, in each the three arms side by side in turns of 20 requests (160 with 8 in flight); µs a request",
    );
    console.log(
      "| module | requests | direct | bare relay | guard | **added over direct** | **added over relay** (round by round) | p50 direct / relay / guard (guard over relay, round by round) | p99 direct / relay / guard | CPU a request: relay / guard | guard peak RSS |\n|---|---|---|---|---|---|---|---|---|---|---|",
    );
    for (const [name, dir] of [
      ["tiny", tinyModule()],
      ["golang.org/x/sync", module()],
    ] as const) {
      for (const window of [1, 8]) {
        const r = await session(name, dir, arms, window);
        runs.push(r);
        const { direct: d, relay: l, guard: g } = r.arms;
        const lane = window === 1 ? "one at a time" : `${window} in flight`;
        const pct =
          window === 1
            ? `${f(d.p50Us, 0)} / ${f(l.p50Us, 0)} / ${f(g.p50Us, 0)} (**${f(r.pairedP50Us, 0)}**) | ${f(d.p99Us, 0)} / ${f(l.p99Us, 0)} / ${f(g.p99Us, 0)}`
            : "— | —";
        console.log(
          `| ${name} | ${r.requests}, ${lane} | ${f(d.perRequestUs, 0)} | ${f(l.perRequestUs, 0)} | ${f(g.perRequestUs, 0)} | **${f(g.perRequestUs - d.perRequestUs, 0)}** | **${f(g.perRequestUs - l.perRequestUs, 0)}** (${f(r.pairedUs, 0)}) | ${pct} | ${f(l.cpuUs, 0)} / ${f(g.cpuUs, 0)} | ${f(g.peakRssMb, 1)} MB |`,
        );
      }
    }
    results.session = runs;
    // The same mix from the first request after initialize and one hover: no warm-up.
    const cold = await coldSession("tiny", tinyModule(), arms);
    results.sessionCold = cold;
    printCold(cold);
  }
  if (!only || only === "sampling") {
    const r = await sampling(gopls);
    results.sampling = r;
    console.log("\n(memory watch) reading gopls's resident memory as a session does");
    console.log(
      `${r.samples} samples: ${f(r.wallUsPerSample, 1)} µs wall, ${f(r.cpuUsPerSample, 1)} µs CPU each; at one every ${DEFAULTS.memorySampleMs / 1000} s: ${f(r.cpuPercentAtDefaultRate, 5)} % of a core (target < 0.5 % of a session)`,
    );
  }
  if (!only || only === "warm") {
    const home = path.join(process.env.GOPLS_GUARD_TEST_CACHE as string, "real-home");
    const r = await warmStart(guardCmd, home, "v0.23.0", scratch);
    results.warm = r;
    console.log(
      "\n(installer) warm start through the managed path, real gopls v0.23.0 (median ms)",
    );
    console.log(
      `gopls direct ${f(r.direct, 1)}; through the guard ${f(r.guard, 1)}; added ${f(r.added, 1)}; subprocesses before gopls per warm start: go ${r.goCallsPerWarmStart}, login shell ${r.shellCallsPerWarmStart}`,
    );
  }
  if (!only || only === "concurrent") {
    const r = await concurrentCold(guardCmd, scratch);
    results.concurrent = r;
    console.log(
      "\n(installer) cold starts on an empty home, stand-in gopls from a proxy on 127.0.0.1 (median of 3)",
    );
    console.log(
      `one cold start ${f(r.one, 0)} ms; 8 at once ${f(r.eight, 0)} ms; ratio ${f(r.ratio, 2)}; go install runs per 8: ${r.installsPer8}`,
    );
  }
  if (!only || only === "doctor") {
    const r = await doctor(guardCmd, env, scratch);
    results.doctor = r;
    console.log("\n(doctor) gopls-guard doctor --json, spawn to exit (median ms)");
    console.log(
      `reachable proxy and checksum database on 127.0.0.1: ${f(r.localHealthy, 0)}; the real proxy.golang.org and sum.golang.org: ${r.realHealthy === undefined ? "not reachable from here" : f(r.realHealthy, 0)} (target < 3000)`,
    );
    console.log(
      `a proxy that never answers: ${f(r.proxyHangs, 0)} (${r.errors["proxy hangs"]?.join(", ")}); a checksum database that never answers: ${f(r.sumdbHangs, 0)} (${r.errors["sumdb hangs"]?.join(", ")}) (target < 6000)`,
    );
  }
  if (!only || only === "warm-switch") {
    const r = await warmSwitch(gopls, scratch, benchCache);
    results.warmSwitch = r;
    console.log(
      `\n(i) a switch to a new gopls build, golang.org/x/tools (${r.rounds} rounds, medians; ms from initialize; gopls's peak RSS)`,
    );
    console.log(
      "| arm | first answer (hover) | first diagnostics | workspace diagnosed | peak RSS | first answer / warm restart |\n|---|---|---|---|---|---|",
    );
    const row = (name: string, x: SessionFigures) =>
      console.log(
        `| ${name} | ${f(x.firstAnswer, 0)} | ${f(x.firstDiagnostics, 0)} | ${f(x.workspaceDiagnosed, 0)} | ${f(x.peakRssMb, 0)} MB | **${f(x.firstAnswer / r.warmRestart.firstAnswer, 2)}×** |`,
      );
    row("(a) warm restart, same build", r.warmRestart);
    row("(b) switch to a new build (today)", r.coldSwitch);
    row("(c) switch after warming", r.warmedSwitch);
    const goal = r.warmedSwitch.firstAnswer <= 1.2 * r.warmRestart.firstAnswer;
    console.log(
      `warming (in the background, before the offer): ${f(r.warming.ms / 1000, 1)} s, its gopls's peak ${f(r.warming.peakRssMb, 0)} MB; goal (c) ≤ 1.2 × (a): ${goal ? "✓" : "✗"}`,
    );
  }
  if (!only || only === "memory-limit") {
    const soft = memoryLimits(undefined, DEFAULTS.memorySampleMs).soft;
    const arms = await memoryAB(gopls, scratch, benchCache, soft);
    results.memoryLimit = arms;
    console.log(
      "\n(j) GOMEMLIMIT for gopls, golang.org/x/tools, cold cache, then 20 edits and 100 requests (medians)",
    );
    console.log(
      "| GOMEMLIMIT | peak RSS | steady RSS | CPU, steady workload | first answer | workspace diagnosed |\n|---|---|---|---|---|---|",
    );
    const base = arms[0]?.figures.steadyCpuMs ?? 1;
    for (const { limit, figures: x } of arms)
      console.log(
        `| ${limit} | ${f(x.peakRssMb, 0)} MB | ${f(x.steadyRssMb ?? 0, 0)} MB | ${f(x.steadyCpuMs ?? 0, 0)} ms (${f(((x.steadyCpuMs ?? 0) / base - 1) * 100, 0)} %) | ${f(x.firstAnswer, 0)} ms | ${f(x.workspaceDiagnosed, 0)} ms |`,
      );
  }
  if (!only || only === "shared") {
    const r = await sharedClients(gopls, guardCmd, env, scratch, benchCache);
    results.shared = r;
    const { alone, unshared, shared } = r.rss;
    console.log(
      `\n(k) shared mode, golang.org/x/tools: ${r.clients} clients, ${r.requestsPerClient} hover/definition/references each a pass, ${r.rounds} rounds (medians)`,
    );
    console.log(
      "| arm | gopls processes | their peak RSS, summed | their RSS at the end | guards' RSS, summed |\n|---|---|---|---|---|",
    );
    for (const [name, m] of [
      ["one client alone (every client's files and requests)", alone],
      [`${r.clients} clients, unshared`, unshared],
      [`${r.clients} clients, shared`, shared],
    ] as const)
      console.log(
        `| ${name} | ${m.gopls} | ${f(m.goplsPeakMb, 0)} MB | ${f(m.goplsMb, 0)} MB | ${f(m.guardsMb, 0)} MB |`,
      );
    const ratio = median(r.peakRatios);
    const l = r.latency;
    const addedP50 = median(l.perClientAddedP50Us);
    console.log(
      `gopls peak RSS, shared over one session, round by round: ${r.peakRatios.map((x) => f(x, 2)).join(", ")}; **median ${f(ratio, 2)}×** (goal ≤ 1.3 ${ratio <= 1.3 ? "✓" : "✗"}); unshared over one session (medians): ${f(unshared.goplsPeakMb / alone.goplsPeakMb, 2)}×`,
    );
    console.log(
      `one request at a time, µs: alone p50 ${f(l.aloneP50Us, 0)} / p99 ${f(l.aloneP99Us, 0)}; shared p50 ${f(l.sharedP50Us, 0)} / p99 ${f(l.sharedP99Us, 0)}; added, request by request, per client (median): ${l.perClientAddedP50Us.map((x) => f(x, 0)).join(", ")}; **median ${f(addedP50, 0)} µs** (goal ≤ 1000 ${addedP50 <= 1000 ? "✓" : "✗"})`,
    );
    console.log(
      `all ${r.clients} clients' requests at once, p50 µs: one client alone ${f(r.concurrent.aloneP50Us, 0)}, shared ${f(r.concurrent.sharedP50Us, 0)}, unshared ${f(r.concurrent.unsharedP50Us, 0)}`,
    );
    console.log(
      `answers against a gopls of its own: ${r.answers.compared} compared, ${r.answers.differing} differ${r.answers.examples.length ? ` (${r.answers.examples.join(", ")})` : ""}`,
    );
  }
  if (only === "install-real" || (!only && process.env.GOPLS_GUARD_BENCH_REAL_INSTALL === "1")) {
    const r = await realInstall(guardCmd, scratch, "v0.23.0");
    results.realInstall = r;
    console.log(
      "\n(installer) real gopls, cold build cache: go install as the floor, then gopls-guard install (latest)",
    );
    console.log(
      `go install gopls@${r.version}: ${f(r.floorMs / 1000, 1)} s; gopls-guard install: ${f(r.guardMs / 1000, 1)} s; overhead ${f(r.overhead * 100, 1)}% (${r.guardInstalled})`,
    );
  }
  if (only === "cold-real" || (!only && process.env.GOPLS_GUARD_BENCH_REAL_INSTALL === "1")) {
    const r = await realColdStarts(guardCmd, scratch);
    results.realColdStarts = r;
    console.log(
      "\n(installer) real gopls, empty home and cold build cache: spawn to initialize response",
    );
    console.log(
      `one editor ${f(r.oneMs / 1000, 1)} s; 8 at once ${f(r.eightMs / 1000, 1)} s; ratio ${f(r.ratio, 2)}; go install runs: ${r.installsPer8}`,
    );
  }
  fs.writeFileSync(path.join(root, "bench-results.json"), `${JSON.stringify(results, null, 2)}\n`);
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
