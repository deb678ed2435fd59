// The guard's log: pino, one JSON event per line, to a per-session file under the guard's
// home. Never stdout (in serve mode stdout is the LSP channel). Files are size-capped and pruned.
// pino itself is loaded once the start is over: events until then wait in memory (and are
// written synchronously by flush if the process ends first).

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Config } from "./config.js";
import { ownPrivateDir } from "./guard-home.js";
import { redact, redactDeep } from "./safe-text.js";

type Level = "trace" | "debug" | "info" | "warn" | "error" | "fatal";
type LogFn = (fields: object, message?: string) => void;
export type Logger = Record<Level, LogFn>;

export interface Log {
  logger: Logger;
  /** The file this session logs to, or "stderr" when no directory could be written. */
  file: string;
  /** Loads pino and writes what waited; later events go straight through. */
  load(): Promise<void>;
  /** Writes out what is buffered (what waited for pino too); call before exiting. */
  flush(): void;
}

const MAX_FILE_BYTES = 20 * 1024 * 1024;
const LEVELS: Level[] = ["trace", "debug", "info", "warn", "error", "fatal"];

/**
 * Logs are kept by kind, so that many short command runs (VS Code runs `gopls version` before
 * every start) never push out the editor sessions' and installs' logs.
 */
type Kind = "session" | "install" | "cli";
const KEEP: Record<Kind, number> = { session: 30, install: 10, cli: 10 };

function kindOf(name: string): Kind {
  return name === "gopls-guard" ? "session" : name === "gopls-guard install" ? "install" : "cli";
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[:.]/g, "").replace("T", "-").slice(0, 17);
}

function prune(dir: string): void {
  try {
    const byKind = new Map<Kind, string[]>();
    for (const f of fs.readdirSync(dir).sort()) {
      if (!f.endsWith(".log")) continue;
      const kind = (/-(session|install|cli)\.log$/.exec(f)?.[1] ?? "cli") as Kind;
      byKind.set(kind, [...(byKind.get(kind) ?? []), f]);
    }
    for (const [kind, logs] of byKind)
      for (const old of logs.slice(0, Math.max(0, logs.length - KEEP[kind])))
        fs.rmSync(path.join(dir, old), { force: true });
  } catch {
    // Pruning is housekeeping: another guard may be pruning at the same moment.
  }
}

/** The directory this process logs to: the guard's home, else a per-user temp dir. */
function logDir(config: Config): string | undefined {
  let uid = "user";
  try {
    uid = String(os.userInfo().uid);
  } catch {
    // keep the placeholder
  }
  for (const dir of [
    path.join(config.home, "logs"),
    path.join(os.tmpdir(), `gopls-guard-${uid}`, "logs"),
  ]) {
    try {
      // Private: logs hold paths, settings, go's words. In the system temp dir another user may
      // have made the directory first: its owner and mode are checked, as for a fallback home.
      if (!ownPrivateDir(path.dirname(dir)) || !ownPrivateDir(dir)) continue;
      fs.accessSync(dir, fs.constants.W_OK);
      return dir;
    } catch {
      // Try the next place; the session start line records where the log went.
    }
  }
  return undefined;
}

/**
 * The file is created when the first event is written: a short command that has nothing to say
 * at the configured level leaves no file behind.
 */
export function openLog(config: Config, name: string): Log {
  const dir = logDir(config);
  const file = dir && path.join(dir, `${stamp(new Date())}-${process.pid}-${kindOf(name)}.log`);
  let fd: number | undefined;
  const open = (): number => {
    if (fd !== undefined) return fd;
    try {
      // 0600, and never through a link someone put at this name.
      fd = file
        ? fs.openSync(
            file,
            fs.constants.O_WRONLY |
              fs.constants.O_APPEND |
              fs.constants.O_CREAT |
              (fs.constants.O_NOFOLLOW ?? 0),
            0o600,
          )
        : 2;
    } catch {
      fd = 2;
    }
    if (dir && fd !== 2) prune(dir);
    return fd;
  };
  const pending: Array<[Level, object, string | undefined, number]> = [];
  let real: Logger | undefined;
  let flushSink: () => void = () => {};
  const logger = {} as Logger;
  for (const level of LEVELS) {
    // No credential is ever logged: every URL's userinfo redacted (events are rare: none per
    // forwarded message).
    logger[level] = (rawFields, rawMessage) => {
      const fields = redactDeep(rawFields);
      const message = rawMessage === undefined ? undefined : redact(rawMessage);
      if (real) real[level](fields, message);
      else pending.push([level, fields, message, Date.now()]);
    };
  }
  let loading: Promise<void> | undefined;
  const load = () => {
    loading ??= (async () => {
      const { default: pino } = await import("pino");
      let written = 0;
      let full = false;
      let dest: ReturnType<typeof pino.destination> | undefined;
      const sink = {
        write(s: string): boolean {
          if (full) return true;
          // Written as it comes: an asynchronous write still in flight when the last events are
          // flushed would land after them. Events are rare (none per forwarded message).
          dest ??= pino.destination({ dest: open(), sync: true });
          written += Buffer.byteLength(s);
          if (written <= MAX_FILE_BYTES) return dest.write(s);
          full = true;
          return dest.write(
            `${JSON.stringify({ level: 40, time: Date.now(), msg: "log file cap reached; further events dropped", capBytes: MAX_FILE_BYTES })}\n`,
          );
        },
      };
      flushSink = () => {
        try {
          dest?.flushSync();
        } catch {
          // Nothing more can be done about a log that cannot be written.
        }
      };
      const p = pino({ name, level: config.logLevel, base: { pid: process.pid } }, sink);
      real = p as unknown as Logger;
      for (const [level, fields, message, at] of pending.splice(0))
        real[level]({ ...fields, loggedAt: new Date(at).toISOString() }, message);
    })();
    return loading;
  };
  // Before pino has loaded (a session that ends, or fails, within its first second): what
  // waited is written as pino would have, synchronously, so an exit loses nothing.
  const writePending = () => {
    const threshold =
      config.logLevel === "silent" ? Number.POSITIVE_INFINITY : PINO_LEVELS[config.logLevel];
    for (const [level, fields, message, at] of pending.splice(0)) {
      if (PINO_LEVELS[level] < threshold) continue;
      const line = { level: PINO_LEVELS[level], time: at, pid: process.pid, name, ...fields };
      try {
        fs.writeSync(open(), `${JSON.stringify(message ? { ...line, msg: message } : line)}\n`);
      } catch {
        // Nothing more can be done about a log that cannot be written.
      }
    }
  };
  return {
    logger,
    file: file ?? "stderr",
    load,
    flush: () => (real ? flushSink() : writePending()),
  };
}

const PINO_LEVELS: Record<Level, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};
