// The editor's side of shared mode (GOPLS_GUARD_SHARE=1, `--share`): the guard the editor runs
// finds, or starts, the shared gopls of its key and relays the editor's session to it. It keeps
// what a replay needs (the initialize, the open documents with their text, the requests not yet
// answered), so when the instance is gone (killed, or idle-stopped as the editor came back) or
// moves this client out (its text or settings departed from the others'), the editor's session
// goes on in a new instance, or in a gopls of its own, with no request lost or answered twice.

import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import { PassThrough } from "node:stream";
import type { Config } from "../config.js";
import type { Finding } from "../findings.js";
import { realpath } from "../gopls/locate.js";
import { type Located, warmGopls } from "../gopls/warm.js";
import type { Log } from "../log.js";
import { encodeFrame, FrameReader, frameBody } from "../lsp/framing.js";
import { OpenDocuments } from "../serve/documents.js";
import { ParentWatch } from "../serve/parent-watch.js";
import { exitAfterFlush, runToEnd, serveLog, sessionOptions } from "../serve/serve.js";
import { Session } from "../serve/session.js";
import { liveSessions, type SharedInfo } from "../serve/session-file.js";
import type { Hello } from "./instance.js";
import {
  allUnder,
  dependencyRoots,
  differingParts,
  keyClient,
  type ShareKey,
  shareKey,
} from "./key.js";
import { HELLO, MOVE_OUT } from "./mux.js";
import { shareDir, socketPath } from "./socket-dir.js";

declare const GUARD_VERSION: string;

type Json = Record<string, unknown>;
type Id = number | string;

const REPLAY_ID = "gopls-guard-share-replay#";
/** More instance losses than this in a minute: the client goes on with a gopls of its own. */
const MAX_RECONNECTS_A_MINUTE = 5;
const INSTANCE_START_MS = 20_000;

/** One connection to an instance (or to the session of its own): superseded ones are cut. */
interface Upstream {
  write(frame: Buffer): void;
  /** The client is done with it (the editor ended): an orderly end. */
  end(): void;
  /** Superseded: cut, and nothing more it sends is read. */
  destroy(): void;
  /** The requests it sent the editor: only their answers go back to it. */
  asked: Set<string>;
}

export async function serveShared(
  config: Config,
  problems: Finding[],
  goplsArgs: string[],
): Promise<never> {
  const log = serveLog(config, goplsArgs, { share: true });
  return new SharedClient(config, problems, goplsArgs, log).run();
}

class SharedClient {
  private initialize: Json | undefined;
  private initializeId: Id | undefined;
  private initializeAnswered = false;
  private initializedSeen = false;
  private shutdownSeen = false;
  private readonly docs = new OpenDocuments();
  /** The editor's requests not answered yet, in order, by id (typed: 1 and "1" differ). */
  private readonly pending = new Map<string, { id: Id; method: string; body: Buffer }>();
  /** Registrations the editor was sent, by id: undone when a new instance takes over. */
  private readonly registered = new Map<string, string>();
  /** Bumped by each connect: one that finishes after a newer began is cut. */
  private generation = 0;
  private editorEnded = false;
  /** Progress begun and not ended, by token (as JSON). */
  private readonly progress = new Set<string>();
  /** What the editor sent while no connection was there. */
  private queue: { method: string; frame: Buffer }[] = [];
  private upstream: Upstream | undefined;
  private key: ShareKey | undefined;
  private replayId: string | undefined;
  private movedOut: string | undefined;
  private privateSession = false;
  private losses: number[] = [];
  private nextReplay = 1;
  private ending = false;
  /** Moved out for other settings: reconnect keyed by them. */
  private rekeyFor: { settings: unknown } | undefined;
  private answers: { settings: unknown } | undefined;
  private previousKey: string | undefined;
  /** Joined the instance of the workspace its files were reached from (not its own key's). */
  private borrowed = false;
  private readonly parentWatch: ParentWatch;

  constructor(
    private readonly config: Config,
    private readonly problems: Finding[],
    private readonly goplsArgs: string[],
    private readonly log: Log,
  ) {
    this.parentWatch = new ParentWatch(config.parentPollMs, (why) => this.finish(why, 1));
  }

  run(): Promise<never> {
    const reader = new FrameReader({
      maxBodyBytes: this.config.maxMessageBytes,
      onFrame: (frame) => this.fromEditor(frameBody(frame)),
      onError: (e) => this.badInput(e.message),
    });
    process.stdin.on("data", (chunk: Buffer) => reader.push(chunk));
    process.stdin.on("end", () => this.editorGone("editor closed stdin"));
    process.stdout.on("error", () => this.editorGone("editor stdout error"));
    for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const)
      process.on(signal, () => this.editorGone(`received ${signal}`));
    this.parentWatch.start();
    return new Promise<never>(() => {});
  }

  // ---- the editor's side

  private fromEditor(body: Buffer): void {
    let m: Json;
    try {
      m = JSON.parse(body.toString("utf8")) as Json;
    } catch (error) {
      return this.badInput(`invalid JSON: ${(error as Error).message}`);
    }
    const method = typeof m.method === "string" ? m.method : undefined;
    const id = m.id as Id | undefined;
    if (method === undefined) {
      // An answer goes to the connection that asked, never to a later one with the same id.
      const up = this.upstream;
      if (up && id !== undefined && id !== null && up.asked.delete(idKey(id)))
        up.write(encodeFrame(body));
      return;
    }
    if (id !== undefined && id !== null) this.pending.set(idKey(id), { id, method, body });
    const params = (m.params ?? {}) as Json;
    switch (method) {
      case "initialize":
        this.initialize = params;
        this.initializeId = id;
        if (typeof params.processId === "number" && params.processId > 0)
          this.parentWatch.watchEditor(params.processId);
        // Sent by the replay, from the pending requests: first, whatever was queued.
        return void this.connect();
      case "initialized":
        this.initializedSeen = true;
        break;
      case "shutdown":
        this.shutdownSeen = true;
        break;
      case "exit":
        this.send(method, body);
        return this.editorGone("editor sent exit");
      case "textDocument/didOpen":
      case "textDocument/didChange":
      case "textDocument/didClose":
        this.track(method, params);
        break;
      case "workspace/didChangeWorkspaceFolders":
        return this.foldersChanged(params, body);
    }
    this.send(method, body);
  }

  /** The editor's documents as a replay needs them; a change that cannot be applied is logged. */
  private track(method: string, params: Json): void {
    try {
      if (method === "textDocument/didOpen")
        this.docs.open(params as Parameters<OpenDocuments["open"]>[0]);
      else if (method === "textDocument/didChange")
        this.docs.change(params as Parameters<OpenDocuments["change"]>[0]);
      else this.docs.close(params as Parameters<OpenDocuments["close"]>[0]);
    } catch (error) {
      this.log.logger.warn({ event: "share.document", method, error: String(error) }, method);
    }
  }

  private send(method: string, body: Buffer): void {
    const frame = encodeFrame(body);
    if (this.upstream) this.upstream.write(frame);
    else this.queue.push({ method, frame });
  }

  /** A message of the guard's own to the editor. */
  private toEditor(m: Json): void {
    process.stdout.write(frameOf(m));
  }

  /** Other folders are another key: the session goes on in that key's instance. */
  private foldersChanged(params: Json, body: Buffer): void {
    const event = params.event as { added?: { uri: string }[]; removed?: { uri: string }[] };
    const init = this.initialize ?? {};
    const now = ((init.workspaceFolders as { uri: string }[] | null) ?? []).filter(
      (f) => !event?.removed?.some((r) => r.uri === f.uri),
    );
    this.initialize = { ...init, workspaceFolders: [...now, ...(event?.added ?? [])] };
    if (this.privateSession) return this.send("workspace/didChangeWorkspaceFolders", body);
    this.log.logger.info({ event: "share.rekey", why: "workspace folders changed" }, "new key");
    this.drop();
  }

  private editorGone(why: string): void {
    this.editorEnded = true;
    if (this.privateSession) {
      // The session of its own sees the end as it would from an editor (once it is attached).
      return this.upstream?.end();
    }
    this.finish(why, this.shutdownSeen ? 0 : 1);
  }

  private finish(why: string, code: number): void {
    if (this.ending) return;
    this.ending = true;
    this.log.logger.info({ event: "session.end", reason: why, exitCode: code }, "session ended");
    this.upstream?.end();
    void this.log.load().then(() => {
      this.log.flush();
      return exitAfterFlush(code);
    });
  }

  private badInput(reason: string): void {
    this.log.logger.error(
      { event: "lsp.malformed_frame", from: "editor", reason },
      "malformed input",
    );
    this.toEditor({
      jsonrpc: "2.0",
      method: "window/showMessage",
      params: {
        type: 1,
        message: `gopls-guard: the editor sent a malformed message (${reason}); the session ends. Log: ${this.log.file}`,
      },
    });
    this.finish("malformed editor input", 1);
  }

  // ---- the instance's side

  private fromUpstream(up: Upstream, body: Buffer): void {
    if (up !== this.upstream) return;
    let m: Json;
    try {
      m = JSON.parse(body.toString("utf8")) as Json;
    } catch {
      return;
    }
    const method = typeof m.method === "string" ? m.method : undefined;
    const id = m.id as Id | undefined;
    if (method === undefined) {
      if (id === this.replayId) return;
      if (id === this.initializeId) this.initializeAnswered = true;
      // Answered once: an answer to what is not pending (a replayed request an old instance
      // also answered) is not the editor's to see twice.
      if (id === undefined || id === null || !this.pending.delete(idKey(id))) return;
    } else if (method === MOVE_OUT) {
      const p = m.params as { reason?: unknown; settings?: unknown } | undefined;
      const reason = String(p?.reason ?? "moved out");
      // Other settings: shared with the clients that have them; else a gopls of its own.
      if (p?.settings !== undefined) this.rekeyFor = { settings: p.settings };
      else this.movedOut = reason;
      // Said where the editor logs the server's words: why this session leaves the others.
      return this.toEditor({
        jsonrpc: "2.0",
        method: "window/logMessage",
        params: {
          type: 3,
          message:
            p?.settings !== undefined
              ? `gopls-guard: this session goes on with the gopls of the clients that have its settings (${reason}).`
              : `gopls-guard: this session goes on with a gopls of its own: ${reason}.`,
        },
      });
    } else if (method === "client/registerCapability") {
      for (const r of (m.params as { registrations?: { id: string; method: string }[] })
        ?.registrations ?? [])
        this.registered.set(String(r.id), String(r.method));
    } else if (method === "client/unregisterCapability") {
      for (const r of (m.params as { unregisterations?: { id: string }[] })?.unregisterations ?? [])
        this.registered.delete(String(r.id));
    } else if (method === "$/progress") {
      const p = m.params as { token?: Id; value?: { kind?: string } } | undefined;
      if (p?.value?.kind === "begin") this.progress.add(JSON.stringify(p.token));
      else if (p?.value?.kind === "end") this.progress.delete(JSON.stringify(p.token));
    }
    if (method !== undefined && id !== undefined && id !== null) up.asked.add(idKey(id));
    process.stdout.write(encodeFrame(body));
  }

  /** Never rejects: whatever goes wrong in finding the instance, the session goes on alone. */
  private async connect(): Promise<void> {
    try {
      await this.connectOnce();
    } catch (error) {
      this.log.logger.error({ event: "share.connect_failed", error: String(error) }, "connect");
      await this.goPrivate(`gopls-guard could not connect this session: ${String(error)}`);
    }
  }

  private async connectOnce(): Promise<void> {
    const generation = ++this.generation;
    const stale = () => generation !== this.generation || this.privateSession || this.ending;
    const init = this.initialize ?? {};
    if (!this.key) {
      const gopls = safely(() =>
        warmGopls({ config: this.config, env: process.env, deferDue: true }),
      );
      this.key = shareKey({
        uid: process.getuid?.() ?? 0,
        guard: `${typeof GUARD_VERSION === "string" ? GUARD_VERSION : "dev"} ${realpath(process.argv[1] ?? process.execPath)}`,
        gopls: goplsBuild(this.config, gopls),
        PATH: gopls?.goplsPATH ?? process.env.PATH ?? "",
        configFile: safely(() => fs.readFileSync(this.config.configFile, "utf8")) ?? "",
        env: process.env,
        goplsArgs: this.goplsArgs,
        initialize: init,
        ...(this.answers ? { answers: this.answers.settings } : {}),
      });
      // Keyed by its settings into the very instance that moved it out (whose settings changed
      // since): nothing to share, a gopls of its own.
      if (this.key.hash === this.previousKey)
        return this.goPrivate("its gopls settings differ from the shared gopls's");
    }
    const dir =
      process.platform === "win32"
        ? undefined
        : shareDir({
            configured: this.config.shareDir,
            env: process.env,
            uid: process.getuid?.() ?? 0,
          });
    if (!dir?.ok) {
      if (dir) this.problems.push(dir.finding);
      return this.goPrivate(
        dir ? dir.finding.message : "shared mode needs Unix sockets (not on Windows yet)",
      );
    }
    const reached = this.reachedFrom();
    const joined = reached && (await tryConnect(reached.socket)).conn;
    if (stale()) return void joined?.destroy();
    if (reached && joined) {
      // Only joined, never started: an instance gone meanwhile leaves this client its own key.
      this.log.logger.info(
        { event: "share.reached_from", socket: reached.socket },
        "joins the workspace it was reached from",
      );
      this.key = { hash: reached.key, parts: reached.parts, shown: {} };
      this.borrowed = true;
      return this.attach(joined);
    }
    const sock = socketPath(dir.value, this.key.hash);
    let conn: net.Socket;
    try {
      conn = await this.connectOrStart(sock);
    } catch (error) {
      if (stale()) return;
      return this.goPrivate(`the shared gopls could not be reached: ${(error as Error).message}`);
    }
    if (stale()) return void conn.destroy();
    this.log.logger.info({ event: "share.connected", socket: sock, key: this.key?.hash }, "shared");
    this.attach(conn);
  }

  private attach(conn: net.Socket): void {
    let ended = false;
    const upstream: Upstream = {
      write: (frame) => {
        if (!conn.destroyed) conn.write(frame);
      },
      end: () => {
        ended = true;
        conn.end();
      },
      destroy: () => {
        ended = true;
        conn.destroy();
      },
      asked: new Set(),
    };
    const reader = new FrameReader({
      maxBodyBytes: this.config.maxMessageBytes,
      onFrame: (frame) => this.fromUpstream(upstream, frameBody(frame)),
      onError: () => conn.destroy(),
    });
    conn.on("data", (chunk: Buffer) => reader.push(chunk));
    conn.on("error", () => {});
    conn.on("close", () => {
      if (ended || this.ending || this.upstream !== upstream) return;
      this.upstream = undefined;
      this.lost();
    });
    const key = this.key as ShareKey;
    const hello: Hello = { pid: process.pid, key };
    conn.write(frameOf({ jsonrpc: "2.0", method: HELLO, params: hello }));
    this.takeOver(upstream);
  }

  /**
   * A new connection takes the editor's session over: what an earlier one registered is undone
   * (the new gopls registers what it needs, under ids that may repeat the old ones), then the
   * session is replayed into it.
   */
  private takeOver(up: Upstream): void {
    this.upstream = up;
    this.movedOut = undefined;
    // Progress an instance that is gone began will never end: ended here, or the editor spins.
    for (const token of this.progress)
      this.toEditor({
        jsonrpc: "2.0",
        method: "$/progress",
        params: { token: JSON.parse(token) as Id, value: { kind: "end" } },
      });
    this.progress.clear();
    if (this.registered.size > 0) {
      const unregisterations = [...this.registered].map(([id, method]) => ({ id, method }));
      this.registered.clear();
      this.toEditor({
        jsonrpc: "2.0",
        id: `${REPLAY_ID}unregister-${this.nextReplay++}`,
        method: "client/unregisterCapability",
        params: { unregisterations },
      });
    }
    this.replay(up);
  }

  /** Drops the current instance on purpose (a new key): the close brings the replay. */
  private drop(): void {
    this.key = undefined;
    this.borrowed = false;
    const up = this.upstream;
    this.upstream = undefined;
    up?.destroy();
    void this.connect();
  }

  /** The connection closed: moved out, or the instance is gone. */
  private lost(): void {
    const rekey = this.rekeyFor;
    if (rekey) {
      this.rekeyFor = undefined;
      this.answers = rekey;
      this.previousKey = this.key?.hash;
      this.key = undefined;
      this.borrowed = false;
      this.log.logger.info({ event: "share.rekey", why: "its gopls settings differ" }, "new key");
      return void this.connect();
    }
    if (this.borrowed) {
      // Found again (or its own key's) on the way back in: never started under another's key.
      this.borrowed = false;
      this.key = undefined;
    }
    const moved = this.movedOut;
    if (moved) return void this.goPrivate(moved);
    const now = Date.now();
    this.losses = [...this.losses.filter((t) => now - t < 60_000), now];
    if (this.losses.length > MAX_RECONNECTS_A_MINUTE)
      return void this.goPrivate(
        `the shared gopls was lost ${this.losses.length} times in a minute`,
      );
    this.log.logger.warn({ event: "share.lost" }, "shared gopls gone: reconnecting");
    void this.connect();
  }

  /** Everything the editor's session has said that still holds, to a new instance. */
  private replay(up: Upstream): void {
    const initializePending =
      this.initializeId !== undefined && this.pending.has(idKey(this.initializeId));
    if (this.initialize && !initializePending && this.initializeAnswered) {
      this.replayId = `${REPLAY_ID}${this.nextReplay++}`;
      // Its progress token belonged to a request long answered.
      const { workDoneToken: _t, ...params } = this.initialize;
      up.write(frameOf({ jsonrpc: "2.0", id: this.replayId, method: "initialize", params }));
    } else if (initializePending) {
      up.write(encodeFrame(this.pending.get(idKey(this.initializeId as Id))?.body as Buffer));
    }
    const queued = this.queue;
    this.queue = [];
    if (this.initializeAnswered) {
      if (this.initializedSeen)
        up.write(frameOf({ jsonrpc: "2.0", method: "initialized", params: {} }));
      for (const doc of this.docs.all())
        up.write(
          frameOf({
            jsonrpc: "2.0",
            method: "textDocument/didOpen",
            params: { textDocument: doc },
          }),
        );
      for (const [key, { id, method, body }] of this.pending) {
        if (key === idKey(this.initializeId as Id)) continue;
        // A command may have done its work (go get, a fix applied) before the instance went:
        // it is not run twice, it fails as interrupted; anything else is asked again.
        if (method === "workspace/executeCommand") {
          this.pending.delete(key);
          this.toEditor({
            jsonrpc: "2.0",
            id,
            error: {
              code: -32801,
              message:
                "gopls-guard: the shared gopls went away while the command ran; run it again",
            },
          });
          continue;
        }
        up.write(encodeFrame(body));
      }
      // What the editor sent since the loss is in the state above, but for what says that
      // files changed on disk or were saved (an instance that exists already has not seen it).
      for (const { method, frame } of queued)
        if (method === "workspace/didChangeWatchedFiles" || method === "textDocument/didSave")
          up.write(frame);
      return;
    }
    // The editor's initialize was not answered yet: what it sent since goes on in order.
    for (const { frame } of queued) up.write(frame);
  }

  /** The editor's session goes on with a gopls of its own, in this process. */
  private async goPrivate(why: string): Promise<void> {
    if (this.privateSession || this.ending) return;
    this.privateSession = true;
    this.log.logger.warn({ event: "share.private", why }, "going on with a gopls of its own");
    const toSession = new PassThrough();
    const fromSession = new PassThrough();
    const session = new Session(
      sessionOptions(this.config, this.log, this.goplsArgs, {
        editorIn: toSession,
        editorOut: fromSession,
      }),
    );
    const upstream: Upstream = {
      write: (frame) => toSession.write(frame),
      end: () => toSession.end(),
      destroy: () => toSession.end(),
      asked: new Set(),
    };
    const reader = new FrameReader({
      maxBodyBytes: this.config.maxMessageBytes,
      onFrame: (frame) => this.fromUpstream(upstream, frameBody(frame)),
      onError: () => {},
    });
    fromSession.on("data", (chunk: Buffer) => reader.push(chunk));
    this.parentWatch.stop();
    // Whatever connection a connect under way makes, it is cut: this session is the editor's.
    this.generation++;
    const old = this.upstream;
    this.upstream = undefined;
    old?.destroy();
    this.takeOver(upstream);
    const problems = [...this.problems];
    void runToEnd(session, this.log, problems);
    // The editor went while this was loading: the session ends as it would have.
    if (this.editorEnded) upstream.end();
  }

  /**
   * Folders that are all in the module cache or GOROOT (an editor that gives a file opened from
   * a definition a workspace of its own): the live instance of the same key but for its folders
   * that a client joined last, which is the workspace the file was reached from.
   */
  private reachedFrom(): SharedInfo | undefined {
    const key = this.key as ShareKey;
    const PATH = process.env.PATH ?? "";
    if (!allUnder(keyClient(this.initialize ?? {}).folders, dependencyRoots(PATH, process.env)))
      return undefined;
    const same = (parts: Record<string, string>) =>
      differingParts(parts, key.parts).every((p) => p === "folders");
    return liveSessions(this.config.home)
      .flatMap((s) =>
        s.shared && s.shared.clients.length > 0 && same(s.shared.parts) ? [s.shared] : [],
      )
      .sort((a, b) => (b.lastJoin ?? "").localeCompare(a.lastJoin ?? ""))[0];
  }

  private async connectOrStart(sock: string): Promise<net.Socket> {
    const first = await tryConnect(sock);
    if (first.conn) return first.conn;
    const { default: lockfile } = await import("proper-lockfile");
    const release = await lockfile.lock(sock, {
      lockfilePath: `${sock}.lock`,
      realpath: false,
      stale: 10_000,
      update: 2000,
      retries: { retries: 400, minTimeout: 25, maxTimeout: 100 },
      // Held past its staleness (a machine that slept mid-start): taken over, never a crash.
      onCompromised: (error) =>
        this.log.logger.warn({ event: "share.lock_lost", error: error.message }, "lock lost"),
    });
    try {
      // Busy (a full backlog, out of descriptors) is not gone: only a refused or missing socket
      // is a dead instance's, to be replaced.
      for (let tries = 0; ; tries++) {
        const again = await tryConnect(sock);
        if (again.conn) return again.conn;
        if (again.code === "ECONNREFUSED" || again.code === "ENOENT") break;
        if (tries >= 40) throw new Error(`${sock}: ${again.code}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      // A socket left by an instance that was killed: only this user can write the dir.
      fs.rmSync(sock, { force: true });
      await startInstance(sock, this.goplsArgs);
      const deadline = Date.now() + INSTANCE_START_MS;
      while (Date.now() < deadline) {
        const { conn } = await tryConnect(sock);
        if (conn) return conn;
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`no shared gopls listened at ${sock} within ${INSTANCE_START_MS / 1000} s`);
    } finally {
      await release().catch(() => {});
    }
  }
}

/** The shared instance, detached: no editor's end (or process group) is its end. */
async function startInstance(sock: string, goplsArgs: string[]): Promise<void> {
  const { whatRunsNow } = await import("../launcher/self.js");
  const { INSTANCE_COMMAND } = await import("../cli.js");
  const self = await whatRunsNow();
  if (!self) throw new Error("cannot tell how the guard was started");
  const { node, nodeFlags, guard } = self.target;
  const child = spawn(
    node,
    [...nodeFlags, ...(guard ? [guard] : []), INSTANCE_COMMAND, sock, ...goplsArgs],
    { detached: true, stdio: "ignore", env: process.env, cwd: process.cwd() },
  );
  child.on("error", () => {});
  child.unref();
}

/**
 * The gopls build a start would run: an explicit binary as a file (rebuilt: another key), else
 * what the last start decided. With no decision yet (the very first start), the version policy:
 * the first instance decides, and a later client that finds that decision keys by it.
 */
function goplsBuild(config: Config, warm: Located | undefined): string {
  if (config.goplsPath) {
    const st = safely(() => fs.statSync(config.goplsPath as string));
    return `explicit ${realpath(config.goplsPath)} ${st?.size} ${st?.mtimeMs}`;
  }
  return warm ? `${warm.path} ${warm.version ?? ""}` : `managed ${config.goplsVersion}, undecided`;
}

function tryConnect(sock: string): Promise<{ conn?: net.Socket; code?: string }> {
  return new Promise((resolve) => {
    const conn = net.connect(sock);
    conn.once("connect", () => {
      conn.removeAllListeners("error");
      resolve({ conn });
    });
    conn.once("error", (e: NodeJS.ErrnoException) => resolve({ code: e.code ?? "EIO" }));
  });
}

function idKey(id: Id): string {
  return typeof id === "number" ? `n${id}` : `s${id}`;
}

function frameOf(m: Json): Buffer {
  return encodeFrame(JSON.stringify(m));
}

function safely<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
