/**
 * ncp-silicon/plot: charts as SVG strings (vega-lite rendered headless; no browser). In a tslab notebook:
 * `tslab.display.svg(await lines([...]))`. See docs/notebooks.md.
 */
export { lines, scatter, heatmap, type ChartOptions, type LineSeries, type LinesOptions, type ScatterPoint, type HeatmapOptions } from './charts.js';
export { reliabilityDiagram, reliabilityBins, type ReliabilityBin } from './reliability.js';
export { wiringActivity, type WiringActivityOptions } from './wiring.js';
export { roofline, memoryOverTime, kernelTimes } from './profile.js';
