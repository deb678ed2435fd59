// An LSP client that behaves as a real one does, from a profile read from its source
// (test/fixtures/clients/*.json): it declares what that client declares at initialize, answers
// the server's requests as it does (buttons, MethodNotFound, null), and shows the user only what
// it displays. A simulated user looks at what is shown and acts through what the client offers.

import fs from "node:fs";
import path from "node:path";
import { FIXTURES } from "./env.js";
import { type Json, Peer } from "./peer.js";
import { waitUntil } from "./procs.js";

export interface Profile {
  profile: string;
  client: string;
  version: string;
  read_from: Array<{ repo: string; ref: string; commit?: string; files: string[] }>;
  initialize: {
    clientInfo: unknown;
    workDoneToken: boolean;
    capabilities: Record<string, unknown>;
  };
  handles: {
    "window/showMessage": "shown" | "shown-if-configured" | "log-only" | "ignored";
    "window/logMessage": string;
    "window/showMessageRequest": "buttons" | "method-not-found" | "null";
    "window/workDoneProgress/create": "accepts" | "method-not-found";
    "$/progress": "shown" | "ignored";
    "textDocument/publishDiagnostics": "any-file" | "open-files";
    "codeAction.command": "executeCommand" | "unsupported";
  };
  notes?: string;
}

export function loadProfiles(): Profile[] {
  const dir = path.join(FIXTURES, "clients");
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as Profile);
}

export type Channel = "pop-up" | "pop-up with buttons" | "diagnostic";

interface Diagnostic {
  source?: string;
  code?: string;
  message: string;
  range?: unknown;
}

const METHOD_NOT_FOUND = { code: -32601, message: "Method not found" };

export class ProfileClient {
  readonly peer: Peer;
  /** Server requests this client refused or cannot show, by method. */
  readonly refused: string[] = [];
  /** Message requests shown with buttons and not yet answered. */
  private readonly asking: Json[] = [];
  private readonly open = new Set<string>();
  private readonly lastDiagnostics = new Map<string, Diagnostic[]>();

  constructor(
    readonly profile: Profile,
    env: NodeJS.ProcessEnv,
    cwd: string,
  ) {
    this.peer = new Peer([], env, cwd);
    this.peer.onMessage = (m) => this.fromServer(m);
  }

  private fromServer(m: Json): void {
    if (m.method === "textDocument/publishDiagnostics") {
      const p = m.params as { uri: string; diagnostics: Diagnostic[] };
      this.lastDiagnostics.set(p.uri, p.diagnostics);
      return;
    }
    if (m.id === undefined || m.method === undefined) return;
    const reply = (r: object) => this.peer.send({ id: m.id, ...r });
    switch (m.method) {
      case "window/showMessageRequest": {
        const how = this.profile.handles["window/showMessageRequest"];
        if (how === "buttons") return void this.asking.push(m);
        this.refused.push(m.method);
        return reply(how === "null" ? { result: null } : { error: METHOD_NOT_FOUND });
      }
      case "window/workDoneProgress/create":
        if (this.profile.handles["window/workDoneProgress/create"] === "accepts")
          return reply({ result: null });
        this.refused.push(m.method);
        return reply({ error: METHOD_NOT_FOUND });
      case "workspace/configuration":
        return reply({ result: ((m.params as { items: unknown[] }).items ?? []).map(() => null) });
      case "client/registerCapability":
      case "client/unregisterCapability":
        return reply({ result: null });
      default:
        this.refused.push(m.method);
        return reply({ error: METHOD_NOT_FOUND });
    }
  }

  async initialize(root: string): Promise<Json> {
    const rootUri = `file://${root}`;
    const init = this.profile.initialize;
    const reply = await this.peer.call(
      "initialize",
      {
        processId: process.pid,
        clientInfo: init.clientInfo ?? undefined,
        rootUri,
        workspaceFolders: [{ uri: rootUri, name: path.basename(root) }],
        capabilities: init.capabilities,
        ...(init.workDoneToken ? { workDoneToken: "1" } : {}),
      },
      120_000,
    );
    this.peer.notify("initialized", {});
    return reply;
  }

  openFile(file: string, languageId = "go"): string {
    const uri = `file://${file}`;
    this.open.add(uri);
    this.peer.notify("textDocument/didOpen", {
      textDocument: { uri, languageId, version: 1, text: fs.readFileSync(file, "utf8") },
    });
    return uri;
  }

  /** Diagnostics the client displays (any file, or only the open ones), by URI. */
  private displayed(): Array<[string, Diagnostic[]]> {
    const anyFile = this.profile.handles["textDocument/publishDiagnostics"] === "any-file";
    return [...this.lastDiagnostics].filter(([uri]) => anyFile || this.open.has(uri));
  }

  diagnostics(uri: string): Diagnostic[] {
    return this.lastDiagnostics.get(uri) ?? [];
  }

  /** Each way this client showed the user the fault: pop-ups it displays, diagnostics it lists. */
  channelsFor(faultId: string, saying = /./): Channel[] {
    const tag = `[${faultId}]`;
    const out = new Set<Channel>();
    const shows = this.profile.handles["window/showMessage"] === "shown";
    for (const m of this.peer.received) {
      const text = (m.params as { message?: string } | undefined)?.message ?? "";
      if (!text.includes(tag) || !saying.test(text)) continue;
      if (m.method === "window/showMessage" && shows) out.add("pop-up");
      if (m.method === "window/showMessageRequest" && this.asking.includes(m))
        out.add("pop-up with buttons");
    }
    for (const [, list] of this.displayed())
      if (
        list.some((d) => d.source === "gopls-guard" && d.code === faultId && saying.test(d.message))
      )
        out.add("diagnostic");
    return [...out];
  }

  /** The pop-ups this client displayed that name the fault (a fault should be said once). */
  popupsFor(faultId: string): number {
    const shows = this.profile.handles["window/showMessage"] === "shown";
    return this.peer.received.filter(
      (m) =>
        ((m.method === "window/showMessage" && shows) ||
          (m.method === "window/showMessageRequest" && this.asking.includes(m))) &&
        ((m.params as { message?: string }).message ?? "").includes(`[${faultId}]`),
    ).length;
  }

  /** saying: what the fault's text must say (a crash restarted is not a crash given up on). */
  async waitToSee(faultId: string, saying = /./, timeoutMs = 30_000): Promise<Channel[]> {
    await waitUntil(
      `${this.profile.profile} shows ${faultId}`,
      () => this.channelsFor(faultId, saying).length > 0,
      timeoutMs,
    );
    // Every channel it goes out on, not only the first to arrive.
    await new Promise((resolve) => setTimeout(resolve, 300));
    return this.channelsFor(faultId, saying);
  }

  /**
   * The user acts on the fault through what this client offers: a button in a pop-up, else the
   * quick fix on the diagnostic (the client then runs its command). Returns how, or undefined
   * when the client offers no way.
   */
  async act(faultId: string, title: string): Promise<string | undefined> {
    const tag = `[${faultId}]`;
    const ask = this.asking.find((m) =>
      ((m.params as { message: string }).message ?? "").includes(tag),
    );
    if (ask) {
      this.asking.splice(this.asking.indexOf(ask), 1);
      this.peer.send({ id: ask.id, result: { title } });
      return `pressed "${title}" in the pop-up`;
    }
    if (this.profile.handles["codeAction.command"] !== "executeCommand") return undefined;
    for (const [uri, list] of this.displayed()) {
      const mine = list.find((d) => d.source === "gopls-guard" && d.code === faultId);
      if (!mine) continue;
      const reply = await this.peer.call("textDocument/codeAction", {
        textDocument: { uri },
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        context: { diagnostics: [mine], triggerKind: 1 },
      });
      const actions = (reply.result ?? []) as Array<{
        title: string;
        command?: string | { command: string; arguments?: unknown[] };
        arguments?: unknown[];
      }>;
      const action = actions.find((a) => a.title.includes(title));
      if (!action) continue;
      const command =
        typeof action.command === "string"
          ? { command: action.command, arguments: action.arguments }
          : action.command;
      if (!command) continue;
      const ran = await this.peer.call("workspace/executeCommand", command);
      if (ran.error) throw new Error(`${command.command}: ${ran.error.message}`);
      return `ran the code action "${action.title}" on ${path.basename(uri)}`;
    }
    return undefined;
  }

  async close(): Promise<void> {
    this.peer.kill();
  }
}
