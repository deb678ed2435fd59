// On a serve start, once gopls is up: rebuild the launchers this home made when the local Go's
// minor version changed since they were built (VS Code's Go extension asks to recompile them
// otherwise), and build the launcher a fallback link stands in for once Go is there. Reads the
// Go version the start already learned (warm state): no subprocess unless something is stale.

import fs from "node:fs";
import path from "node:path";
import type { Config } from "../config.js";
import { readState, stateKey } from "../gopls/state.js";
import type { Logger } from "../log.js";
import { LAUNCHER_ENV } from "./paths.js";
import { needsRebuild, readSidecar, recordedLaunchers } from "./sidecar.js";

export interface Stale {
  launcher: string;
  /** The Go that built it; undefined for a fallback link. */
  builtWith: string | undefined;
}

/** The launchers that need building with the local Go (a few stats and small reads). */
export function staleLaunchers(
  home: string,
  env: NodeJS.ProcessEnv,
  localGo: string,
  guard: string,
): Stale[] {
  const candidates = new Set(recordedLaunchers(home));
  const via = env[LAUNCHER_ENV];
  if (via) candidates.add(via);
  const stale: Stale[] = [];
  for (const launcher of candidates) {
    const sidecar = readSidecar(launcher);
    if (sidecar) {
      if (needsRebuild(sidecar.go, localGo)) stale.push({ launcher, builtWith: sidecar.go });
    } else if (isFallbackFor(launcher, guard)) stale.push({ launcher, builtWith: undefined });
  }
  return stale;
}

/** `link` without Go left a symlink (gopls.cmd on Windows) to this guard where the launcher goes. */
function isFallbackFor(launcher: string, guard: string): boolean {
  try {
    if (process.platform === "win32")
      return fs
        .readFileSync(path.join(path.dirname(launcher), "gopls.cmd"), "utf8")
        .includes(guard);
    return fs.lstatSync(launcher).isSymbolicLink() && fs.realpathSync(launcher) === guard;
  } catch {
    return false;
  }
}

export async function refreshLaunchers(
  config: Config,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<void> {
  const state = readState(config.home, stateKey(config, env));
  if (!state) return;
  const { whatRunsNow } = await import("./self.js");
  const running = await whatRunsNow();
  if (!running) return;
  const { guard } = running;
  const localGo = state.goEnv.GOVERSION;
  const stale = staleLaunchers(config.home, env, localGo, guard);
  if (stale.length === 0) return;
  const { buildUnderLock } = await import("./locked.js");
  for (const { launcher, builtWith } of stale) {
    // What runs now (this node, this guard), never what the sidecar says: a sidecar is a file on
    // disk, and a launcher built from it would run whatever node and flags it names.
    const source = running.source();
    const built = await buildUnderLock(
      config,
      { go: state.go.path, env, sourceDir: source.dir, output: launcher, target: running.target },
      // Another guard may have rebuilt it while this one waited for the lock.
      () => staleLaunchers(config.home, env, localGo, guard).some((s) => s.launcher === launcher),
    ).finally(source.done);
    if (built === undefined) continue;
    if (built.ok) {
      if (process.platform === "win32")
        fs.rmSync(path.join(path.dirname(launcher), "gopls.cmd"), { force: true });
      logger.info(
        { event: "launcher.rebuilt", launcher, from: builtWith ?? "link", to: built.value.go },
        "gopls launcher rebuilt with the local Go",
      );
    } else
      logger.warn(
        { event: "launcher.rebuild_failed", launcher, finding: built.finding },
        "gopls launcher could not be rebuilt",
      );
  }
}
