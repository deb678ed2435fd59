// `gopls-guard install [--version V]` and `gopls-guard which`: the resolution serve mode uses,
// with progress on the terminal and the binary's path as the last line of stdout.

import os from "node:os";
import { parseArgs } from "node:util";
import type { Config } from "../config.js";
import { describe } from "../findings.js";
import { resolveGopls } from "../gopls/launch.js";
import { openLog } from "../log.js";
import { TerminalReporter } from "../report/terminal.js";

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
  const terminal = new TerminalReporter();
  const resolved = await resolveGopls({
    config: version
      ? {
          ...config,
          goplsVersion: version.startsWith("v") || version === "latest" ? version : `v${version}`,
        }
      : config,
    env: process.env,
    platform: process.platform,
    homedir: os.homedir(),
    logFile: log.file,
    logger: log.logger,
    allowInstall,
    report: (f) => {
      log.logger.info({ event: "finding", finding: f }, f.message);
      if (f.severity !== "info" || allowInstall) terminal.finding(f);
    },
    progress: (phase, message) => terminal.progress(phase, message),
  });
  terminal.stop();
  log.flush();
  if (!resolved.ok) {
    process.stderr.write(`${describe(resolved.finding)}\n`);
    return 1;
  }
  process.stdout.write(`${resolved.value.path}\n`);
  return 0;
}
