import { describe, expect, it } from 'vitest';
import { ProgressReporter, barLine, epochLine, formatDuration, formatRate } from './progress.js';
import type { BatchInfo, EpochInfo } from './types.js';

function sink(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  return { writes, isTTY, columns, write: (text: string) => writes.push(text) };
}

const batch = (epoch: number, b: number, batches = 100): BatchInfo => ({
  epoch, epochs: 3, batch: b, batches, loss: 0.123456, batchLoss: 0.1, lr: 1e-3, sampleStepsPerSecond: 52_100, elapsedMs: 1000, etaMs: 75_000,
});
const epoch = (e: number): EpochInfo => ({
  epoch: e, epochs: 3, batches: 100, loss: 0.05, valLoss: 0.07, lr: 1e-3, seconds: 4.2, sampleStepsPerSecond: 52_100, elapsedMs: 4200, etaMs: 8400,
});

describe('ProgressReporter', () => {
  it('draws a bar in place on a TTY, at most ~10 times a second, always showing the last batch', () => {
    let now = 0;
    const out = sink(true);
    const p = new ProgressReporter(1, out, () => now);
    for (let b = 1; b <= 100; b++) {
      now += 7; // 100 batches in 0.7 s
      p.batch(batch(1, b));
    }
    const bars = out.writes.filter((w) => w.startsWith('\r'));
    expect(bars.length).toBeGreaterThanOrEqual(7);
    expect(bars.length).toBeLessThanOrEqual(9);
    expect(bars.at(-1)).toContain(' 100/100 ');
    expect(bars[0]).toMatch(/^\rEpoch 1\/3 \[.{24}\]   1\/100  loss 0\.1235  52\.1k sample-steps\/s  ETA 1m15s\x1b\[K$/);
    p.epoch(epoch(1));
    // The bar line is ended before the epoch summary.
    expect(out.writes.slice(-2)).toEqual(['\n', `${epochLine(epoch(1))}\n`]);
  });

  it('writes plain lines every few seconds when not on a TTY, and never a bar', () => {
    let now = 0;
    const out = sink(false);
    const p = new ProgressReporter(1, out, () => now);
    for (let b = 1; b <= 100; b++) {
      now += 200; // 20 s in all
      p.batch(batch(1, b));
    }
    p.epoch(epoch(1));
    expect(out.writes.every((w) => !w.includes('\r') && w.endsWith('\n'))).toBe(true);
    const batchLines = out.writes.filter((w) => w.startsWith('epoch 1/3 batch'));
    expect(batchLines.length).toBe(3); // at 5, 10 and 15 s (the last batch is covered by the epoch line)
    expect(batchLines[0]).toBe('epoch 1/3 batch 25/100 loss 0.1235 52.1k sample-steps/s ETA 1m15s\n');
  });

  it('verbose 2 prints only epoch lines, verbose 0 nothing', () => {
    const two = sink(true);
    const p2 = new ProgressReporter(2, two, () => 0);
    p2.batch(batch(1, 1));
    p2.epoch(epoch(1));
    expect(two.writes).toEqual([`${epochLine(epoch(1))}\n`]);
    const zero = sink(true);
    const p0 = new ProgressReporter(0, zero, () => 0);
    p0.batch(batch(1, 1));
    p0.epoch(epoch(1));
    p0.close();
    expect(zero.writes).toEqual([]);
  });

  it('never renders an older position after a newer one', () => {
    let now = 0;
    const out = sink(true);
    const p = new ProgressReporter(1, out, () => (now += 1000));
    p.batch(batch(2, 5));
    p.batch(batch(2, 4));
    p.batch(batch(1, 99));
    expect(out.writes.length).toBe(1);
  });

  it('cuts the bar to the terminal width', () => {
    const out = sink(true, 40);
    new ProgressReporter(1, out, () => 0).batch(batch(1, 1));
    expect(out.writes[0].replace('\r', '').replace('\x1b[K', '').length).toBe(39);
  });

  it('formats figures', () => {
    expect(formatRate(1_234_567)).toBe('1.23M');
    expect(formatRate(950)).toBe('950');
    expect(formatDuration(59_400)).toBe('59s');
    expect(formatDuration(3_723_000)).toBe('1h02m');
    expect(formatDuration(NaN)).toBe('-');
    expect(barLine(batch(1, 50))).toContain('[===========>            ]');
    expect(epochLine(epoch(2))).toBe('Epoch 2/3  loss 0.05000  val_loss 0.07000  lr 0.001000  4.2s  52.1k sample-steps/s  ETA 8s');
  });
});
