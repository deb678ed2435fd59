// GOPRIVATE, GONOPROXY and GONOSUMDB: comma-separated glob patterns (path.Match syntax), each
// matching a module path or any of its prefixes, element by element, as module.MatchPrefixPatterns.

function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 1);
      if (end < 0) return /$^/; // a malformed pattern matches nothing, as in go
      re += `[${glob
        .slice(i + 1, end)
        .replace(/^\^/, "^")
        .replace(/\\/g, "\\\\")}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

export function matchPrefixPatterns(patterns: string, modulePath: string): boolean {
  const elems = modulePath.split("/");
  for (const raw of patterns.split(",")) {
    const pattern = raw.trim().replace(/\/+$/, "");
    if (!pattern) continue;
    const n = pattern.split("/").length;
    if (n > elems.length) continue;
    if (globToRegExp(pattern).test(elems.slice(0, n).join("/"))) return true;
  }
  return false;
}
