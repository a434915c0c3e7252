/** Vega-lite specs of the policy report section (rendered to inline SVG by monitor/charts.ts's renderSpec). */
import type { TopLevelSpec } from 'vega-lite';
import type { PolicyReportData } from './report-section.js';

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
const WIDTH = 520;

/** Observed rate against mean probability per non-empty bin (point area: outcomes), over the diagonal. */
export function reliabilitySpec(d: PolicyReportData): TopLevelSpec {
  const bins = d.reliability.filter((b) => b.count > 0).map((b) => ({ predicted: b.meanProbability, observed: b.observedRate, outcomes: b.count }));
  const axis = (title: string): object => ({ type: 'quantitative', scale: { domain: [0, 1] }, title });
  return {
    $schema: SCHEMA,
    title: 'Reliability (all outcomes so far)',
    width: 320,
    height: 320,
    layer: [
      { data: { values: [{ predicted: 0, observed: 0 }, { predicted: 1, observed: 1 }] }, mark: { type: 'line', color: '#9ca3af', strokeDash: [4, 4] }, encoding: { x: { field: 'predicted', ...axis('mean probability given') }, y: { field: 'observed', ...axis('observed success rate') } } },
      { data: { values: bins }, mark: { type: 'line', color: '#2563eb' }, encoding: { x: { field: 'predicted', ...axis('mean probability given') }, y: { field: 'observed', ...axis('observed success rate') } } },
      // Point area by outcomes: a bin of a handful of outcomes should not look as solid as one of thousands.
      { data: { values: bins }, mark: { type: 'point', filled: true, color: '#2563eb' }, encoding: { x: { field: 'predicted', ...axis('mean probability given') }, y: { field: 'observed', ...axis('observed success rate') }, size: { field: 'outcomes', type: 'quantitative', title: 'outcomes', scale: { range: [10, 300] } } } },
    ],
  } as unknown as TopLevelSpec;
}

/** Mean probability and observed rate per history window, against the policy clock. */
export function historySpec(d: PolicyReportData): TopLevelSpec {
  const values = d.history.flatMap((w) => [
    { time: w.endTime, series: 'mean probability', value: w.meanProbability },
    { time: w.endTime, series: 'observed rate', value: w.observedRate },
  ]);
  return {
    $schema: SCHEMA,
    title: `Calibration over time (windows of ${d.historyWindow} outcomes)`,
    width: WIDTH,
    height: 200,
    data: { values },
    mark: { type: 'line', point: d.history.length <= 60 },
    encoding: {
      x: { field: 'time', type: 'temporal', title: 'policy clock (call time)' },
      y: { field: 'value', type: 'quantitative', title: 'probability / rate' },
      color: { field: 'series', type: 'nominal', title: null },
    },
  } as TopLevelSpec;
}

/** Histogram of the agents' calibration gaps. */
export function spreadSpec(d: PolicyReportData): TopLevelSpec {
  return {
    $schema: SCHEMA,
    title: `Calibration gap per agent (agents with ≥ ${d.spread.minOutcomes} outcomes)`,
    width: WIDTH,
    height: 160,
    data: { values: d.spread.gaps.map((gap) => ({ gap })) },
    mark: { type: 'bar', color: '#059669' },
    encoding: {
      x: { field: 'gap', type: 'quantitative', bin: { maxbins: 30 }, title: 'mean probability − observed rate' },
      y: { aggregate: 'count', type: 'quantitative', title: 'agents' },
    },
  } as TopLevelSpec;
}
