// `go version -m BINARY` output → typed build info: which main module, at which version,
// built by which Go, for which platform. Parsed once, at the edge.

export interface BuildInfo {
  goVersion: string;
  /** The main package path (`path` line). */
  path: string;
  module: { path: string; version: string; sum: string } | undefined;
  settings: Record<string, string>;
}

export function parseBuildInfo(output: string): BuildInfo | undefined {
  const lines = output.split(/\r?\n/);
  const first = lines[0] ?? "";
  const goVersion = /:\s+(go\S+)\s*$/.exec(first)?.[1];
  if (!goVersion) return undefined;
  const info: BuildInfo = { goVersion, path: "", module: undefined, settings: {} };
  for (const line of lines.slice(1)) {
    const fields = line.trim().split("\t");
    const [kind, a = "", b = "", c = ""] = fields;
    if (kind === "path") info.path = a;
    else if (kind === "mod") info.module = { path: a, version: b, sum: c };
    else if (kind === "build") {
      const eq = a.indexOf("=");
      if (eq > 0) info.settings[a.slice(0, eq)] = a.slice(eq + 1);
      else info.settings[a] = b;
    }
  }
  return info;
}
