// The one option `doctor` and `status` take: --json, or a usage error (undefined, exit 2).

import { parseArgs } from "node:util";

export function jsonFlag(command: string, args: string[]): boolean | undefined {
  try {
    return Boolean(
      parseArgs({ args, options: { json: { type: "boolean" } }, allowPositionals: false }).values
        .json,
    );
  } catch (error) {
    process.stderr.write(
      `gopls-guard: ${(error as Error).message}\nusage: gopls-guard ${command} [--json]\n`,
    );
    return undefined;
  }
}
