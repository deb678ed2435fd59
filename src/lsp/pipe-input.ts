// Reading a pipe without a stream's machinery. A net.Socket made with `onread` hands the bytes of
// each read(2) straight to a callback: no Readable push, no 'data' event, no tick scheduled after
// each read. For a proxy that reads one small message at a time and passes it on, that
// machinery is most of the work (issue 24: the guard's and a bare relay's cost, from a session's
// first request, was mostly Node's streams running cold). The socket is still the Readable for
// everything else: 'end', 'error', 'close', pause() and resume() (which stop and start reading).

import type { ChildProcess } from "node:child_process";
import net from "node:net";
import type { Readable } from "node:stream";

export type OnChunk = (chunk: Buffer) => void;

/**
 * Reads land one after another in a slab of this size, each chunk a view of its part: no
 * buffer is allocated or copied for a read (node's own reads allocate one each). A new slab
 * starts when the room left is under READ_ROOM; what holds a chunk longer than its frame's
 * journey through the guard keeps the slab it sits in (the session copies what it remembers).
 */
const SLAB_BYTES = 256 * 1024;
/** The least a read is offered (node offers 64 KB): a large message takes a few more reads. */
const READ_ROOM = 16 * 1024;

/** The guard's standard input, as session options name it (process.stdin is never made). */
export const STDIN = "stdin";

/** Input as session options give it: a stream, or the guard's standard input. */
export type ChunkSource = Readable | typeof STDIN;

/** Each read's bytes, as a view of the slab they were read into. */
function onread(onChunk: OnChunk): net.OnReadOpts {
  let slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
  let at = 0;
  return {
    // Called once when reading starts and after each read: where the next one goes.
    buffer: () => {
      if (SLAB_BYTES - at < READ_ROOM) {
        slab = Buffer.allocUnsafeSlow(SLAB_BYTES);
        at = 0;
      }
      return slab.subarray(at);
    },
    callback: (n: number, buffer: Uint8Array) => {
      at += n;
      onChunk((buffer as Buffer).subarray(0, n));
      return true;
    },
  };
}

/** Input being read: the stream to watch ('end', 'error') and to pause and resume. */
export interface ChunkReader {
  stream: Readable;
  /** Read straight from its pipe (false: through 'data' events), for the log. */
  direct: boolean;
}

/**
 * Reads source, each chunk to onChunk. Standard input that is a pipe or a socket (what every
 * editor gives) is read directly; a file or a terminal, and any other stream, through 'data'.
 */
export function readChunks(source: ChunkSource, onChunk: OnChunk): ChunkReader {
  if (source !== STDIN) return { stream: source.on("data", onChunk), direct: false };
  const stdin = process.stdin;
  return stdin.isTTY
    ? { stream: stdin.on("data", onChunk), direct: false }
    : readDirectly(stdin, onChunk);
}

/** A child's stdout, read directly (child_process makes it a socket on a pipe). */
export function readChildOutput(child: ChildProcess, onChunk: OnChunk): ChunkReader {
  return readDirectly(child.stdout as Readable, onChunk);
}

type PipeSocket = Readable & { _handle?: object | null };

/**
 * The pipe node opened for a socket (process.stdin, a child's stdout) handed to a socket that
 * reads it with `onread`, before anything was read from it: node offers no other way to read a
 * pipe it opened itself (a second socket on the same descriptor is refused, EEXIST). The socket
 * node made keeps no pipe, so nothing else reads it (node's own ESM view of `process` makes
 * process.stdin when a module imports node:process: it gets that empty socket); it is destroyed
 * when the new one closes, so a child's 'close' comes as before (it waits for its stdio).
 * Where the socket does not hold its pipe as node has done since its first releases (`_handle`),
 * or has been read already, its 'data' events are used instead.
 */
function readDirectly(given: PipeSocket, onChunk: OnChunk): ChunkReader {
  const handle = given._handle;
  if (
    process.platform === "win32" ||
    !(given instanceof net.Socket) ||
    !handle ||
    !given.readable ||
    given.readableLength > 0 ||
    given.readableEnded ||
    given.listenerCount("data") > 0
  )
    return { stream: given.on("data", onChunk), direct: false };
  (given as PipeSocket)._handle = null;
  // `onread` is read by the constructor too (node's net.js), not only by connect().
  const options = { handle, readable: true, writable: false, onread: onread(onChunk) };
  const socket = new net.Socket(options as net.SocketConstructorOpts);
  socket.on("close", () => given.destroy());
  return { stream: socket, direct: true };
}
