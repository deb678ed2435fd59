// GOSUMDB as cmd/go reads it (modfetch's dbDial), without the network: the serving session
// needs it on its warm path, so it lives apart from the doctor's probe.

/** GOSUMDB's name and URL as cmd/go reads them; explicit: the URL was given (no proxy then). */
export function sumdbAddress(
  gosumdb: string,
): { name: string; url: string; explicit: boolean } | undefined {
  let value = gosumdb.trim() || "sum.golang.org";
  if (value === "off") return undefined;
  if (value === "sum.golang.google.cn") value = "sum.golang.org https://sum.golang.google.cn";
  const [nameKey = "", url] = value.split(/\s+/);
  const name = nameKey.split("+")[0] as string;
  return {
    name,
    url: (url ?? `https://${name}`).replace(/\/$/, ""),
    explicit: url !== undefined,
  };
}
