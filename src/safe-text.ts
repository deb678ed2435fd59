// Text the guard shows or writes that it did not write itself: the userinfo of every URL (a
// proxy password, a token in GOPROXY) redacted, as go redacts it, before it reaches the editor,
// the terminal, the log or the state; and control characters escaped before a terminal sees
// them (a rootUri with ESC in it, an HTML page from whatever answers for the proxy).

// scheme://user:password@  or  scheme://token@   (the userinfo ends at the first @ before a /).
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^/?#@\s"'<>]+)@/gi;

/** Every URL's userinfo replaced: "user:***@" where a password was set, "***@" for a token. */
export function redact(text: string): string {
  if (!text.includes("@")) return text;
  return text.replace(USERINFO, (_m, scheme: string, info: string) => {
    const colon = info.indexOf(":");
    return `${scheme}${colon >= 0 ? `${info.slice(0, colon)}:***` : "***"}@`;
  });
}

/** redact() over every string in a plain value (objects and arrays copied, others as they are). */
export function redactDeep<T>(value: T): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map(redactDeep) as T;
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v);
    return out as T;
  }
  return value;
}

/**
 * For a terminal: C0 and C1 control characters (ESC, BEL, CSI...) shown as \x1b, \x07...; tabs
 * and newlines kept where the caller lays out lines itself (keepNewlines).
 */
export function escapeControls(text: string, keepNewlines = false): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) =>
    keepNewlines && (c === "\n" || c === "\t")
      ? c
      : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}

/** Both, for what a terminal prints. */
export function forTerminal(text: string, keepNewlines = true): string {
  return escapeControls(redact(text), keepNewlines);
}
