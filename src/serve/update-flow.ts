// A newer gopls, found and installed in the background once a session runs: the question
// ("Switch now" with a planned restart, or at the next start), what the status file shows
// meanwhile, and the old builds removed once the switch is made.

import type { Result } from "../findings.js";
import type { Located } from "../gopls/launch.js";
import type { Update } from "../gopls/update.js";
import type { Logger } from "../log.js";
import { chosenAction, type EditorChannel, MessageType } from "../lsp/editor-channel.js";
import type { AfterReplay } from "./notices.js";
import type { SessionFile } from "./session-file.js";

export interface Updater {
  /** Decides again and installs a newer gopls if the policy allows (undefined: none). */
  check(current: Located): Promise<Result<Update | undefined>>;
  /** Removes builds that neither these paths nor any running session use. */
  removeUnused(keep: string[]): Promise<string[]>;
}

export const SWITCH_NOW = "Switch now";

export function updatePrompt(u: Update) {
  return {
    type: MessageType.Info,
    message: `gopls-guard: gopls ${u.to} is installed; this session runs ${u.from}. Switch now? Open files, unsaved edits and settings are kept. Otherwise the next start uses it. [gopls.update]`,
    actions: [{ title: SWITCH_NOW }, { title: "At the next start" }],
  };
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
  editor: EditorChannel;
  sessionFile: SessionFile;
  logger: Logger;
  /** The session still serves (not ending). */
  serving: () => boolean;
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
  f.sessionFile.update({ pendingUpdate: u.to });
  const reply = await f.editor.request("window/showMessageRequest", updatePrompt(u));
  if (chosenAction(reply) !== SWITCH_NOW || !f.serving()) return;
  await f.switchTo(u);
  f.sessionFile.update({ pendingUpdate: undefined });
  const removed = await f.updater.removeUnused([u.path]).catch(() => []);
  f.logger.info({ event: "update.switched", to: u.to, removed }, "switched gopls");
}
