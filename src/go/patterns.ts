// GOPRIVATE, GONOPROXY and GONOSUMDB: comma-separated glob patterns, each matching a module
// path or one of its prefixes, element by element. A port of golang.org/x/mod/module's
// MatchPrefixPatterns over path.Match: a malformed pattern matches nothing, as in Go.

const lit = (c: string) => `\\u{${(c.codePointAt(0) as number).toString(16)}}`;

/** path.Match's syntax as a RegExp, or undefined for a malformed pattern (ErrBadPattern). */
export function globToRegExp(glob: string): RegExp | undefined {
  const chars = [...glob];
  let i = 0;
  /** One possibly escaped character inside a class; '-' and ']' must be escaped. */
  const classChar = (): string | undefined => {
    let c = chars[i];
    if (c === undefined || c === "-" || c === "]") return undefined;
    if (c === "\\") {
      i++;
      c = chars[i];
      if (c === undefined) return undefined;
    }
    i++;
    return c;
  };
  let re = "";
  while (i < chars.length) {
    const c = chars[i] as string;
    if (c === "*") {
      re += "[^/]*";
      i++;
    } else if (c === "?") {
      re += "[^/]";
      i++;
    } else if (c === "\\") {
      const next = chars[i + 1];
      if (next === undefined) return undefined;
      re += lit(next);
      i += 2;
    } else if (c === "[") {
      i++;
      const negated = chars[i] === "^";
      if (negated) i++;
      const ranges: string[] = [];
      for (let n = 0; ; n++) {
        if (chars[i] === "]" && n > 0) {
          i++;
          break;
        }
        const lo = classChar();
        if (lo === undefined) return undefined;
        let hi = lo;
        if (chars[i] === "-") {
          i++;
          const h = classChar();
          if (h === undefined) return undefined;
          hi = h;
        }
        // Go accepts lo > hi and never matches it; a RegExp would reject it.
        if ((lo.codePointAt(0) as number) <= (hi.codePointAt(0) as number))
          ranges.push(`${lit(lo)}-${lit(hi)}`);
      }
      if (negated) re += `[^${ranges.join("")}]`;
      else re += ranges.length ? `[${ranges.join("")}]` : "(?!)";
    } else {
      re += lit(c);
      i++;
    }
  }
  return new RegExp(`^${re}$`, "u");
}

export function matchPrefixPatterns(globs: string, target: string): boolean {
  for (const raw of globs.split(",")) {
    const glob = raw.endsWith("/") ? raw.slice(0, -1) : raw;
    if (glob === "") continue;
    // The target cut after as many elements as the pattern has.
    let n = [...glob].filter((c) => c === "/").length;
    let prefix = target;
    for (let i = 0; i < target.length; i++) {
      if (target[i] !== "/") continue;
      if (n === 0) {
        prefix = target.slice(0, i);
        break;
      }
      n--;
    }
    if (n > 0) continue;
    if (globToRegExp(glob)?.test(prefix)) return true;
  }
  return false;
}
