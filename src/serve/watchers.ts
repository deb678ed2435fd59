// Watching over a running gopls: its memory (ask past the soft limit, restart past the hard
// one), a message it stopped writing halfway, and a newer gopls installed in the background.
// Each acts through the session's own levers: a planned restart with replay, a report.

import path from "node:path";
import { formatBytes } from "../bytes.js";
import type { Finding } from "../findings.js";
import { type GoVersion, languageVersion } from "../go/goversion.js";
import { type ModuleGo, moduleGoOf } from "../go/module-go.js";
import type { InstallPhase } from "../gopls/install.js";
import type { Located } from "../gopls/launch.js";
import { builtWith, installedFor, needsNewerGopls } from "../gopls/skew-check.js";
import type { Update } from "../gopls/update.js";
import type { FrameStall } from "../lsp/stall.js";
import type { Warming } from "./build-warming.js";
import { GUARD_COMMANDS } from "./held-faults.js";
import { memoryQuestion, memoryRestarted } from "./memory-notices.js";
import { goplsMemoryProfile, type MemoryWatch } from "./memory-watch.js";
import * as notices from "./notices.js";
import type { Question } from "./questions.js";
import type { SessionOptions } from "./session-core.js";
import type { SessionFile } from "./session-file.js";
import { BUILD_IT, type SkewFacts, skewQuestion, skewSolved } from "./skew-notices.js";
import type { GoplsHandle } from "./supervisor.js";
import { offerUpdate, updated } from "./update-flow.js";

export interface WatchedSession {
  running: () => boolean;
  serving: () => boolean;
  located: () => Located | undefined;
  relocate: (located: Located) => void;
  gopls: () => GoplsHandle | undefined;
  /** The environment a gopls from this build would get. */
  goplsEnvFor: (located: Located) => NodeJS.ProcessEnv;
  plannedRestart: (
    cause: "memory" | "update",
    why: string,
    after: notices.AfterReplay,
  ) => Promise<void>;
  report: (finding: Finding) => void;
  /** An event, said and logged, that holds nothing (a stalled gopls, already restarted). */
  tell: (finding: Finding) => void;
  /** A question about a held fault (a pop-up where the client shows one, and a code action). */
  ask: (q: Question) => void;
  withdraw: (slot: string) => void;
  sessionFile: SessionFile;
  memoryWatch: MemoryWatch;
  options: SessionOptions;
  progress: (phase: InstallPhase, message: string) => void;
  /** Warms a new build's cache for the workspace before it is offered. */
  warm: (to: Located) => Promise<Warming>;
}

export class Watchers {
  /** The gopls killed for stalling: its exit is already explained. */
  private stalledPid: number | undefined;
  private workspaceChecked = false;

  constructor(private readonly s: WatchedSession) {}

  /** gopls stopped halfway through a message: said once, and killed (then restarted as after a crash). */
  stalled(stall: FrameStall): void {
    if (!this.s.running()) return;
    const pid = this.s.gopls()?.pid;
    this.s.tell(notices.stalled(stall, pid, this.s.options.logFile));
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
    const restart = () => {
      this.s.withdraw("memory");
      void this.s.plannedRestart("memory", why, memoryRestarted(facts, hard));
    };
    if (hard) return restart();
    this.s.ask({
      slot: "memory",
      ...memoryQuestion(facts),
      actions: [{ title: notices.RESTART_GOPLS, command: GUARD_COMMANDS.restart, run: restart }],
      no: { title: "Not now", withdraws: true },
    });
  }

  /** The day-old decision, redone once gopls is up: a newer gopls offered when it is installed. */
  scheduleUpdate(): void {
    const { updater, config, logger } = this.s.options;
    if (!updater) return;
    const flow = {
      updater,
      current: this.s.located,
      ask: this.s.ask,
      withdraw: this.s.withdraw,
      sessionFile: this.s.sessionFile,
      logger,
      serving: this.s.serving,
      warm: (u: Update) => this.s.warm(this.buildOf(u)),
      switchTo: async (u: Update) => {
        this.s.relocate(this.buildOf(u));
        await this.s.plannedRestart("update", `switching to gopls ${u.to}`, updated(u));
      },
    };
    setTimeout(() => void offerUpdate(flow), config.checksDelayMs).unref();
  }

  /** The running build's location, for the update's build. */
  private buildOf(u: Update): Located {
    return { ...(this.s.located() as Located), path: u.path, version: u.to };
  }

  /**
   * Before gopls starts, when the editor has said its workspace already: a build in the install
   * dir that can load it, in place of one that cannot (one go.mod read; no subprocess).
   */
  fittingBuild(located: Located): Located | undefined {
    const skew = this.skewOf(located);
    const fits = skew && installedFor(path.dirname(path.dirname(located.path)), skew.module);
    if (!skew || !fits) return undefined;
    const { module } = skew;
    this.s.options.logger.info(
      { event: "skew.fitting_build", module: module.file, gopls: fits.path },
      "a build for the workspace's Go",
    );
    return { ...located, path: fits.path, version: fits.version };
  }

  /**
   * The workspace's go line against the Go gopls was built with, once gopls runs: a build that
   * can load it is switched to (one already installed at once; else built on the user's yes).
   */
  checkWorkspaceGo(): void {
    const { skew } = this.s.options;
    const located = this.s.located();
    if (this.workspaceChecked || !skew || !located || !this.s.running()) return;
    if (!this.s.sessionFile.info.workspace) return;
    this.workspaceChecked = true;
    const found = this.skewOf(located);
    if (!found) return;
    const { module, built } = found;
    const facts = { module, from: located, builtWith: languageVersion(built) };
    const ready = installedFor(path.dirname(path.dirname(located.path)), module);
    if (ready) return void this.switchFor(facts, ready);
    void (async () => {
      const toolchain = await skew.toolchainFor(module);
      if (!toolchain.ok) return this.s.report(toolchain.finding);
      const build = async () => {
        if (!this.s.serving()) return;
        const gopls = await skew.build(toolchain.value.name, this.s.progress);
        if (!gopls.ok) return this.s.report(gopls.finding);
        await this.switchFor(facts, gopls.value);
      };
      this.s.ask({
        slot: "skew",
        ...skewQuestion(facts, toolchain.value),
        actions: [{ title: BUILD_IT, command: GUARD_COMMANDS.buildForGo, run: () => void build() }],
        no: { title: "Not now", withdraws: false },
      });
    })();
  }

  /** The workspace's Go requirement, when this managed build cannot meet it. */
  private skewOf(located: Located): { module: ModuleGo; built: GoVersion } | undefined {
    const workspace = this.s.sessionFile.info.workspace;
    if (!this.s.options.skew || located.source !== "managed" || !workspace) return undefined;
    const built = builtWith(located.path);
    const module = moduleGoOf(workspace);
    return built && module && needsNewerGopls(module, built) ? { module, built } : undefined;
  }

  private async switchFor(facts: SkewFacts, to: Located): Promise<void> {
    const current = this.s.located() as Located;
    const next = { ...current, path: to.path, version: to.version };
    // gopls runs go for every load: a switch is said to work only if that go loads the module.
    const refused = await this.s.options.skew?.loads(facts.module, this.s.goplsEnvFor(next));
    if (refused)
      return this.s.report({
        id: "go.toolchain_switch",
        severity: "error",
        message: `gopls ${to.version} was built for Go ${facts.module.go}, but the go it would run cannot load ${facts.module.file}: gopls stays as it is.`,
        evidence: { "go said": refused, gopls: to.path },
        fix: `Put a Go ${facts.module.go} first on the editor's PATH, or allow go to switch toolchains (GOTOOLCHAIN=auto).`,
      });
    this.s.relocate(next);
    this.s.withdraw("skew");
    const why = `${facts.module.file} needs Go ${facts.module.go}`;
    await this.s.plannedRestart("update", why, skewSolved(facts, to));
  }
}
