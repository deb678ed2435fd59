// A module proxy on 127.0.0.1 serving this machine's module cache (its cache/download tree is the
// GOPROXY layout), with gopls's version list narrowed to one version: a real gopls installs from
// it in seconds (every module and build is cached), yet only through this proxy.

import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

export interface CacheProxy {
  url: string;
  /** Serves from now on (until then the port refuses: the proxy is unreachable). */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A port nothing listens on yet, reserved by listening and closing. */
async function freePort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

export async function cacheProxy(modcache: string, goplsVersion: string): Promise<CacheProxy> {
  const port = await freePort();
  const root = path.join(modcache, "cache", "download");
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    if (url === "/golang.org/x/tools/gopls/@v/list") return res.end(`${goplsVersion}\n`);
    if (url === "/golang.org/x/tools/gopls/@latest")
      return fs
        .createReadStream(path.join(root, "golang.org/x/tools/gopls/@v", `${goplsVersion}.info`))
        .pipe(res);
    const file = path.join(root, url);
    if (!file.startsWith(`${root}/`) || !fs.existsSync(file)) {
      res.writeHead(404);
      return res.end("not found");
    }
    fs.createReadStream(file).pipe(res);
  });
  let listening = false;
  return {
    url: `http://127.0.0.1:${port}`,
    async start() {
      await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
      listening = true;
    },
    async close() {
      if (listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
