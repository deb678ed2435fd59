// The JSON grammar's states and constants for the resumable scanner (scan.ts): kept apart so
// the scanner is its state machine alone. The bundler inlines the enum members.

export enum S {
  Value,
  FirstValue,
  FirstKey,
  Key,
  Colon,
  After,
  Str,
  Esc,
  Hex,
  Utf8,
  Num,
  Lit,
  End,
}

export enum N {
  Minus,
  Zero,
  Int,
  Dot,
  Frac,
  E,
  ESign,
  Exp,
}

export const OBJ = 1;
export const ARR = 2;
export const MAX_DEPTH = 512;
export const MAX_CAPTURE = 4096;

export const TRUE = [0x74, 0x72, 0x75, 0x65];
export const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
export const NULL = [0x6e, 0x75, 0x6c, 0x6c];

export function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
