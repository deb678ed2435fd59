// Unprivileged users for permission tests (root ignores permission bits): gg-alice and gg-bob
// share the group gg-share. Created once per machine; commands run as them with setpriv.

import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { GUARD } from "./env.js";

const exec = promisify(execFile);

export const GROUP = "gg-share";
export const USERS = ["gg-alice", "gg-bob"] as const;
export type User = (typeof USERS)[number];

/** Why these tests cannot run here, or undefined when they can. */
export function usersUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root to create users and switch to them";
  try {
    execFileSync("sh", ["-c", "command -v setpriv useradd groupadd"], { stdio: "ignore" });
  } catch {
    return "needs setpriv, useradd and groupadd";
  }
  return undefined;
}

export function ensureUsers(): void {
  const has = (db: string, name: string) => {
    try {
      execFileSync("getent", [db, name], { stdio: "ignore" });
      return true;
    } catch {
      return false;
    }
  };
  if (!has("group", GROUP)) execFileSync("groupadd", [GROUP]);
  for (const user of USERS)
    if (!has("passwd", user)) execFileSync("useradd", ["-m", "-G", GROUP, "-s", "/bin/sh", user]);
}

export function homeOf(user: User): string {
  return execFileSync("getent", ["passwd", user], { encoding: "utf8" }).split(":")[5] as string;
}

/** A world-readable copy of the bundle (it is self-contained), wherever the checkout lives. */
export function publicGuard(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gg-public-"));
  fs.cpSync(path.dirname(GUARD), dir, { recursive: true });
  execFileSync("chmod", ["-R", "a+rX", dir]);
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, path.basename(GUARD));
}

export interface AsUserResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs argv as the user with umask 077 (the least helpful umask) and the given environment. */
export async function asUser(
  user: User,
  argv: string[],
  env: NodeJS.ProcessEnv,
): Promise<AsUserResult> {
  const script = `umask 077; exec "$@"`;
  try {
    const { stdout, stderr } = await exec(
      "setpriv",
      ["--reuid", user, "--regid", user, "--init-groups", "--", "sh", "-c", script, "sh", ...argv],
      { env: { ...env, HOME: homeOf(user), USER: user, LOGNAME: user } },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}
