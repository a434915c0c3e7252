/** The CLI's progress display (demo, train) and the library's fit() display draw the same bar and figures. */
import { describe, expect, it } from 'vitest';
import type { BatchInfo } from '../train/index.js';
import { ProgressReporter } from '../train/progress.js';
import { DemoProgress } from './progress.js';

const info: BatchInfo = { epoch: 2, epochs: 4, batch: 3, batches: 4, loss: 0.123456, batchLoss: 0.1, lr: 0.005, sampleStepsPerSecond: 12345, elapsedMs: 1000, etaMs: 65_000 } as BatchInfo;

function tty(): { write: (t: string) => void; isTTY: true; columns: number; text: () => string } {
  const out: string[] = [];
  return { write: (t) => void out.push(t), isTTY: true, columns: 200, text: () => out.join('') };
}

describe('progress displays', () => {
  it('share the bar, the loss, the rate and the ETA formats', () => {
    const library = tty();
    new ProgressReporter(1, library, () => 0).batch({ ...info, batch: 4 });
    const cli = tty();
    const demo = new DemoProgress(cli, () => 0);
    demo.start('train');
    // The CLI's bar covers the whole run (epoch 2 of 4, done): the library's covers the epoch, here also done.
    demo.batch({ ...info, epoch: 4, batch: 4 });
    const bar = /\[=+\]/;
    expect(library.text()).toMatch(bar);
    expect(cli.text()).toMatch(bar);
    for (const figure of ['loss 0.1235', '12.3k sample-steps/s', 'ETA 1m05s']) {
      expect(library.text()).toContain(figure);
      expect(cli.text()).toContain(figure);
    }
    expect(cli.text()).toMatch(/^\rtrain {2}Epoch 4\/4 \[=+\] {2}loss 0\.1235/);
    expect(library.text()).toMatch(/^\rEpoch 2\/4 \[=+\] 4\/4 {2}loss 0\.1235/);
  });
});
