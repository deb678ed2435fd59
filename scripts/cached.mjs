// A directory the test set-up builds once and keeps under the cache (code-server, Node 24, a
// Wine prefix...): staged beside its final place and renamed, so a half-built one is never used.
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";

/** Builds `dir` with `fill(stage)` unless it is already there; atomic by rename. */
export function cached(dir, fill, moved = () => {}) {
  if (existsSync(dir)) return dir;
  const stage = `${dir}.tmp-${process.pid}`;
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  try {
    fill(stage);
  } catch (error) {
    rmSync(stage, { recursive: true, force: true });
    throw error;
  }
  renameSync(stage, dir);
  moved(stage, dir);
  return dir;
}
