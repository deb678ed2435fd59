// Reading and rewriting the few messages the session must look into: bodies the scanner has
// already validated are decoded, a restarted gopls's request ids are rewritten, and gopls's
// serverInfo is reduced to what identifies it in the log.

import { type Frame, frameBody } from "../lsp/framing.js";
import { parseMessage } from "../lsp/message.js";

/** The decoded body of a message the scanner has already validated. */
export function decode(frame: Frame): Record<string, unknown> {
  return decodeBody(frameBody(frame));
}

/** decode, for a body already in one piece (concatenating a large didOpen once, not twice). */
export function decodeBody(body: Buffer): Record<string, unknown> {
  const parsed = parseMessage(body);
  return parsed.ok ? parsed.value.json : {};
}

/** The same message with some top-level fields replaced (ids of a restarted gopls's requests). */
export function reencode(frame: Frame, fields: Record<string, unknown>): Frame {
  const body = Buffer.from(JSON.stringify({ ...decode(frame), ...fields }), "utf8");
  return { chunks: [body], length: body.length };
}

/** gopls reports its build info as JSON in serverInfo.version; keep what identifies it. */
export function serverInfoOf(response: Record<string, unknown>): unknown {
  const info = (response.result as { serverInfo?: { name?: string; version?: string } } | undefined)
    ?.serverInfo;
  try {
    const build = JSON.parse(info?.version ?? "") as {
      GoVersion?: string;
      Main?: { Path?: string; Version?: string };
    };
    return {
      name: info?.name,
      module: build.Main?.Path,
      version: build.Main?.Version,
      goVersion: build.GoVersion,
    };
  } catch {
    return info;
  }
}

/** The start of a frame, for a report about it. */
export function frameStart(frame: Frame): string {
  return (frame.chunks[0] ?? Buffer.alloc(0)).subarray(0, 200).toString("utf8");
}
