/**
 * `ncp-silicon bench --crossover`: measures where MLX starts to beat the CPU kernels on this machine
 * (monitor/crossover-measure.ts), progress on stderr, stores it in the per-machine cache that backend 'auto' reads,
 * and prints the table of MLX / CPU times at every size tried (or the measurement as JSON with --json).
 */
import { describeRatio, type CrossoverCase, type CrossoverMeasurement, type CrossoverRung } from '../backend/crossover-ladder.js';
import { formatDuration } from '../monitor/format.js';
import { DEFAULT_CROSSOVER_TIME_CAP_MS, measureCrossover, type CrossoverProgress } from '../monitor/crossover-measure.js';
import type { CommandIo } from './demo.js';

export interface CrossoverCommandOptions {
  /** Seconds. */
  timeCap?: number;
  maxWork?: number;
  repeats?: number;
  json?: boolean;
  quiet?: boolean;
}

export async function runCrossoverCommand(options: CrossoverCommandOptions, io: CommandIo): Promise<number> {
  const progress = (e: CrossoverProgress) => {
    if (options.quiet) return;
    if (e.phase === 'rung') io.stderr.write(`crossover ${e.index}/${e.total}: B ${e.batch}, L ${e.steps} (work ${e.work}) …\n`);
    else io.stderr.write(`crossover ${e.index}/${e.total}: ${e.rung.cases.map((c) => `${label(c)} ${describeRatio(c.ratio)}`).join(', ')}\n`);
  };
  const result = await measureCrossover({
    signal: io.signal,
    onProgress: progress,
    timeCapMs: (options.timeCap ?? DEFAULT_CROSSOVER_TIME_CAP_MS / 1000) * 1000,
    ...(options.maxWork !== undefined ? { maxWork: options.maxWork } : {}),
    ...(options.repeats !== undefined ? { repeats: options.repeats } : {}),
  });
  if (options.json) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return 0;
  }
  io.stdout.write(`${renderCrossoverTable(result)}\n`);
  if (result.cachePath) io.stdout.write(`stored in ${result.cachePath}; backend 'auto' uses it on this machine (NCP_SILICON_MLX_CROSSOVER overrides it)\n`);
  return 0;
}

/** The measurement as Markdown: one row per rung, one column per case, MLX time / CPU time in each cell. */
export function renderCrossoverTable(m: CrossoverMeasurement): string {
  const device = m.mlxDevice === 'gpu' ? `Metal (${m.mlxDeviceName ?? 'GPU'})` : `its CPU device (${m.mlxDeviceName ?? m.cpuModel})`;
  const columns = m.rungs[0].cases.map(label);
  const head = `| B | L | batch × steps × units | ${columns.join(' | ')} | MLX wins |`;
  const rule = `|---:|---:|---:|${columns.map(() => '---|').join('')}---|`;
  const rows = m.rungs.map((r: CrossoverRung) => `| ${r.batch} | ${r.steps} | ${r.work} | ${r.cases.map(cell).join(' | ')} | ${r.mlxWins ? 'yes' : 'no'} |`);
  const stop = { 'mlx-wins': `MLX won the last rungs`, 'ladder-end': 'end of the ladder', 'time-cap': 'time cap reached' }[m.stoppedBecause];
  const verdict = m.minWork === null
    ? `no crossover: MLX did not win every case at any size up to batch × steps × units ${m.largestWorkTried} (${stop}); backend 'auto' stays on the CPU`
    : `crossover at batch × steps × units ${m.minWork} (${stop})${m.mlxDevice === 'gpu' ? "; backend 'auto' sends float32 calls from this size to MLX" : ''}`;
  return [
    `MLX ${m.mlxVersion} on ${device} against the CPU kernels (${m.cpuModel}, ${m.cpuThreads} threads), ${m.measuredAt}`,
    `${m.models}; MLX wins a case when its median is ≥ ${Math.round(m.margin * 100)} % below the CPU's. Cells: MLX / CPU time per call.`,
    '',
    head,
    rule,
    ...rows,
    '',
    verdict,
  ].join('\n');
}

function label(c: CrossoverCase): string {
  return `${c.model === 'cfc' ? 'CfC' : 'LTC'} ${c.call}`;
}

function cell(c: CrossoverCase): string {
  return `${describeRatio(c.ratio)} (${formatDuration(c.mlxMs)} / ${formatDuration(c.cpuMs)})`;
}
