// One typed, validated Config from the environment (GOPLS_GUARD_*), with the platform
// and home directory passed in so per-OS defaults are testable here.

import path from "node:path";
import type { Finding } from "./findings.js";

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  /** Where the guard keeps its logs and (later) its managed gopls installs. */
  home: string;
  logLevel: LogLevel;
  /** An explicit gopls binary (GOPLS_GUARD_GOPLS); otherwise the PATH is searched. */
  goplsPath: string | undefined;
  /** Largest LSP message accepted from either side. */
  maxMessageBytes: number;
  /** How long gopls gets to exit after being told to, before SIGTERM and again before SIGKILL. */
  killGraceMs: number;
  /** How often the editor's process id (from initialize) and the guard's parent are checked. */
  parentPollMs: number;
}

export interface Platform {
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
  homedir: string;
}

export function defaultHome({ env, platform, homedir }: Platform): string {
  if (platform === "win32") {
    return path.win32.join(
      env.LOCALAPPDATA ?? path.win32.join(homedir, "AppData", "Local"),
      "gopls-guard",
    );
  }
  if (platform === "darwin")
    return path.posix.join(homedir, "Library", "Application Support", "gopls-guard");
  const data =
    env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME)
      ? env.XDG_DATA_HOME
      : path.join(homedir, ".local", "share");
  return path.join(data, "gopls-guard");
}

function positiveInt(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  problems: Finding[],
): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (/^[0-9]+$/.test(raw) && Number(raw) > 0) return Number(raw);
  problems.push(invalid(name, raw, `a positive whole number (default ${fallback})`));
  return fallback;
}

function invalid(name: string, value: string, expected: string): Finding {
  return {
    id: "config.invalid",
    severity: "warning",
    message: `${name} is not valid and was ignored.`,
    evidence: { [name]: value },
    fix: `Set ${name} to ${expected}, or unset it.`,
  };
}

/** Never throws: a bad setting falls back to its default and comes back as a finding. */
export function loadConfig(p: Platform): { config: Config; problems: Finding[] } {
  const { env } = p;
  const problems: Finding[] = [];
  let logLevel: LogLevel = "info";
  const rawLevel = env.GOPLS_GUARD_LOG_LEVEL?.trim().toLowerCase();
  if (rawLevel) {
    if ((LOG_LEVELS as readonly string[]).includes(rawLevel)) logLevel = rawLevel as LogLevel;
    else
      problems.push(invalid("GOPLS_GUARD_LOG_LEVEL", rawLevel, `one of ${LOG_LEVELS.join(", ")}`));
  }
  let home = defaultHome(p);
  if (env.GOPLS_GUARD_HOME) {
    if (path.isAbsolute(env.GOPLS_GUARD_HOME)) home = env.GOPLS_GUARD_HOME;
    else problems.push(invalid("GOPLS_GUARD_HOME", env.GOPLS_GUARD_HOME, "an absolute path"));
  }
  const config: Config = {
    home,
    logLevel,
    goplsPath: env.GOPLS_GUARD_GOPLS || undefined,
    maxMessageBytes: positiveInt(env, "GOPLS_GUARD_MAX_MESSAGE_BYTES", 256 * 1024 * 1024, problems),
    killGraceMs: positiveInt(env, "GOPLS_GUARD_KILL_GRACE_MS", 2000, problems),
    parentPollMs: positiveInt(env, "GOPLS_GUARD_PARENT_POLL_MS", 2000, problems),
  };
  return { config, problems };
}
