/**
 * Reliability diagram: observed accuracy against predicted confidence in equal-width bins, with the diagonal
 * of perfect calibration and each bin's share of the samples; the expected calibration error (ECE) in the title.
 */
import type { TopLevelSpec } from 'vega-lite';
import { argumentError } from '../errors.js';
import { renderSpec } from '../monitor/charts.js';
import type { ChartOptions } from './charts.js';

export interface ReliabilityBin {
  /** Bin bounds [low, high). */
  low: number;
  high: number;
  count: number;
  meanConfidence: number;
  accuracy: number;
}

/** Bins confidences in [0, 1] (the last bin includes 1); ECE = Σ (count/n)·|accuracy − confidence|. */
export function reliabilityBins(confidence: ArrayLike<number>, correct: ArrayLike<number | boolean>, bins = 10): { bins: ReliabilityBin[]; ece: number } {
  const api = 'plot.reliabilityBins';
  if (confidence.length !== correct.length) throw argumentError(RangeError, api, 'correct', `${confidence.length} outcomes (one per confidence)`, correct);
  if (!Number.isInteger(bins) || bins < 1 || bins > 1000) throw argumentError(RangeError, api, 'bins', 'an integer in [1, 1000]', bins);
  const out = Array.from({ length: bins }, (_, b) => ({ low: b / bins, high: (b + 1) / bins, count: 0, meanConfidence: 0, accuracy: 0 }));
  for (let i = 0; i < confidence.length; i++) {
    const p = confidence[i];
    if (!(p >= 0 && p <= 1)) throw argumentError(RangeError, api, `confidence[${i}]`, 'a probability in [0, 1]', p);
    const bin = out[Math.min(bins - 1, Math.floor(p * bins))];
    bin.count++;
    bin.meanConfidence += p;
    bin.accuracy += Number(correct[i]) ? 1 : 0;
  }
  let ece = 0;
  for (const bin of out) {
    if (bin.count === 0) continue;
    bin.meanConfidence /= bin.count;
    bin.accuracy /= bin.count;
    ece += (bin.count / confidence.length) * Math.abs(bin.accuracy - bin.meanConfidence);
  }
  return { bins: out, ece };
}

export async function reliabilityDiagram(confidence: ArrayLike<number>, correct: ArrayLike<number | boolean>, options?: ChartOptions & { bins?: number }): Promise<string> {
  const o = options ?? {};
  const { bins, ece } = reliabilityBins(confidence, correct, o.bins ?? 10);
  const filled = bins.filter((b) => b.count > 0).map((b) => ({ ...b, share: b.count / confidence.length }));
  const axis = (title: string) => ({ type: 'quantitative', scale: { domain: [0, 1] }, title }) as const;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `${o.title ?? 'Reliability diagram'} (ECE ${ece.toFixed(3)})`,
    width: o.width ?? 320,
    height: o.height ?? 320,
    layer: [
      { data: { values: filled }, mark: { type: 'bar', color: '#dbeafe' }, encoding: { x: { field: 'low', ...axis(o.xLabel ?? 'predicted confidence') }, x2: { field: 'high' }, y: { field: 'share', ...axis(o.yLabel ?? 'observed accuracy') } } },
      { data: { values: [{ c: 0 }, { c: 1 }] }, mark: { type: 'line', color: '#9ca3af', strokeDash: [4, 4] }, encoding: { x: { field: 'c', type: 'quantitative' }, y: { field: 'c', type: 'quantitative' } } },
      { data: { values: filled }, mark: { type: 'line', point: true, color: '#dc2626' }, encoding: { x: { field: 'meanConfidence', type: 'quantitative' }, y: { field: 'accuracy', type: 'quantitative' } } },
    ],
  } as unknown as TopLevelSpec;
  return renderSpec(spec);
}
