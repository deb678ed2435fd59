// Whether a gopls build can load a workspace: a module whose `go` line is newer than the Go the
// build was made with cannot be loaded (golang/go#68258). Light enough for the warm start: names
// of directories and one go.mod read, no subprocess.

import fs from "node:fs";
import path from "node:path";
import { type GoVersion, parseGoVersion } from "../go/goversion.js";
import type { ModuleGo } from "../go/module-go.js";
import type { Located } from "./launch.js";
import { parseVersionDir } from "./layout.js";
import { untrustedBuild } from "./trust.js";

/** The Go language a managed build was made with, from its directory's name. */
export function builtWith(goplsPath: string): GoVersion | undefined {
  const dir = parseVersionDir(path.basename(path.dirname(goplsPath)));
  return dir ? parseGoVersion(dir.goLanguage) : undefined;
}

/** The module asks for a newer Go language than the gopls build was made with. */
export function needsNewerGopls(module: ModuleGo, goplsGo: GoVersion): boolean {
  const want = parseGoVersion(module.go);
  if (!want) return false;
  return want.major > goplsGo.major || (want.major === goplsGo.major && want.minor > goplsGo.minor);
}

/** A build already in the install dir made with a Go that can load the module: the newest. */
export function installedFor(root: string, module: ModuleGo): Located | undefined {
  const want = parseGoVersion(module.go);
  if (!want) return undefined;
  let names: string[] = [];
  try {
    names = fs.readdirSync(root);
  } catch {
    return undefined;
  }
  const fits = names
    .map((n) => ({ n, d: parseVersionDir(n) }))
    .filter(
      ({ n, d }) =>
        d &&
        fs.existsSync(path.join(root, n, "gopls")) &&
        !untrustedBuild(path.join(root, n, "gopls")),
    )
    .filter(({ d }) => !needsNewerGopls(module, parseGoVersion(d?.goLanguage ?? "") as GoVersion))
    .sort((a, b) =>
      (a.d?.version ?? "").localeCompare(b.d?.version ?? "", "en", { numeric: true }),
    );
  const best = fits.at(-1);
  return best?.d
    ? {
        path: path.join(root, best.n, "gopls"),
        source: "managed",
        version: best.d.version,
        warm: false,
      }
    : undefined;
}
