// The floor for any Node process in the middle: a relay that copies bytes both ways with no
// framing, no parsing and no logging. The guard's own cost is what it adds over this.

import { spawn } from "node:child_process";

const [command, ...args] = process.argv.slice(2);
const child = spawn(command as string, args, { stdio: ["pipe", "pipe", "inherit"] });
process.stdin.on("data", (d: Buffer) => child.stdin.write(d));
child.stdout.on("data", (d: Buffer) => process.stdout.write(d));
process.stdin.on("end", () => child.stdin.end());
child.on("exit", (code) => process.exit(code ?? 1));
