// Builds a launcher under the install lock, so `link`, and guards starting in several editors at
// once, never write the same launcher together; re-checks once the lock is held.

import fs from "node:fs";
import type { Config } from "../config.js";
import type { Result } from "../findings.js";
import { rootPerms } from "../gopls/install.js";
import { currentOwner, withInstallLock } from "../gopls/lock.js";
import { buildLauncher, type LauncherBuild } from "./build.js";
import type { Sidecar } from "./sidecar.js";

/** undefined: once the lock was held, `stillNeeded` said another process had done it. */
export async function buildUnderLock(
  config: Config,
  b: LauncherBuild,
  stillNeeded: () => boolean = () => true,
): Promise<Result<Sidecar> | undefined> {
  const root = config.installDir;
  fs.mkdirSync(root, { recursive: true });
  return withInstallLock(
    root,
    currentOwner("launcher"),
    rootPerms(root).file,
    { staleMs: config.lockStaleMs },
    async () => (stillNeeded() ? buildLauncher(b) : undefined),
  );
}
