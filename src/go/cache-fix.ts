// The fix for a Go cache the user cannot write, worded for whose cache it is.

import path from "node:path";

/**
 * How to make a Go cache writable without taking it from others: one's own (under one's home,
 * left root-owned by a sudo run) is chown-ed back; a shared one is made group-writable by its
 * owner, or replaced by a cache of one's own.
 */
export function cacheFix(name: "GOCACHE" | "GOMODCACHE", dir: string, homedir: string): string {
  const own = name === "GOCACHE" ? "$HOME/.cache/go-build" : "$HOME/go/pkg/mod";
  const mine =
    !path.relative(homedir, dir).startsWith("..") && !path.isAbsolute(path.relative(homedir, dir));
  if (mine) return `It is in your home: \`sudo chown -R $USER ${dir}\`.`;
  return `It is shared: its owner can let your group write it (\`chgrp -R GROUP ${dir} && chmod -R g+w ${dir} && find ${dir} -type d -exec chmod g+s {} +\`), or use a ${name} of your own: \`go env -w ${name}=${own}\`.`;
}
