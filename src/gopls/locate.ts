// Which gopls binary to run: GOPLS_GUARD_GOPLS, else the first gopls on PATH that is not the
// guard itself (users install the guard as `gopls`, so the PATH search must skip every link to it).

import fs from "node:fs";
import which from "which";
import type { Config } from "../config.js";
import { fail, ok, type Result } from "../findings.js";

/** Set in gopls's environment; a guard that finds it was started as gopls by a guard. */
export const PARENT_ENV = "GOPLS_GUARD_PARENT_PID";

export interface Located {
  path: string;
  source: "GOPLS_GUARD_GOPLS" | "PATH";
}

function realpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

export function selfPaths(): Set<string> {
  const script = process.argv[1];
  return new Set(script ? [realpath(script)] : []);
}

export function isSelf(candidate: string, self: Set<string>): boolean {
  return self.has(realpath(candidate));
}

function recursion(path: string, how: string): Result<Located> {
  return fail({
    id: "guard.recursion",
    severity: "error",
    message: "The gopls the guard would run is the guard itself.",
    evidence: { gopls: path, found: how },
    fix: "Point GOPLS_GUARD_GOPLS at a real gopls binary, or let `gopls-guard install` manage one.",
  });
}

export function locateGopls(
  config: Config,
  env: NodeJS.ProcessEnv,
  self = selfPaths(),
): Result<Located> {
  if (env[PARENT_ENV]) {
    return recursion(
      process.argv[1] ?? "gopls-guard",
      `started as gopls by gopls-guard pid ${env[PARENT_ENV]}`,
    );
  }
  if (config.goplsPath) {
    const p = config.goplsPath;
    if (isSelf(p, self)) return recursion(p, "GOPLS_GUARD_GOPLS");
    try {
      fs.accessSync(p, fs.constants.X_OK);
    } catch (error) {
      return fail({
        id: "gopls.missing",
        severity: "error",
        message: "GOPLS_GUARD_GOPLS does not name an executable file.",
        evidence: {
          GOPLS_GUARD_GOPLS: p,
          error: (error as NodeJS.ErrnoException).code ?? String(error),
        },
        fix: "Set GOPLS_GUARD_GOPLS to the path of a gopls binary, or unset it.",
      });
    }
    return ok({ path: p, source: "GOPLS_GUARD_GOPLS" });
  }
  const found = which.sync("gopls", { all: true, nothrow: true, path: env.PATH ?? "" }) ?? [];
  const real = found.find((p) => !isSelf(p, self));
  if (real) return ok({ path: real, source: "PATH" });
  return fail({
    id: "gopls.missing",
    severity: "error",
    message: "No gopls binary was found.",
    evidence: {
      PATH: env.PATH ?? "(unset)",
      skipped: found.length ? `${found.join(", ")} (the guard itself)` : "none",
    },
    fix: "Install gopls (go install golang.org/x/tools/gopls@latest) or set GOPLS_GUARD_GOPLS to its path.",
  });
}

/** The environment gopls runs with: the editor's, plus the marker that prevents recursion. */
export function goplsEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, [PARENT_ENV]: String(process.pid) };
}
