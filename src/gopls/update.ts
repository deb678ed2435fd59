// A background update: the day-old version decision redone once gopls runs, never on the start
// path. The newest gopls this Go can build, if GOPLS_GUARD_UPDATE allows it, is installed at
// low priority under the install lock and remembered for the next start; builds no running
// session uses are removed.

import fs from "node:fs";
import path from "node:path";
import semver from "semver";
import type { UpdatePolicy } from "../config.js";
import { ok, type Result } from "../findings.js";
import { liveSessions } from "../serve/session-file.js";
import { goFacts, installRoot, installVersion, remember, scratch } from "./cold-parts.js";
import { rootPerms } from "./install.js";
import type { Located, ResolveOptions } from "./launch.js";
import { parseVersionDir } from "./layout.js";
import { currentOwner, withInstallLock } from "./lock.js";
import { stateKey } from "./state.js";
import { decideVersion } from "./versions.js";

export interface Update {
  from: string;
  to: string;
  path: string;
}

/** Whether the policy takes a gopls from current to candidate: patch keeps the minor, minor the major. */
export function allowedUpdate(current: string, candidate: string, policy: UpdatePolicy): boolean {
  const [c, n] = [semver.parse(current.slice(1)), semver.parse(candidate.slice(1))];
  if (policy === "off" || !c || !n || !semver.gt(n, c)) return false;
  return policy === "patch" ? n.major === c.major && n.minor === c.minor : n.major === c.major;
}

/** Decides again; installs the newer gopls the policy allows. undefined: nothing newer to run. */
export async function updateGopls(
  o: ResolveOptions,
  current: Located,
): Promise<Result<Update | undefined>> {
  const key = stateKey(o.config, o.env);
  const cwd = scratch(o);
  try {
    const facts = await goFacts(o, cwd);
    if (!facts.ok) return facts;
    const { go, goEnv, localGo } = facts.value;
    const decided = await decideVersion(
      { kind: "latest" },
      { go, goEnv, localGo, user: o.env, cwd, logFile: o.logFile },
    );
    if (!decided.ok) return decided;
    const to = decided.value.version;
    const from = current.version ?? "";
    o.logger.info({ event: "update.decided", from, to, policy: o.config.update }, "update check");
    if (!allowedUpdate(from, to, o.config.update)) {
      // Decided for another day: what runs stays.
      remember(o, key, facts.value, from, current.path);
      return ok(undefined);
    }
    const installed = await installVersion(o, facts.value, to, { lowPriority: true });
    if (!installed.ok) return installed;
    remember(o, key, facts.value, to, installed.value.path);
    return ok({ from, to, path: installed.value.path });
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}

/**
 * Removes the builds in the install dir that neither `keep` nor any running session under this
 * home uses, under the install lock (a session starting meanwhile waits, then finds its build).
 */
export async function removeUnusedBuilds(o: ResolveOptions, keep: string[]): Promise<string[]> {
  const root = installRoot(o);
  // Only sessions under this home are known here: in a shared install dir another user's session
  // may run any build, so nothing there is removed in the background (its admin runs clean).
  if (root !== path.join(o.config.home, "gopls")) return [];
  const used = new Set(
    [
      ...keep,
      // This session's own file may not show its switch yet: keep says what it runs.
      ...liveSessions(o.config.home)
        .filter((s) => s.guardPid !== process.pid)
        .map((s) => s.goplsPath ?? ""),
    ]
      .filter(Boolean)
      .map((p) => path.dirname(p)),
  );
  let names: string[] = [];
  try {
    names = fs.readdirSync(root).filter((n) => parseVersionDir(n));
  } catch {
    return [];
  }
  const me = process.getuid?.();
  const unused = names
    .map((n) => path.join(root, n))
    .filter((d) => !used.has(d) && (me === undefined || fs.statSync(d).uid === me));
  if (unused.length === 0) return [];
  return withInstallLock(root, currentOwner("cleanup"), rootPerms(root).file, {}, async () => {
    for (const dir of unused) fs.rmSync(dir, { recursive: true, force: true });
    o.logger.info({ event: "update.removed", dirs: unused }, "removed unused gopls builds");
    return unused;
  });
}
