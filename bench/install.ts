// The installer's figures: a warm start (subprocesses before gopls, added ms), 8 concurrent
// cold starts against one (stand-in gopls from a module proxy on 127.0.0.1), and a real
// `go install` of gopls as the floor under the guard's own install.

import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { countingGo } from "../test/helpers/gocount.js";
import { startGoProxy } from "../test/helpers/goproxy.js";
import { median, nowMs } from "./client.js";
import { timeInitialize as initialize } from "./startup.js";

/** Warm start through the managed path: spawn → initialize response, and what ran before gopls. */
export async function warmStart(
  guardCmd: string[],
  realHome: string,
  version: string,
  scratch: string,
  runs = 15,
) {
  const go = countingGo(fs.mkdtempSync(path.join(scratch, "go-")));
  const shellLog = path.join(scratch, "shell-calls.log");
  const shell = path.join(scratch, "counting-shell");
  fs.writeFileSync(shell, `#!/bin/sh\necho "$*" >> "${shellLog}"\nexec /bin/sh "$@"\n`, {
    mode: 0o755,
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GOPLS_GUARD_HOME: realHome,
    GOPLS_GUARD_GOPLS_VERSION: version,
    GOPLS_GUARD_GO: go.path,
    SHELL: shell,
    GOPLS_GUARD_CONFIG: "/nonexistent",
  };
  delete env.GOPLS_GUARD_GOPLS;
  const bin = execFileSync(guardCmd[0] as string, [...guardCmd.slice(1), "install"], {
    env,
    encoding: "utf8",
  }).trim();
  await initialize(guardCmd[0] as string, guardCmd.slice(1), env, scratch); // writes the warm state
  const before = go.calls().length;
  const direct: number[] = [];
  const guard: number[] = [];
  for (let i = 0; i < runs; i++) {
    direct.push(await initialize(bin, [], env, scratch));
    guard.push(await initialize(guardCmd[0] as string, guardCmd.slice(1), env, scratch));
  }
  const shellCalls = fs.existsSync(shellLog)
    ? fs.readFileSync(shellLog, "utf8").trim().split("\n").filter(Boolean).length
    : 0;
  return {
    runs,
    direct: median(direct),
    guard: median(guard),
    added: median(guard) - median(direct),
    goCallsPerWarmStart: (go.calls().length - before) / runs,
    shellCallsPerWarmStart: shellCalls / runs,
  };
}

/** 8 editors starting at once on an empty home, against one; the stand-in gopls keeps it fast. */
export async function concurrentCold(guardCmd: string[], scratch: string, rounds = 3) {
  const proxy = await startGoProxy([
    { version: "v0.1.0", go: "1.21" },
    { version: "v0.2.0", go: "1.21" },
  ]);
  try {
    const modcache = path.join(scratch, "modcache");
    const cold = async (n: number) => {
      const home = fs.mkdtempSync(path.join(scratch, "home-"));
      const go = countingGo(home);
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        GOPLS_GUARD_HOME: home,
        GOPLS_GUARD_GO: go.path,
        GOPROXY: proxy.url,
        GONOSUMDB: "golang.org/x/tools/gopls",
        GOMODCACHE: modcache,
        GOFLAGS: "-modcacherw",
        GOPLS_GUARD_CONFIG: "/nonexistent",
      };
      delete env.GOPLS_GUARD_GOPLS;
      delete env.GOPLS_GUARD_GOPLS_VERSION;
      const t = nowMs();
      await Promise.all(
        Array.from({ length: n }, () =>
          initialize(guardCmd[0] as string, guardCmd.slice(1), env, home),
        ),
      );
      const ms = nowMs() - t;
      if (go.installs() !== 1) throw new Error(`${n} cold starts ran ${go.installs()} go installs`);
      return ms;
    };
    const one: number[] = [];
    const eight: number[] = [];
    await cold(1); // download the modules once; builds stay cold per home only as far as GOCACHE allows
    for (let r = 0; r < rounds; r++) {
      one.push(await cold(1));
      eight.push(await cold(8));
    }
    return {
      one: median(one),
      eight: median(eight),
      ratio: median(eight) / median(one),
      installsPer8: 1,
    };
  } finally {
    await proxy.close();
  }
}

/**
 * The floor: go install of the version latest resolves to, cold build cache; then the guard's
 * install; then 8 editors starting at once on an empty home, also with a cold build cache.
 */
export async function realInstall(guardCmd: string[], scratch: string, version: string) {
  const run = (argv: string[], env: NodeJS.ProcessEnv) => {
    const t = nowMs();
    const r = spawnSync(argv[0] as string, argv.slice(1), {
      env,
      cwd: scratch,
      stdio: ["ignore", "pipe", "pipe"],
      encoding: "utf8",
    });
    if (r.status !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr}`);
    return { ms: nowMs() - t, stdout: r.stdout };
  };
  const base = realEnv();
  const floorBin = fs.mkdtempSync(path.join(scratch, "floor-"));
  const floor = run(["go", "install", `golang.org/x/tools/gopls@${version}`], {
    ...base,
    GOBIN: floorBin,
    GOCACHE: fs.mkdtempSync(path.join(scratch, "gocache-")),
  });
  const guard = run([...guardCmd, "install"], {
    ...base,
    GOPLS_GUARD_HOME: fs.mkdtempSync(path.join(scratch, "ghome-")),
    GOCACHE: fs.mkdtempSync(path.join(scratch, "gocache-")),
  });
  return {
    version,
    floorMs: floor.ms,
    guardMs: guard.ms,
    overhead: guard.ms / floor.ms - 1,
    guardInstalled: guard.stdout.trim(),
  };
}

/** The environment for real installs: the machine's, no pins, no toolchain switching. */
function realEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GOTOOLCHAIN: "local",
    GOFLAGS: "",
    GOPLS_GUARD_CONFIG: "/nonexistent",
  };
  delete env.GOPLS_GUARD_GOPLS;
  delete env.GOPLS_GUARD_GOPLS_VERSION;
  return env;
}

/** One cold start, then 8 at once, each on an empty home with a cold build cache: real gopls. */
export async function realColdStarts(guardCmd: string[], scratch: string) {
  const base = realEnv();
  const coldHome = () => {
    const home = fs.mkdtempSync(path.join(scratch, "ghome-"));
    const go = countingGo(home);
    return {
      env: {
        ...base,
        GOPLS_GUARD_HOME: home,
        GOPLS_GUARD_GO: go.path,
        GOCACHE: fs.mkdtempSync(path.join(scratch, "gocache-")),
      },
      go,
      home,
    };
  };
  const start = (h: ReturnType<typeof coldHome>) =>
    initialize(guardCmd[0] as string, guardCmd.slice(1), h.env, h.home);
  const one = coldHome();
  let t = nowMs();
  await start(one);
  const oneMs = nowMs() - t;
  const eight = coldHome();
  t = nowMs();
  await Promise.all(Array.from({ length: 8 }, () => start(eight)));
  const eightMs = nowMs() - t;
  return { oneMs, eightMs, ratio: eightMs / oneMs, installsPer8: eight.go.installs() };
}
