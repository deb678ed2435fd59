// Sizes as people write and read them: "4G" in a setting, "1.6 GiB" in a message (binary units,
// named as such: the figures are powers of 1024).

const GIB = 1024 ** 3;

/** 1.6 GiB, 420 MiB, 12 KiB: how a figure reads in a message. */
export function formatBytes(n: number): string {
  if (n >= GIB) return `${(n / GIB).toFixed(1)} GiB`;
  return n >= 1024 ** 2 ? `${Math.round(n / 1024 ** 2)} MiB` : `${Math.ceil(n / 1024)} KiB`;
}

/** "4G", "512M", "1500000000": a size in bytes; undefined when it is not one. */
export function parseBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(text);
  if (!m) return undefined;
  const unit = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 }[
    (m[2] ?? "").toLowerCase() as "" | "k" | "m" | "g" | "t"
  ];
  const n = Number(m[1]) * unit;
  return n > 0 ? Math.round(n) : undefined;
}
