// argv → what to do. The guard owns `doctor`, `install`, `which`, `link`, `status` and `clean`;
// everything else is a gopls command line, either serve mode over stdio (proxied) or a command
// run as-is (passthrough).

export type Command =
  | { kind: "serve"; goplsArgs: string[]; share?: boolean }
  /** A shared gopls, started by a client's guard (src/shared/instance.ts): not for users. */
  | { kind: "instance"; socket: string; goplsArgs: string[] }
  | { kind: "passthrough"; goplsArgs: string[] }
  | { kind: "guard"; name: GuardCommand; args: string[] }
  | { kind: "usage" };

/** gopls global flags that take a value, so `-logfile x` consumes `x`. */
const VALUE_FLAGS = new Set([
  "debug",
  "listen",
  "listen.timeout",
  "logfile",
  "mode",
  "ocagent",
  "port",
  "profile.alloc",
  "profile.block",
  "profile.cpu",
  "profile.mem",
  "profile.trace",
  "remote",
  "remote.debug",
  "remote.listen.timeout",
  "remote.logfile",
]);

export type GuardCommand = "doctor" | "install" | "which" | "link" | "status" | "clean";
const GUARD_COMMANDS = new Set<string>(["doctor", "install", "which", "link", "status", "clean"]);

function flagName(arg: string): string {
  return arg.replace(/^--?/, "").split("=")[0] ?? "";
}

/** The guard's own flag in a serve command line: gopls has no such flag. */
const SHARE_FLAG = "--share";
export const INSTANCE_COMMAND = "__shared-instance";

export function parseCommand(all: readonly string[]): Command {
  if (all[0] === INSTANCE_COMMAND && all[1])
    return { kind: "instance", socket: all[1], goplsArgs: all.slice(2) };
  const share = all.includes(SHARE_FLAG);
  const argv = share ? all.filter((a) => a !== SHARE_FLAG) : all;
  const first = argv[0];
  if (first === "--help" || first === "-h") return { kind: "usage" };
  if (first !== undefined && GUARD_COMMANDS.has(first)) {
    return { kind: "guard", name: first as GuardCommand, args: argv.slice(1) };
  }
  let i = 0;
  let listens = false;
  // Go's flag package stops at the first non-flag argument or at "--".
  while (i < argv.length) {
    const arg = argv[i] ?? "";
    if (arg === "--") {
      i++;
      break;
    }
    if (!arg.startsWith("-") || arg === "-") break;
    const name = flagName(arg);
    if (name === "listen" || name === "port") listens = true;
    i += VALUE_FLAGS.has(name) && !arg.includes("=") ? 2 : 1;
  }
  const sub = argv[i];
  if (sub === undefined || sub === "serve") {
    // serve's own flags may follow `serve`; they only matter if they move gopls off stdio.
    const rest = argv.slice(i + 1);
    if (
      listens ||
      rest.some((a) => ["listen", "port"].includes(flagName(a)) && a.startsWith("-"))
    ) {
      return { kind: "passthrough", goplsArgs: [...argv] };
    }
    return share
      ? { kind: "serve", goplsArgs: [...argv], share }
      : { kind: "serve", goplsArgs: [...argv] };
  }
  return { kind: "passthrough", goplsArgs: [...argv] };
}

export const USAGE = `gopls-guard: run it wherever your editor runs gopls.

Usage:
  gopls-guard [gopls flags] [serve [flags]]   serve LSP on stdio through the guard
  gopls-guard --share [serve]                 the same, through one gopls shared by the
                                              clients of this workspace and settings
  gopls-guard doctor [--json]                 check Go, gopls and the network; explain faults
  gopls-guard install [--version V]           install the gopls the guard would run
  gopls-guard which                           print the gopls the guard would run
  gopls-guard link [DIR]                      make DIR/gopls (default: the guard's bin dir) run the guard
  gopls-guard status [--json]                 the sessions running: editor, workspace, gopls, memory
  gopls-guard clean [--all]                   remove unused builds, old logs; --all: all the guard made
  gopls-guard <any other gopls command>       run gopls with that command line

Environment: GOPLS_GUARD_GOPLS, GOPLS_GUARD_HOME, GOPLS_GUARD_LOG_LEVEL (see README).
`;
