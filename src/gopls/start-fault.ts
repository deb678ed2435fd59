// A gopls that died at start for its environment, not for a bug: its persistent cache cannot be
// used (gopls.cache_unavailable), or a Go runtime variable kills it (gopls.runtime_env). Such an
// exit is no crash to restart: the same gopls would die the same way.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Finding } from "../findings.js";
import { runtimeEnvDeath } from "../go/runtime-env.js";

const CACHE_DEATH = /gopls cannot access its persistent index|can't hash gopls executable/;

/** Where gopls keeps its file cache: GOPLSCACHE, else os.UserCacheDir(), + /gopls. */
export function goplsCacheDir(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
  homedir: string = os.homedir(),
): string {
  if (env.GOPLSCACHE) return path.join(env.GOPLSCACHE, "gopls");
  const home = env.HOME || homedir;
  const base =
    platform === "win32"
      ? (env.LocalAppData ?? path.join(homedir, "AppData", "Local"))
      : platform === "darwin"
        ? path.join(home, "Library", "Caches")
        : env.XDG_CACHE_HOME || path.join(home, ".cache");
  return path.join(base, "gopls");
}

function describeDir(dir: string): Record<string, string> {
  try {
    const st = fs.statSync(dir);
    const out: Record<string, string> = {
      owner: `uid ${st.uid}${st.uid === process.getuid?.() ? " (you)" : ""}`,
      mode: (st.mode & 0o7777).toString(8).padStart(4, "0"),
    };
    try {
      const fsStat = fs.statfsSync(dir);
      out["free space"] = `${Math.floor((fsStat.bavail * fsStat.bsize) / 2 ** 20)} MiB`;
    } catch {
      // statfs is not everywhere
    }
    return out;
  } catch (error) {
    return { state: (error as NodeJS.ErrnoException).code ?? "cannot stat" };
  }
}

/** The fault gopls's start-up death shows, from its stderr and the environment it had. */
export function startFault(stderr: string, env: NodeJS.ProcessEnv): Finding | undefined {
  const runtime = runtimeEnvDeath(stderr, env);
  if (runtime) return runtime;
  const line = stderr.split("\n").find((l) => CACHE_DEATH.test(l));
  if (!line) return undefined;
  // "... can't create cache: mkdir /tmp/gopls/1a2b3c4d: permission denied"
  const named = /(?:mkdir|open|stat|lstat) (\S+): ([^:]+)$/.exec(line.trim());
  const failed = named?.[1];
  const cause = named?.[2] ?? line.replace(/^.*?: /, "");
  const dir = failed ? path.dirname(failed) : goplsCacheDir(env);
  const own = path.join(os.homedir(), ".cache", "gopls-own");
  const full = /no space left/.test(cause);
  return {
    id: "gopls.cache_unavailable",
    severity: "error",
    message: full
      ? `gopls cannot write its cache in ${dir}: the disk is full; free some space.`
      : `gopls cannot write its cache in ${dir}: set GOPLSCACHE to a directory you own.`,
    evidence: {
      "gopls said": line.replace(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /, "").trim(),
      dir,
      ...describeDir(dir),
      ...(env.GOPLSCACHE ? { GOPLSCACHE: env.GOPLSCACHE } : {}),
    },
    fix: full
      ? `Free space on the disk that holds ${dir}, then Retry.`
      : `Set GOPLSCACHE=${own} in the editor's environment and restart it; or make ${dir} writable for you (\`chown -R $USER ${dir}\` if it is yours alone) and Retry.`,
  };
}
