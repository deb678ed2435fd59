// The config file: where it lives on each OS, the keys it takes (each mirrors a GOPLS_GUARD_*
// variable), and its reading, which never throws and never rewrites a broken file.

import fs from "node:fs";
import path from "node:path";
import type { Platform } from "./config.js";
import type { Finding } from "./findings.js";

export function defaultConfigFile({ env, platform, homedir }: Platform): string {
  if (platform === "win32")
    return path.win32.join(
      env.APPDATA ?? path.win32.join(homedir, "AppData", "Roaming"),
      "gopls-guard",
      "config.json",
    );
  if (platform === "darwin")
    return path.posix.join(homedir, "Library", "Application Support", "gopls-guard", "config.json");
  const base =
    env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME)
      ? env.XDG_CONFIG_HOME
      : path.join(homedir, ".config");
  return path.join(base, "gopls-guard", "config.json");
}

/** The config file's keys and the environment variables that override them. */
export const FILE_KEYS = {
  goplsVersion: "GOPLS_GUARD_GOPLS_VERSION",
  installDir: "GOPLS_GUARD_INSTALL_DIR",
  go: "GOPLS_GUARD_GO",
  gopls: "GOPLS_GUARD_GOPLS",
  home: "GOPLS_GUARD_HOME",
  logLevel: "GOPLS_GUARD_LOG_LEVEL",
  mirrors: "GOPLS_GUARD_MIRRORS",
  share: "GOPLS_GUARD_SHARE",
} as const;

export const DEFAULT_MIRRORS = ["https://goproxy.cn", "https://goproxy.io"];

/** Reads the config file into environment-style settings; a broken file is reported, not used. */
export function readConfigFile(file: string, problems: Finding[]): Record<string, string> {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      problems.push(brokenFile(file, (error as Error).message));
    }
    return {};
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    problems.push(brokenFile(file, (error as Error).message));
    return {};
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    problems.push(brokenFile(file, "the file must hold one JSON object"));
    return {};
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const envName = (FILE_KEYS as Record<string, string>)[key];
    if (!envName) {
      problems.push({
        id: "config.invalid",
        severity: "warning",
        message: `Unknown key "${key}" in the config file was ignored.`,
        evidence: { file },
        fix: `Known keys: ${Object.keys(FILE_KEYS).join(", ")}.`,
      });
    } else if (typeof value !== "string") {
      problems.push({
        id: "config.invalid",
        severity: "warning",
        message: `"${key}" in the config file must be a string; it was ignored.`,
        evidence: { file, [key]: JSON.stringify(value) },
        fix: `Write it as "${key}": "..."`,
      });
    } else {
      out[envName] = value;
    }
  }
  return out;
}

function brokenFile(file: string, why: string): Finding {
  return {
    id: "config.invalid",
    severity: "warning",
    message: "The config file cannot be read; defaults are used and the file is left as it is.",
    evidence: { file, error: why },
    fix: `Fix the JSON in ${file} (see the README's configuration section).`,
  };
}
