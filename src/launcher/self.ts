// What runs now, for a launcher to run again: node and the guard's bundle (with the bundle's
// node flags), or, for a single-file executable (npm run dist), the executable alone, whose
// launcher Go source travels inside it as assets.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { shippedSourceDir } from "./build.js";
import { type LauncherTarget, nodeFlagsFromShebang } from "./paths.js";

export interface Self {
  /** The file that is the guard: the bundle, or the executable. Real path. */
  guard: string;
  target: LauncherTarget;
  /** Where the launcher's Go source is (done: remove what was written for the build). */
  source(): { dir: string; done: () => void };
}

interface Sea {
  isSea(): boolean;
  getAsset(key: string, encoding: string): string;
}

function singleExecutable(): Sea | undefined {
  // Not import(): a single executable's main script cannot import. getBuiltinModule is Node
  // 20.16+, and every executable `npm run dist` makes has it.
  const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  const sea = get?.("node:sea") as Sea | undefined;
  return sea?.isSea() ? sea : undefined;
}

const LAUNCHER_FILES = ["main.go", "run_unix.go", "run_windows.go"];

export async function whatRunsNow(): Promise<Self | undefined> {
  const sea = singleExecutable();
  if (sea) {
    const exe = fs.realpathSync(process.execPath);
    return {
      guard: exe,
      target: { node: exe, nodeFlags: [], guard: "" },
      source() {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gopls-guard-launcher-src-"));
        for (const f of LAUNCHER_FILES)
          fs.writeFileSync(path.join(dir, f), sea.getAsset(`launcher/${f}`, "utf8"));
        return { dir, done: () => fs.rmSync(dir, { recursive: true, force: true }) };
      },
    };
  }
  const script = process.argv[1];
  if (!script) return undefined;
  const guard = fs.realpathSync(script);
  const shebang = fs.readFileSync(guard, "utf8").split("\n", 1)[0] ?? "";
  return {
    guard,
    target: { node: process.execPath, nodeFlags: nodeFlagsFromShebang(shebang), guard },
    source: () => ({ dir: shippedSourceDir(guard), done: () => {} }),
  };
}
