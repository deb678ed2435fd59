// The guard's log: pino, one JSON event per line, to a per-session file under the guard's
// home. Never stdout (in serve mode stdout is the LSP channel). Files are size-capped and pruned.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import type { Config } from "./config.js";

export type Logger = pino.Logger;

export interface Log {
  logger: Logger;
  /** The file this session logs to, or "stderr" when no directory could be written. */
  file: string;
  /** Writes out what is buffered; call before exiting. */
  flush(): void;
}

const MAX_FILE_BYTES = 20 * 1024 * 1024;
const KEEP_FILES = 30;

function stamp(d: Date): string {
  return d.toISOString().replace(/[:.]/g, "").replace("T", "-").slice(0, 17);
}

function prune(dir: string): void {
  try {
    const logs = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith(".log"))
      .sort();
    for (const old of logs.slice(0, Math.max(0, logs.length - KEEP_FILES))) {
      fs.rmSync(path.join(dir, old), { force: true });
    }
  } catch {
    // Pruning is housekeeping: another guard may be pruning at the same moment.
  }
}

/** A sink that stops writing at the cap, with one last line saying so. */
function cappedSink(fd: number): { write(s: string): boolean; flush(): void } {
  let written = 0;
  let full = false;
  const dest = pino.destination({ dest: fd, sync: false, minLength: 0 });
  return {
    write(s: string): boolean {
      if (full) return true;
      written += Buffer.byteLength(s);
      if (written > MAX_FILE_BYTES) {
        full = true;
        return dest.write(
          `${JSON.stringify({ level: 40, time: Date.now(), msg: "log file cap reached; further events dropped", capBytes: MAX_FILE_BYTES })}\n`,
        );
      }
      return dest.write(s);
    },
    flush(): void {
      try {
        dest.flushSync();
      } catch {
        // Nothing more can be done about a log that cannot be written.
      }
    },
  };
}

function openFile(dir: string, pid: number): { fd: number; file: string } {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${stamp(new Date())}-${pid}.log`);
  return { fd: fs.openSync(file, "a"), file };
}

export function openLog(config: Config, name: string): Log {
  const dir = path.join(config.home, "logs");
  let opened: { fd: number; file: string } | undefined;
  for (const candidate of [
    dir,
    path.join(os.tmpdir(), `gopls-guard-${os.userInfo().uid}`, "logs"),
  ]) {
    try {
      opened = openFile(candidate, process.pid);
      prune(candidate);
      break;
    } catch {
      // Try the next place; the session start line records where the log went.
    }
  }
  const sink = opened ? cappedSink(opened.fd) : cappedSink(2);
  const logger = pino({ name, level: config.logLevel, base: { pid: process.pid } }, sink);
  return { logger, file: opened?.file ?? "stderr", flush: () => sink.flush() };
}
