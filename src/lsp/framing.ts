// LSP base-protocol framing: a byte stream in, whole message bodies out, and back.
// Bodies are handed out as the original bytes (zero-copy where a frame sits in one chunk), and
// a frame that arrived whole in one chunk keeps its original bytes, header included, so that
// forwarding it unchanged is one write of bytes already in memory: what a bare relay does.

import fs from "node:fs";

export type FramingErrorKind = "bad-header" | "header-too-long" | "too-large" | "bad-content-type";

export interface FramingError {
  kind: FramingErrorKind;
  message: string;
  /** The offending header text (or its start), for the log and the user. */
  evidence: string;
}

export interface FrameReaderOptions {
  /** Largest body accepted, in bytes. A larger Content-Length is an error, never an allocation. */
  maxBodyBytes: number;
  /** A whole body, as the pieces it arrived in (no copy unless the guard asks for one). */
  onFrame: (frame: Frame) => void;
  onError: (error: FramingError) => void;
  /**
   * Bodies of at least `fromBytes` that arrive in pieces are gathered into one buffer as they
   * come, and `watch` sees each piece land: a check over the body runs while the rest is still
   * on its way, instead of after it. The frame carries the watcher on (Frame.progress).
   */
  gather?: { fromBytes: number; watch(body: Buffer): BodyProgress };
}

/** Something that reads a body as it fills: bytes before `filled` are final. */
export interface BodyProgress {
  advance(filled: number): void;
}

/** Header blocks are a few dozen bytes; anything this long without "\r\n\r\n" is not LSP. */
export const MAX_HEADER_BYTES = 16 * 1024;

/** The part of a frame read so far: a header without its end, or a header and part of the body. */
export interface PartialFrame {
  headerBytes: number;
  bodyBytes: number;
  /** The Content-Length, once the header has ended. */
  bodyLength: number | undefined;
}

export interface Frame {
  chunks: Buffer[];
  length: number;
  /** The whole frame as it arrived (header and body), when it sat in one chunk. Forwarded as is
   * when the message goes on unchanged; absent for frames the guard makes or rewrites. */
  raw?: Buffer;
  /** What watched the body fill (FrameReaderOptions.gather), done with all but the end. */
  progress?: BodyProgress;
}

/** The body as one buffer, for the messages the guard decodes. */
export function frameBody(frame: Frame): Buffer {
  return frame.chunks.length === 1
    ? (frame.chunks[0] as Buffer)
    : Buffer.concat(frame.chunks, frame.length);
}

const HEADER_END = Buffer.from("\r\n\r\n", "latin1");
const EMPTY = Buffer.alloc(0);

export class FrameReader {
  private head: Buffer = EMPTY;
  private bodyLength = -1;
  private bodyChunks: Buffer[] = [];
  private bodyHave = 0;
  private failed = false;
  /** The body being gathered into one buffer, and who watches it fill. */
  private gathering: { body: Buffer; progress: BodyProgress } | undefined;

  constructor(private readonly options: FrameReaderOptions) {}

  /** True while part of a frame has been read but not all of it. */
  get midFrame(): boolean {
    return this.head.length > 0 || this.bodyLength >= 0;
  }

  /** What of the current frame has arrived (for a report when the rest never comes). */
  get partial(): PartialFrame {
    return this.bodyLength < 0
      ? { headerBytes: this.head.length, bodyBytes: 0, bodyLength: undefined }
      : { headerBytes: 0, bodyBytes: this.bodyHave, bodyLength: this.bodyLength };
  }

  push(chunk: Buffer): void {
    let data = chunk;
    while (!this.failed && data.length > 0) {
      if (this.bodyLength < 0) {
        const joined = this.head.length > 0;
        const buf = joined ? Buffer.concat([this.head, data]) : data;
        // The canonical header is found in place; any other is searched for.
        let end = joined ? -1 : canonicalHeaderEnd(buf);
        const canonical = end >= 0;
        if (!canonical) {
          end = buf.indexOf(HEADER_END);
          if (end < 0) {
            if (buf.length > MAX_HEADER_BYTES) {
              this.fail(
                "header-too-long",
                `no end of header within ${MAX_HEADER_BYTES} bytes`,
                buf,
              );
              return;
            }
            this.head = Buffer.from(buf);
            return;
          }
        }
        this.head = EMPTY;
        const max = this.options.maxBodyBytes;
        const fast = canonical ? lengthDigits(buf, end, max) : fastContentLength(buf, end, max);
        const length = fast ?? this.parseHeader(buf.subarray(0, end));
        if (length < 0) return;
        this.bodyLength = length;
        const bodyStart = end + HEADER_END.length;
        if (!joined && buf.length - bodyStart >= length) {
          // The whole frame is in this chunk: body and original bytes are views, no copy. The
          // original bytes go on only when their header is the canonical one: a peer may write
          // `content-length:` or add a Content-Type, and gopls reads `Content-Length` alone.
          // A chunk that is exactly one frame (the usual case) is its own raw bytes: no view made.
          const frameEnd = bodyStart + length;
          const whole = frameEnd === buf.length;
          this.emit(
            [length === 0 ? EMPTY : buf.subarray(bodyStart, frameEnd)],
            fast === undefined ? undefined : whole ? buf : buf.subarray(0, frameEnd),
          );
          if (whole) return;
          data = buf.subarray(frameEnd);
          continue;
        }
        if (length === 0) this.emit([EMPTY]);
        if (bodyStart === buf.length) return;
        data = buf.subarray(bodyStart);
        continue;
      }
      const need = this.bodyLength - this.bodyHave;
      const gather = this.options.gather;
      if (this.bodyHave === 0 && data.length < need && gather && need >= gather.fromBytes) {
        const body = Buffer.allocUnsafe(need);
        this.gathering = { body, progress: gather.watch(body) };
      }
      if (this.gathering) {
        const { body, progress } = this.gathering;
        const take = Math.min(need, data.length);
        data.copy(body, this.bodyHave, 0, take);
        this.bodyHave += take;
        data = data.subarray(take);
        if (this.bodyHave === this.bodyLength) this.emit([body]);
        else progress.advance(this.bodyHave);
        continue;
      }
      if (this.bodyChunks.length === 0 && data.length >= need) {
        // A body that came in a chunk of its own (its header in the one before): the chunk itself.
        if (data.length === need) return this.emit([data]);
        const body = data.subarray(0, need);
        data = data.subarray(need);
        this.emit([body]);
        continue;
      }
      const take = Math.min(need, data.length);
      this.bodyChunks.push(data.subarray(0, take));
      this.bodyHave += take;
      data = data.subarray(take);
      if (this.bodyHave === this.bodyLength) {
        this.emit(this.bodyChunks);
      }
    }
  }

  private emit(chunks: Buffer[], raw?: Buffer): void {
    const length = this.bodyLength;
    const progress = this.gathering?.progress;
    this.bodyLength = -1;
    this.bodyChunks = [];
    this.bodyHave = 0;
    this.gathering = undefined;
    const frame: Frame = raw ? { chunks, length, raw } : { chunks, length };
    if (progress) frame.progress = progress;
    this.options.onFrame(frame);
  }

  /** Returns the Content-Length, or -1 after reporting the error. */
  private parseHeader(raw: Buffer): number {
    const text = raw.toString("latin1");
    let length = -1;
    for (const line of text.split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon <= 0)
        return this.fail("bad-header", `malformed header line ${JSON.stringify(line)}`, raw);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === "content-length") {
        if (!/^[0-9]{1,15}$/.test(value)) {
          return this.fail(
            "bad-header",
            `Content-Length is not a byte count: ${JSON.stringify(value)}`,
            raw,
          );
        }
        length = Number(value);
        if (length > this.options.maxBodyBytes) {
          return this.fail(
            "too-large",
            `Content-Length ${length} exceeds the cap of ${this.options.maxBodyBytes} bytes`,
            raw,
          );
        }
      } else if (name === "content-type") {
        const charset = /charset\s*=\s*"?([^;"\s]+)/i.exec(value)?.[1]?.toLowerCase();
        if (charset !== undefined && charset !== "utf-8" && charset !== "utf8") {
          return this.fail(
            "bad-content-type",
            `unsupported charset ${JSON.stringify(charset)}`,
            raw,
          );
        }
      }
    }
    if (length < 0) return this.fail("bad-header", "header has no Content-Length", raw);
    return length;
  }

  private fail(kind: FramingErrorKind, message: string, raw: Buffer): -1 {
    this.failed = true;
    this.head = EMPTY;
    this.bodyChunks = [];
    this.gathering = undefined;
    const evidence = raw.subarray(0, 200).toString("latin1");
    this.options.onError({ kind, message, evidence });
    return -1;
  }
}

const CONTENT_LENGTH = "Content-Length: ";
const CONTENT_LENGTH_BYTES = Buffer.from(CONTENT_LENGTH, "latin1");

/**
 * Where the header ends (its "\r\n\r\n") in a chunk that starts with "Content-Length: N\r\n\r\n"
 * (what every LSP implementation writes), found in place instead of searched for: Buffer#indexOf
 * costs more than these loads while the code still runs interpreted (a session's first minutes).
 * -1 for anything else, which the search and the parsers take.
 */
function canonicalHeaderEnd(buf: Buffer): number {
  const start = CONTENT_LENGTH_BYTES.length;
  if (buf.length < start + 5) return -1;
  for (let i = 0; i < start; i++) if (buf[i] !== CONTENT_LENGTH_BYTES[i]) return -1;
  let i = start;
  while (
    i < start + 15 &&
    i < buf.length &&
    (buf[i] as number) >= 0x30 &&
    (buf[i] as number) <= 0x39
  )
    i++;
  if (i === start || i + 4 > buf.length) return -1;
  const crlf2 =
    buf[i] === 0x0d && buf[i + 1] === 0x0a && buf[i + 2] === 0x0d && buf[i + 3] === 0x0a;
  return crlf2 ? i : -1;
}

/**
 * The Content-Length of the header every LSP implementation writes, "Content-Length: N" alone,
 * read straight from the bytes; undefined for any other header (or a length over the cap),
 * which the full parser reads and reports on.
 */
function fastContentLength(buf: Buffer, end: number, max: number): number | undefined {
  const start = CONTENT_LENGTH_BYTES.length;
  if (end <= start || end > start + 15) return undefined;
  // Byte by byte, not Buffer#compare: its argument checks cost more than the 16 loads while
  // the code is still interpreted (the first minutes of a session).
  for (let i = 0; i < start; i++) if (buf[i] !== CONTENT_LENGTH_BYTES[i]) return undefined;
  return lengthDigits(buf, end, max);
}

/** The decimal digits between "Content-Length: " and end, as a length within max. */
function lengthDigits(buf: Buffer, end: number, max: number): number | undefined {
  let n = 0;
  for (let i = CONTENT_LENGTH_BYTES.length; i < end; i++) {
    const d = (buf[i] as number) - 0x30;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n <= max ? n : undefined;
}

export function frameHeader(bodyLength: number): Buffer {
  return Buffer.from(`Content-Length: ${bodyLength}\r\n\r\n`, "latin1");
}

/** A whole frame as one buffer (for tests and small guard messages). */
export function encodeFrame(body: Buffer | string): Buffer {
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  return Buffer.concat([frameHeader(bytes.length), bytes]);
}

type FrameStream = NodeJS.WritableStream & {
  cork(): void;
  uncork(): void;
  writableLength: number;
  writableCorked?: number;
};

/**
 * Where one peer's frames are written: its stream, and the descriptor under it. A frame goes
 * straight to the descriptor (one write(2), as the stream itself would make) while the stream
 * holds nothing back, so that it is sent without the stream's machinery: a write request, its
 * wrapper, the callbacks after it (~15 µs a frame while the code still runs cold, a session's
 * first minutes, and a share of each frame's CPU after). Whatever the descriptor does not take
 * at once (a full pipe) goes on through the stream, which then holds it in order; an error is
 * left to the stream too, which reports it as it always does.
 */
export class FrameSink {
  private readonly fd: number;

  constructor(readonly stream: FrameStream) {
    this.fd = descriptorOf(stream);
  }

  /** Returns the back-pressure signal (as writeFrame). */
  write(body: Buffer | Frame): boolean {
    const stream = this.stream;
    if (this.fd < 0 || stream.writableLength !== 0 || stream.writableCorked || !stream.writable)
      return writeFrame(stream, body);
    // The original bytes, or a header and the body's pieces as they are (gopls writes a header
    // and its body in two writes, which often arrive apart): one write(2) or writev(2).
    const raw = Buffer.isBuffer(body) ? undefined : body.raw;
    const pieces =
      raw !== undefined
        ? [raw]
        : [frameHeader(body.length), ...(Buffer.isBuffer(body) ? [body] : body.chunks)];
    let written = 0;
    try {
      written =
        pieces.length === 1
          ? fs.writeSync(this.fd, pieces[0] as Buffer)
          : fs.writevSync(this.fd, pieces);
    } catch {
      // EAGAIN (the peer is not reading) or an error: the stream takes it as it comes.
    }
    let left = written;
    let ok = true;
    for (const piece of pieces) {
      if (left >= piece.length) {
        left -= piece.length;
        continue;
      }
      ok = stream.write(left > 0 ? piece.subarray(left) : piece);
      left = 0;
    }
    return ok || stream.writableLength === 0;
  }
}

/**
 * The file descriptor a stdio stream or a child's pipe writes to; -1 where there is none, and
 * on Windows, whose pipes libuv opens for overlapped I/O (the stream writes them as it always has).
 */
function descriptorOf(stream: FrameStream): number {
  if (process.platform === "win32") return -1;
  const s = stream as { fd?: unknown; _handle?: { fd?: unknown } };
  const fd = typeof s.fd === "number" ? s.fd : s._handle?.fd;
  return typeof fd === "number" && fd >= 0 ? fd : -1;
}

/** Up to this size a frame is copied into one buffer: one write beats a writev of pieces. */
const COPY_BELOW = 64 * 1024;

/**
 * A frame as the one buffer a stream writes it as: its original bytes when it arrived whole,
 * else header and body copied together; undefined for a large frame, written as its pieces.
 */
function wholeFrame(body: Buffer | Frame): Buffer | undefined {
  if (!Buffer.isBuffer(body) && body.raw !== undefined) return body.raw;
  const length = body.length;
  if (length >= COPY_BELOW) return undefined;
  const header = `Content-Length: ${length}\r\n\r\n`;
  const out = Buffer.allocUnsafe(header.length + length);
  let at = out.write(header, 0, "latin1");
  if (Buffer.isBuffer(body)) body.copy(out, at);
  else for (const chunk of body.chunks) at += chunk.copy(out, at);
  return out;
}

/**
 * Writes one frame so that frames from different sources never interleave: the original bytes
 * of a frame that arrived whole (no copy, one write), else one write for small frames, a corked
 * writev of the original pieces for large ones (no copy).
 * Returns false only when the stream is really holding data back: a large write that the
 * kernel took at once still reports false from write(), and pausing for it costs two syscalls.
 */
export function writeFrame(
  stream: NodeJS.WritableStream & { cork(): void; uncork(): void; writableLength: number },
  body: Buffer | Frame,
): boolean {
  const whole = wholeFrame(body);
  if (whole !== undefined) return stream.write(whole) || stream.writableLength === 0;
  const chunks = Buffer.isBuffer(body) ? [body] : body.chunks;
  stream.cork();
  let ok = stream.write(frameHeader(body.length));
  for (const chunk of chunks) ok = stream.write(chunk);
  stream.uncork();
  return ok || stream.writableLength === 0;
}
