// Findings and install progress for a person at a terminal (stderr): a live line with the
// phase and elapsed time on a TTY, plain lines otherwise.

import type { Config } from "../config.js";
import type { Finding, Result } from "../findings.js";
import { describe } from "../findings.js";
import type { InstallPhase } from "../gopls/install.js";
import { type Located, resolveGopls, resolveOptions } from "../gopls/launch.js";
import type { Log } from "../log.js";

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export class TerminalReporter {
  private readonly started = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private line = "";
  private frame = 0;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly tty = Boolean(process.stderr.isTTY),
  ) {}

  finding(f: Finding): void {
    this.clear();
    this.out.write(`${describe(f)}\n`);
    this.draw();
  }

  progress(_phase: InstallPhase, message: string): void {
    // Each message says its phase ("downloading …", "building …", "waiting for …").
    this.line = message;
    if (!this.tty) {
      this.out.write(`gopls-guard: ${this.line} (${this.elapsed()})\n`);
      return;
    }
    this.timer ??= setInterval(() => this.draw(), 100);
    this.timer.unref();
    this.draw();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private elapsed(): string {
    const s = Math.round((Date.now() - this.started) / 1000);
    return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  }

  private clear(): void {
    if (this.tty && this.timer) this.out.write("\r\x1b[2K");
  }

  private draw(): void {
    if (!this.tty || !this.timer) return;
    this.frame = (this.frame + 1) % FRAMES.length;
    const columns = this.out.columns || 80;
    this.out.write(
      `\r\x1b[2K${FRAMES[this.frame]} ${`${this.line} (${this.elapsed()})`.slice(0, columns - 3)}`,
    );
  }
}

/** Resolves gopls for a command at a terminal: findings and progress on stderr, all in the log. */
export async function resolveAtTerminal(
  config: Config,
  allowInstall: boolean,
  log: Log,
  showInfo = true,
): Promise<Result<Located>> {
  const terminal = new TerminalReporter();
  const resolved = await resolveGopls(
    resolveOptions(config, log, {
      allowInstall,
      report: (f) => {
        log.logger.info({ event: "finding", finding: f }, f.message);
        if (f.severity !== "info" || showInfo) terminal.finding(f);
      },
      progress: (phase, message) => terminal.progress(phase, message),
    }),
  );
  terminal.stop();
  log.flush();
  if (!resolved.ok) process.stderr.write(`${describe(resolved.finding)}\n`);
  return resolved;
}
