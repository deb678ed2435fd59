// The cold path of resolving gopls: find Go, read its environment, verify an explicit binary or
// decide the version and install it, and remember the answer for the next (warm) start.

import fs from "node:fs";
import path from "node:path";
import { fail, ok, type Result } from "../findings.js";
import {
  goFacts,
  installRoot,
  installVersion,
  newestInstalled,
  ownRoot,
  remember,
  scratch,
} from "./cold-parts.js";
import type { Located, ResolveOptions } from "./launch.js";
import { binaryIn, versionDir } from "./layout.js";
import { probeWritable } from "./probe.js";
import { untrustedBuild } from "./trust.js";
import { verifyGopls } from "./verify.js";
import { decideVersion, parsePolicy } from "./versions.js";

export async function resolveCold(
  o: ResolveOptions,
  key: string,
  explicitPath: string | undefined,
): Promise<Result<Located>> {
  const cwd = scratch(o);
  try {
    const facts = await goFacts(o, cwd);
    if (!facts.ok) return facts;
    // A GOCACHE go cannot write breaks its queries too: they get a private one (the install
    // reports it and does the same).
    for (const name of ["GOCACHE", "GOMODCACHE"] as const) {
      const dir = facts.value.goEnv[name];
      if (dir && dir !== "off" && probeWritable(dir))
        o = {
          ...o,
          env: {
            ...o.env,
            [name]: path.join(cwd, name.toLowerCase()),
            GOFLAGS: `${o.env.GOFLAGS ?? ""} -modcacherw`.trim(),
          },
        };
    }
    const { go, goEnv, localGo } = facts.value;
    const expectHost = { localGo, hostOs: goEnv.GOHOSTOS, hostArch: goEnv.GOHOSTARCH };
    if (explicitPath) {
      const verdict = await verifyGopls(
        go,
        explicitPath,
        { version: undefined, ...expectHost },
        o.env,
        cwd,
      );
      if (!verdict.ok)
        return fail({
          ...verdict.finding,
          severity: "error",
          message: `GOPLS_GUARD_GOPLS: ${verdict.finding.message}`,
          fix: `${verdict.finding.fix} Or unset GOPLS_GUARD_GOPLS to use the managed gopls.`,
        });
      remember(o, key, facts.value, verdict.value.module?.version ?? "", explicitPath);
      return ok({
        path: explicitPath,
        source: "GOPLS_GUARD_GOPLS",
        version: verdict.value.module?.version,
        warm: false,
        goplsPATH: facts.value.goplsPATH,
      });
    }
    let root = installRoot(o);
    const policy = parsePolicy(o.config.goplsVersion) ?? { kind: "latest" as const };
    const decided = await decideVersion(policy, {
      go,
      goEnv,
      localGo,
      user: o.env,
      cwd,
      logFile: o.logFile,
      ...(o.goTimeoutMs ? { timeoutMs: o.goTimeoutMs } : {}),
    });
    if (!decided.ok) {
      // Offline: the newest compatible gopls already installed beats no gopls.
      const fallback = await newestInstalled(
        o,
        root,
        facts.value,
        cwd,
        policy.kind === "pin" ? policy.version : undefined,
      );
      if (!fallback) return decided;
      o.report({
        ...decided.finding,
        severity: "warning",
        message: `${decided.finding.message} Using the installed gopls ${fallback.version} meanwhile.`,
      });
      return ok({
        path: fallback.path,
        source: "managed",
        version: fallback.version,
        warm: false,
        goplsPATH: facts.value.goplsPATH,
      });
    }
    if (decided.value.note) o.report(decided.value.note);
    const version = decided.value.version;
    const expect = { version, ...expectHost };
    // A build in the configured dir runs even when that dir cannot be written to.
    const readOnly = binaryIn(versionDir(o.config.installDir, version, localGo));
    if (root !== o.config.installDir && fs.existsSync(readOnly) && !untrustedBuild(readOnly)) {
      const verdict = await verifyGopls(go, readOnly, expect, o.env, cwd);
      if (verdict.ok) {
        remember(o, key, facts.value, version, readOnly);
        return ok({
          path: readOnly,
          source: "managed",
          version,
          warm: false,
          goplsPATH: facts.value.goplsPATH,
        });
      }
    }
    root = ownRoot(o, root, binaryIn(versionDir(root, version, localGo)));
    const perUser = path.join(o.config.home, "gopls");
    const target = binaryIn(versionDir(root, version, localGo));
    if (!o.allowInstall) {
      const verdict = fs.existsSync(target)
        ? await verifyGopls(go, target, expect, o.env, cwd)
        : undefined;
      if (verdict?.ok)
        return ok({
          path: target,
          source: "managed",
          version,
          warm: false,
          goplsPATH: facts.value.goplsPATH,
        });
      return fail({
        id: "gopls.missing",
        severity: "error",
        message: `gopls ${version} is not installed yet.`,
        evidence: { "would install to": target },
        fix: "Run `gopls-guard install` (or just start the editor: the guard installs it).",
      });
    }
    let installed = await installVersion(o, facts.value, version, { root });
    // Another user finished first while this one waited for the lock: not theirs to run.
    if (installed.ok && root !== perUser && untrustedBuild(installed.value.path))
      installed = await installVersion(o, facts.value, version, { root: perUser });
    if (!installed.ok) return installed;
    o.logger.info(
      {
        event: installed.value.built ? "gopls.installed" : "gopls.found",
        path: installed.value.path,
        version,
      },
      "gopls ready",
    );
    remember(o, key, facts.value, version, installed.value.path);
    return ok({
      path: installed.value.path,
      source: "managed",
      version,
      warm: false,
      goplsPATH: facts.value.goplsPATH,
    });
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
}
