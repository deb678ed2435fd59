// The faults a session holds, as state: each in a slot (what it is about: the start, a crash
// streak, memory, the workspace's Go, an update, one check's finding), with the actions the user
// can take on it. A fault holds until the session withdraws it; every change is announced so the
// client's views (diagnostics, code actions) follow.

import type { Finding } from "../findings.js";

/** The guard's own workspace commands: offered as code actions and in executeCommandProvider. */
export const GUARD_COMMANDS = {
  retry: "gopls-guard.retry",
  retryThroughMirror: "gopls-guard.retryThroughMirror",
  restart: "gopls-guard.restart",
  switchNow: "gopls-guard.switchNow",
  buildForGo: "gopls-guard.buildForGo",
  useShellSettings: "gopls-guard.useShellSettings",
} as const;

export type GuardCommand = (typeof GUARD_COMMANDS)[keyof typeof GUARD_COMMANDS];

export const ALL_GUARD_COMMANDS: readonly string[] = Object.values(GUARD_COMMANDS);

export interface GuardAction {
  /** The button's title, and the code action's. */
  title: string;
  command: GuardCommand;
  arguments?: string[];
  run: () => void;
}

export interface HeldFault {
  slot: string;
  finding: Finding;
  actions: GuardAction[];
  /** Go features are off while it holds (gopls is not running): shown on open Go files too. */
  featuresOff: boolean;
  /** How many times it has been said this session. */
  count: number;
}

export class HeldFaults {
  private readonly bySlot = new Map<string, HeldFault>();

  constructor(private readonly changed: () => void) {}

  /** Holds a fault in its slot (a fault said again there counts up). */
  hold(
    slot: string,
    finding: Finding,
    o: { actions?: GuardAction[]; featuresOff?: boolean } = {},
  ): HeldFault {
    const before = this.bySlot.get(slot);
    const held: HeldFault = {
      slot,
      finding,
      actions: o.actions ?? [],
      featuresOff: o.featuresOff ?? false,
      count: (before?.count ?? 0) + 1,
    };
    this.bySlot.set(slot, held);
    this.changed();
    return held;
  }

  /** The fault no longer holds. */
  withdraw(slot: string): void {
    if (this.bySlot.delete(slot)) this.changed();
  }

  /** The question was answered: the fault may still hold, without its actions. */
  answered(slot: string): void {
    const held = this.bySlot.get(slot);
    if (!held || held.actions.length === 0) return;
    this.bySlot.set(slot, { ...held, actions: [] });
    this.changed();
  }

  get size(): number {
    return this.bySlot.size;
  }

  list(): HeldFault[] {
    return [...this.bySlot.values()];
  }

  /**
   * Runs the action a command names (its argument picks among several, e.g. which mirror); the
   * question is answered by it. False when no held fault offers it now.
   */
  run(command: string, args: readonly unknown[] = [], slot?: string): boolean {
    for (const held of this.bySlot.values()) {
      if (slot !== undefined && held.slot !== slot) continue;
      const action = held.actions.find(
        (a) => a.command === command && (args.length === 0 || a.arguments?.[0] === args[0]),
      );
      if (!action) continue;
      this.answered(held.slot);
      action.run();
      return true;
    }
    return false;
  }
}
