// The one place that decides which gopls binary a session or a passthrough command runs.
// Today: an explicit binary or the PATH. The installer fills this in with the managed install.

import type { Config } from "../config.js";
import type { Result } from "../findings.js";
import { type Located, locateGopls } from "./locate.js";

export async function resolveGopls(
  config: Config,
  env: NodeJS.ProcessEnv,
): Promise<Result<Located>> {
  return locateGopls(config, env);
}
