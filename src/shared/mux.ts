// Many clients, one gopls: the shared instance's view of its clients, merged into the one editor
// its session serves. Each client's request ids and progress tokens are made unique on the way
// up and restored on the way down; each answer goes to the client that asked; diagnostics go to
// every client; a request from gopls goes to the client it concerns (all of them, for
// registrations and refreshes). A document open in two clients is one document for gopls while
// their texts agree; a client whose text departs is moved out (its guard replays it into a gopls
// of its own), so nobody is ever answered from another client's unsaved text.

import { randomBytes } from "node:crypto";
import type { Logger } from "../log.js";
import { OpenDocuments, type PositionEncoding } from "../serve/documents.js";
import { stableJson } from "./key.js";

type Json = Record<string, unknown>;
type Id = number | string;

/** A client's guard is told it must go on in an instance of its own, and why. */
export const MOVE_OUT = "gopls-guard/moveOut";
/** The first message on a connection: who the client is and its key. */
export const HELLO = "gopls-guard/hello";

const TOKEN_PREFIX = "gopls-guard-share:";
/**
 * Ids of this instance's requests to clients: unique to it, so an answer a client gives late, to
 * an instance that has gone, can never be taken for the answer to another's request.
 */
const DOWN_PREFIX = `gg-${randomBytes(6).toString("hex")}-`;
const CONFIG_CHECK_MS = 5000;

export interface ClientPort {
  send(message: Json): void;
  /** Ends the connection once what was sent has gone out. */
  close(): void;
}

interface Client {
  id: number;
  port: ClientPort;
  pid: number | undefined;
  /** initialize answered and initialized received (and the settings compared). */
  joined: boolean;
  /** Messages that wait for the settings check. */
  held: Json[] | undefined;
  initializeId: Id | undefined;
  /** Its version of each document it has open. */
  versions: Map<string, number>;
  /** Progress tokens gopls created that this client was told of. */
  tokens: Set<Id>;
  /** The registrations it was sent (a later client gets the others when it joins). */
  registered: Set<string>;
  gone: boolean;
}

interface Upward {
  client: Client;
  id: Id;
  method: string;
}

/** A request from gopls sent to one or more clients: answered upstream once. */
interface Downward {
  upstreamId: Id;
  answered: boolean;
  method: string;
  /** Every client it was sent to (those still to answer are in Mux.down). */
  asked: Set<Client>;
  params: unknown;
}

interface SharedDoc {
  /** The clients with it open, in the order they opened it. */
  openers: Client[];
  upstreamVersion: number;
}

const BROADCAST_REQUESTS = new Set([
  "client/registerCapability",
  "client/unregisterCapability",
  "window/workDoneProgress/create",
]);

export interface MuxOptions {
  toUpstream(message: Json): void;
  logger: Logger;
  /** The number of clients changed (0: the instance may go idle). */
  onClients(count: number): void;
}

export class Mux {
  private readonly clients = new Map<number, Client>();
  private nextClient = 1;
  private nextUp = 1;
  private nextDown = 1;
  private readonly up = new Map<Id, Upward>();
  private readonly down = new Map<Id, { request: Downward; client: Client }>();
  private readonly docs = new Map<string, SharedDoc>();
  private readonly texts = new OpenDocuments();
  /** gopls's latest publication per file, for a client that joins later. */
  private readonly diagnostics = new Map<string, Json>();
  private readonly registrations = new Map<string, Json>();
  private initialize:
    | { state: "none" }
    | { state: "pending"; upId: Id; waiting: Client[] }
    | { state: "done"; result: unknown } = { state: "none" };
  /** The last settings gopls asked for and what the first client answered. */
  private settings: { params: unknown; result: unknown } | undefined;
  /** The client whose workspace/executeCommand gopls is running (its edits go to it). */
  private commandClient: Client | undefined;

  constructor(private readonly o: MuxOptions) {}

  get size(): number {
    return this.clients.size;
  }

  get clientPids(): number[] {
    return [...this.clients.values()].flatMap((c) => (c.pid ? [c.pid] : []));
  }

  add(port: ClientPort, pid: number | undefined): Client {
    const client: Client = {
      id: this.nextClient++,
      port,
      pid,
      joined: false,
      held: undefined,
      initializeId: undefined,
      versions: new Map(),
      tokens: new Set(),
      registered: new Set(),
      gone: false,
    };
    this.clients.set(client.id, client);
    this.o.onClients(this.clients.size);
    return client;
  }

  /** A message the client's guard relayed; one the mux cannot handle moves that client out. */
  fromClient(c: Client, m: Json): void {
    try {
      this.handleClient(c, m);
    } catch (error) {
      this.o.logger.error({ event: "share.client_message", error: String(error) }, "bad message");
      this.moveOut(c, `a message gopls-guard could not handle: ${String(error)}`);
    }
  }

  private handleClient(c: Client, m: Json): void {
    if (c.gone) return;
    const method = typeof m.method === "string" ? m.method : undefined;
    // Answers are never held: the settings check waits on one.
    if (c.held && method !== undefined) {
      c.held.push(m);
      return;
    }
    const isRequest = method !== undefined && m.id !== undefined && m.id !== null;
    if (method === undefined) return this.answerFromClient(c, m);
    const params = (m.params ?? {}) as Json;
    switch (method) {
      case "initialize":
        return this.clientInitialize(c, m);
      case "initialized":
        return this.clientInitialized(c, m);
      case "shutdown":
        return c.port.send({ jsonrpc: "2.0", id: m.id as Id, result: null });
      case "exit":
        this.leave(c, "exit");
        return c.port.close();
      case "textDocument/didOpen":
        return this.didOpen(c, m, params);
      case "textDocument/didChange":
        return this.didChange(c, m, params);
      case "textDocument/didClose":
        return this.didClose(c, m, params);
      case "workspace/didChangeConfiguration":
        // Editors say so for any setting (VS Code: for any section): only a change in what
        // gopls is given parts this client from the others; alone, its settings are the
        // instance's, and gopls asks for them again.
        if (!this.othersThan(c)) return this.o.toUpstream(m);
        return this.checkSettings(c, "its gopls settings changed", () => {});
      case "$/cancelRequest": {
        const id = (params as { id?: Id }).id;
        const upId = this.upIdOf(c, id);
        if (upId !== undefined) this.o.toUpstream({ ...m, params: { ...params, id: upId } });
        // A command still waiting its turn is taken out of the queue and answered so.
        const queued = this.commands.findIndex((q) => q.c === c && q.m.id === id);
        if (queued >= 0) {
          this.commands.splice(queued, 1);
          c.port.send({
            jsonrpc: "2.0",
            id: id as Id,
            error: { code: -32800, message: "cancelled before it ran" },
          });
        }
        return;
      }
      case "window/workDoneProgress/cancel":
        return this.o.toUpstream({
          ...m,
          params: { ...params, token: this.tokenUp(c, (params as { token?: Id }).token) },
        });
    }
    if (!isRequest) return this.o.toUpstream(m);
    if (method === "workspace/executeCommand") {
      // One command at a time: the edits gopls asks to apply while it runs carry no trace of
      // the command, so they go to the client whose command it is.
      if (this.commandClient) {
        this.commands.push({ c, m });
        return;
      }
      this.commandClient = c;
    }
    this.request(c, m, method);
  }

  private request(c: Client, m: Json, method: string): void {
    const upId = this.nextUp++;
    this.up.set(upId, { client: c, id: m.id as Id, method });
    this.o.toUpstream({ ...m, id: upId, params: this.tokensUp(c, m.params) });
  }

  private commands: { c: Client; m: Json }[] = [];

  /**
   * The command running is done (gopls answered it): the next waiting one runs, straight to
   * gopls (it passed any hold of its client when it was queued).
   */
  private commandDone(): void {
    this.commandClient = undefined;
    for (let next = this.commands.shift(); next; next = this.commands.shift()) {
      if (next.c.gone) continue;
      this.commandClient = next.c;
      return this.request(next.c, next.m, "workspace/executeCommand");
    }
  }

  /** The client's connection closed (exit, a crash, moved out): what it held is let go. */
  leave(c: Client, why: string): void {
    if (c.gone) return;
    c.gone = true;
    this.clients.delete(c.id);
    this.o.logger.info(
      { event: "share.client_left", client: c.id, pid: c.pid, why },
      "client left",
    );
    for (const uri of c.versions.keys()) this.release(c, uri);
    for (const [upId, u] of this.up) {
      if (u.client !== c) continue;
      this.o.toUpstream({ jsonrpc: "2.0", method: "$/cancelRequest", params: { id: upId } });
      // Its command stays its own until gopls answers it (gopls may send its edit anyway:
      // that finds no client, never the next command's).
      if (!(u.method === "workspace/executeCommand" && this.commandClient === c))
        this.up.delete(upId);
    }
    this.commands = this.commands.filter((q) => q.c !== c);
    for (const [id, check] of this.settingsChecks) {
      if (check.owner !== c) continue;
      clearTimeout(check.timer);
      this.settingsChecks.delete(id);
    }
    if (this.initialize.state === "pending")
      this.initialize.waiting = this.initialize.waiting.filter((w) => w !== c);
    // What gopls asked of this client alone goes to another, or is answered for it.
    for (const [downId, d] of this.down) {
      if (d.client !== c) continue;
      this.down.delete(downId);
      if (d.request.answered || this.stillAsked(d.request)) continue;
      const next = this.owner();
      if (next && !BROADCAST_REQUESTS.has(d.request.method)) this.sendDown(next, d.request);
      else this.answerUp(d.request, { result: null });
    }
    this.o.onClients(this.clients.size);
  }

  fromUpstream(m: Json): void {
    const method = typeof m.method === "string" ? m.method : undefined;
    if (method === undefined) return this.answerFromUpstream(m);
    const params = m.params as Json | undefined;
    if (m.id !== undefined && m.id !== null) return this.requestFromUpstream(m, method, params);
    if (this.initialize.state !== "done") {
      // Said before initialize is answered (the guard's own messages at start): kept for then.
      this.early.push(m);
      return;
    }
    if (method === "textDocument/publishDiagnostics") {
      const uri = String((params as { uri?: unknown })?.uri);
      this.diagnostics.set(uri, m);
      for (const c of this.ready()) c.port.send(this.withVersion(c, m, uri));
      return;
    }
    if (method === "$/cancelRequest") {
      // gopls takes back a request it sent: each client it went to hears it under its own id.
      const id = (params as { id?: Id })?.id;
      for (const [downId, d] of this.down) {
        if (d.request.upstreamId !== id) continue;
        this.down.delete(downId);
        d.request.answered = true;
        if (!d.client.gone) d.client.port.send({ ...m, params: { id: downId } });
      }
      return;
    }
    if (method === "$/progress") {
      const token = (params as { token?: Id })?.token;
      const own = this.tokenDown(token);
      if (own) {
        if (!own.client.gone)
          own.client.port.send({ ...m, params: { ...params, token: own.token } });
        return;
      }
      for (const c of this.ready()) if (c.tokens.has(token as Id)) c.port.send(m);
      return;
    }
    // logMessage, showMessage, telemetry: every client.
    for (const c of this.ready()) c.port.send(m);
  }

  // ---- initialize and joining

  private clientInitialize(c: Client, m: Json): void {
    c.initializeId = m.id as Id;
    const init = this.initialize;
    if (init.state === "done") return this.answerInitialize(c, init.result);
    if (init.state === "pending") {
      init.waiting.push(c);
      return;
    }
    const upId = this.nextUp++;
    this.initialize = { state: "pending", upId, waiting: [c] };
    const params = { ...((m.params ?? {}) as Json), processId: null };
    this.o.toUpstream({ ...m, id: upId, params: this.tokensUp(c, params) });
  }

  private answerInitialize(c: Client, result: unknown): void {
    if (c.initializeId === undefined || c.gone) return;
    c.port.send({ jsonrpc: "2.0", id: c.initializeId, result });
  }

  private clientInitialized(c: Client, m: Json): void {
    if (c.joined) return;
    if (!this.joinedBefore) {
      this.joinedBefore = true;
      c.joined = true;
      return this.o.toUpstream(m);
    }
    // gopls has not asked for settings yet: joined now, and asked once gopls has.
    if (!this.settings) this.unchecked.add(c);
    this.checkSettings(c, "its gopls settings differ", () => this.join(c));
  }

  /**
   * Asks the client for the settings gopls last asked for (same key, so the same are expected),
   * holding its messages meanwhile: the same, and `same` runs and the messages go on; others,
   * or no answer within CONFIG_CHECK_MS, and the client moves out.
   */
  private checkSettings(c: Client, differ: string, same: () => void): void {
    const settings = this.settings;
    if (!settings) return same();
    c.held = [];
    const timer = setTimeout(
      () => this.moveOut(c, "it did not answer for its settings"),
      CONFIG_CHECK_MS,
    );
    const downId = `${DOWN_PREFIX}settings-${this.nextDown++}`;
    this.settingsChecks.set(downId, {
      owner: c,
      timer,
      done: (reply) => {
        clearTimeout(timer);
        if (stableJson(reply.result) !== stableJson(settings.result))
          return this.moveOut(c, differ, reply.result);
        const held = c.held ?? [];
        c.held = undefined;
        same();
        for (const m of held) this.handleClient(c, m);
      },
    });
    c.port.send({
      jsonrpc: "2.0",
      id: downId,
      method: "workspace/configuration",
      params: settings.params,
    });
  }

  private joinedBefore = false;
  /** Clients that joined before gopls had asked for settings: compared once it has. */
  private readonly unchecked = new Set<Client>();
  /** Notifications from before initialize was answered, for the clients it is answered to. */
  private early: Json[] = [];
  private readonly settingsChecks = new Map<
    Id,
    { owner: Client; timer: NodeJS.Timeout; done: (reply: Json) => void }
  >();

  /** A later client joins: what gopls registered and published so far is its too. */
  private join(c: Client): void {
    c.joined = true;
    for (const [id, params] of this.registrations) {
      if (c.registered.has(id)) continue;
      c.registered.add(id);
      c.port.send({
        jsonrpc: "2.0",
        id: `${DOWN_PREFIX}replay-${this.nextDown++}`,
        method: "client/registerCapability",
        params: { registrations: [params] },
      });
    }
    for (const [uri, m] of this.diagnostics) c.port.send(this.withVersion(c, m, uri));
  }

  /**
   * The clients gopls's messages go to: those that joined (initialized, settings compared), and
   * the first client from its initialize answer on, as it would be served alone.
   */
  private ready(): Client[] {
    if (this.initialize.state !== "done") return [];
    return [...this.clients.values()].filter(
      (c) => !c.gone && c.initializeId !== undefined && (c.joined || !this.joinedBefore),
    );
  }

  /** Who is asked what concerns the whole workspace: the longest-connected ready client. */
  private owner(): Client | undefined {
    return this.ready()[0] ?? [...this.clients.values()].find((c) => !c.gone && !c.held);
  }

  private othersThan(c: Client): boolean {
    return [...this.clients.values()].some((o) => o !== c && !o.gone);
  }

  // ---- documents

  private didOpen(c: Client, m: Json, params: Json): void {
    const td = params.textDocument as {
      uri: string;
      version: number;
      text: string;
      languageId: string;
    };
    const doc = this.docs.get(td.uri);
    if (!doc) {
      this.docs.set(td.uri, { openers: [c], upstreamVersion: td.version });
      this.texts.open({ textDocument: td });
      c.versions.set(td.uri, td.version);
      return this.o.toUpstream(m);
    }
    if (this.texts.get(td.uri)?.text !== td.text)
      return this.moveOut(c, `its text of ${td.uri} differs from another client's`);
    if (!doc.openers.includes(c)) doc.openers.push(c);
    c.versions.set(td.uri, td.version);
  }

  private didChange(c: Client, m: Json, params: Json): void {
    const td = params.textDocument as { uri: string; version: number };
    const doc = this.docs.get(td.uri);
    if (!doc?.openers.includes(c)) return this.o.toUpstream(m);
    if (doc.openers.length > 1)
      return this.moveOut(c, `it changed ${td.uri}, which another client has open unchanged`);
    // Alone with it: gopls keeps counting up from the version it has.
    const upstreamVersion = Math.max(td.version, doc.upstreamVersion + 1);
    doc.upstreamVersion = upstreamVersion;
    c.versions.set(td.uri, td.version);
    const change = { ...params, textDocument: { ...td, version: upstreamVersion } };
    this.texts.change(change as Parameters<OpenDocuments["change"]>[0]);
    this.o.toUpstream({ ...m, params: change });
  }

  private didClose(c: Client, _m: Json, params: Json): void {
    const uri = (params.textDocument as { uri: string }).uri;
    this.release(c, uri);
  }

  /** The client no longer has the document open; gopls is told when nobody has. */
  private release(c: Client, uri: string): void {
    c.versions.delete(uri);
    const doc = this.docs.get(uri);
    if (!doc) return;
    doc.openers = doc.openers.filter((o) => o !== c);
    if (doc.openers.length > 0) return;
    this.docs.delete(uri);
    this.texts.close({ textDocument: { uri } });
    this.o.toUpstream({
      jsonrpc: "2.0",
      method: "textDocument/didClose",
      params: { textDocument: { uri } },
    });
  }

  /** The client goes on in an instance of its own: its guard replays it there. */
  moveOut(c: Client, why: string, settings?: unknown): void {
    if (c.gone) return;
    this.o.logger.info(
      { event: "share.move_out", client: c.id, pid: c.pid, why },
      "client moved out",
    );
    // Other settings: its guard keys by them, and shares with the clients that have them too.
    c.port.send({
      jsonrpc: "2.0",
      method: MOVE_OUT,
      params: settings === undefined ? { reason: why } : { reason: why, settings },
    });
    this.leave(c, `moved out: ${why}`);
    c.port.close();
  }

  /** gopls's document versions are the mux's; each client sees its own. */
  private withVersion(c: Client, m: Json, uri: string): Json {
    const params = m.params as { version?: unknown };
    if (params?.version === undefined) return m;
    const mine = c.versions.get(uri);
    const doc = this.docs.get(uri);
    const version =
      mine !== undefined && doc && params.version === doc.upstreamVersion ? mine : undefined;
    const { version: _v, ...rest } = params as Json;
    return { ...m, params: version === undefined ? rest : { ...rest, version } };
  }

  /** Versioned edits (documentChanges) in an answer or an applyEdit, in the client's versions. */
  private editsFor(c: Client, value: unknown): unknown {
    if (value === null || typeof value !== "object") return value;
    const changes = (value as { documentChanges?: unknown }).documentChanges;
    const edit = (value as { edit?: unknown }).edit;
    if (Array.isArray(changes)) {
      return {
        ...(value as Json),
        documentChanges: changes.map((ch: Json) => {
          const td = ch?.textDocument as { uri?: string; version?: unknown } | undefined;
          if (!td || typeof td.uri !== "string" || typeof td.version !== "number") return ch;
          // Only an edit made on the text as it is now is the client's current version; an
          // older one keeps gopls's number, which the editor refuses as stale.
          const mine = c.versions.get(td.uri);
          const now = this.docs.get(td.uri)?.upstreamVersion === td.version;
          return mine === undefined || !now
            ? ch
            : { ...ch, textDocument: { ...td, version: mine } };
        }),
      };
    }
    if (edit && typeof edit === "object")
      return { ...(value as Json), edit: this.editsFor(c, edit) };
    if (Array.isArray(value)) return value.map((v) => this.editsFor(c, v));
    return value;
  }

  // ---- answers

  private answerFromUpstream(m: Json): void {
    const id = m.id as Id;
    const init = this.initialize;
    if (init.state === "pending" && id === init.upId) {
      const result = m.result;
      if (m.error !== undefined) {
        // gopls could not be initialized: each waiting client hears so, and may try again.
        this.initialize = { state: "none" };
        for (const c of init.waiting) if (!c.gone) c.port.send({ ...m, id: c.initializeId as Id });
        return;
      }
      this.initialize = { state: "done", result };
      const position = (result as { capabilities?: { positionEncoding?: unknown } })?.capabilities
        ?.positionEncoding;
      if (position === "utf-8" || position === "utf-32")
        this.texts.encoding = position as PositionEncoding;
      for (const c of init.waiting) this.answerInitialize(c, result);
      const early = this.early;
      this.early = [];
      for (const n of early) this.fromUpstream(n);
      return;
    }
    const u = this.up.get(id);
    if (!u) return;
    this.up.delete(id);
    if (u.method === "workspace/executeCommand") this.commandDone();
    if (u.client.gone) return;
    const result = "result" in m ? { result: this.editsFor(u.client, m.result) } : {};
    u.client.port.send({ ...m, id: u.id, ...result });
  }

  private answerFromClient(c: Client, m: Json): void {
    const id = m.id as Id;
    const check = this.settingsChecks.get(id);
    if (check) {
      this.settingsChecks.delete(id);
      if (check.owner === c) check.done(m);
      return;
    }
    const d = this.down.get(id);
    if (!d || d.client !== c) return;
    this.down.delete(id);
    if (d.request.method === "workspace/configuration" && !d.request.answered && "result" in m) {
      const first = !this.settings;
      this.settings = { params: d.request.params, result: m.result };
      if (first)
        for (const o of this.unchecked)
          if (o !== c && !o.gone) this.checkSettings(o, "its gopls settings differ", () => {});
      this.unchecked.clear();
    }
    if (!d.request.answered)
      this.answerUp(d.request, "error" in m ? { error: m.error } : { result: m.result });
  }

  private answerUp(d: Downward, reply: { result: unknown } | { error: unknown }): void {
    if (d.answered) return;
    d.answered = true;
    this.o.toUpstream({ jsonrpc: "2.0", id: d.upstreamId, ...reply });
  }

  private requestFromUpstream(m: Json, method: string, params: Json | undefined): void {
    const request: Downward = {
      upstreamId: m.id as Id,
      answered: false,
      method,
      asked: new Set(),
      params,
    };
    if (method === "client/registerCapability") {
      for (const r of (params?.registrations ?? []) as Json[])
        this.registrations.set(String(r.id), r);
      for (const c of this.ready())
        for (const r of (params?.registrations ?? []) as Json[]) c.registered.add(String(r.id));
    } else if (method === "client/unregisterCapability") {
      for (const r of (params?.unregisterations ?? []) as Json[])
        this.registrations.delete(String(r.id));
    }
    const everyone =
      BROADCAST_REQUESTS.has(method) || /^workspace\/[A-Za-z]+\/refresh$/.test(method);
    const ofCommand = method === "workspace/applyEdit" || method === "window/showDocument";
    const targets = everyone
      ? this.ready()
      : [
          // A command's edit goes to its client, or to nobody if that client has gone.
          ofCommand && this.commandClient ? this.commandClient : this.owner(),
        ].filter((c): c is Client => c !== undefined && !c.gone);
    if (targets.length === 0) {
      // Nobody to ask: a registration or a refresh is done for nobody; anything else fails.
      return this.answerUp(
        request,
        everyone
          ? { result: null }
          : { error: { code: -32803, message: "no client is connected" } },
      );
    }
    if (method === "window/workDoneProgress/create") {
      const token = (params as { token?: Id })?.token as Id;
      for (const c of targets) c.tokens.add(token);
    }
    for (const c of targets) this.sendDown(c, request);
  }

  /** Whether a client still has the request to answer. */
  private stillAsked(request: Downward): boolean {
    for (const d of this.down.values()) if (d.request === request) return true;
    return false;
  }

  private sendDown(c: Client, request: Downward): void {
    const downId = `${DOWN_PREFIX}${this.nextDown++}`;
    this.down.set(downId, { request, client: c });
    const params =
      request.method === "workspace/applyEdit" ? this.editsFor(c, request.params) : request.params;
    c.port.send({
      jsonrpc: "2.0",
      id: downId,
      method: request.method,
      ...(params === undefined ? {} : { params }),
    });
    // Settings are answered by the editor itself, at once: a client that does not (a suspended
    // editor) would hold up gopls for every client, so another is asked as well. Only settings:
    // a question for the user (buttons) may wait as long as the user does.
    if (request.method === "workspace/configuration") {
      setTimeout(() => {
        if (request.answered) return;
        const next = this.ready().find((o) => !request.asked.has(o));
        if (next) this.sendDown(next, request);
      }, CONFIG_CHECK_MS).unref();
    }
    request.asked.add(c);
  }

  // ---- ids and tokens

  private upIdOf(c: Client, id: unknown): Id | undefined {
    for (const [upId, u] of this.up) if (u.client === c && u.id === id) return upId;
    const init = this.initialize;
    if (init.state === "pending" && init.waiting[0] === c && c.initializeId === id)
      return init.upId;
    return undefined;
  }

  /** A client's own progress tokens, made unique among the clients. */
  private tokensUp(c: Client, params: unknown): unknown {
    if (params === null || typeof params !== "object" || Array.isArray(params)) return params;
    const p = params as Json;
    if (p.workDoneToken === undefined && p.partialResultToken === undefined) return params;
    return {
      ...p,
      ...(p.workDoneToken === undefined
        ? {}
        : { workDoneToken: this.tokenUp(c, p.workDoneToken as Id) }),
      ...(p.partialResultToken === undefined
        ? {}
        : { partialResultToken: this.tokenUp(c, p.partialResultToken as Id) }),
    };
  }

  private tokenUp(c: Client, token: Id | undefined): Id | undefined {
    // A token gopls created (window/workDoneProgress/cancel of one) goes up as it is.
    if (token === undefined || c.tokens.has(token)) return token;
    return `${TOKEN_PREFIX}${c.id}:${JSON.stringify(token)}`;
  }

  private tokenDown(token: unknown): { client: Client; token: Id } | undefined {
    if (typeof token !== "string" || !token.startsWith(TOKEN_PREFIX)) return undefined;
    const rest = token.slice(TOKEN_PREFIX.length);
    const colon = rest.indexOf(":");
    const client = this.clients.get(Number(rest.slice(0, colon)));
    if (!client) return undefined;
    try {
      return { client, token: JSON.parse(rest.slice(colon + 1)) as Id };
    } catch {
      return undefined;
    }
  }
}
