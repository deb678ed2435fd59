// Builds a launcher with the local Go: the Go source shipped beside the bundle plus a generated
// config.go, built in a temp dir, staged beside the final path and renamed over it, then its
// sidecar written. go's failures come back as a Finding with go's last lines.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fail, ok, type Result } from "../findings.js";
import { launcherBuildEnv } from "../go/environment.js";
import { runGo } from "../go/run.js";
import { configSource, LAUNCHER_MODULE, type LauncherTarget } from "./paths.js";
import { type Sidecar, writeSidecar } from "./sidecar.js";

export interface LauncherBuild {
  go: string;
  /** The user's environment (proxy and cache settings apply; build-changing ones are cleared). */
  env: NodeJS.ProcessEnv;
  /** Where main.go and run_*.go are (dist/launcher in the package, src/launcher in the repo). */
  sourceDir: string;
  /** The final path: DIR/gopls or DIR\gopls.exe. */
  output: string;
  target: LauncherTarget;
  /** Cross-builds (tests): GOOS and GOARCH; the host's otherwise. */
  goos?: string;
  goarch?: string;
  timeoutMs?: number;
}

/** The shipped launcher source: dist/launcher beside the bundle. */
export function shippedSourceDir(guardScript: string): string {
  return path.join(path.dirname(guardScript), "launcher");
}

function goLines(r: { stdout: string; stderr: string; spawnError: string | undefined }): string {
  return (r.spawnError ?? `${r.stderr}${r.stdout}`).trim().split("\n").slice(-8).join("\n");
}

export async function buildLauncher(b: LauncherBuild): Promise<Result<Sidecar>> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "gopls-guard-launcher-"));
  const stage = path.join(
    path.dirname(b.output),
    `.${path.basename(b.output)}.stage-${process.pid}`,
  );
  const failed = (message: string, evidence: Record<string, string>): Result<Sidecar> =>
    fail({
      id: "install.failed" as const,
      severity: "warning" as const,
      message: `The gopls launcher could not be built: ${message}`,
      evidence: { go: b.go, launcher: b.output, ...evidence },
      fix: "Check that `go build` works (`gopls-guard doctor`), then run `gopls-guard link` again.",
    });
  try {
    for (const name of fs.readdirSync(b.sourceDir)) {
      if (name.endsWith(".go") && !name.endsWith("_test.go"))
        fs.copyFileSync(path.join(b.sourceDir, name), path.join(work, name));
    }
    fs.writeFileSync(path.join(work, "config.go"), configSource(b.target));
    fs.writeFileSync(path.join(work, "go.mod"), `module ${LAUNCHER_MODULE}\n\ngo 1.18\n`);
    fs.mkdirSync(path.dirname(b.output), { recursive: true });
    const env = launcherBuildEnv(b.env, {
      ...(b.goos ? { goos: b.goos } : {}),
      ...(b.goarch ? { goarch: b.goarch } : {}),
    });
    const timeoutMs = b.timeoutMs ?? 120_000;
    const built = await runGo(
      b.go,
      ["build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", stage, "."],
      { env, cwd: work, timeoutMs },
    );
    if (built.exitCode !== 0)
      return failed(built.timedOut ? "go build timed out" : "go build failed", {
        output: goLines(built),
      });
    const version = await runGo(b.go, ["version", stage], { env, cwd: work, timeoutMs: 15_000 });
    const goVersion = /:\s+(go\S+)\s*$/.exec(version.stdout.trim())?.[1];
    if (version.exitCode !== 0 || !goVersion)
      return failed("go version cannot read what go built", { output: goLines(version) });
    replace(stage, b.output);
    const sidecar: Sidecar = {
      ...b.target,
      go: goVersion,
      goBinary: b.go,
      builtAt: new Date().toISOString(),
    };
    writeSidecar(b.output, sidecar);
    return ok(sidecar);
  } catch (error) {
    return failed((error as Error).message, {});
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    fs.rmSync(stage, { force: true });
  }
}

/**
 * Atomic on Unix (rename over a running binary is fine). Windows refuses to replace a running
 * .exe but lets it be renamed: the old one is moved aside and removed when no longer running.
 */
function replace(stage: string, output: string): void {
  try {
    fs.renameSync(stage, output);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (process.platform !== "win32" || !["EPERM", "EACCES", "EBUSY"].includes(code ?? ""))
      throw error;
    const aside = `${output}.old-${process.pid}-${Date.now()}`;
    fs.renameSync(output, aside);
    fs.renameSync(stage, output);
  }
  removeOldCopies(output);
}

/** Launchers moved aside on Windows; the one still running stays until the next build. */
function removeOldCopies(output: string): void {
  const prefix = `${path.basename(output)}.old-`;
  for (const name of fs.readdirSync(path.dirname(output))) {
    if (!name.startsWith(prefix)) continue;
    try {
      fs.rmSync(path.join(path.dirname(output), name), { force: true });
    } catch {
      // Still running (Windows): removed by a later build.
    }
  }
}
