// The doctor's one HTTP client: a GET bounded in all (CONNECT through HTTPS_PROXY/HTTP_PROXY as
// the user set them, honouring NO_PROXY; TLS trusting what go trusts (trust.ts); a body cap).

import http from "node:http";
import https from "node:https";
import type { TLSSocket } from "node:tls";
import tls from "node:tls";

/** The HTTP(S) proxy the go command would use for this URL, as the environment says. */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv): string | undefined {
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (
    noProxy.some(
      (n) =>
        n === "*" || url.hostname === n || url.hostname.endsWith(n.startsWith(".") ? n : `.${n}`),
    )
  )
    return undefined;
  return url.protocol === "https:"
    ? (env.HTTPS_PROXY ?? env.https_proxy)
    : (env.HTTP_PROXY ?? env.http_proxy);
}

export interface Answer {
  status: number;
  contentType: string;
  /** The first maxBytes of the body, as text and as bytes; truncated when there was more. */
  body: string;
  bytes: Buffer;
  truncated: boolean;
  socket?: TLSSocket;
}

/**
 * One GET, through an HTTP CONNECT proxy when one is set, done within timeoutMs in all (the
 * CONNECT, the handshake, a server that trickles its answer): never longer.
 */
export async function request(
  url: URL,
  via: string | undefined,
  timeoutMs: number,
  ca: Buffer | undefined,
  maxBytes = 4096,
): Promise<Answer> {
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(1, deadline - Date.now());
  const headers = { "User-Agent": "gopls-guard-doctor", Accept: "text/plain" };
  let tunnel: import("node:net").Socket | undefined;
  if (via) {
    const proxy = new URL(via);
    tunnel = await new Promise((resolve, reject) => {
      const auth = proxy.username
        ? {
            "Proxy-Authorization": `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString("base64")}`,
          }
        : {};
      const req = http.request({
        host: proxy.hostname,
        port: proxy.port || 80,
        method: "CONNECT",
        path: `${url.hostname}:${url.port || (url.protocol === "https:" ? 443 : 80)}`,
        headers: auth,
        timeout: timeoutMs,
      });
      const hard = setTimeout(
        () => req.destroy(Object.assign(new Error("proxy timed out"), { code: "ETIMEDOUT" })),
        left(),
      );
      req.on("close", () => clearTimeout(hard));
      req.on("connect", (res, socket) => {
        if (res.statusCode === 200) resolve(socket);
        else {
          socket.destroy();
          reject(
            Object.assign(new Error(`proxy answered CONNECT with ${res.statusCode}`), {
              code: `PROXY_${res.statusCode}`,
            }),
          );
        }
      });
      req.on("timeout", () =>
        req.destroy(Object.assign(new Error("proxy timed out"), { code: "ETIMEDOUT" })),
      );
      req.on("error", (e) => reject(Object.assign(e, { viaProxy: true })));
      req.end();
    });
  }
  return new Promise((resolve, reject) => {
    const mod = url.protocol === "https:" ? https : http;
    const budget = left();
    const req = mod.request(url, {
      method: "GET",
      headers,
      timeout: budget,
      ...(ca ? { ca } : {}),
      ...(tunnel
        ? {
            createConnection: () =>
              url.protocol === "https:"
                ? tls.connect({ socket: tunnel, servername: url.hostname, ...(ca ? { ca } : {}) })
                : tunnel,
          }
        : {}),
    } as https.RequestOptions);
    const timedOut = () =>
      req.destroy(Object.assign(new Error(`no answer in ${timeoutMs} ms`), { code: "ETIMEDOUT" }));
    const hard = setTimeout(timedOut, budget);
    req.on("close", () => clearTimeout(hard));
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let truncated = false;
      res.on("data", (d: Buffer) => {
        if (size >= maxBytes) {
          truncated = true;
          return;
        }
        chunks.push(d);
        size += d.length;
      });
      res.on("end", () => {
        const all = Buffer.concat(chunks);
        const bytes = all.subarray(0, maxBytes);
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers["content-type"] ?? ""),
          body: bytes.toString("utf8"),
          bytes,
          truncated: truncated || all.length > maxBytes,
          socket: res.socket as TLSSocket,
        });
      });
      res.on("error", (e) => reject(e));
    });
    req.on("timeout", timedOut);
    req.on("error", (e) => reject(Object.assign(e, { socket: req.socket })));
    req.end();
  });
}
