// The doctor's checks of settings that stop go from fetching gopls (GOPROXY=off, GONOPROXY over
// golang.org/x), that the guard overrides for its install (-mod=..., GO111MODULE=off, GOOS), and
// what GOFLAGS=-mod=vendor does to gopls on the user's own module. Each fix fits the setting's source.

import fs from "node:fs";
import path from "node:path";
import type { Finding } from "../findings.js";
import type { GoEnv } from "../go/env.js";
import { matchPrefixPatterns } from "../go/patterns.js";
import { proxyOffFix, settingFix, settingSource } from "../go/setting-source.js";
import { statOf } from "./check-fs.js";

/** The nearest file of that name in dir or a parent, as the go command finds go.mod. */
function findUp(dir: string, name: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (statOf(path.join(d, name))?.isFile()) return path.join(d, name);
    if (path.dirname(d) === d) return undefined;
  }
}

export const hasModFlag = (goflags: string) => /(^|\s)--?mod=/.test(goflags);

export function checkSettings(ge: GoEnv, cwd: string, env: NodeJS.ProcessEnv): Finding[] {
  const out: Finding[] = [];
  const source = (name: string) => settingSource(name, env, ge.GOENV);
  const covers = (patterns: string) => matchPrefixPatterns(patterns, "golang.org/x/tools/gopls");
  if (ge.GOPROXY.trim() === "off")
    out.push({
      id: "proxy.off",
      severity: "error",
      message:
        "GOPROXY=off: the go command may not download modules, so gopls cannot be installed.",
      evidence: { GOPROXY: ge.GOPROXY, "set in": source("GOPROXY") },
      fix: proxyOffFix(source("GOPROXY")),
    });
  if (covers(ge.GONOPROXY) || covers(ge.GOPRIVATE)) {
    const name = covers(ge.GONOPROXY) && ge.GONOPROXY !== ge.GOPRIVATE ? "GONOPROXY" : "GOPRIVATE";
    out.push({
      id: "proxy.off",
      severity: "warning",
      message:
        "GONOPROXY/GOPRIVATE cover golang.org/x: gopls is fetched directly from its origin, not through the proxy.",
      evidence: { GONOPROXY: ge.GONOPROXY, GOPRIVATE: ge.GOPRIVATE, "set in": source(name) },
      fix: `Narrow ${name} to your own module paths: ${settingFix(name, source(name), "<your module paths>")}`,
    });
  }
  const interference: string[] = [];
  if (ge.GO111MODULE === "off") interference.push("GO111MODULE=off");
  if (hasModFlag(ge.GOFLAGS)) interference.push(`GOFLAGS=${ge.GOFLAGS}`);
  if (ge.GOOS !== ge.GOHOSTOS || ge.GOARCH !== ge.GOHOSTARCH)
    interference.push(`GOOS/GOARCH=${ge.GOOS}/${ge.GOARCH}`);
  if (interference.length)
    out.push({
      id: "install.env_interference",
      severity: "info",
      message:
        "These settings would break `go install pkg@version`; the guard's own go queries and its gopls install run with them overridden. Your settings are unchanged.",
      evidence: { settings: interference.join(", ") },
      fix: "Nothing to do for the guard; for your own installs, run them outside a module with GO111MODULE=on.",
    });
  const vendoring = vendorWithoutVendor(ge, cwd, source("GOFLAGS"));
  if (vendoring) out.push(vendoring);
  return out;
}

/** A go.mod with a require line: without vendor/modules.txt, -mod=vendor cannot load it. */
function requiresModules(mod: string): boolean {
  try {
    return /^\s*require\b/m.test(fs.readFileSync(mod, "utf8"));
  } catch {
    return false;
  }
}

/**
 * GOFLAGS=-mod=vendor applies to gopls too: on a module with requirements and no
 * vendor/modules.txt, go (and so gopls) refuses to load it ("inconsistent vendoring").
 */
function vendorWithoutVendor(
  ge: GoEnv,
  cwd: string,
  source: ReturnType<typeof settingSource>,
): Finding | undefined {
  if (!/(^|\s)--?mod=vendor(\s|$)/.test(ge.GOFLAGS)) return undefined;
  const mod = findUp(cwd, "go.mod");
  if (!mod) return undefined;
  const modules = path.join(path.dirname(mod), "vendor", "modules.txt");
  if (statOf(modules)?.isFile() || !requiresModules(mod)) return undefined;
  return {
    id: "go.goflags_vendor",
    severity: "warning",
    message: `GOFLAGS=-mod=vendor makes go, and gopls, load dependencies only from vendor/, which ${path.dirname(mod)} does not have: gopls reports "inconsistent vendoring" and cannot load the module.`,
    evidence: { GOFLAGS: ge.GOFLAGS, "set in": source, module: mod, missing: modules },
    fix: `Set -mod=vendor per project instead (go uses vendor/ by itself when it exists): ${settingFix("GOFLAGS", source)}; or run \`go mod vendor\` in ${path.dirname(mod)}.`,
  };
}
