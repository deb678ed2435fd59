// A shared gopls: a guard process of its own, detached from any one editor, serving every client
// of one key over a Unix socket in the user's private share dir. Its session is an ordinary
// one (supervised gopls, crash restart with replay, memory watch, updates) whose editor is the
// mux of its clients. It exits shareIdleMs after its last client left.

import fs from "node:fs";
import net from "node:net";
import { PassThrough } from "node:stream";
import type { Config } from "../config.js";
import type { Finding } from "../findings.js";
import { encodeFrame, FrameReader, frameBody } from "../lsp/framing.js";
import { runToEnd, serveLog, sessionOptions } from "../serve/serve.js";
import { Session } from "../serve/session.js";
import type { SharedInfo } from "../serve/session-file.js";
import { HELLO, Mux } from "./mux.js";

type Json = Record<string, unknown>;

export interface Hello {
  pid?: number;
  key: { hash: string; parts: Record<string, string>; shown: Record<string, string> };
}

export async function runInstance(
  config: Config,
  problems: Finding[],
  socket: string,
  goplsArgs: string[],
): Promise<never> {
  const log = serveLog(config, goplsArgs, { shared: socket });
  const logger = log.logger;
  const toSession = new PassThrough();
  const fromSession = new PassThrough();
  const session = new Session(
    sessionOptions(config, log, goplsArgs, {
      editorIn: toSession,
      editorOut: fromSession,
      detached: true,
    }),
  );
  let info: SharedInfo | undefined;
  let idle: NodeJS.Timeout | undefined;
  const mux = new Mux({
    logger,
    toUpstream: (m) => toSession.write(encodeFrame(JSON.stringify(m))),
    onClients: (count) => {
      if (info) {
        if (count > info.clients.length) info.lastJoin = new Date().toISOString();
        info.clients = mux.clientPids;
        info.idleSince = count === 0 ? new Date().toISOString() : undefined;
        session.describe({ shared: { ...info } });
      }
      idleClock();
    },
  });
  const upstream = new FrameReader({
    maxBodyBytes: config.maxMessageBytes,
    onFrame: (frame) => mux.fromUpstream(JSON.parse(frameBody(frame).toString("utf8")) as Json),
    onError: (e) => logger.error({ event: "share.upstream_error", error: e.message }, "bad frame"),
  });
  fromSession.on("data", (chunk: Buffer) => upstream.push(chunk));

  const server = net.createServer((conn) => accept(conn));
  let socketIno: number | undefined;
  /** Accepted connections, said hello or not: a client just connected keeps the instance. */
  let connections = 0;
  /** The idle clock runs while nobody is connected, and starts again each time that begins. */
  const idleClock = () => {
    clearTimeout(idle);
    if (connections > 0 || mux.size > 0) return;
    idle = setTimeout(() => goIdle(), config.shareIdleMs);
    idle.unref();
  };
  const goIdle = () => {
    if (mux.size > 0 || connections > 0) return;
    logger.info({ event: "share.idle_exit", idleMs: config.shareIdleMs }, "no client: exiting");
    stopListening();
    // As an editor ends a session: shutdown, then exit; the session stops gopls.
    toSession.write(
      encodeFrame(JSON.stringify({ jsonrpc: "2.0", id: "share-idle", method: "shutdown" })),
    );
    toSession.write(encodeFrame(JSON.stringify({ jsonrpc: "2.0", method: "exit" })));
  };
  let stopped = false;
  const stopListening = () => {
    if (stopped) return;
    stopped = true;
    server.close();
    // Only our own socket: a new instance may already listen at this path.
    try {
      if (fs.lstatSync(socket).ino === socketIno) fs.rmSync(socket);
    } catch {
      // gone already
    }
  };
  void session.ended.then(() => stopListening());

  function accept(conn: net.Socket): void {
    connections++;
    idleClock();
    let client: ReturnType<Mux["add"]> | undefined;
    const port = {
      send: (m: Json) => {
        if (!conn.destroyed) conn.write(encodeFrame(JSON.stringify(m)));
      },
      close: () => conn.end(),
    };
    const reader = new FrameReader({
      maxBodyBytes: config.maxMessageBytes,
      onFrame: (frame) => {
        let m: Json;
        try {
          m = JSON.parse(frameBody(frame).toString("utf8")) as Json;
        } catch (error) {
          logger.error({ event: "share.client_bad_json", error: String(error) }, "bad message");
          return void conn.destroy();
        }
        if (client) return mux.fromClient(client, m);
        const hello = m.method === HELLO ? (m.params as Hello) : undefined;
        if (!hello?.key?.hash || (info && hello.key.hash !== info.key)) {
          logger.warn({ event: "share.bad_hello" }, "a connection without this instance's key");
          return void conn.destroy();
        }
        info ??= { socket, key: hello.key.hash, parts: hello.key.parts, clients: [] };
        client = mux.add(port, hello.pid);
        logger.info({ event: "share.client", pid: hello.pid, clients: mux.size }, "client joined");
      },
      onError: (e) => {
        logger.error({ event: "share.client_bad_frame", error: e.message }, "bad frame");
        conn.destroy();
      },
    });
    conn.on("data", (chunk: Buffer) => reader.push(chunk));
    conn.on("error", () => {});
    conn.on("close", () => {
      connections--;
      if (client) mux.leave(client, "disconnected");
      // The last connection gone (a client that left already, or one that never said hello).
      idleClock();
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socket, () => resolve());
  }).catch((error: unknown) => {
    logger.error({ event: "share.listen_failed", socket, error: String(error) }, "cannot listen");
    log.flush();
    process.exit(1);
  });
  fs.chmodSync(socket, 0o600);
  socketIno = fs.lstatSync(socket).ino;
  // Nobody may come: a client that started it and died before connecting.
  idleClock();
  return runToEnd(session, log, problems);
}
