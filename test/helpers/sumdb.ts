// A checksum database on 127.0.0.1 (test/fixtures/sumdb: golang.org/x/mod/sumdb's server with a
// key of its own) that vouches for what an upstream module proxy serves.

import { spawn } from "node:child_process";
import readline from "node:readline";
import { sumdbServer } from "./env.js";

export interface SumDB {
  /** The value for GOSUMDB: "NAME+KEY http://127.0.0.1:PORT". */
  gosumdb: string;
  /** Its verifier key alone ("NAME+HASH+KEY"): GOSUMDB without a URL, for go to find it. */
  key: string;
  url: string;
  close(): void;
}

export async function startSumDB(upstream: string): Promise<SumDB> {
  const child = spawn(sumdbServer(), ["-proxy", upstream], { stdio: ["pipe", "pipe", "inherit"] });
  const first = await new Promise<string>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout });
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`sumdb exited ${code} before listening`)));
    child.once("error", reject);
  });
  const [key = "", url = ""] = first.trim().split(" ");
  return {
    gosumdb: first.trim(),
    key,
    url,
    // It exits when its stdin closes, so it cannot outlive the test.
    close: () => {
      child.stdin.end();
      child.kill();
    },
  };
}
