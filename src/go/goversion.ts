// Go toolchain versions as the go command writes them ("go1.26.8", "1.21", "1.22rc1",
// "go1.27.0"), parsed and ordered. A go.mod "go 1.21" line means 1.21.0 or later (and rc > beta).

export interface GoVersion {
  major: number;
  minor: number;
  patch: number;
  /** "" for a release; "rc1", "beta2" for pre-releases (which sort before the release). */
  pre: string;
}

const PATTERN = /^(?:go)?(\d+)(?:\.(\d+))?(?:\.(\d+))?((?:rc|beta|alpha)\d*)?$/;

export function parseGoVersion(text: string): GoVersion | undefined {
  const m = PATTERN.exec(text.trim());
  if (!m) return undefined;
  return {
    major: Number(m[1]),
    minor: Number(m[2] ?? 0),
    patch: Number(m[3] ?? 0),
    pre: m[4] ?? "",
  };
}

function preRank(pre: string): number {
  if (pre === "") return 3;
  if (pre.startsWith("rc")) return 2;
  if (pre.startsWith("beta")) return 1;
  return 0;
}

export function compareGo(a: GoVersion, b: GoVersion): number {
  return (
    a.major - b.major ||
    a.minor - b.minor ||
    a.patch - b.patch ||
    preRank(a.pre) - preRank(b.pre) ||
    Number(a.pre.replace(/\D/g, "") || 0) - Number(b.pre.replace(/\D/g, "") || 0)
  );
}

/** Does a local Go satisfy a module's `go` directive? */
export function satisfies(local: GoVersion, required: GoVersion): boolean {
  return compareGo(local, required) >= 0;
}

/** "go1.26" — the language version a gopls build is tied to. */
export function languageVersion(v: GoVersion): string {
  return `go${v.major}.${v.minor}`;
}

export function formatGo(v: GoVersion): string {
  return `go${v.major}.${v.minor}.${v.patch}${v.pre}`;
}
