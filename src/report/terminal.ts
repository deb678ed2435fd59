// Findings and install progress for a person at a terminal (stderr): a live line with the
// phase and elapsed time on a TTY, plain lines otherwise.

import type { Finding } from "../findings.js";
import { describe } from "../findings.js";
import type { InstallPhase } from "../gopls/install.js";

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

  progress(phase: InstallPhase, message: string): void {
    this.line = `${phase}: ${message}`;
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
