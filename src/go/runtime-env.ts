// Go runtime variables that kill every Go program at start when malformed (GOMEMLIMIT=4G:
// "fatal error: malformed GOMEMLIMIT"), checked with the runtime's own grammar before gopls or
// go is run. GOGC, GOMAXPROCS and GODEBUG are not: the runtime ignores a value it cannot read.
// Pure, and small: the guard's entry loads it.

import type { Finding } from "../findings.js";

const MAX_INT64 = (1n << 63n) - 1n;

/** runtime.atoi64: optional sign, decimal digits, no overflow. */
function atoi64(s: string): bigint | undefined {
  if (!/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n > MAX_INT64 || n < -MAX_INT64 - 1n ? undefined : n;
}

/** runtime.parseByteCount: N, NB, or N with KiB, MiB, GiB, TiB; never negative. */
export function parseByteCount(s: string): bigint | undefined {
  const m = /^(.+?)(B|KiB|MiB|GiB|TiB)?$/.exec(s);
  if (!m?.[1]) return undefined;
  const n = atoi64(m[1]);
  if (n === undefined || n < 0n) return undefined;
  const power = { B: 0n, KiB: 1n, MiB: 2n, GiB: 3n, TiB: 4n }[m[2] ?? "B"] ?? 0n;
  const bytes = n << (10n * power);
  return bytes > MAX_INT64 ? undefined : bytes;
}

/** The malformed runtime setting in env that would kill gopls (and go) at start, if any. */
export function runtimeEnvFault(env: NodeJS.ProcessEnv): Finding | undefined {
  const limit = env.GOMEMLIMIT;
  if (limit === undefined || limit === "" || limit === "off") return undefined;
  if (parseByteCount(limit) !== undefined) return undefined;
  const digits = /^\s*(\d+)\s*([KMGT])/i.exec(limit);
  const example = digits ? `${digits[1]}${(digits[2] ?? "G").toUpperCase()}iB` : "4GiB";
  return {
    id: "gopls.runtime_env",
    severity: "error",
    message: `GOMEMLIMIT=${limit} is malformed and kills every Go program: write it as ${example}, or unset it.`,
    evidence: {
      GOMEMLIMIT: limit,
      "Go accepts":
        "a number of bytes with an optional B, KiB, MiB, GiB or TiB (e.g. 4GiB), or off",
      "Go says": "fatal error: malformed GOMEMLIMIT",
    },
    fix: `Set GOMEMLIMIT=${example} (or unset it) where the editor's environment gets it, then restart the editor.`,
  };
}

/** A gopls (or go) that died at start of a malformed runtime setting: the fatal error's text. */
export function runtimeEnvDeath(stderr: string, env: NodeJS.ProcessEnv): Finding | undefined {
  if (!/fatal error: malformed GOMEMLIMIT/.test(stderr)) return undefined;
  return runtimeEnvFault(env);
}
