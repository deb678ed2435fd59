// A small PKI made with openssl for TLS fault tests: a root, an intermediate it signed, and a
// leaf for 127.0.0.1 the intermediate signed; and a self-signed leaf.

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export interface Pki {
  rootPem: string;
  intermediatePem: string;
  leafPem: string;
  leafKey: string;
  selfSignedPem: string;
  selfSignedKey: string;
}

export function makePki(dir: string): Pki {
  const f = (name: string) => path.join(dir, name);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  fs.writeFileSync(
    f("ca.ext"),
    "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n",
  );
  fs.writeFileSync(
    f("leaf.ext"),
    "basicConstraints=CA:FALSE\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
  );
  ssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "root.key",
    "-out",
    "root.pem",
    "-days",
    "2",
    "-subj",
    "/CN=GG Corporate Inspection Root",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  );
  ssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "int.key",
    "-out",
    "int.csr",
    "-subj",
    "/CN=GG Test Intermediate",
  );
  ssl(
    "x509",
    "-req",
    "-in",
    "int.csr",
    "-CA",
    "root.pem",
    "-CAkey",
    "root.key",
    "-CAcreateserial",
    "-out",
    "int.pem",
    "-days",
    "2",
    "-extfile",
    "ca.ext",
  );
  ssl(
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "leaf.key",
    "-out",
    "leaf.csr",
    "-subj",
    "/CN=127.0.0.1",
  );
  ssl(
    "x509",
    "-req",
    "-in",
    "leaf.csr",
    "-CA",
    "int.pem",
    "-CAkey",
    "int.key",
    "-CAcreateserial",
    "-out",
    "leaf.pem",
    "-days",
    "2",
    "-extfile",
    "leaf.ext",
  );
  ssl(
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    "self.key",
    "-out",
    "self.pem",
    "-days",
    "2",
    "-subj",
    "/CN=GG Self Signed Proxy",
    "-addext",
    "subjectAltName=IP:127.0.0.1",
  );
  const read = (name: string) => fs.readFileSync(f(name), "utf8");
  return {
    rootPem: read("root.pem"),
    intermediatePem: read("int.pem"),
    leafPem: read("leaf.pem"),
    leafKey: read("leaf.key"),
    selfSignedPem: read("self.pem"),
    selfSignedKey: read("self.key"),
  };
}
