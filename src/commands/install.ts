// `gopls-guard install [--version V]` and `gopls-guard which`: the resolution serve mode uses,
// with progress on the terminal and the binary's path as the last line of stdout.

import { parseArgs } from "node:util";
import type { Config } from "../config.js";
import { openLog } from "../log.js";
import { resolveAtTerminal } from "../report/terminal.js";

export async function install(
  config: Config,
  args: string[],
  allowInstall: boolean,
): Promise<number> {
  let version: string | undefined;
  try {
    const parsed = parseArgs({
      args,
      options: { version: { type: "string" } },
      allowPositionals: false,
    });
    version = parsed.values.version;
  } catch (error) {
    process.stderr.write(
      `gopls-guard: ${(error as Error).message}\nusage: gopls-guard ${allowInstall ? "install [--version V]" : "which"}\n`,
    );
    return 2;
  }
  const log = openLog(config, allowInstall ? "gopls-guard install" : "gopls-guard which");
  await log.load();
  const wanted =
    version && (version.startsWith("v") || version === "latest" ? version : `v${version}`);
  const resolved = await resolveAtTerminal(
    wanted ? { ...config, goplsVersion: wanted } : config,
    allowInstall,
    log,
  );
  if (!resolved.ok) return 1;
  process.stdout.write(`${resolved.value.path}\n`);
  return 0;
}
