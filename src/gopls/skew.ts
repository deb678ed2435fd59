// A workspace that needs a newer Go than gopls was built with (golang/go#68258: gopls cannot
// load a module whose `go` line is newer than its own Go). The gopls that can: the newest
// release whose Go requirement the module's Go satisfies, built with GOTOOLCHAIN set to that Go
// (the go command fetches the toolchain through the module proxy), beside the current one.

import fs from "node:fs";
import path from "node:path";
import { fail, ok, type Result } from "../findings.js";
import { compareGo, formatGo, type GoVersion, parseGoVersion } from "../go/goversion.js";
import type { ModuleGo } from "../go/module-go.js";
import { runGo } from "../go/run.js";
import { goFacts, installVersion, scratch } from "./cold-parts.js";
import type { InstallPhase } from "./install.js";
import type { Located, ResolveOptions } from "./launch.js";
import { decideVersion } from "./versions.js";

export interface Toolchain {
  /** "go1.27.3" */
  name: string;
  /** The toolchain's download size, when the proxy says. */
  bytes: number | undefined;
}

/**
 * The Go to build with: the module's toolchain line when it is new enough, else the newest
 * release of the module's Go (asked of the module proxy, as GOTOOLCHAIN would fetch it).
 */
export async function toolchainFor(
  o: ResolveOptions,
  module: ModuleGo,
): Promise<Result<Toolchain>> {
  const cwd = scratch(o);
  try {
    const facts = await goFacts(o, cwd);
    if (!facts.ok) return facts;
    const { go, goEnv } = facts.value;
    const want = parseGoVersion(module.go) as GoVersion;
    const suffix = `${goEnv.GOHOSTOS}-${goEnv.GOHOSTARCH}`;
    let name = module.toolchain;
    const named = name ? parseGoVersion(name) : undefined;
    if (!named || compareGo(named, want) < 0) {
      const r = await runGo(go, ["list", "-m", "-versions", "golang.org/toolchain"], {
        env: { ...o.env, GOTOOLCHAIN: "local", GOWORK: "off", GOFLAGS: " " },
        cwd,
        timeoutMs: 60_000,
      });
      const releases = r.stdout
        .split(/\s+/)
        .map((v) => new RegExp(`^v0\\.0\\.1-(go[0-9.]+)\\.${suffix}$`).exec(v)?.[1])
        .map((v) => (v ? parseGoVersion(v) : undefined))
        .filter(
          (v): v is GoVersion => !!v && !v.pre && v.major === want.major && v.minor === want.minor,
        )
        .sort(compareGo);
      const newest = releases.at(-1);
      if (!newest)
        return fail({
          id: "go.toolchain_switch",
          severity: "warning",
          message: `No Go ${want.major}.${want.minor} toolchain for ${suffix} could be found through the module proxy.`,
          evidence: {
            module: module.file,
            GOPROXY: goEnv.GOPROXY,
            "go said": r.stderr.trim().slice(-300),
          },
          fix: `Install Go ${want.major}.${want.minor} (https://go.dev/dl/) and put it first on PATH.`,
        });
      name = formatGo(newest);
    }
    const proxy = goEnv.GOPROXY.split(/[,|]/)[0] ?? "";
    let bytes: number | undefined;
    if (/^https?:\/\//.test(proxy)) {
      const url = `${proxy.replace(/\/+$/, "")}/golang.org/toolchain/@v/v0.0.1-${name}.${suffix}.zip`;
      const head = await fetch(url, { method: "HEAD", signal: AbortSignal.timeout(5000) }).catch(
        () => undefined,
      );
      const length = Number(head?.headers.get("content-length"));
      if (head?.ok && length > 0) bytes = length;
    }
    return ok({ name: name as string, bytes });
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

/** Builds the newest gopls the module's Go can build, with that Go, beside the current one. */
export async function buildForModule(
  o: ResolveOptions,
  toolchain: string,
  progress: (phase: InstallPhase, message: string) => void,
): Promise<Result<Located>> {
  const cwd = scratch(o);
  try {
    const facts = await goFacts(o, cwd);
    if (!facts.ok) return facts;
    const { go, goEnv } = facts.value;
    const localGo = parseGoVersion(toolchain) as GoVersion;
    const decided = await decideVersion(
      { kind: "latest" },
      { go, goEnv, localGo, user: o.env, cwd, logFile: o.logFile },
    );
    if (!decided.ok) return decided;
    const version = decided.value.version;
    const installed = await installVersion({ ...o, progress }, facts.value, version, {
      localGo,
      toolchain,
    });
    if (!installed.ok) return installed;
    return ok({ path: installed.value.path, source: "managed", version, warm: false });
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

/**
 * What gopls's own go commands will meet in the module's directory with the environment the
 * session gives it: undefined when `go list -m` loads it, else go's last words.
 */
export async function goLoads(
  module: ModuleGo,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const r = await runGo("go", ["list", "-m"], {
    env,
    cwd: path.dirname(module.file),
    timeoutMs: 120_000,
  });
  if (r.exitCode === 0) return undefined;
  return (
    (r.spawnError ?? r.stderr).trim().split("\n").slice(-2).join(" | ") || `exit ${r.exitCode}`
  );
}
