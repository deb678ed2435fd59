// A question to the user about a held fault (Retry, Restart gopls, Switch now, Build it, use the
// shell's settings): one message where the client declares window.showMessage (buttons, with the
// evidence and the fix), else one short showMessage; always the fault's diagnostic with its
// actions as code actions and guard commands. Whichever the user uses first answers it; an error
// reply or none is "dismissed", and the code actions stay.

import { evidenceAndFix, type Finding, headline } from "../findings.js";
import type { Logger } from "../log.js";
import { chosenAction, type EditorChannel } from "../lsp/editor-channel.js";
import type { EditorReporter } from "../report/editor.js";
import type { ClientView } from "./client-view.js";
import type { GuardAction, HeldFaults } from "./held-faults.js";

export interface Question {
  slot: string;
  finding: Finding;
  /** The pop-up's first words, when they are not the finding's message. */
  lead?: string;
  /** What the user is asked, after the evidence and the fix: "Fix it, then Retry." */
  ask: string;
  actions: GuardAction[];
  /** The pop-up's button for no; withdraws: the fault no longer holds once the user says no. */
  no?: { title: string; withdraws: boolean };
  /** Go features are off until it is answered or fixed. */
  featuresOff?: boolean;
}

/** The pop-up: the id, what is wrong, the evidence, the fix, the question. */
export function popupText(q: Question): string {
  const { finding } = q;
  const lead = `gopls-guard [${finding.id}] ${q.lead ?? finding.message}`;
  return [lead, ...evidenceAndFix(finding), q.ask].join(" ");
}

export class Questions {
  /** Asked before the client said what it shows (its initialize): sent once it has. */
  private waiting: Question[] | undefined = [];

  constructor(
    private readonly editor: EditorChannel,
    private readonly reporter: EditorReporter,
    private readonly held: HeldFaults,
    private readonly view: () => ClientView,
    private readonly logger: Logger,
  ) {}

  ask(q: Question): void {
    this.held.hold(q.slot, q.finding, { actions: q.actions, featuresOff: q.featuresOff ?? false });
    if (this.waiting) this.waiting.push(q);
    else this.send(q);
  }

  /** The client's capabilities are known: what was asked meanwhile goes out. */
  clientKnown(): void {
    const waiting = this.waiting ?? [];
    this.waiting = undefined;
    for (const q of waiting) this.send(q);
  }

  private send(q: Question): void {
    const { finding } = q;
    const type = this.reporter.record(finding, { asked: q.slot });
    if (!this.view().messageRequests)
      return this.editor.notify("window/showMessage", { type, message: headline(finding) });
    const titles = [...q.actions.map((a) => a.title), ...(q.no ? [q.no.title] : [])];
    const params = { type, message: popupText(q), actions: titles.map((title) => ({ title })) };
    void this.editor.request("window/showMessageRequest", params).then((reply) => {
      const title = chosenAction(reply);
      this.logger.info({ event: "question.answer", slot: q.slot, answer: title || null }, "answer");
      if (!title) return;
      if (q.no && title === q.no.title) {
        if (q.no.withdraws) this.held.withdraw(q.slot);
        else this.held.answered(q.slot);
        return;
      }
      const action = q.actions.find((a) => a.title === title);
      if (action) this.held.run(action.command, action.arguments ?? [], q.slot);
    });
  }
}
