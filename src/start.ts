// The guard's entry: argv → the command and its configuration, then the rest of the guard loads.
// A warm serve start spawns its gopls first (src/serve/early-gopls.ts), so gopls starts while the
// proxy is still loading rather than after it: the session takes that gopls if it would start
// the same one, and kills it otherwise.

import os from "node:os";
import { parseCommand } from "./cli.js";
import { loadConfig } from "./config.js";
import { withEnv } from "./env-lookup.js";
import { goplsEnv } from "./gopls/locate.js";
import { warmGopls } from "./gopls/warm.js";
import { usableHome } from "./guard-home.js";
import { spawnEarly } from "./serve/early-gopls.js";

const command = parseCommand(process.argv.slice(2));
const platform = { env: process.env, platform: process.platform, homedir: os.homedir() };
const loaded = loadConfig(platform);
const { config, finding } = usableHome(loaded.config, platform);
const problems = finding ? [...loaded.problems, finding] : loaded.problems;
// A shared session's gopls is its instance's (src/shared/): none is spawned here.
if (command.kind === "serve" && !command.share && !config.share) spawnWarmGopls(command.goplsArgs);

// Not a top-level await: the same bundle also builds the single-file executables (CommonJS).
void import("./main.js").then(({ main }) =>
  main(command, config, problems).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `gopls-guard: internal error: ${(error as Error)?.stack ?? String(error)}\n`,
      );
      process.exitCode = 70;
    },
  ),
);

/** Only a head start: whatever goes wrong here, the session decides again and says what. */
function spawnWarmGopls(args: string[]): void {
  try {
    const gopls = warmGopls({ config, env: process.env, deferDue: true });
    if (!gopls) return;
    const PATH = gopls.goplsPATH;
    const env = goplsEnv(process.env);
    spawnEarly(gopls.path, args, PATH ? withEnv(env, "PATH", PATH) : env);
  } catch {
    // e.g. spawn() refusing an environment value with a NUL byte: the session's spawn says so
  }
}
