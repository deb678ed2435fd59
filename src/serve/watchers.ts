// Watching over a running gopls: its memory (ask past the soft limit, restart past the hard
// one), a message it stopped writing halfway, and a newer gopls installed in the background.
// Each acts through the session's own levers: a planned restart with replay, a report.

import { formatBytes } from "../bytes.js";
import type { Finding } from "../findings.js";
import type { Located } from "../gopls/launch.js";
import type { Update } from "../gopls/update.js";
import { chosenAction, type EditorChannel } from "../lsp/editor-channel.js";
import type { FrameStall } from "../lsp/stall.js";
import { memoryPrompt, memoryRestarted, RESTART_GOPLS } from "./memory-notices.js";
import { goplsMemoryProfile, type MemoryWatch } from "./memory-watch.js";
import * as notices from "./notices.js";
import type { SessionOptions } from "./session-core.js";
import type { SessionFile } from "./session-file.js";
import type { GoplsHandle } from "./supervisor.js";
import { offerUpdate, updated } from "./update-flow.js";

export interface WatchedSession {
  running: () => boolean;
  serving: () => boolean;
  located: () => Located | undefined;
  relocate: (located: Located) => void;
  gopls: () => GoplsHandle | undefined;
  plannedRestart: (
    cause: "memory" | "update",
    why: string,
    after: notices.AfterReplay,
  ) => Promise<void>;
  report: (finding: Finding) => void;
  editor: EditorChannel;
  sessionFile: SessionFile;
  memoryWatch: MemoryWatch;
  options: SessionOptions;
}

export class Watchers {
  /** The gopls killed for stalling: its exit is already explained. */
  private stalledPid: number | undefined;

  constructor(private readonly s: WatchedSession) {}

  /** gopls stopped halfway through a message: said once, and killed (then restarted as after a crash). */
  stalled(stall: FrameStall): void {
    if (!this.s.running()) return;
    const pid = this.s.gopls()?.pid;
    this.s.report(notices.stalled(stall, pid, this.s.options.logFile));
    this.stalledPid = pid;
    this.s.gopls()?.killNow();
  }

  killedForStalling(pid: number | undefined): boolean {
    return pid !== undefined && pid === this.stalledPid;
  }

  /** gopls's memory is high: the user is asked once (soft limit), or it is restarted now (hard). */
  memoryHigh(rss: number, hard: boolean): void {
    if (!this.s.running()) return;
    const { limits } = this.s.memoryWatch;
    const facts = {
      rss,
      limit: hard ? limits.hard : limits.soft,
      workspace: this.s.sessionFile.info.workspace,
      profile: goplsMemoryProfile(this.s.options.goplsEnv, this.s.gopls()?.pid),
    };
    this.s.options.logger.warn({ event: "gopls.memory", hard, ...facts }, "gopls memory high");
    const why = `it uses ${formatBytes(rss)}`;
    const restart = () => void this.s.plannedRestart("memory", why, memoryRestarted(facts, hard));
    if (hard) return restart();
    void this.s.editor.request("window/showMessageRequest", memoryPrompt(facts)).then((reply) => {
      if (chosenAction(reply) === RESTART_GOPLS) restart();
    });
  }

  /** The day-old decision, redone once gopls is up: a newer gopls offered when it is installed. */
  scheduleUpdate(): void {
    const { updater, config, logger } = this.s.options;
    if (!updater) return;
    const flow = {
      updater,
      current: this.s.located,
      editor: this.s.editor,
      sessionFile: this.s.sessionFile,
      logger,
      serving: this.s.serving,
      switchTo: async (u: Update) => {
        const current = this.s.located() as Located;
        this.s.relocate({ ...current, path: u.path, version: u.to });
        await this.s.plannedRestart("update", `switching to gopls ${u.to}`, updated(u));
      },
    };
    setTimeout(() => void offerUpdate(flow), config.checksDelayMs).unref();
  }
}
