// What the scanner (scan.ts) makes of what it found: which top-level key routes, the id's and
// the method's values, a byte named for an error message, and where a body stops being UTF-8.

// Which top-level key the value being read belongs to.
export const K_OTHER = 0;
export const K_ID = 1;
export const K_METHOD = 2;

/** The name of a top-level key from its raw JSON text (quotes included). */
function keyName(raw: string): string {
  if (raw.indexOf("\\") < 0) return raw.slice(1, -1);
  try {
    return JSON.parse(Buffer.from(raw, "latin1").toString("utf8")) as string;
  } catch {
    return "";
  }
}

export function describeByte(c: number): string {
  return c >= 0x21 && c < 0x7f ? `'${String.fromCharCode(c)}'` : `byte 0x${c.toString(16)}`;
}

/** The first ill-formed UTF-8 sequence of a body that buffer.isUtf8 has refused (rare path). */
export function firstUtf8Error(buf: Buffer): string {
  for (let i = 0; i < buf.length; ) {
    const c = buf[i] as number;
    let need = 0;
    let lo = 0x80;
    let hi = 0xbf;
    if (c < 0x80) {
      i++;
      continue;
    }
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c === 0xe0) [need, lo] = [2, 0xa0];
    else if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) need = 2;
    else if (c === 0xed) [need, hi] = [2, 0x9f];
    else if (c === 0xf0) [need, lo] = [3, 0x90];
    else if (c >= 0xf1 && c <= 0xf3) need = 3;
    else if (c === 0xf4) [need, hi] = [3, 0x8f];
    else return `invalid UTF-8 byte 0x${c.toString(16)} at byte ${i}`;
    for (let k = 1; k <= need; k++) {
      const d = buf[i + k];
      if (d === undefined) return `a UTF-8 sequence cut short at byte ${i}`;
      if (d < (k === 1 ? lo : 0x80) || d > (k === 1 ? hi : 0xbf))
        return `invalid UTF-8 continuation byte 0x${d.toString(16)} at byte ${i + k}`;
    }
    i += need + 1;
  }
  return "invalid UTF-8";
}

function hasBackslash(buf: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (buf[i] === 0x5c) return true;
  return false;
}

/** Which of the keys the guard routes on a top-level key is (its raw text, quotes included). */
export function keyKind(buf: Buffer, start: number, end: number): number | "error" {
  const len = end - start - 2;
  const a = buf[start + 1];
  if (len === 2 && a === 0x69 && buf[start + 2] === 0x64) return K_ID;
  if (len === 6 && a === 0x6d && buf.toString("latin1", start + 1, end - 1) === "method")
    return K_METHOD;
  if (len === 5 && a === 0x65 && buf.toString("latin1", start + 1, end - 1) === "error")
    return "error";
  if (!hasBackslash(buf, start, end)) return K_OTHER;
  const name = keyName(buf.toString("latin1", start, end));
  return name === "id" ? K_ID : name === "method" ? K_METHOD : name === "error" ? "error" : K_OTHER;
}

/** A top-level value's JSON text, decoded (ids and methods: numbers, strings, null). */
export function valueAt(buf: Buffer, start: number, end: number): unknown {
  const c = buf[start];
  if (c === 0x22) {
    return hasBackslash(buf, start, end)
      ? JSON.parse(buf.toString("utf8", start, end))
      : buf.toString("utf8", start + 1, end - 1);
  }
  if (c === 0x6e) return null;
  if (c === 0x74 || c === 0x66) return c === 0x74;
  return Number(buf.toString("latin1", start, end));
}
