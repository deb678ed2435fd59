// `gopls-guard clean [--all]`: what the guard put on this machine, removed, each path said.
// Plain `clean` removes what can be made again and is not in use: gopls builds no session runs
// and no warm start names, logs of finished processes, scratch left by killed ones. `--all`
// removes everything of the guard's: its home (builds, state, logs) and the launchers `link`
// made; never Go's caches, gopls's own cache, the config file or a shared install dir.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { formatBytes } from "../bytes.js";
import type { Config } from "../config.js";
import { parseVersionDir } from "../gopls/layout.js";
import { alive } from "../gopls/leftovers.js";
import { goplsCacheDir } from "../gopls/start-fault.js";
import { sidecarFile } from "../launcher/paths.js";
import { isLauncher, readSidecar, recordedLaunchers } from "../launcher/sidecar.js";
import { liveSessions } from "../serve/session-file.js";

/** Bytes under p (files only; links not followed). */
function sizeOf(p: string): number {
  const st = fs.lstatSync(p, { throwIfNoEntry: false });
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const e of fs.readdirSync(p)) n += sizeOf(path.join(p, e));
  return n;
}

/** Makes every directory under p writable by its owner: go's module cache is read-only. */
function makeWritable(p: string): void {
  const st = fs.lstatSync(p, { throwIfNoEntry: false });
  if (!st?.isDirectory()) return;
  if ((st.mode & 0o200) === 0) fs.chmodSync(p, (st.mode & 0o7777) | 0o700);
  for (const e of fs.readdirSync(p)) makeWritable(path.join(p, e));
}

/** Removes p, read-only trees included; the error's text when it cannot. */
export function removeTree(p: string): string | undefined {
  try {
    fs.rmSync(p, { recursive: true, force: true });
    return undefined;
  } catch {
    // A read-only directory inside (go's module cache): made writable, then again.
  }
  try {
    makeWritable(p);
    fs.rmSync(p, { recursive: true, force: true });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function children(dir: string): string[] {
  try {
    return fs.readdirSync(dir).map((n) => path.join(dir, n));
  } catch {
    return [];
  }
}

/** The gopls paths that warm starts would run (state/*.json). */
function remembered(home: string): Set<string> {
  const out = new Set<string>();
  for (const file of children(path.join(home, "state"))) {
    try {
      const state = JSON.parse(fs.readFileSync(file, "utf8")) as { gopls?: { path?: string } };
      if (state.gopls?.path) out.add(state.gopls.path);
    } catch {
      // Not a state file of ours: left.
    }
  }
  return out;
}

/** What plain `clean` removes: unused builds, finished logs, dead scratch. */
function removable(config: Config): string[] {
  const inUse = new Set(
    liveSessions(config.home).flatMap((s) => (s.goplsPath ? [s.goplsPath] : [])),
  );
  const keep = new Set([...inUse, ...remembered(config.home)].map((p) => path.dirname(p)));
  const roots = new Set([path.join(config.home, "gopls"), config.installDir]);
  const builds = [...roots]
    .filter((root) => root === path.join(config.home, "gopls") || inside(config.home, root))
    .flatMap(children)
    .filter((d) => parseVersionDir(path.basename(d)) && !keep.has(d));
  const pidOf = (name: string) =>
    Number(/-(\d+)-[a-z]+\.log$/.exec(name)?.[1] ?? /-(\d+)-/.exec(name)?.[1]);
  const logs = children(path.join(config.home, "logs")).filter((f) => {
    const pid = pidOf(path.basename(f));
    return !pid || (pid !== process.pid && !alive(pid));
  });
  const scratch = children(path.join(config.home, "tmp")).filter((d) => {
    const pid = Number(/-(\d+)-/.exec(path.basename(d))?.[1]);
    return !pid || !alive(pid);
  });
  return [...builds, ...logs, ...scratch];
}

/** A file `link` made that is still the guard's: a launcher, or a link to the guard's bundle. */
function ours(p: string): boolean {
  if (isLauncher(p) && readSidecar(p) !== undefined) return true;
  if (!fs.lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink()) return false;
  try {
    return path.basename(fs.realpathSync(p)).startsWith("gopls-guard");
  } catch {
    return true; // the guard it pointed at is gone
  }
}

function inside(dir: string, p: string): boolean {
  const rel = path.relative(dir, p);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

export function clean(config: Config, args: string[]): number {
  const all = args.includes("--all");
  const unknown = args.filter((a) => a !== "--all");
  if (unknown.length) {
    process.stderr.write("usage: gopls-guard clean [--all]\n");
    return 2;
  }
  const out: string[] = [];
  let targets: string[];
  if (all) {
    const running = liveSessions(config.home);
    if (running.length) {
      process.stderr.write(
        `gopls-guard clean --all: ${running.length} session${running.length === 1 ? " is" : "s are"} running (gopls-guard status): close their editors first.\n`,
      );
      return 1;
    }
    const launchers = recordedLaunchers(config.home).filter(ours);
    targets = [...launchers.flatMap((l) => [l, sidecarFile(l)]), config.home];
  } else targets = removable(config);
  let freed = 0;
  let failed = 0;
  out.push(targets.length ? "Removed:" : "Nothing to remove.");
  for (const t of targets) {
    if (!fs.lstatSync(t, { throwIfNoEntry: false })) continue;
    const size = sizeOf(t);
    const error = removeTree(t);
    if (error) {
      failed++;
      out.push(`  ✗ ${t}: ${error}`);
    } else {
      freed += size;
      out.push(`  ${t} (${formatBytes(size)})`);
    }
  }
  if (targets.length) out.push(`${formatBytes(freed)} freed.`);
  const left = [
    ["Go's build cache", process.env.GOCACHE || path.join(os.homedir(), ".cache", "go-build")],
    ["Go's module cache", process.env.GOMODCACHE || path.join(os.homedir(), "go", "pkg", "mod")],
    ["gopls's own cache", goplsCacheDir(process.env)],
    ["the config file", config.configFile],
    ...(inside(config.home, config.installDir)
      ? []
      : [["the shared install dir (others may use it)", config.installDir]]),
    ...(all ? [] : [["the builds in use or next to start, state, launchers", config.home]]),
  ];
  out.push("Left alone:", ...left.map(([what, where]) => `  ${what}: ${where}`));
  if (!all) out.push("`gopls-guard clean --all` removes everything of the guard's.");
  process.stdout.write(`${out.join("\n")}\n`);
  return failed ? 1 : 0;
}
