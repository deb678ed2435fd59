// A newer gopls, found and installed in the background once a session runs: its cache warmed
// for the workspace (./build-warming.ts), then the question ("Switch now" with a planned
// restart, or at the next start), what the status file shows meanwhile, and the old builds
// removed once the switch is made.

import { formatBytes } from "../bytes.js";
import type { Finding, Result } from "../findings.js";
import type { Located } from "../gopls/launch.js";
import type { Update } from "../gopls/update.js";
import type { Logger } from "../log.js";
import type { Warming } from "./build-warming.js";
import { GUARD_COMMANDS } from "./held-faults.js";
import type { AfterReplay } from "./notices.js";
import type { Question } from "./questions.js";
import type { SessionFile } from "./session-file.js";

export interface Updater {
  /** Decides again and installs a newer gopls if the policy allows (undefined: none). */
  check(current: Located): Promise<Result<Update | undefined>>;
  /** Removes builds that neither these paths nor any running session use. */
  removeUnused(keep: string[]): Promise<string[]>;
}

export const SWITCH_NOW = "Switch now";

/** How the warming went, as the offer says it: ready warm, or why its first load is cold. */
function warmth(w: Warming | undefined): { said: string; evidence?: string } {
  if (!w) return { said: "" };
  const took = formatSeconds(w.ms);
  if (w.warmed)
    return {
      said: " and ready warm for this workspace",
      evidence: `its cache filled for this workspace in ${took} (peak ${formatBytes(w.peakRss)})`,
    };
  if (w.why === "off" || w.why === "no-workspace" || w.why === "aborted") return { said: "" };
  const why = {
    memory: `it passed the memory limit (${formatBytes(w.peakRss)})`,
    timeout: `it was not done after ${took}`,
    exited: `its gopls stopped (${"detail" in w ? w.detail : "exited"})`,
    spawn: `its gopls could not be run (${"detail" in w ? w.detail : "spawn failed"})`,
  }[w.why];
  return {
    said: " (not warmed: its first load of this workspace will be slow)",
    evidence: `warming its cache was stopped: ${why}`,
  };
}

/** A newer gopls is installed: what the user is told, and asked (an offer, not a fault). */
export function updateQuestion(u: Update, w?: Warming): { finding: Finding; ask: string } {
  const { said, evidence } = warmth(w);
  return {
    finding: {
      id: "gopls.update",
      severity: "info",
      message: `gopls ${u.to} is installed${said}; this session runs ${u.from}.`,
      evidence: { gopls: u.path, ...(evidence ? { warming: evidence } : {}) },
      fix: "Switch now (open files, unsaved edits and settings are kept); otherwise the next start uses it.",
    },
    ask: "Switch now?",
  };
}

function formatSeconds(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`;
}

export function updated(u: Update): AfterReplay {
  return (files) => ({
    id: "gopls.update",
    severity: "info",
    message: `gopls ${u.to} runs now (was ${u.from}); ${files} open file${files === 1 ? "" : "s"} handed to it.`,
    evidence: { gopls: u.path },
    fix: "",
  });
}

export interface UpdateFlow {
  updater: Updater;
  current: () => Located | undefined;
  ask: (q: Question) => void;
  withdraw: (slot: string) => void;
  sessionFile: SessionFile;
  logger: Logger;
  /** The session still serves (not ending). */
  serving: () => boolean;
  /** Warms the build's cache for the workspace, before it is offered. */
  warm: (u: Update) => Promise<Warming>;
  /** Makes the session run this build: a planned restart with replay. */
  switchTo: (u: Update) => Promise<void>;
}

/** Checks, asks, and switches on the user's yes. Failures are logged: nothing was interrupted. */
export async function offerUpdate(f: UpdateFlow): Promise<void> {
  const current = f.current();
  if (!current) return;
  const r = await f.updater.check(current);
  if (!r.ok) {
    f.logger.warn({ event: "update.failed", finding: r.finding }, "background update failed");
    return;
  }
  if (!r.value || !f.serving()) return;
  const u = r.value;
  const warming = await f.warm(u);
  if (!f.serving()) return;
  f.sessionFile.update({ pendingUpdate: u.to });
  const switchNow = async () => {
    if (!f.serving()) return;
    await f.switchTo(u);
    f.withdraw("update");
    f.sessionFile.update({ pendingUpdate: undefined });
    const removed = await f.updater.removeUnused([u.path]).catch(() => []);
    f.logger.info({ event: "update.switched", to: u.to, removed }, "switched gopls");
  };
  f.ask({
    slot: "update",
    ...updateQuestion(u, warming),
    actions: [
      { title: SWITCH_NOW, command: GUARD_COMMANDS.switchNow, run: () => void switchNow() },
    ],
    no: { title: "At the next start", withdraws: true },
  });
}
