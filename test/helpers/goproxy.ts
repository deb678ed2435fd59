// A module proxy on 127.0.0.1 speaking the GOPROXY protocol (@v/list, .info, .mod, .zip,
// @latest) that serves the stand-in gopls (test/fixtures/standin) as golang.org/x/tools/gopls
// at the versions a test asks for, each with its own go.mod `go` line.

import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { crc32 } from "node:zlib";
import { FIXTURES } from "./env.js";

const MODULE = "golang.org/x/tools/gopls";

export interface ProxyVersion {
  version: string;
  go: string;
}

export interface GoProxy {
  url: string;
  /** Paths requested, in order. */
  requests: string[];
  /** A new release, served from now on (gopls published a new version). */
  publish(version: ProxyVersion): void;
  close(): Promise<void>;
}

function goMod(go: string): string {
  return `module ${MODULE}\n\ngo ${go}\n`;
}

/** A zip with stored (uncompressed) entries: all a module zip needs. */
export function zip(files: Record<string, string | Buffer>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = typeof content === "string" ? Buffer.from(content) : content;
    const nameBytes = Buffer.from(name);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

export interface ProxyOptions {
  /** Versions whose zip carries an extra file: what a tampering proxy or a corrupt mirror serves. */
  tamper?: string[];
  /** Versions whose go.mod (alone and in the zip) differs from the one published. */
  tamperMod?: string[];
  /** A checksum database this proxy also serves at /sumdb/NAME/ (as proxy.golang.org does). */
  sumdb?: string;
  /** Every answer waits this long: a proxy far away or overloaded. */
  delayMs?: number;
  /** Served over HTTPS with this key and certificate chain (PEM). */
  tls?: { key: string; cert: string };
}

export async function startGoProxy(
  versions: ProxyVersion[],
  options: ProxyOptions = {},
): Promise<GoProxy> {
  const main = fs.readFileSync(path.join(FIXTURES, "standin", "main.go"));
  const byVersion = new Map(versions.map((v) => [v.version, v]));
  const requests: string[] = [];
  const handler: http.RequestListener = (req, res) => {
    const url = req.url ?? "";
    requests.push(url);
    const prefix = `/${MODULE}/@`;
    const send = (status: number, type: string, body: string | Buffer) => {
      const answer = () => {
        res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(body) });
        res.end(body);
      };
      if (options.delayMs) setTimeout(answer, options.delayMs);
      else answer();
    };
    const proxied = /^\/sumdb\/[^/]+\/(.*)$/.exec(url);
    if (proxied && options.sumdb) {
      if (proxied[1] === "supported") return send(200, "text/plain", "");
      void fetch(`${options.sumdb}/${proxied[1]}`).then(
        async (r) => send(r.status, "text/plain", Buffer.from(await r.arrayBuffer())),
        () => send(502, "text/plain", "checksum database unreachable"),
      );
      return;
    }
    if (!url.startsWith(prefix)) return send(404, "text/plain", "not found");
    const rest = url.slice(prefix.length);
    const info = (v: ProxyVersion) =>
      JSON.stringify({ Version: v.version, Time: "2026-01-01T00:00:00Z" });
    if (rest === "v/list")
      return send(200, "text/plain; charset=utf-8", versions.map((v) => `${v.version}\n`).join(""));
    if (rest === "latest") {
      const latest = versions.filter((v) => !v.version.includes("-")).at(-1);
      return latest
        ? send(200, "application/json", info(latest))
        : send(404, "text/plain", "no versions");
    }
    const m = /^v\/(.+)\.(info|mod|zip)$/.exec(rest);
    const v = m && byVersion.get(m[1] as string);
    if (!m || !v) return send(404, "text/plain", "not found");
    if (m[2] === "info") return send(200, "application/json", info(v));
    const mod = goMod(v.go) + (options.tamperMod?.includes(v.version) ? "// altered\n" : "");
    if (m[2] === "mod") return send(200, "text/plain; charset=utf-8", mod);
    const root = `${MODULE}@${v.version}`;
    const files: Record<string, string | Buffer> = {
      [`${root}/go.mod`]: mod,
      [`${root}/main.go`]: main,
    };
    if (options.tamper?.includes(v.version)) files[`${root}/NOTICE`] = "not what was published\n";
    return send(200, "application/zip", zip(files));
  };
  const server = options.tls
    ? https.createServer(options.tls, handler)
    : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls ? "https" : "http"}://127.0.0.1:${port}`,
    requests,
    publish: (v) => {
      if (!byVersion.has(v.version)) versions.push(v);
      byVersion.set(v.version, v);
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
