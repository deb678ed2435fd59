// What the guard does with its command line (src/start.ts parsed it): serve (the proxy), a guard
// command, or a gopls command passed through.

import { type Command, USAGE } from "./cli.js";
import { install } from "./commands/install.js";
import type { Config } from "./config.js";
import { describe, type Finding } from "./findings.js";
import { serve } from "./serve/serve.js";

export async function main(command: Command, config: Config, problems: Finding[]): Promise<number> {
  switch (command.kind) {
    case "serve":
      if (command.share || config.share)
        return (await import("./shared/client.js")).serveShared(
          config,
          problems,
          command.goplsArgs,
        );
      return serve(config, problems, command.goplsArgs);
    case "instance":
      return (await import("./shared/instance.js")).runInstance(
        config,
        problems,
        command.socket,
        command.goplsArgs,
      );
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
      if (command.name === "clean")
        return (await import("./commands/clean.js")).clean(config, command.args);
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
