// The Go a workspace asks for: the `go` and `toolchain` lines of the go.work that governs it
// (the nearest in it or a parent), else of its go.mod, found as the go command finds them.

import fs from "node:fs";
import path from "node:path";

export interface ModuleGo {
  file: string;
  /** The `go` line: "1.27", "1.27.0". */
  go: string;
  /** The `toolchain` line, when there is one: "go1.27.3". */
  toolchain: string | undefined;
}

/** The go and toolchain lines of a go.mod or go.work. */
export function parseGoLines(text: string): { go?: string; toolchain?: string } {
  const go = /^go\s+(\d+\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+)?)\s*(?:\/\/.*)?$/m.exec(text)?.[1];
  const toolchain = /^toolchain\s+(go\S+)\s*(?:\/\/.*)?$/m.exec(text)?.[1];
  return { ...(go ? { go } : {}), ...(toolchain ? { toolchain } : {}) };
}

function findUp(dir: string, name: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const file = path.join(d, name);
    if (fs.existsSync(file)) return file;
    if (path.dirname(d) === d) return undefined;
  }
}

/** The workspace's Go requirement, or undefined when it has no go.work or go.mod saying one. */
export function moduleGoOf(dir: string): ModuleGo | undefined {
  for (const name of ["go.work", "go.mod"]) {
    const file = findUp(dir, name);
    if (!file) continue;
    try {
      const { go, toolchain } = parseGoLines(fs.readFileSync(file, "utf8"));
      if (go) return { file, go, toolchain };
    } catch {
      // Unreadable: as if absent.
    }
  }
  return undefined;
}
