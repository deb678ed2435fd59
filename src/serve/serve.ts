// Serve mode: stdout carries LSP frames and nothing else. Sets up the log, runs one Session,
// turns signals into an orderly end, and exits only after stdout and the log are flushed.

import { Console } from "node:console";
import os from "node:os";
import type { Config } from "../config.js";
import type { Finding } from "../findings.js";
import { resolveGopls, resolveOptions } from "../gopls/launch.js";
import { goplsEnv } from "../gopls/locate.js";
import { tuneHeapForLongSession } from "../heap.js";
import { type Log, openLog } from "../log.js";
import { STDIN } from "../lsp/pipe-input.js";
import { restartPolicy } from "./restart-policy.js";
import { Session } from "./session.js";
import type { SessionOptions, SkewBuilder } from "./session-core.js";
import type { Updater } from "./update-flow.js";

declare const GUARD_VERSION: string;

/** A warm start has its initialize answer well within this. */
const LOG_LOAD_DELAY_MS = 1000;

export async function serve(
  config: Config,
  problems: Finding[],
  goplsArgs: string[],
): Promise<never> {
  const log = serveLog(config, goplsArgs);
  const session = new Session(
    sessionOptions(config, log, goplsArgs, { editorIn: STDIN, editorOut: process.stdout }),
  );
  return runToEnd(session, log, problems);
}

/** The log of a process that serves: nothing reaches stdout, whatever a dependency prints. */
export function serveLog(config: Config, goplsArgs: string[], fields: object = {}): Log {
  globalThis.console = new Console(process.stderr, process.stderr);
  const log = openLog(config, "gopls-guard");
  log.logger.info(
    {
      event: "session.start",
      guardVersion: typeof GUARD_VERSION === "string" ? GUARD_VERSION : "dev",
      node: process.version,
      ppid: process.ppid,
      cwd: process.cwd(),
      home: config.home,
      args: goplsArgs,
      platform: `${os.platform()}/${os.arch()}`,
      ...fields,
    },
    "session start",
  );
  return log;
}

/** A session of this process: its gopls resolved, installed and watched as the config says. */
export function sessionOptions(
  config: Config,
  log: Log,
  goplsArgs: string[],
  streams: Pick<SessionOptions, "editorIn" | "editorOut" | "detached">,
): SessionOptions {
  const env = process.env;
  return {
    config,
    logger: log.logger,
    logFile: log.file,
    ...streams,
    resolve: async ({ env: consented, ...hooks }) => {
      const resolved = await resolveGopls(
        resolveOptions(config, log, {
          env: { ...env, ...consented },
          allowInstall: true,
          deferDue: true,
          ...hooks,
        }),
      );
      if (resolved.ok) refreshLaunchersOnce(config, env, log);
      return resolved;
    },
    goplsArgs,
    goplsEnv: goplsEnv(env),
    ...(config.checksInSession
      ? { postStartChecks: (goplsVersion) => postStartChecks(config, log, goplsVersion) }
      : {}),
    onInitialized: () => void tuneHeapForLongSession(),
    restartPolicy: restartPolicy(config),
    updater: backgroundUpdater(config, log),
    skew: skewBuilder(config, log),
  };
}

/**
 * Runs the session to its end and exits the process after it: signals end it in order, and
 * gopls never outlives the guard, whatever goes wrong in the guard itself.
 */
export async function runToEnd(session: Session, log: Log, problems: Finding[]): Promise<never> {
  for (const finding of problems) session.report(finding);
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) {
    process.on(signal, () => void session.end(`received ${signal}`, 1));
  }
  process.on("exit", () => session.killNow());
  process.on("uncaughtException", (error) => {
    log.logger.fatal(
      { event: "guard.bug", error: String(error), stack: (error as Error)?.stack },
      "uncaught exception",
    );
    session.killNow();
    log.flush();
    process.exit(70);
  });
  session.start();
  // The heap is tuned once the editor has gopls's initialize answer (or a second in, if gopls is
  // slow to start or cannot): nothing the start needs is then compiled without node's code
  // cache, and loading node:v8 (3 ms of CPU) does not compete with gopls's start on two cores.
  // pino loads once the start is over, for the same reason (15–25 ms of CPU), and when the editor
  // is quiet: its first second is a burst of requests (open files, tokens, symbols), and a
  // request that arrived during the load would wait for it.
  whenQuiet(
    () => session.editorChunks,
    () => {
      void tuneHeapForLongSession();
      void log.load();
    },
  );
  const end = await session.ended;
  await log.load();
  log.flush();
  return exitAfterFlush(end.exitCode);
}

const QUIET_MS = 200;
const QUIET_AT_MOST_MS = 10_000;

/**
 * Runs fn once the start is over (LOG_LOAD_DELAY_MS) and the editor has sent nothing for
 * QUIET_MS, or QUIET_AT_MOST_MS in at the latest (an editor that never pauses).
 */
function whenQuiet(activity: () => number, fn: () => void): void {
  const started = Date.now();
  let seen = -1;
  const check = () => {
    const now = activity();
    if (now === seen || Date.now() - started >= QUIET_AT_MOST_MS) return fn();
    seen = now;
    setTimeout(check, QUIET_MS).unref();
  };
  setTimeout(check, LOG_LOAD_DELAY_MS).unref();
}

let launchersChecked = false;

/**
 * Once a session, after gopls is up: a launcher built by an older Go minor makes VS Code's Go
 * extension ask to recompile it at every start, so it is rebuilt (off the warm path: loaded late).
 */
function refreshLaunchersOnce(config: Config, env: NodeJS.ProcessEnv, log: Log): void {
  if (launchersChecked) return;
  launchersChecked = true;
  setTimeout(() => {
    void import("../launcher/refresh.js")
      .then(({ refreshLaunchers }) => refreshLaunchers(config, env, log.logger))
      .catch((error: unknown) =>
        log.logger.warn(
          { event: "launcher.rebuild_failed", error: String(error) },
          "gopls launcher check failed",
        ),
      );
  }, 1000).unref();
}

/** Exit once stdout has taken everything written (bounded: an editor that stopped reading). */
export function exitAfterFlush(code: number): Promise<never> {
  return new Promise(() => {
    const force = setTimeout(() => process.exit(code), 1000);
    force.unref();
    process.stdout.write("", () => process.exit(code));
  });
}

async function postStartChecks(
  config: Config,
  log: Log,
  goplsVersion: string | undefined,
): Promise<Finding[]> {
  const { processSeams, runChecks } = await import("../doctor/checks.js");
  const version = typeof GUARD_VERSION === "string" ? GUARD_VERSION : "dev";
  const { findings } = await runChecks(processSeams(config, log.logger, log.file), version, {
    gopls: false,
    goplsVersion,
  });
  // A module cache gopls cannot write matters to an install, which says so when it runs; a
  // build cache it cannot write breaks gopls's own go commands, so that one is said here.
  return findings.filter((f) => !(f.id === "fs.cache_unwritable" && "GOMODCACHE" in f.evidence));
}

/** The background update, loaded only when a session runs it (a day after the last decision). */
function backgroundUpdater(config: Config, log: Log): Updater {
  // Quiet: what the update meets is logged; the session asks only about a result.
  const options = () =>
    resolveOptions(config, log, {
      allowInstall: true,
      report: (f) => log.logger.info({ event: "update.finding", finding: f }, f.message),
    });
  return {
    check: async (current) => (await import("../gopls/update.js")).updateGopls(options(), current),
    removeUnused: async (keep) =>
      (await import("../gopls/update.js")).removeUnusedBuilds(options(), keep),
  };
}

/** Builds the gopls a newer go line needs, loaded only when a workspace asks for it. */
function skewBuilder(config: Config, log: Log): SkewBuilder {
  const options = () =>
    resolveOptions(config, log, {
      allowInstall: true,
      report: (f) => log.logger.info({ event: "skew.finding", finding: f }, f.message),
    });
  return {
    toolchainFor: async (module) =>
      (await import("../gopls/skew.js")).toolchainFor(options(), module),
    build: async (toolchain, progress) =>
      (await import("../gopls/skew.js")).buildForModule(options(), toolchain, progress),
    loads: async (module, env) => (await import("../gopls/skew.js")).goLoads(module, env),
  };
}
