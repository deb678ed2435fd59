// `gopls-guard link [DIR]`: a file named `gopls` that runs the guard, for editors that key their
// Go features on the executable's name (VS Code). It goes in the guard's own directory by default,
// so nothing called gopls lands on PATH to shadow a real one.

import fs from "node:fs";
import path from "node:path";
import type { Config } from "../config.js";

export function link(config: Config, args: string[]): number {
  if (args.length > 1 || args[0]?.startsWith("-")) {
    process.stderr.write("usage: gopls-guard link [DIR]\n");
    return 2;
  }
  const dir = path.resolve(args[0] ?? path.join(config.home, "bin"));
  const self = fs.realpathSync(process.argv[1] as string);
  const windows = process.platform === "win32";
  const target = path.join(dir, windows ? "gopls.cmd" : "gopls");
  try {
    fs.mkdirSync(dir, { recursive: true });
    const existing = fs.lstatSync(target, { throwIfNoEntry: false });
    if (existing) {
      const pointsHome = existing.isSymbolicLink() && fs.realpathSync(target) === self;
      if (!pointsHome && !(windows && fs.readFileSync(target, "utf8").includes(self))) {
        process.stderr.write(
          `gopls-guard link: ${target} exists and is not a link to the guard; it was left alone.\nRemove it, or name another directory: gopls-guard link DIR\n`,
        );
        return 1;
      }
      fs.rmSync(target);
    }
    if (windows) fs.writeFileSync(target, `@"${process.execPath}" "${self}" %*\r\n`);
    else fs.symlinkSync(self, target);
  } catch (error) {
    process.stderr.write(
      `gopls-guard link: cannot create ${target}: ${(error as Error).message}\n`,
    );
    return 1;
  }
  process.stdout.write(`${target}\n`);
  return 0;
}
