/**
 * The HTML report: one self-contained page (inline CSS and SVG, no script, no network) with the system, the
 * measured ceilings (and Apple's datasheet figures, labelled), time per kernel, the roofline, memory over time,
 * training batches and the wiring drawing. Each chart sits in <figure data-chart=… data-points=…> so tests and
 * tools can check it has data.
 */
import { REPORT_STYLE, chartFigure, htmlPage } from './html-page.js';
import type { Wiring } from '../wiring/index.js';
import { batchSpec, kernelTimeSpec, latencyHistogramSpec, lossSpec, memorySpec, renderSpec, rooflineSpec } from './charts.js';
import { formatCeilingRatio as ratio } from './ceiling-check.js';
import { escapeHtml as h, formatBytes, formatDuration, formatNumber } from './format.js';
import { latencyHistogram } from './latency.js';
import { latencySeries } from './latency-series.js';
import { batchLosses, epochLosses } from './training-series.js';
import { describeModel, type ProfileView } from './profile-data.js';
import type { ReportSection } from './report-section.js';

const STYLE = `${REPORT_STYLE}
.datasheet { color: #7c2d12; }
`;

export async function renderHtml(result: ProfileView, title: string, wiring: Wiring | undefined, sections: readonly ReportSection[] = []): Promise<string> {
  const parts: string[] = [];
  const s = result.system;
  parts.push(`<h1>${h(title)}</h1>`);
  parts.push(`<p class="sub">${h(result.startedAt)} · ${formatNumber(result.durationMs)} ms · ${result.calls.length} native calls${result.model ? ` · ${h(describeModel(result.model))}` : ''}</p>`);

  parts.push('<h2>System</h2>', table([
    ['CPU', `${s.cpuModel} (${s.cores} logical CPUs)`],
    ['Memory', formatBytes(s.totalMemoryBytes)],
    ['Platform', `${s.platform}, Node ${s.nodeVersion}`],
    ...(s.simdLevel ? [['Build', `ncp-silicon ${s.addonVersion}, SIMD ${s.simdLevel}, ${s.numThreads} kernel threads${s.compiler ? `, ${s.compiler}` : ''}`]] : []),
    ...(s.appleChip ? [['Apple GPU', `${s.appleChip} / ${s.appleGpu}`]] : []),
    ...(s.nativeUnavailable ? [['Native addon', `unavailable: ${s.nativeUnavailable}`]] : []),
  ]));

  parts.push('<h2>Ceilings</h2>', ceilingsHtml(result));

  parts.push('<h2>Kernels</h2>');
  if (result.kernels.length === 0) {
    parts.push('<p>No native kernel calls were recorded (reference backend, or nothing ran while profiling).</p>');
  } else {
    parts.push(kernelTable(result));
    parts.push(await figure('kernel-time', result.kernels.length, kernelTimeSpec(result.kernels)));
    parts.push('<h2>Roofline</h2>');
    const points = result.kernels.filter((k) => k.flops > 0 && k.bytes > 0).length;
    parts.push(await figure('roofline', points, rooflineSpec(result.kernels, result.ceilings)));
    parts.push(`<p class="note">Bytes are every operand a kernel reads or writes (parameters re-read each step and unfold, states, inputs, outputs), so points right of the ridge may be served from cache and GB/s can exceed the DRAM bandwidth measured. FLOP counts follow docs/monitoring.md.</p>`);
  }

  if (result.calls.length + result.onnxCalls.length > 0) parts.push(...(await latencyHtml(result)));

  parts.push('<h2>Memory</h2>');
  if (result.memory.length > 0) parts.push(await figure('memory', result.memory.length, memorySpec(result.memory)));
  parts.push(memoryTable(result));

  parts.push(...(await trainingHtml(result)));

  if (wiring) {
    parts.push('<h2>Wiring</h2>', `<figure data-chart="wiring" data-points="${wiring.synapseCount + wiring.sensorySynapseCount}">${wiring.toSVG()}</figure>`);
  }

  for (const section of sections) parts.push(`<h2>${h(section.title)}</h2>`, await section.html());

  parts.push('<h2>Not measured</h2>', `<p class="note">Neural Engine utilisation has no public API on macOS: Core ML does not report which compute unit ran an operation or for how long. Proxies: Instruments' Core ML and Neural Engine tracks, <code>powermetrics --samplers ane_power</code> (root), and latency differences between Core ML compute-unit settings. See docs/monitoring.md.</p>`);

  return htmlPage(title, STYLE, parts.join('\n'));
}

async function figure(name: string, points: number, spec: Parameters<typeof renderSpec>[0]): Promise<string> {
  return chartFigure(name, points, await renderSpec(spec));
}

/**
 * Latency per call of every kernel (and of OnnxPolicy calls beside them when both ran), and the single-step
 * histogram: agents stepping in a loop live in the tail.
 */
async function latencyHtml(result: ProfileView): Promise<string[]> {
  const series = latencySeries(result);
  const hasOnnx = series.some((x) => x.source === 'onnx');
  const out = [hasOnnx ? '<h2>Latency per call: native beside ONNX</h2>' : '<h2>Latency per call</h2>'];
  const rows = series.map((x) => [x.name, String(x.latencyMs.count), formatDuration(x.latencyMs.p50), formatDuration(x.latencyMs.p90), formatDuration(x.latencyMs.p99), formatDuration(x.latencyMs.max), formatNumber(x.sampleStepsPerSecond)]);
  out.push(table(rows, ['calls of', 'calls', 'p50', 'p90', 'p99', 'max', 'sample-steps/s'], [false, true, true, true, true, true, true]));
  if (hasOnnx) out.push('<p class="note">Native rows time the kernel; ONNX rows time the OnnxPolicy call as its caller waits (feeds and checks included).</p>');
  const steps = series.filter((x) => x.isStep);
  if (steps.length === 0) {
    out.push('<p class="note">No single steps were recorded, so there is no step-latency histogram.</p>');
    return out;
  }
  const histograms = steps.map((x) => ({ kernel: x.name, bins: latencyHistogram(x.durationsMs), p50: x.latencyMs.p50, p99: x.latencyMs.p99, max: x.latencyMs.max }));
  out.push(await figure('step-latency', steps.reduce((n, x) => n + x.latencyMs.count, 0), latencyHistogramSpec(histograms)));
  out.push('<p class="note">Percentiles are nearest-rank over the recorded calls (a time that occurred). Native time only: the JS call around it adds a few µs.</p>');
  return out;
}

async function trainingHtml(result: ProfileView): Promise<string[]> {
  const slices = result.training.filter((t) => t.kind === 'batch').map((b, index) => ({ index: index + 1, ms: b.endMs - b.startMs, epoch: b.epoch }));
  if (slices.length === 0) return [];
  const epochs = epochLosses(result.training);
  const losses = batchLosses(result.training);
  const out = ['<h2>Training</h2>', `<p>${epochs.length} epochs, ${slices.length} batches.</p>`];
  const lossPoints = losses.length + epochs.filter((e) => e.loss !== undefined).length + epochs.filter((e) => e.valLoss !== undefined).length;
  if (lossPoints > 0) out.push(await figure('loss', lossPoints, lossSpec(losses, epochs)));
  if (epochs.length > 0) {
    const hasVal = epochs.some((e) => e.valLoss !== undefined);
    const rows = epochs.map((e) => [String(e.epoch), e.loss === undefined ? '—' : formatNumber(e.loss, 4), ...(hasVal ? [e.valLoss === undefined ? '—' : formatNumber(e.valLoss, 4)] : []), String(e.batches), formatDuration(e.ms)]);
    out.push(table(rows, ['epoch', 'loss', ...(hasVal ? ['validation loss'] : []), 'batches', 'time'], [true, true, true, true, true]));
  }
  out.push(await figure('batches', slices.length, batchSpec(slices)));
  return out;
}

function table(rows: string[][], header?: string[], numeric: boolean[] = []): string {
  const head = header ? `<tr>${header.map((c) => `<th>${h(c)}</th>`).join('')}</tr>` : '';
  const body = rows.map((r) => `<tr>${r.map((c, i) => (header || i > 0 ? `<td${numeric[i] ? ' class="n"' : ''}>${h(c)}</td>` : `<th>${h(c)}</th>`)).join('')}</tr>`);
  return `<table>${head}${body.join('')}</table>`;
}

function ceilingsHtml(result: ProfileView): string {
  const c = result.ceilings;
  if (!c) return '<p>This machine has not been calibrated, so there are no ratios to its ceilings. Run <code>await calibrate()</code> (or <code>ncp-silicon profile</code>, which does) once; the result is cached.</p>';
  const rows = [
    ['Memory bandwidth (measured)', `${formatNumber(c.memoryBandwidthBytesPerSecond / 1e9)} GB/s`, c.method.memoryBandwidth],
    ['float32 FMA peak (measured)', `${formatNumber(c.fmaFlopsPerSecond / 1e9)} GFLOP/s`, c.method.fma],
    ['float32 FMA, one thread (measured)', `${formatNumber(c.fmaFlopsPerSecondOneThread / 1e9)} GFLOP/s`, 'the same loop on one thread'],
  ];
  let out = table(rows, ['ceiling', 'value', 'how']) + `<p class="note">Measured ${h(c.measuredAt)}${c.cached ? ' (cached for this machine)' : ''} in ${formatNumber(c.durationMs)} ms.</p>`;
  if (c.rejected) {
    out += `<p class="warning">Remeasured ${h(c.rejected.measuredAt)} (memory ${formatNumber(c.rejected.memoryBandwidthBytesPerSecond / 1e9)} GB/s, FMA ${formatNumber(c.rejected.fmaFlopsPerSecond / 1e9)} GFLOP/s) but not stored: ${h(c.rejected.reasons.join('; '))}. The cached ceilings above are used; <code>--force</code> stores a new measurement anyway.</p>`;
  }
  if (result.ceilingCheck.suspect) {
    out += `<p class="warning" data-ceilings="suspect"><strong>⚠ Ceilings suspect.</strong> ${h(result.ceilingCheck.reasons.join('; '))}. Ratios marked ⚠ exceed 100 % of a ceiling; recalibrate on an idle machine (<code>ncp-silicon profile --recalibrate</code>).</p>`;
  }
  const d = c.datasheet;
  if (d) {
    const range = (r: { min: number; max: number }) => (r.min === r.max ? `${r.min}` : `${r.min}–${r.max}`);
    out += `<p class="datasheet"><strong>${h(d.chip)} — datasheet figures (Apple's published specifications, not measured here):</strong></p>`;
    out += table([
      ['Memory bandwidth', `${range(d.memoryBandwidthGBps)} GB/s`],
      ['GPU', `${range(d.gpuCores)} cores${d.gpuTflops ? `, ${d.gpuTflops} TFLOPS FP32` : ''}`],
      ['Neural Engine', `${d.neuralEngineCores} cores${d.neuralEngineTops ? `, ${d.neuralEngineTops} TOPS` : ''}`],
      ...(d.note ? [['Note', d.note]] : []),
      ['Source', d.sourceUrls.join(' · ')],
    ]);
  }
  return out;
}

function kernelTable(result: ProfileView): string {
  const rows = result.kernels.map((k) => [
    k.kernel, String(k.calls), formatNumber(k.totalMs), formatNumber(k.meanMs), formatNumber(k.flops / 1e9), formatBytes(k.bytes),
    formatNumber(k.gflopsPerSecond), formatNumber(k.gbPerSecond), formatNumber(k.arithmeticIntensity),
    ratio(k.fractionOfPeakFlops), ratio(k.fractionOfPeakBandwidth), k.roofline ? `${k.roofline.boundBy}, ${ratio(k.roofline.fractionOfRoofline)}` : '—',
  ]);
  const header = ['kernel', 'calls', 'total ms', 'mean ms', 'GFLOP', 'bytes', 'GFLOP/s', 'GB/s', 'FLOP/byte', 'of FMA peak', 'of bandwidth', 'roofline'];
  return table(rows, header, header.map((_, i) => i > 0 && i < 11));
}

function memoryTable(result: ProfileView): string {
  const last = result.memory[result.memory.length - 1];
  if (!last) return '';
  const rows: string[][] = [
    ['RSS (peak)', `${formatBytes(last.rssBytes)} (${formatBytes(last.peakRssBytes)})`],
    ['V8 heap used / total', `${formatBytes(last.heapUsedBytes)} / ${formatBytes(last.heapTotalBytes)}`],
    ['external / ArrayBuffers', `${formatBytes(last.externalBytes)} / ${formatBytes(last.arrayBufferBytes)}`],
  ];
  if (last.native) {
    const c = last.native.categories;
    rows.push(['native live (peak)', `${formatBytes(last.native.liveBytes)} (${formatBytes(last.native.peakBytes)}): models ${formatBytes(c.models.liveBytes)}, workspace ${formatBytes(c.workspace.liveBytes)}, gradients ${formatBytes(c.gradients.liveBytes)}`]);
  }
  if (last.physFootprintBytes !== undefined) rows.push(['phys_footprint', formatBytes(last.physFootprintBytes)]);
  if (last.metal) rows.push([`Metal (${last.metal.deviceName})`, `${formatBytes(last.metal.currentAllocatedBytes)} allocated, ${formatBytes(last.metal.recommendedWorkingSetBytes)} recommended working set`]);
  for (const [field, reason] of Object.entries(last.unavailable)) rows.push([`${field}: not measured`, reason]);
  return table(rows) + '<p class="note">At the end of the profile.</p>';
}
