// A build made with a newer Go than the local one (for a workspace whose go line needs it) runs
// with that Go for its own go commands: gopls runs `go list` for every load, and the local go
// refuses such a module ("go.mod requires go >= 1.27 (running go 1.26.8; GOTOOLCHAIN=local)").
// The toolchain's name is kept beside the build, written when it was built.

import fs from "node:fs";
import path from "node:path";
import { TOOLCHAIN_NAME } from "./layout.js";

export function writeToolchain(dir: string, goVersion: string): void {
  fs.writeFileSync(path.join(dir, TOOLCHAIN_NAME), `${goVersion}\n`, { mode: 0o644, flag: "wx" });
}

/** The toolchain a build needs for its go commands ("go1.27.3"), if it was built with one. */
export function toolchainOf(goplsPath: string): string | undefined {
  try {
    const name = fs.readFileSync(path.join(path.dirname(goplsPath), TOOLCHAIN_NAME), "utf8").trim();
    return /^go\d+\.\d+(\.\d+)?$/.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}
