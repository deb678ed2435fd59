// `gopls-guard link [DIR]`: a `gopls` (gopls.exe on Windows) that runs the guard, for VS Code's
// Go extension, which keys its Go features on the executable's name and checks its build info.
// It is a small Go program built with the local Go (see src/launcher/); without Go it falls back
// to a link and says why. It goes in the guard's own directory by default, so nothing called
// gopls lands on PATH to shadow a real one.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Config } from "../config.js";
import { findGo } from "../go/find.js";
import { loginShellProbe } from "../go/shell.js";
import { buildUnderLock } from "../launcher/locked.js";
import { defaultLinkDir, launcherFile, sidecarFile } from "../launcher/paths.js";
import { type Self, whatRunsNow } from "../launcher/self.js";
import { isLauncher, recordLauncher } from "../launcher/sidecar.js";

export async function link(config: Config, args: string[]): Promise<number> {
  if (args.length > 1 || args[0]?.startsWith("-")) {
    process.stderr.write("usage: gopls-guard link [DIR]\n");
    return 2;
  }
  const platform = process.platform;
  const dir = path.resolve(args[0] ?? defaultLinkDir(config.home, platform));
  const running = await whatRunsNow();
  if (!running) {
    process.stderr.write("gopls-guard link: cannot tell which file the guard runs from\n");
    return 1;
  }
  const self = running.guard;
  const output = launcherFile(dir, platform);
  const fallback = platform === "win32" ? path.join(dir, "gopls.cmd") : output;
  for (const p of new Set([output, fallback])) {
    if (fs.lstatSync(p, { throwIfNoEntry: false }) && !ours(p, self)) {
      process.stderr.write(
        `gopls-guard link: ${p} exists and is not a link to the guard; it was left alone.\nRemove it, or name another directory: gopls-guard link DIR\n`,
      );
      return 1;
    }
  }
  const why = await tryLauncher(config, output, running);
  try {
    if (why === undefined) {
      if (fallback !== output) fs.rmSync(fallback, { force: true });
      recordLauncher(config.home, output);
      process.stdout.write(`${output}\n`);
      return 0;
    }
    fs.mkdirSync(dir, { recursive: true });
    fs.rmSync(fallback, { force: true });
    fs.rmSync(sidecarFile(fallback), { force: true });
    const cmd = running.target.guard ? `"${process.execPath}" "${self}"` : `"${self}"`;
    if (platform === "win32") fs.writeFileSync(fallback, `@${cmd} %*\r\n`);
    else fs.symlinkSync(self, fallback);
    recordLauncher(config.home, output);
  } catch (error) {
    process.stderr.write(
      `gopls-guard link: cannot create ${fallback}: ${(error as Error).message}\n`,
    );
    return 1;
  }
  process.stderr.write(
    `gopls-guard link: ${why}\nMade ${fallback}, a plain link to the guard, instead. VS Code's Go extension ` +
      `${platform === "win32" ? "does not recognise it as gopls" : 'will say "Tools (gopls) need recompiling" at every start'}` +
      " until the launcher is built: the guard builds it on its next start once Go is found, or run `gopls-guard link` again.\n",
  );
  process.stdout.write(`${fallback}\n`);
  return 0;
}

/** A file the guard made: a launcher (it has a sidecar), a link to the guard, or the old .cmd. */
function ours(p: string, self: string): boolean {
  if (isLauncher(p)) return true;
  try {
    if (fs.lstatSync(p).isSymbolicLink()) return fs.realpathSync(p) === self;
    return p.endsWith(".cmd") && fs.readFileSync(p, "utf8").includes(self);
  } catch {
    return false;
  }
}

/** undefined when the launcher was built; otherwise why not, in one line. */
async function tryLauncher(
  config: Config,
  output: string,
  running: Self,
): Promise<string | undefined> {
  const go = await findGo({
    explicit: config.goPath,
    env: process.env,
    platform: process.platform,
    homedir: os.homedir(),
    loginShell: loginShellProbe(process.env.SHELL),
  });
  if (!go.ok) return `the launcher needs Go to be built: ${go.finding.message}`;
  const source = running.source();
  const built = await buildUnderLock(config, {
    go: go.value.path,
    env: process.env,
    sourceDir: source.dir,
    output,
    target: running.target,
  }).finally(source.done);
  if (!built || built.ok) return undefined;
  const detail = built.finding.evidence.output;
  return `${built.finding.message}${detail ? `\n${detail}` : ""}`;
}
