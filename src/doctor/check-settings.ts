// The doctor's checks of settings that stop go from fetching gopls (GOPROXY=off, -mod=vendor,
// GONOPROXY over golang.org/x) or break `go install pkg@version` (the guard overrides those).

import path from "node:path";
import type { Finding } from "../findings.js";
import type { GoEnv } from "../go/env.js";
import { matchPrefixPatterns } from "../go/patterns.js";
import { statOf } from "./check-fs.js";

/** The nearest file of that name in dir or a parent, as the go command finds go.work and go.mod. */
function findUp(dir: string, name: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (statOf(path.join(d, name))?.isFile()) return path.join(d, name);
    if (path.dirname(d) === d) return undefined;
  }
}

export function checkSettings(ge: GoEnv, cwd: string): Finding[] {
  const out: Finding[] = [];
  const goprox = ge.GOPROXY.trim();
  const covers = (patterns: string) => matchPrefixPatterns(patterns, "golang.org/x/tools/gopls");
  if (goprox === "off")
    out.push({
      id: "proxy.off",
      severity: "error",
      message:
        "GOPROXY=off: the go command may not download modules, so gopls cannot be installed.",
      evidence: { GOPROXY: ge.GOPROXY },
      fix: "`go env -w GOPROXY=https://proxy.golang.org,direct` (or your organisation's proxy), or install gopls yourself and set GOPLS_GUARD_GOPLS.",
    });
  if (/(^|\s)-mod=vendor/.test(ge.GOFLAGS))
    out.push({
      id: "proxy.off",
      severity: "warning",
      message:
        "GOFLAGS=-mod=vendor makes go use vendored modules only; the guard removes it for the gopls install.",
      evidence: { GOFLAGS: ge.GOFLAGS },
      fix: "Set -mod=vendor per project (vendor/ directories turn it on by themselves) rather than in GOFLAGS.",
    });
  if (covers(ge.GONOPROXY) || covers(ge.GOPRIVATE))
    out.push({
      id: "proxy.off",
      severity: "warning",
      message:
        "GONOPROXY/GOPRIVATE cover golang.org/x: gopls is fetched directly from its origin, not through the proxy.",
      evidence: { GONOPROXY: ge.GONOPROXY, GOPRIVATE: ge.GOPRIVATE },
      fix: "Narrow GOPRIVATE/GONOPROXY to your own module paths.",
    });
  const interference: string[] = [];
  if (ge.GO111MODULE === "off") interference.push("GO111MODULE=off");
  if (/(^|\s)--?mod=/.test(ge.GOFLAGS)) interference.push(`GOFLAGS=${ge.GOFLAGS}`);
  if (ge.GOOS !== ge.GOHOSTOS || ge.GOARCH !== ge.GOHOSTARCH)
    interference.push(`GOOS/GOARCH=${ge.GOOS}/${ge.GOARCH}`);
  // go env runs with GOWORK=off from an empty directory, so look where the user is.
  const work = findUp(cwd, "go.work");
  const mod = findUp(cwd, "go.mod");
  if (work) interference.push(`go.work at ${work}`);
  if (mod) interference.push(`go.mod at ${mod}`);
  if (interference.length)
    out.push({
      id: "install.env_interference",
      severity: "info",
      message:
        "These settings would break `go install pkg@version`; the guard installs gopls from an empty directory with them overridden.",
      evidence: { settings: interference.join(", ") },
      fix: "Nothing to do for the guard; for your own installs, run them outside a module with GO111MODULE=on.",
    });
  return out;
}
