// Keeps the guard from running itself as gopls (users install it under the name `gopls`), and
// checks an explicit GOPLS_GUARD_GOPLS before anything else looks at it.

import fs from "node:fs";
import type { Config } from "../config.js";
import { type Finding, fail, ok, type Result } from "../findings.js";
import { LAUNCHER_ENV, sidecarFile } from "../launcher/paths.js";

/** Set in gopls's environment; a guard that finds it was started as gopls by a guard. */
export const PARENT_ENV = "GOPLS_GUARD_PARENT_PID";

/** The real path, or the path as given when it cannot be resolved. */
export function realpath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/** The guard's script, and the launcher that started it (a Go binary: no realpath leads home). */
export function selfPaths(env: NodeJS.ProcessEnv = process.env): Set<string> {
  const paths = [process.argv[1], env[LAUNCHER_ENV]].filter((p): p is string => !!p);
  return new Set(paths.map(realpath));
}

/** The guard itself, through any link, or any launcher a guard built (it has a sidecar). */
export function isSelf(candidate: string, self: Set<string>): boolean {
  const real = realpath(candidate);
  return self.has(real) || fs.existsSync(sidecarFile(real));
}

function recursion(path: string, how: string): Finding {
  return {
    id: "guard.recursion",
    severity: "error",
    message: "The gopls the guard would run is the guard itself.",
    evidence: { gopls: path, found: how },
    fix: "Point GOPLS_GUARD_GOPLS at a real gopls binary, or unset it and let the guard manage gopls.",
  };
}

/** undefined: no explicit binary; otherwise its path, or why it cannot be used. */
export function locateExplicit(
  config: Config,
  env: NodeJS.ProcessEnv,
  self: Set<string>,
): Result<string> | undefined {
  if (env[PARENT_ENV]) {
    return fail(
      recursion(
        process.argv[1] ?? "gopls-guard",
        `started as gopls by gopls-guard pid ${env[PARENT_ENV]}`,
      ),
    );
  }
  const p = config.goplsPath;
  if (!p) return undefined;
  if (isSelf(p, self)) return fail(recursion(p, "GOPLS_GUARD_GOPLS"));
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
      fix: "Set GOPLS_GUARD_GOPLS to the path of a gopls binary, or unset it to let the guard manage gopls.",
    });
  }
  return ok(p);
}

/** The environment gopls runs with: the editor's, plus the marker that prevents recursion. */
export function goplsEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { [LAUNCHER_ENV]: _launcher, ...rest } = env;
  return { ...rest, [PARENT_ENV]: String(process.pid) };
}
