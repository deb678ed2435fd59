// One VS Code test session: the scratch directories, the guard's launcher, a user's home whose
// login shell has Go, code-server with the shipped settings, and the few page actions the tests
// use. Everything is torn down by one hook, in order: code-server and the browser first (gopls
// and the guard write into these directories until then), then the directories.

import { execFile, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { FIXTURES, GUARD, ROOT } from "./env.js";
import { guardEnv } from "./peer.js";
import { shippedSettings, Vscode } from "./vscode.js";

const run = promisify(execFile);

export class VscodeSession {
  private readonly dirs: string[] = [];
  vscode: Vscode | undefined;

  constructor(t: { after(fn: () => Promise<void>): void }) {
    t.after(async () => {
      await this.vscode?.close();
      for (const dir of this.dirs)
        fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
    });
  }

  dir(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    this.dirs.push(dir);
    return dir;
  }

  /** `gopls-guard link` into the guard home, as a user runs it (or the old symlink, on request). */
  async link(guardHome: string): Promise<string> {
    const { stdout } = await run(process.execPath, [GUARD, "link"], {
      env: guardEnv(guardHome),
      timeout: 120_000,
    });
    const launcher = stdout.trim();
    if (process.env.GOPLS_GUARD_TEST_VSCODE_PLAIN_LINK === "1") {
      fs.rmSync(launcher);
      fs.rmSync(`${launcher}.launcher.json`);
      fs.symlinkSync(GUARD, launcher);
    }
    return launcher;
  }

  /** A user's home whose login shell (`bash -ilc env`, read by the extension host) has Go on PATH. */
  private userHome(gopath: string): string {
    const home = this.dir("gg-vscode-home-");
    const goBin = path.dirname(
      execFileSync("sh", ["-c", "command -v go"], { encoding: "utf8" }).trim(),
    );
    fs.writeFileSync(
      path.join(home, ".profile"),
      `export PATH="${goBin}:$PATH"\nexport GOPATH="${gopath}"\n`,
    );
    return home;
  }

  /** code-server on a copy of test/fixtures/hello, with editors/vscode/settings.json. */
  async start(
    name: string,
    launcher: string,
    env: NodeJS.ProcessEnv,
    /** Settings over the shipped ones (a user's own, such as go.toolsEnvVars). */
    extra: Record<string, unknown> = {},
  ): Promise<{ vscode: Vscode; gopath: string }> {
    const workspace = this.dir("gg-hello-");
    fs.cpSync(path.join(FIXTURES, "hello"), workspace, { recursive: true });
    const gopath = this.dir("gg-gopath-");
    const settings = {
      ...shippedSettings(),
      "go.alternateTools": { gopls: launcher },
      // The test's own: no welcome tab over the file, workspace settings honoured, a trace.
      "go.showWelcome": false,
      "security.workspace.trust.enabled": false,
      "go.trace.server": "messages",
      "workbench.startupEditor": "none",
      ...extra,
    };
    this.vscode = new Vscode({
      workspace,
      settings,
      env: { ...env, HOME: this.userHome(gopath), GOPATH: gopath, SHELL: "/bin/bash" },
      artefacts: artefacts(name),
      dataDir: this.dir("gg-vscode-data-"),
    });
    await this.vscode.start();
    return { vscode: this.vscode, gopath };
  }
}

/** Screenshots and code-server's output, kept (build/ is not committed). */
function artefacts(name: string): string {
  const dir = path.join(
    ROOT,
    "build",
    "test-artifacts",
    "vscode",
    `${name}-${new Date().toISOString().replace(/[:.]/g, "-")}`,
  );
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Hovers over `Greet` in `return Greet(g)` until gopls's hover shows (or the time is up). */
export async function hoverGreet(vscode: Vscode, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await vscode.page
      .locator('.view-line:has-text("return Greet(g)") span:text-is("Greet")')
      .first()
      .hover({ timeout: 10_000 });
    const hover = vscode.page.locator(".monaco-hover:not(.hidden)").first();
    const text = await hover
      .waitFor({ timeout: 5000 })
      .then(async () => (await hover.textContent()) ?? "")
      .catch(() => "");
    if (/Greet returns a friendly greeting/.test(text) || Date.now() > deadline) return text;
    await vscode.page.keyboard.press("Escape");
    await vscode.page.locator(".view-line:has-text('package hello')").first().hover();
  }
}

export async function problems(vscode: Vscode): Promise<string> {
  await vscode.command("View: Focus Problems");
  const panel = vscode.page.locator(".markers-panel").first();
  await panel.waitFor({ timeout: 10_000 });
  return (await panel.textContent()) ?? "";
}
