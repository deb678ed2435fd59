// The roots Go trusts on this machine, so that the doctor's probes trust exactly those: on Linux
// and the BSDs, SSL_CERT_FILE or the first system bundle that exists, plus every file in
// SSL_CERT_DIR or the system cert dirs (crypto/x509's root_unix.go and root_linux.go). Node
// reads none of these by default. On macOS and Windows Go asks the OS store, which Node 20
// cannot read: there the probe keeps Node's list, and go confirms whatever it finds.

import fs from "node:fs";
import path from "node:path";

/** crypto/x509's certFiles for Linux, in its order (the first that exists is read). */
const CERT_FILES = [
  "/etc/ssl/certs/ca-certificates.crt",
  "/etc/pki/tls/certs/ca-bundle.crt",
  "/etc/ssl/ca-bundle.pem",
  "/etc/pki/tls/cacert.pem",
  "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
  "/etc/ssl/cert.pem",
];
const CERT_DIRS = ["/etc/ssl/certs", "/etc/pki/tls/certs"];

function readFile(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * A directory's files, skipping symlinks to files in the same directory (Debian's hash links),
 * as readUniqueDirectoryEntries does.
 */
function uniqueFiles(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((n) => path.join(dir, n))
    .filter((file) => {
      try {
        if (!fs.lstatSync(file).isSymbolicLink()) return true;
        const target = fs.readlinkSync(file);
        return path.isAbsolute(target) ? path.dirname(target) !== dir : target.includes("/");
      } catch {
        return false;
      }
    });
}

const cache = new Map<string, Buffer | undefined>();

/**
 * The PEM roots go would trust with this environment; undefined where the guard cannot read
 * what go reads (macOS, Windows), or none exist: the probe then uses Node's own list.
 */
export function goTrustedRoots(
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): Buffer | undefined {
  if (platform === "darwin" || platform === "win32") return undefined;
  const key = `${env.SSL_CERT_FILE ?? ""}\0${env.SSL_CERT_DIR ?? ""}`;
  if (cache.has(key)) return cache.get(key);
  const files = env.SSL_CERT_FILE ? [env.SSL_CERT_FILE] : CERT_FILES;
  const dirs = env.SSL_CERT_DIR ? env.SSL_CERT_DIR.split(":") : CERT_DIRS;
  const parts: Buffer[] = [];
  for (const file of files) {
    const data = readFile(file);
    if (data) {
      parts.push(data);
      break;
    }
  }
  for (const dir of dirs)
    for (const file of uniqueFiles(dir)) {
      const data = readFile(file);
      if (data?.includes("-----BEGIN CERTIFICATE-----")) parts.push(data, Buffer.from("\n"));
    }
  const roots = parts.length ? Buffer.concat(parts) : undefined;
  cache.set(key, roots);
  return roots;
}
