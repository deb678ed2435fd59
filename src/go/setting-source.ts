// Where a Go setting comes from, so a fix works for it: a variable in the environment wins over
// go's env file (`go env -w` then only warns "does not override conflicting OS environment
// variable"), so each source gets its own fix.

import fs from "node:fs";

export type SettingSource = "environment" | "go env file" | "default";

/** The source of NAME's effective value: the editor's environment, go's env file, or neither. */
export function settingSource(
  name: string,
  env: NodeJS.ProcessEnv,
  goEnvFile: string | undefined,
): SettingSource {
  if (env[name] !== undefined && env[name] !== "") return "environment";
  if (!goEnvFile) return "default";
  try {
    const text = fs.readFileSync(goEnvFile, "utf8");
    if (new RegExp(`^\\s*${name}\\s*=`, "m").test(text)) return "go env file";
  } catch {
    // No env file: nothing set there.
  }
  return "default";
}

/**
 * The fix for a setting from that source. `value` undefined: remove the setting; else set it.
 * In the environment, the place to change is wherever the editor gets it (a shell profile, the
 * desktop session), and `go env -w` would not help.
 */
export function settingFix(name: string, source: SettingSource, value?: string): string {
  if (source === "environment")
    return value === undefined
      ? `${name} is set in the environment the editor starts with: remove it there (your shell profile, ~/.config/environment.d, launchctl, or the editor's own env settings); \`go env -w\` cannot override it.`
      : `${name} is set in the environment the editor starts with: change it there to ${name}=${value} (your shell profile, ~/.config/environment.d, launchctl, or the editor's own env settings); \`go env -w\` cannot override it.`;
  return value === undefined ? `\`go env -u ${name}\`.` : `\`go env -w ${name}=${value}\`.`;
}

/** GOPROXY=off: the fix for where it is set. */
export function proxyOffFix(source: SettingSource): string {
  return `${settingFix("GOPROXY", source, "https://proxy.golang.org,direct")} Or your organisation's proxy; or install gopls yourself and set GOPLS_GUARD_GOPLS.`;
}
