// One typed, validated Config from the environment (GOPLS_GUARD_*) over the config file, with
// the platform and home directory passed in so per-OS defaults are testable here. Never throws:
// what cannot be used is ignored, reported as a config.invalid finding, and never rewritten.

import path from "node:path";
import { parseBytes } from "./bytes.js";
import { DEFAULT_MIRRORS, defaultConfigFile, readConfigFile } from "./config-file.js";
import { DEFAULTS } from "./defaults.js";
import type { Finding } from "./findings.js";

export const UPDATE_POLICIES = ["off", "patch", "minor"] as const;
export type UpdatePolicy = (typeof UPDATE_POLICIES)[number];

export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Config {
  /** Where the guard keeps its logs, state and (by default) its managed gopls installs. */
  home: string;
  /** The configured home, when it could not be written and `home` is a per-user stand-in. */
  homeFallbackFrom?: string | undefined;
  logLevel: LogLevel;
  /** An explicit gopls binary (GOPLS_GUARD_GOPLS): verified, never reinstalled. */
  goplsPath: string | undefined;
  /** An explicit go binary (GOPLS_GUARD_GO); otherwise PATH, login shell, well-known places. */
  goPath: string | undefined;
  /** "latest" or an exact version such as "v0.16.2" (GOPLS_GUARD_GOPLS_VERSION). */
  goplsVersion: string;
  /** Which newer gopls a daily background check installs (GOPLS_GUARD_UPDATE); a pin wins. */
  update: UpdatePolicy;
  /** Where managed gopls builds go (GOPLS_GUARD_INSTALL_DIR); a shared one may be group-writable. */
  installDir: string;
  /** The config file read, if any. */
  configFile: string;
  /** Largest LSP message accepted from either side. */
  maxMessageBytes: number;
  /** How long gopls gets to exit after being told to, before SIGTERM and again before SIGKILL. */
  killGraceMs: number;
  /** How often the editor's process id (from initialize) and the guard's parent are checked. */
  parentPollMs: number;
  /** An install lock not refreshed for this long belongs to a dead installer and is taken over. */
  lockStaleMs: number;
  /** How often a long, quiet gopls build reports how long it has been going (GOPLS_GUARD_PROGRESS_MS). */
  progressEveryMs: number;
  /** gopls's soft memory limit in bytes (GOPLS_GUARD_MEMORY_LIMIT); undefined: a share of physical memory. */
  memoryLimit: number | undefined;
  /** How often gopls's resident memory is sampled (GOPLS_GUARD_MEMORY_SAMPLE_MS). */
  memorySampleMs: number;
  /** The pause before the 2nd restart of a crashed gopls; it doubles each time (the 1st is at once). */
  restartBackoffMs: number;
  /** Run the doctor's checks (settings, directories, the proxy) once gopls has started (GOPLS_GUARD_CHECKS=off: not). */
  checksInSession: boolean;
  /**
   * How long after gopls starts those checks wait: until gopls has loaded the workspace, since
   * they cost a go env, a module load and a TLS handshake (~0.25 s of CPU) that gopls needs more.
   */
  checksDelayMs: number;
  /**
   * Module proxies offered, with the user's consent, for one install when theirs cannot be
   * reached (GOPLS_GUARD_MIRRORS, comma-separated); the user's GOPROXY is never changed.
   */
  mirrors: string[];
  /**
   * How long an install may hold up the initialize answer before the guard gives it (editors such
   * as Helix and Eglot give up on a server after 20–30 s); gopls then takes over when ready.
   */
  earlyAnswerMs: number;
  /**
   * After a failed start, the first of the guard's own retries (GOPLS_GUARD_AUTO_RETRY_MS); the
   * pause doubles up to 5 minutes. A client that shows no Retry (an agent) recovers by itself.
   */
  autoRetryMs: number;
  /**
   * How long gopls's output may stop halfway through an LSP frame before it is reported
   * (GOPLS_GUARD_FRAME_STALL_MS): a gopls wedged mid-write, noticed before its EOF.
   */
  frameStallMs: number;
  /**
   * How long warming a new gopls's cache before a switch may take (GOPLS_GUARD_WARM_TIMEOUT_MS);
   * past it the switch is offered anyway. 0 (GOPLS_GUARD_WARM=off): no warming.
   */
  warmTimeoutMs: number;
  /**
   * Serve through one gopls shared with every other client of the same key (GOPLS_GUARD_SHARE=1,
   * or `--share` on the command line): see src/shared/.
   */
  share: boolean;
  /** How long a shared gopls outlives its last client (GOPLS_GUARD_SHARE_IDLE_MS). */
  shareIdleMs: number;
  /** Where the shared gopls's sockets are (GOPLS_GUARD_SHARE_DIR); undefined: the default. */
  shareDir: string | undefined;
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

function bytesSetting(
  env: NodeJS.ProcessEnv,
  name: string,
  problems: Finding[],
): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === "") return undefined;
  const n = parseBytes(raw);
  if (n === undefined) problems.push(invalid(name, raw, "a size such as 4G or 1500M"));
  return n;
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
  const problems: Finding[] = [];
  const configFile = p.env.GOPLS_GUARD_CONFIG || defaultConfigFile(p);
  // The environment wins over the file.
  const env: NodeJS.ProcessEnv = { ...readConfigFile(configFile, problems), ...definedOnly(p.env) };
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
  let goplsVersion = (env.GOPLS_GUARD_GOPLS_VERSION ?? "").trim() || "latest";
  if (goplsVersion !== "latest" && !/^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(goplsVersion)) {
    problems.push(
      invalid(
        "GOPLS_GUARD_GOPLS_VERSION",
        goplsVersion,
        `"latest" or an exact version such as v0.16.2`,
      ),
    );
    goplsVersion = "latest";
  } else if (goplsVersion !== "latest" && !goplsVersion.startsWith("v")) {
    goplsVersion = `v${goplsVersion}`;
  }
  let update: UpdatePolicy = "minor";
  const rawUpdate = env.GOPLS_GUARD_UPDATE?.trim().toLowerCase();
  if (rawUpdate) {
    if ((UPDATE_POLICIES as readonly string[]).includes(rawUpdate))
      update = rawUpdate as UpdatePolicy;
    else problems.push(invalid("GOPLS_GUARD_UPDATE", rawUpdate, UPDATE_POLICIES.join(", ")));
  }
  let installDir = path.join(home, "gopls");
  if (env.GOPLS_GUARD_INSTALL_DIR) {
    if (path.isAbsolute(env.GOPLS_GUARD_INSTALL_DIR)) installDir = env.GOPLS_GUARD_INSTALL_DIR;
    else
      problems.push(
        invalid("GOPLS_GUARD_INSTALL_DIR", env.GOPLS_GUARD_INSTALL_DIR, "an absolute path"),
      );
  }
  // Each entry on its own: a bad one is dropped and reported, the others are kept.
  const mirrors = (env.GOPLS_GUARD_MIRRORS ?? DEFAULT_MIRRORS.join(","))
    .split(",")
    .map((m) => m.trim().replace(/\/+$/, ""))
    .filter((m) => {
      if (!m) return false;
      if (/^https?:\/\/[^\s,|]+$/.test(m)) return true;
      problems.push(invalid("GOPLS_GUARD_MIRRORS", m, "comma-separated http(s) proxy URLs"));
      return false;
    });
  const config: Config = {
    home,
    logLevel,
    goplsPath: env.GOPLS_GUARD_GOPLS || undefined,
    goPath: env.GOPLS_GUARD_GO || undefined,
    goplsVersion,
    update,
    installDir,
    configFile,
    maxMessageBytes: positiveInt(
      env,
      "GOPLS_GUARD_MAX_MESSAGE_BYTES",
      DEFAULTS.maxMessageBytes,
      problems,
    ),
    killGraceMs: positiveInt(env, "GOPLS_GUARD_KILL_GRACE_MS", DEFAULTS.killGraceMs, problems),
    parentPollMs: positiveInt(env, "GOPLS_GUARD_PARENT_POLL_MS", DEFAULTS.parentPollMs, problems),
    lockStaleMs: positiveInt(env, "GOPLS_GUARD_LOCK_STALE_MS", DEFAULTS.lockStaleMs, problems),
    progressEveryMs: positiveInt(
      env,
      "GOPLS_GUARD_PROGRESS_MS",
      DEFAULTS.progressEveryMs,
      problems,
    ),
    memoryLimit: bytesSetting(env, "GOPLS_GUARD_MEMORY_LIMIT", problems),
    memorySampleMs: positiveInt(
      env,
      "GOPLS_GUARD_MEMORY_SAMPLE_MS",
      DEFAULTS.memorySampleMs,
      problems,
    ),
    restartBackoffMs: positiveInt(
      env,
      "GOPLS_GUARD_RESTART_BACKOFF_MS",
      DEFAULTS.restartBackoffMs,
      problems,
    ),
    checksInSession: env.GOPLS_GUARD_CHECKS !== "off",
    checksDelayMs: positiveInt(
      env,
      "GOPLS_GUARD_CHECKS_DELAY_MS",
      DEFAULTS.checksDelayMs,
      problems,
    ),
    mirrors,
    earlyAnswerMs: positiveInt(
      env,
      "GOPLS_GUARD_EARLY_ANSWER_MS",
      DEFAULTS.earlyAnswerMs,
      problems,
    ),
    frameStallMs: positiveInt(env, "GOPLS_GUARD_FRAME_STALL_MS", DEFAULTS.frameStallMs, problems),
    autoRetryMs: positiveInt(env, "GOPLS_GUARD_AUTO_RETRY_MS", DEFAULTS.autoRetryMs, problems),
    warmTimeoutMs:
      env.GOPLS_GUARD_WARM === "off"
        ? 0
        : positiveInt(env, "GOPLS_GUARD_WARM_TIMEOUT_MS", DEFAULTS.warmTimeoutMs, problems),
    share: ["1", "on", "true", "yes"].includes((env.GOPLS_GUARD_SHARE ?? "").trim().toLowerCase()),
    shareIdleMs: positiveInt(env, "GOPLS_GUARD_SHARE_IDLE_MS", DEFAULTS.shareIdleMs, problems),
    shareDir: absolute(env, "GOPLS_GUARD_SHARE_DIR", problems),
  };
  return { config, problems };
}

function absolute(env: NodeJS.ProcessEnv, name: string, problems: Finding[]): string | undefined {
  const raw = env[name];
  if (!raw) return undefined;
  if (path.isAbsolute(raw)) return raw;
  problems.push(invalid(name, raw, "an absolute path"));
  return undefined;
}

function definedOnly(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== "") out[k] = v;
  return out;
}
