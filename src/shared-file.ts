// Files the guard creates where other users can write (a group install dir, the system temp
// dir): created exclusively under a random name, never through a symlink, their mode set on the
// open file, then renamed into place. A name another user can predict or plant is never opened.

import fs from "node:fs";
import path from "node:path";

const { O_WRONLY, O_CREAT, O_EXCL } = fs.constants;
// O_NOFOLLOW is absent on Windows, where O_EXCL already refuses an existing link.
const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;

/** Opens a new file under a random name (O_EXCL does the safety; the name only avoids clashes). */
function openNew(dir: string, prefix: string, mode: number): { file: string; fd: number } {
  for (let attempt = 0; ; attempt++) {
    const file = path.join(dir, `${prefix}${process.pid}-${Math.random().toString(36).slice(2)}`);
    try {
      return { file, fd: fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | NOFOLLOW, mode) };
    } catch (error) {
      // Taken (by chance, or planted): another name.
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 8) throw error;
    }
  }
}

/** A new file in dir under a random name, with data and mode; returns its path. */
export function createExclusive(dir: string, prefix: string, data: string, mode: number): string {
  const { file, fd } = openNew(dir, prefix, mode);
  try {
    fs.writeSync(fd, data);
    // umask narrowed the mode at creation; set it on the file itself, not by name.
    fs.fchmodSync(fd, mode);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(file, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  return file;
}

/** Replaces dir/name with a new file (created exclusively, then renamed over it). */
export function replaceFile(dir: string, name: string, data: string, mode: number): void {
  const tmp = createExclusive(dir, `.${name}.`, data, mode);
  try {
    fs.renameSync(tmp, path.join(dir, name));
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}
