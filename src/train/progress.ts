/**
 * Terminal progress for fit(): a one-line bar redrawn in place on a TTY, plain lines on anything else (logs,
 * CI, pipes), nothing at verbose 0. It only renders the figures the trainer hands to the callbacks, so what the
 * user reads and what onBatchEnd receives never disagree.
 *
 * Redraws are throttled to ~10 Hz (a fast model finishes thousands of batches a second; writing each would cost
 * more than the training). Plain lines come at most every few seconds, since each one stays in the log.
 */
import type { BatchInfo, EpochInfo } from './types.js';

export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Redraw throttles, shared with the demo's display (demo/progress.ts). */
export const TTY_INTERVAL_MS = 100;
export const PLAIN_INTERVAL_MS = 5000;
const BAR_WIDTH = 24;

export class ProgressReporter {
  private readonly verbose: 0 | 1 | 2;
  private readonly sink: ProgressSink;
  private readonly now: () => number;
  private lastRenderMs = -Infinity;
  /** A bar is on screen without its newline. */
  private isBarOpen = false;
  /** (epoch, batch) of the last rendered batch: renders never go backwards. */
  private lastShown = -1;

  constructor(verbose: 0 | 1 | 2, sink: ProgressSink = process.stdout, now: () => number = () => performance.now()) {
    this.verbose = verbose;
    this.sink = sink;
    this.now = now;
    if (!sink.isTTY) this.lastRenderMs = now();
  }

  batch(info: BatchInfo): void {
    if (this.verbose !== 1) return;
    const position = info.epoch * 2 ** 26 + info.batch;
    if (position <= this.lastShown) return;
    const t = this.now();
    const isLast = info.batch === info.batches;
    if (this.sink.isTTY) {
      // The bar always shows its last batch full.
      if (t - this.lastRenderMs < TTY_INTERVAL_MS && !isLast) return;
    } else if (isLast || t - this.lastRenderMs < PLAIN_INTERVAL_MS) {
      // The epoch line follows the last batch at once: a batch line there would only repeat it.
      return;
    }
    this.lastRenderMs = t;
    this.lastShown = position;
    if (this.sink.isTTY) {
      this.sink.write(`\r${fit(barLine(info), this.sink.columns)}\x1b[K`);
      this.isBarOpen = true;
    } else {
      this.sink.write(`${plainBatchLine(info)}\n`);
    }
  }

  epoch(info: EpochInfo): void {
    if (this.verbose === 0) return;
    this.closeBar();
    this.sink.write(`${epochLine(info)}\n`);
    // A new bar appears at once; plain lines keep their pace across epochs (short epochs would double them).
    if (this.sink.isTTY) this.lastRenderMs = -Infinity;
  }

  /** A line that must not be lost (a skipped update): shown at verbose 1 and 2, on a line of its own. */
  warn(text: string): void {
    if (this.verbose === 0) return;
    this.closeBar();
    this.sink.write(`${text}\n`);
  }

  /** Ends an open bar line (abort, error), so later output starts on a fresh line. */
  close(): void {
    this.closeBar();
  }

  private closeBar(): void {
    if (this.isBarOpen) this.sink.write('\n');
    this.isBarOpen = false;
  }
}

/** `[=====>      ]` for a fraction done in [0, 1]; the CLI's displays draw the same bar (demo/progress.ts). */
export function drawBar(fraction: number): string {
  const filled = Math.round(BAR_WIDTH * Math.max(0, Math.min(1, fraction)));
  return `[${filled >= BAR_WIDTH ? '='.repeat(BAR_WIDTH) : `${'='.repeat(Math.max(0, filled - 1))}>${' '.repeat(BAR_WIDTH - Math.max(1, filled))}`}]`;
}

export function barLine(info: BatchInfo): string {
  const bar = drawBar(info.batch / info.batches).slice(1, -1);
  const count = `${String(info.batch).padStart(String(info.batches).length)}/${info.batches}`;
  return `Epoch ${info.epoch}/${info.epochs} [${bar}] ${count}  loss ${formatLoss(info.loss)}  ${formatRate(info.sampleStepsPerSecond)} sample-steps/s  ETA ${formatDuration(info.etaMs)}`;
}

export function plainBatchLine(info: BatchInfo): string {
  return `epoch ${info.epoch}/${info.epochs} batch ${info.batch}/${info.batches} loss ${formatLoss(info.loss)} ${formatRate(info.sampleStepsPerSecond)} sample-steps/s ETA ${formatDuration(info.etaMs)}`;
}

export function epochLine(info: EpochInfo): string {
  const val = info.valLoss === undefined ? '' : `  val_loss ${formatLoss(info.valLoss)}`;
  return `Epoch ${info.epoch}/${info.epochs}  loss ${formatLoss(info.loss)}${val}  lr ${formatLoss(info.lr)}  ${info.seconds.toFixed(1)}s  ${formatRate(info.sampleStepsPerSecond)} sample-steps/s  ETA ${formatDuration(info.etaMs)}`;
}

export function formatLoss(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return x !== 0 && (Math.abs(x) < 1e-3 || Math.abs(x) >= 1e4) ? x.toExponential(3) : x.toPrecision(4);
}

export function formatRate(r: number): string {
  if (!Number.isFinite(r)) return '-';
  if (r >= 1e6) return `${(r / 1e6).toFixed(2)}M`;
  if (r >= 1e3) return `${(r / 1e3).toFixed(1)}k`;
  return r.toFixed(0);
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Cuts a bar to the terminal width so it never wraps (a wrapped line cannot be redrawn with \r). */
function fit(line: string, columns: number | undefined): string {
  return columns && columns > 1 && line.length >= columns ? line.slice(0, columns - 1) : line;
}
