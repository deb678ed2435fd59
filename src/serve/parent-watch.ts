// Notices when the editor is gone without closing our stdin: the processId it gave in
// initialize has died, or the guard's own parent has (we were re-parented).

import { alive } from "../gopls/leftovers.js";

export class ParentWatch {
  private timer: NodeJS.Timeout | undefined;
  private editorPid: number | undefined;
  private readonly parentPid = process.ppid;

  constructor(
    private readonly intervalMs: number,
    private readonly onGone: (why: string) => void,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.check(), this.intervalMs);
    this.timer.unref();
  }

  watchEditor(pid: number): void {
    this.editorPid = pid;
    this.check();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private check(): void {
    if (this.editorPid !== undefined && !alive(this.editorPid)) {
      return this.onGone(`editor process ${this.editorPid} (initialize processId) is gone`);
    }
    if (this.parentPid > 1 && process.ppid !== this.parentPid) {
      this.onGone(`parent process ${this.parentPid} is gone`);
    }
  }
}
