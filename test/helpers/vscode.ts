// A real VS Code (code-server) with the real Go extension, driven headless through Chromium with
// playwright-core; all of it set up and cached by scripts/vscode-setup.mjs. Owns code-server's
// process group and the browser, and keeps what the page showed: every notification seen,
// screenshots, and the extension host's logs.

import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { ROOT } from "./env.js";

const E = process.env;

/** Why this machine cannot run the VS Code test, or false. */
export const noVscode: string | false =
  E.GOPLS_GUARD_TEST_VSCODE_SKIP ||
  (E.GOPLS_GUARD_TEST_CODE_SERVER
    ? false
    : "code-server is not set up (run the tests with `npm test`)");

/** The few playwright-core calls used here. */
interface Locator {
  first(): Locator;
  locator(selector: string): Locator;
  click(o?: { timeout?: number }): Promise<void>;
  hover(o?: { timeout?: number }): Promise<void>;
  textContent(o?: { timeout?: number }): Promise<string | null>;
  allInnerTexts(): Promise<string[]>;
  waitFor(o?: { state?: "visible" | "attached"; timeout?: number }): Promise<void>;
  count(): Promise<number>;
}
export interface Page {
  goto(url: string, o?: { timeout?: number }): Promise<unknown>;
  locator(selector: string): Locator;
  keyboard: { press(key: string): Promise<void>; type(text: string): Promise<void> };
  screenshot(o: { path: string }): Promise<unknown>;
  waitForTimeout(ms: number): Promise<void>;
}
interface Browser {
  newPage(o: { viewport: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** editors/vscode/settings.json is JSONC with whole-line comments. */
export function shippedSettings(): Record<string, unknown> {
  const text = fs.readFileSync(path.join(ROOT, "editors", "vscode", "settings.json"), "utf8");
  return JSON.parse(
    text
      .split("\n")
      .filter((l) => !/^\s*\/\//.test(l))
      .join("\n"),
  ) as Record<string, unknown>;
}

export interface VscodeOptions {
  workspace: string;
  /** The user's settings (User/settings.json). */
  settings: Record<string, unknown>;
  /** code-server's environment (the extension host gets it, except PATH: the login shell's). */
  env: NodeJS.ProcessEnv;
  /** Where screenshots go (kept; build/ is not committed). */
  artefacts: string;
  dataDir: string;
}

export class Vscode {
  readonly notifications = new Set<string>();
  private child: ChildProcess | undefined;
  private browser: Browser | undefined;
  private poller: NodeJS.Timeout | undefined;
  page!: Page;
  readonly started = Date.now();
  private shots = 0;

  constructor(private readonly o: VscodeOptions) {}

  async start(): Promise<void> {
    const port = await freePort();
    fs.mkdirSync(path.join(this.o.dataDir, "User"), { recursive: true });
    fs.writeFileSync(
      path.join(this.o.dataDir, "User", "settings.json"),
      JSON.stringify(this.o.settings, null, 2),
    );
    const log = fs.openSync(path.join(this.o.artefacts, "code-server.log"), "w");
    // Its own process group (setsid): code-server leaves children otherwise; close() kills the group.
    this.child = spawn(
      E.GOPLS_GUARD_TEST_CODE_SERVER as string,
      [
        "--auth",
        "none",
        "--disable-workspace-trust",
        "--disable-telemetry",
        "--bind-addr",
        `127.0.0.1:${port}`,
        "--user-data-dir",
        this.o.dataDir,
        "--extensions-dir",
        E.GOPLS_GUARD_TEST_VSCODE_EXTENSIONS as string,
        this.o.workspace,
      ],
      {
        env: {
          ...this.o.env,
          PATH: `${E.GOPLS_GUARD_TEST_CODE_NODE}${path.delimiter}${this.o.env.PATH ?? ""}`,
        },
        detached: true,
        stdio: ["ignore", log, log],
      },
    );
    fs.closeSync(log);
    // Should the hooks never run (the runner killing this file), code-server still goes with it.
    const group = this.child.pid;
    if (group) process.once("exit", () => killGroup(group, "SIGKILL"));
    const require = createRequire(import.meta.url);
    const { chromium } = require(E.GOPLS_GUARD_TEST_PLAYWRIGHT as string) as {
      chromium: { launch(o: Record<string, unknown>): Promise<Browser> };
    };
    this.browser = await chromium.launch({
      executablePath: E.GOPLS_GUARD_TEST_CHROMIUM,
      headless: true,
      args: ["--no-sandbox"],
    });
    this.page = await this.browser.newPage({ viewport: { width: 1400, height: 900 } });
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(this.o.workspace)}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const up = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (up) break;
      if (Date.now() > deadline || this.child.exitCode !== null)
        throw new Error(`code-server did not come up: see ${this.o.artefacts}/code-server.log`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.page.goto(url, { timeout: 60_000 });
    await this.page.locator(".monaco-workbench").waitFor({ timeout: 60_000 });
    // Toasts hide after a while: every one seen is kept.
    this.poller = setInterval(() => void this.collect(), 250);
    this.poller.unref();
  }

  private async collect(): Promise<void> {
    try {
      for (const text of await this.page.locator(".notification-toast").allInnerTexts())
        this.notifications.add(text.replace(/\s+/g, " ").trim());
    } catch {
      // The page is closing.
    }
  }

  /** Everything the notification centre holds now, plus every toast seen. */
  async allNotifications(): Promise<string[]> {
    await this.collect();
    await this.command("Notifications: Show Notifications");
    await this.page.waitForTimeout(500);
    for (const text of await this.page
      .locator(".notifications-center .notification-list-item")
      .allInnerTexts())
      this.notifications.add(text.replace(/\s+/g, " ").trim());
    await this.page.keyboard.press("Escape");
    return [...this.notifications];
  }

  async command(name: string): Promise<void> {
    await this.page.keyboard.press("F1");
    await this.page.keyboard.type(name);
    await this.page
      .locator(`.quick-input-list .monaco-list-row:has-text("${name}")`)
      .first()
      .waitFor();
    await this.page.keyboard.press("Enter");
  }

  async open(file: string): Promise<void> {
    await this.page
      .locator(`.explorer-folders-view .monaco-list-row:has-text("${file}")`)
      .first()
      .click({ timeout: 30_000 });
  }

  async screenshot(name: string): Promise<string> {
    const file = path.join(
      this.o.artefacts,
      `${String(++this.shots).padStart(2, "0")}-${name}.png`,
    );
    await this.page.screenshot({ path: file });
    return file;
  }

  /** Every log file under the user data dir (the extension host's output channels among them). */
  logs(): Array<{ file: string; text: string }> {
    const out: Array<{ file: string; text: string }> = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(p);
        else if (entry.name.endsWith(".log"))
          out.push({ file: p, text: fs.readFileSync(p, "utf8") });
      }
    };
    walk(path.join(this.o.dataDir, "logs"));
    return out;
  }

  /** Closes the browser and kills code-server's whole process group (SIGTERM, then SIGKILL). */
  async close(): Promise<void> {
    if (this.poller) clearInterval(this.poller);
    await this.browser?.close().catch(() => {});
    const pid = this.child?.pid;
    if (!pid) return;
    killGroup(pid, "SIGTERM");
    const deadline = Date.now() + 5000;
    while (alive(-pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    killGroup(pid, "SIGKILL");
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
