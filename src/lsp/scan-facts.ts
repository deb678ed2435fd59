// What the scanner (scan.ts) reports in words: a captured top-level key's name, a byte named
// for an error message, and where a body stops being UTF-8.

/** The name of a top-level key from its raw JSON text (quotes included). */
export function keyName(raw: string): string {
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
