// Notices a byte stream that stops halfway through an LSP frame (a wedged writer), long before
// its EOF: one unref'd interval that runs only while a frame is incomplete, comparing a counter.

import type { PartialFrame } from "./framing.js";

export interface FrameStall {
  /** How long no byte has arrived while the frame was incomplete. */
  stalledMs: number;
  /** What of the frame had arrived. */
  partial: PartialFrame;
}

export interface MidFrame {
  readonly midFrame: boolean;
  readonly partial: PartialFrame;
}

export class StallWatch {
  private bytes = 0;
  private seenBytes = 0;
  private seenAt = 0;
  private reported = false;
  private paused = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly reader: MidFrame,
    private readonly stallMs: number,
    private readonly onStall: (stall: FrameStall) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** After the reader took a chunk: a sum and a flag test, never a timer per chunk. */
  took(length: number): void {
    this.bytes += length;
    if (this.timer === undefined && !this.stopped && this.reader.midFrame) this.arm();
  }

  /** The reader holds the stream back itself (back-pressure): a silence that is not the writer's. */
  hold(paused: boolean): void {
    this.paused = paused;
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    this.seenBytes = this.bytes;
    this.seenAt = this.now();
    this.reported = false;
    // A quarter of the bound: a stall is said between 1 and 1.25 bounds after the last byte.
    this.timer = setInterval(() => this.tick(), Math.max(1, Math.floor(this.stallMs / 4)));
    this.timer.unref();
  }

  private tick(): void {
    if (!this.reader.midFrame) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const now = this.now();
    if (this.bytes !== this.seenBytes || this.paused) {
      this.seenBytes = this.bytes;
      this.seenAt = now;
      this.reported = false;
      return;
    }
    if (!this.reported && now - this.seenAt >= this.stallMs) {
      this.reported = true;
      this.onStall({ stalledMs: now - this.seenAt, partial: this.reader.partial });
    }
  }
}
