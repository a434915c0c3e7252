/**
 * The demo's progress display: one line per model redrawn in place on a terminal, a line every few seconds
 * otherwise (CI logs), nothing when quiet. It writes to a stream of its own (stderr by default) so stdout stays
 * the table and the report path.
 */
import type { BatchInfo, EpochInfo } from '../train/index.js';
import { PLAIN_INTERVAL_MS, TTY_INTERVAL_MS, drawBar, formatDuration, formatLoss, formatRate, type ProgressSink } from '../train/progress.js';

/** Where the display writes: a terminal stream, or anything with write(). */
export type ProgressStream = ProgressSink;

export class DemoProgress {
  private lastMs = -Infinity;
  private open = false;
  private label = '';

  constructor(
    private readonly stream: ProgressStream | undefined,
    private readonly now: () => number = () => performance.now(),
  ) {}

  start(label: string): void {
    this.label = label;
    this.lastMs = this.stream?.isTTY ? -Infinity : this.now();
  }

  batch(info: BatchInfo): void {
    const s = this.stream;
    if (!s) return;
    const t = this.now();
    if (t - this.lastMs < (s.isTTY ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS)) return;
    this.lastMs = t;
    const fraction = (info.epoch - 1 + info.batch / info.batches) / info.epochs;
    this.show(this.line(info, fraction));
  }

  epoch(info: EpochInfo): void {
    const s = this.stream;
    if (!s?.isTTY) return;
    this.show(this.line(info, info.epoch / info.epochs));
  }

  /** Replaces the bar with a final line for the model. */
  done(line: string): void {
    if (!this.stream) return;
    this.show(line);
    this.finish();
  }

  /** Ends an open bar line (abort, error), so later output starts on a fresh line. */
  finish(): void {
    if (this.open) this.stream?.write('\n');
    this.open = false;
  }

  message(line: string): void {
    if (!this.stream) return;
    this.finish();
    this.stream.write(`${line}\n`);
  }

  // The library's display (train/progress.ts) in words and number formats, with the run's label in front.
  private line(info: BatchInfo | EpochInfo, fraction: number): string {
    return `${this.label}  Epoch ${info.epoch}/${info.epochs} ${drawBar(fraction)}  loss ${formatLoss(info.loss)}  ${formatRate(info.sampleStepsPerSecond)} sample-steps/s  ETA ${formatDuration(info.etaMs)}`;
  }

  private show(line: string): void {
    const s = this.stream!;
    if (s.isTTY) {
      const width = s.columns && s.columns > 1 ? s.columns - 1 : line.length;
      s.write(`\r${line.slice(0, width)}\x1b[K`);
      this.open = true;
    } else {
      s.write(`${line}\n`);
    }
  }
}
