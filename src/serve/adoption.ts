// Settings the login shell has and the editor lacks (go.shell_env_drift), used for gopls only
// once the user says so: the question, what was accepted, whether the running gopls has it
// yet, and what to tell the user once it does. The session decides when to restart.

import type { Finding } from "../findings.js";
import type { Logger } from "../log.js";
import { GUARD_COMMANDS } from "./held-faults.js";
import { type AfterReplay, adopted, adoptionQuestion, USE_SHELL_SETTINGS } from "./notices.js";
import type { Questions } from "./questions.js";

export class Adoption {
  /** Accepted settings, over the editor's environment, for gopls and its installs. */
  values: Record<string, string> = {};
  /** What the latest gopls was started with. */
  private started = "{}";
  /** What to tell the user once accepted settings are in use; set until then. */
  private done: AfterReplay | undefined;

  constructor(
    private readonly questions: Questions,
    private readonly logger: Logger,
  ) {}

  /**
   * Asks about the settings not accepted yet (a pop-up where the client shows one, and a code
   * action); on yes, records them and calls onAccepted.
   */
  offer(finding: Finding, settings: Record<string, string>, onAccepted: () => void): void {
    const names = Object.keys(settings).filter((k) => this.values[k] !== settings[k]);
    if (names.length === 0) return;
    const accept = () => {
      this.logger.info({ event: "adopt.answer", names, answer: USE_SHELL_SETTINGS }, "adopt");
      const values = Object.fromEntries(names.map((k) => [k, settings[k] as string]));
      this.values = { ...this.values, ...values };
      this.done = adopted(finding.id, values);
      onAccepted();
    };
    this.questions.ask({
      slot: `finding:${finding.id}`,
      finding,
      ...adoptionQuestion(names),
      actions: [
        { title: USE_SHELL_SETTINGS, command: GUARD_COMMANDS.useShellSettings, run: accept },
      ],
      no: { title: "Not now", withdraws: false },
    });
  }

  /** A gopls is being started with the settings accepted so far. */
  starting(): void {
    this.started = JSON.stringify(this.values);
  }

  /** Accepted settings the user has not yet been told are in use. */
  get waiting(): boolean {
    return this.done !== undefined;
  }

  /** The latest gopls was started without some accepted setting. */
  get stale(): boolean {
    return this.started !== JSON.stringify(this.values);
  }

  /** The message for the user, taken once. */
  take(): AfterReplay | undefined {
    const done = this.done;
    this.done = undefined;
    return done;
  }
}
