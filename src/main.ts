// Entry point: argv → serve (proxy), a guard command, or a gopls command passed through.

import os from "node:os";
import { parseCommand, USAGE } from "./cli.js";
import { install } from "./commands/install.js";
import { loadConfig } from "./config.js";
import { describe } from "./findings.js";
import { usableHome } from "./guard-home.js";
import { serve } from "./serve/serve.js";

async function main(): Promise<number> {
  const command = parseCommand(process.argv.slice(2));
  const platform = { env: process.env, platform: process.platform, homedir: os.homedir() };
  const loaded = loadConfig(platform);
  const { config, finding } = usableHome(loaded.config, platform);
  const problems = finding ? [...loaded.problems, finding] : loaded.problems;
  switch (command.kind) {
    case "serve":
      return serve(config, problems, command.goplsArgs);
    case "usage":
      process.stdout.write(USAGE);
      return 0;
    case "guard":
      if (command.name !== "doctor")
        for (const p of problems) process.stderr.write(`${describe(p)}\n`);
      if (command.name === "install" || command.name === "which")
        return install(config, command.args, command.name === "install");
      if (command.name === "status")
        return (await import("./commands/status.js")).status(config, command.args);
      if (command.name === "link")
        return (await import("./commands/link.js")).link(config, command.args);
      if (command.name === "doctor")
        return (await import("./commands/doctor.js")).doctor(config, command.args, problems);
      process.stderr.write(`gopls-guard ${command.name}: not available in this version yet.\n`);
      return 2;
    case "passthrough":
      for (const p of problems) process.stderr.write(`${describe(p)}\n`);
      return (await import("./passthrough.js")).passthrough(config, command.goplsArgs);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `gopls-guard: internal error: ${(error as Error)?.stack ?? String(error)}\n`,
    );
    process.exitCode = 70;
  },
);
