// A real write probe of an install directory (create, rename, remove a file), with the
// reason told apart: permissions, a read-only mount, a full disk.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Finding } from "../findings.js";

export function probeWritable(dir: string): Finding | undefined {
  const tmp = path.join(dir, `.probe-${process.pid}-${Date.now()}`);
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(tmp, "");
    fs.renameSync(tmp, `${tmp}.renamed`);
    fs.rmSync(`${tmp}.renamed`, { force: true });
    return undefined;
  } catch (error) {
    fs.rmSync(tmp, { force: true });
    return unwritable(dir, error as NodeJS.ErrnoException);
  }
}

function unwritable(dir: string, error: NodeJS.ErrnoException): Finding {
  const evidence: Record<string, string> = { dir, error: error.code ?? error.message };
  let owner = "";
  try {
    const st = fs.statSync(dir);
    owner = String(st.uid);
    evidence.owner = `uid ${st.uid}, gid ${st.gid}, mode ${(st.mode & 0o7777).toString(8)}`;
  } catch {
    // The directory may not exist and not be creatable.
  }
  let me = "$USER";
  try {
    me = os.userInfo().username;
  } catch {
    // keep the placeholder
  }
  const fix =
    error.code === "EROFS"
      ? `${dir} is on a read-only file system; choose a writable GOPLS_GUARD_INSTALL_DIR.`
      : error.code === "ENOSPC"
        ? `The disk holding ${dir} is full; free some space.`
        : owner && owner !== String(process.getuid?.())
          ? `Give the directory to its users: \`sudo chown -hR ${me}: ${dir}\`, or for a shared group directory \`sudo chgrp -R GROUP ${dir} && sudo chmod 2775 ${dir}\`.`
          : `Make ${dir} writable (\`chmod u+w ${dir}\`), or choose another GOPLS_GUARD_INSTALL_DIR.`;
  return {
    id: "fs.install_dir_unwritable",
    severity: "warning",
    message: `The install directory ${dir} is not writable.`,
    evidence,
    fix,
  };
}
