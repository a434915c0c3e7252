/** The Markdown summary: short enough for a CI log, with every figure the HTML page leads with. */
import { formatCeilingRatio as ratio } from './ceiling-check.js';
import { formatBytes, formatDuration, formatNumber } from './format.js';
import { latencyHistogram } from './latency.js';
import { latencySeries } from './latency-series.js';
import { batchLosses, epochLosses } from './training-series.js';
import { describeModel, type ProfileView } from './profile-data.js';

export function renderMarkdown(result: ProfileView, title: string): string {
  const s = result.system;
  const lines: string[] = [`## ${title}`, ''];
  lines.push(`- **Run**: ${result.startedAt}, ${formatNumber(result.durationMs)} ms, ${result.calls.length} native calls${result.droppedCalls ? ` (+${result.droppedCalls} dropped: the log was full)` : ''}`);
  if (result.model) lines.push(`- **Model**: ${describeModel(result.model)}`);
  lines.push(`- **Machine**: ${s.cpuModel}, ${s.cores} logical CPUs, ${formatBytes(s.totalMemoryBytes)} RAM, ${s.platform}, Node ${s.nodeVersion}`);
  if (s.simdLevel) lines.push(`- **Build**: ncp-silicon ${s.addonVersion}, SIMD ${s.simdLevel}, ${s.numThreads} kernel threads${s.compiler ? `, ${s.compiler}` : ''}`);
  lines.push(...ceilingLines(result), '');

  if (result.kernels.length > 0) {
    lines.push('| kernel | calls | total ms | mean ms | GFLOP/s | GB/s | FLOP/byte | of FMA peak | of bandwidth | bound | of roofline |');
    lines.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|');
    for (const k of result.kernels) {
      lines.push(
        `| ${k.kernel} | ${k.calls} | ${formatNumber(k.totalMs)} | ${formatNumber(k.meanMs)} | ${formatNumber(k.gflopsPerSecond)} | ${formatNumber(k.gbPerSecond)} | ${formatNumber(k.arithmeticIntensity)} | ${ratio(k.fractionOfPeakFlops)} | ${ratio(k.fractionOfPeakBandwidth)} | ${k.roofline?.boundBy ?? '—'} | ${ratio(k.roofline?.fractionOfRoofline)} |`,
      );
    }
    lines.push('', '_GB/s counts every operand the kernel touches (cache traffic included), so it can exceed DRAM bandwidth; see docs/monitoring.md._', '');
  } else {
    lines.push('No native kernel calls were recorded.', '');
  }

  if (result.calls.length + result.onnxCalls.length > 0) lines.push(...latencyLines(result));
  const batches = result.training.filter((t) => t.kind === 'batch');
  const epochs = result.training.filter((t) => t.kind === 'epoch');
  if (batches.length > 0 || epochs.length > 0) {
    const meanBatch = batches.reduce((sum, b) => sum + b.endMs - b.startMs, 0) / Math.max(1, batches.length);
    lines.push(`- **Training**: ${plural(epochs.length, 'epoch')}, ${plural(batches.length, 'batch', 'batches')}, ${formatNumber(meanBatch)} ms per batch on average`, '');
    lines.push(...trainingLines(result));
  }
  lines.push(...memoryLines(result), '');
  return lines.join('\n');
}

function ceilingLines(result: ProfileView): string[] {
  const c = result.ceilings;
  if (!c) return ['- **Ceilings**: not calibrated on this machine (run `calibrate()` or `ncp-silicon profile`), so no ratios'];
  const out = [
    `- **Ceilings** (measured ${c.cached ? `${c.measuredAt}, cached` : c.measuredAt}): memory bandwidth ${formatNumber(c.memoryBandwidthBytesPerSecond / 1e9)} GB/s (STREAM triad), float32 FMA peak ${formatNumber(c.fmaFlopsPerSecond / 1e9)} GFLOP/s on ${c.threads} threads (${formatNumber(c.fmaFlopsPerSecondOneThread / 1e9)} on one)`,
  ];
  if (c.rejected) out.push(`- **Remeasured ${c.rejected.measuredAt} but not stored** (memory ${formatNumber(c.rejected.memoryBandwidthBytesPerSecond / 1e9)} GB/s, FMA ${formatNumber(c.rejected.fmaFlopsPerSecond / 1e9)} GFLOP/s): ${c.rejected.reasons.join('; ')}. The cached ceilings above are used; \`--force\` stores a new measurement anyway`);
  if (result.ceilingCheck.suspect) out.push(`- ⚠ **Ceilings suspect**: ${result.ceilingCheck.reasons.join('; ')}. Ratios marked ⚠ exceed 100 % of a ceiling; recalibrate on an idle machine (\`ncp-silicon profile --recalibrate\`)`);
  const d = c.datasheet;
  if (d) {
    const range = (r: { min: number; max: number }) => (r.min === r.max ? `${r.min}` : `${r.min}–${r.max}`);
    out.push(
      `- **${d.chip} datasheet** (Apple's figures, not measured): memory ${range(d.memoryBandwidthGBps)} GB/s, GPU ${range(d.gpuCores)} cores${d.gpuTflops ? ` / ${d.gpuTflops} TFLOPS` : ''}, Neural Engine ${d.neuralEngineCores} cores${d.neuralEngineTops ? ` / ${d.neuralEngineTops} TOPS` : ''} (source: ${d.sourceUrls[0]})`,
    );
  }
  return out;
}

function memoryLines(result: ProfileView): string[] {
  const m = result.memory;
  if (m.length === 0) return [];
  const last = m[m.length - 1];
  const peak = (f: (x: (typeof m)[number]) => number | undefined) => Math.max(...m.map((x) => f(x) ?? 0));
  const parts = [
    `peak RSS ${formatBytes(last.peakRssBytes)}`,
    `V8 heap ${formatBytes(last.heapUsedBytes)} used`,
    `ArrayBuffers ${formatBytes(peak((x) => x.arrayBufferBytes))} at most`,
  ];
  if (last.native) parts.push(`native ${formatBytes(last.native.peakBytes)} peak (${formatBytes(last.native.liveBytes)} live at the end)`);
  if (last.physFootprintBytes !== undefined) parts.push(`phys_footprint ${formatBytes(peak((x) => x.physFootprintBytes))} at most`);
  const out = [`- **Memory**: ${parts.join(', ')}`];
  for (const [field, reason] of Object.entries(last.unavailable)) out.push(`- _${field} not measured_: ${reason}`);
  return out;
}

/** Latency per call of every kernel (ONNX calls beside them when both ran), and the single-step histogram as a table. */
function latencyLines(result: ProfileView): string[] {
  const series = latencySeries(result);
  const hasOnnx = series.some((x) => x.source === 'onnx');
  const out = [hasOnnx ? '### Latency per call: native beside ONNX' : '### Latency per call', '', '| calls of | calls | p50 | p90 | p99 | max | sample-steps/s |', '|---|--:|--:|--:|--:|--:|--:|'];
  for (const x of series) {
    const l = x.latencyMs;
    out.push(`| ${x.name} | ${l.count} | ${formatDuration(l.p50)} | ${formatDuration(l.p90)} | ${formatDuration(l.p99)} | ${formatDuration(l.max)} | ${formatNumber(x.sampleStepsPerSecond)} |`);
  }
  if (hasOnnx) out.push('', '_Native rows time the kernel; ONNX rows time the OnnxPolicy call as its caller waits._');
  out.push('');
  for (const x of series.filter((s) => s.isStep)) {
    const bins = latencyHistogram(x.durationsMs).filter((b) => b.count > 0);
    out.push(`#### ${x.name}: single-step latency histogram`, '', '| from | to | calls |', '|--:|--:|--:|');
    for (const b of bins) out.push(`| ${formatDuration(b.low)} | ${formatDuration(b.high)} | ${b.count} |`);
    out.push('');
  }
  return out;
}

/** Loss per epoch (with validation when reported) and per batch: the figures of the HTML loss chart. */
function trainingLines(result: ProfileView): string[] {
  const epochs = epochLosses(result.training);
  const batches = batchLosses(result.training);
  const out: string[] = [];
  if (epochs.length > 0) {
    const hasVal = epochs.some((e) => e.valLoss !== undefined);
    out.push('### Loss per epoch', '', `| epoch | loss |${hasVal ? ' validation loss |' : ''} batches | time |`, `|--:|--:|${hasVal ? '--:|' : ''}--:|--:|`);
    for (const e of epochs) {
      const val = hasVal ? ` ${e.valLoss === undefined ? '—' : formatNumber(e.valLoss, 4)} |` : '';
      out.push(`| ${e.epoch} | ${e.loss === undefined ? '—' : formatNumber(e.loss, 4)} |${val} ${e.batches} | ${formatDuration(e.ms)} |`);
    }
    out.push('');
  }
  if (batches.length > 0) {
    out.push('### Loss per batch', '', '| epoch | batch | loss | time |', '|--:|--:|--:|--:|');
    for (const b of batches) out.push(`| ${b.epoch} | ${b.batch} | ${formatNumber(b.loss, 4)} | ${formatDuration(b.ms)} |`);
    out.push('');
  }
  return out;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
