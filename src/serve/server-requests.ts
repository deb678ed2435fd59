// Requests gopls sends to the editor, across gopls restarts. The first gopls's ids pass through
// untouched; a restarted gopls numbers its requests from 1 again, so its ids are rewritten to
// strings no other generation uses. Replies meant for a dead gopls are dropped, not delivered
// to its successor.

import type { MessageId } from "../lsp/message.js";

const PREFIX = "gopls#";

export type Routed = { deliver: true; id: MessageId } | { deliver: false };

export class ServerRequests {
  private generation = 1;
  /** First-generation requests the editor has not answered yet. */
  private readonly firstPending = new Set<MessageId>();
  private readonly deadFirst = new Set<MessageId>();
  /** Rewritten id → the generation that sent it and its own id. */
  private readonly mapped = new Map<string, { generation: number; id: MessageId }>();

  /** The id to show the editor for a request from the current gopls. */
  outgoing(id: MessageId): MessageId {
    if (this.generation === 1) {
      this.firstPending.add(id);
      return id;
    }
    const key = `${PREFIX}${this.generation}:${JSON.stringify(id)}`;
    this.mapped.set(key, { generation: this.generation, id });
    return key;
  }

  /** The id the editor knows for a request of the current gopls ($/cancelRequest names it). */
  known(id: MessageId): MessageId {
    if (this.generation === 1) return id;
    const key = `${PREFIX}${this.generation}:${JSON.stringify(id)}`;
    return this.mapped.has(key) ? key : id;
  }

  /** Where the editor's reply goes: to the current gopls under its own id, or nowhere. */
  reply(id: MessageId | null): Routed {
    if (id === null) return { deliver: true, id: null as unknown as MessageId };
    if (typeof id === "string" && id.startsWith(PREFIX)) {
      const m = this.mapped.get(id);
      this.mapped.delete(id);
      return m && m.generation === this.generation
        ? { deliver: true, id: m.id }
        : { deliver: false };
    }
    if (this.firstPending.delete(id))
      return this.generation === 1 ? { deliver: true, id } : { deliver: false };
    if (this.deadFirst.delete(id)) return { deliver: false };
    return { deliver: true, id };
  }

  /** The gopls died: what it asked is abandoned; a new generation starts. */
  nextGeneration(): void {
    if (this.generation === 1) for (const id of this.firstPending) this.deadFirst.add(id);
    this.firstPending.clear();
    this.generation++;
  }

  get current(): number {
    return this.generation;
  }
}
