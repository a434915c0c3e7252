/**
 * `ncp-silicon bench --compare old.json`: each (case, backend) in both runs, the ratio of its throughput now to
 * then (median call time, so one slow outlier does not decide), and a verdict. A ratio within the noise threshold
 * either side of 1 is "same": on a laptop or a shared VM, run-to-run drift of 5–10 % is normal and a busy sibling
 * core can cost more, so the default threshold is 15 %.
 */
import { readFile } from 'node:fs/promises';
import { NcpError } from '../../errors.js';
import { BENCH_FORMAT, BENCH_FORMAT_VERSION, type BenchCaseResult, type BenchReport } from './types.js';

export const DEFAULT_NOISE_THRESHOLD = 0.15;

/** A bench JSON that is not one (unreadable, another format or version, missing figures). */
export class BenchFileError extends NcpError {
  constructor(message: string) {
    super(message, 'NCP_BENCH_FILE');
  }
}

export interface BenchComparisonRow {
  caseId: string;
  backend: string;
  oldSampleStepsPerSecond: number;
  newSampleStepsPerSecond: number;
  /** new / old throughput: > 1 faster now. */
  ratio: number;
  /** new / old p99 call time: > 1 a longer tail now (for information; the verdict uses the throughput). */
  p99Ratio?: number;
  verdict: 'regression' | 'improvement' | 'same';
}

export interface BenchComparison {
  noiseThreshold: number;
  rows: BenchComparisonRow[];
  /** "case on backend" present in only one of the runs. */
  onlyOld: string[];
  onlyNew: string[];
  regressions: number;
  improvements: number;
}

export function compareBench(old: BenchReport, now: BenchReport, noiseThreshold = DEFAULT_NOISE_THRESHOLD): BenchComparison {
  const key = (r: BenchCaseResult) => `${r.caseId} on ${r.backend}`;
  const before = new Map(old.results.map((r) => [key(r), r]));
  const after = new Map(now.results.map((r) => [key(r), r]));
  const rows: BenchComparisonRow[] = [];
  for (const [k, n] of after) {
    const o = before.get(k);
    if (!o) continue;
    const ratio = n.sampleStepsPerSecond / o.sampleStepsPerSecond;
    const verdict = ratio < 1 / (1 + noiseThreshold) ? 'regression' : ratio > 1 + noiseThreshold ? 'improvement' : 'same';
    rows.push({
      caseId: n.caseId, backend: n.backend, oldSampleStepsPerSecond: o.sampleStepsPerSecond, newSampleStepsPerSecond: n.sampleStepsPerSecond, ratio,
      ...(o.latencyMs.p99 > 0 ? { p99Ratio: n.latencyMs.p99 / o.latencyMs.p99 } : {}),
      verdict,
    });
  }
  return {
    noiseThreshold,
    rows,
    onlyOld: [...before.keys()].filter((k) => !after.has(k)),
    onlyNew: [...after.keys()].filter((k) => !before.has(k)),
    regressions: rows.filter((r) => r.verdict === 'regression').length,
    improvements: rows.filter((r) => r.verdict === 'improvement').length,
  };
}

/** Reads and checks a bench JSON written by `ncp-silicon bench`. */
export async function readBenchReport(path: string): Promise<BenchReport> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new BenchFileError(`cannot read the bench results ${path}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BenchFileError(`${path} is not JSON (${(error as Error).message}); expected a bench.json written by ncp-silicon bench`);
  }
  return checkBenchReport(data, path);
}

export function checkBenchReport(data: unknown, what: string): BenchReport {
  const d = data as Partial<BenchReport> | null;
  if (typeof d !== 'object' || d === null || d.format !== BENCH_FORMAT) {
    throw new BenchFileError(`${what} is not an ncp-silicon bench result: expected "format": "${BENCH_FORMAT}", received ${JSON.stringify((d as { format?: unknown } | null)?.format ?? null)}`);
  }
  if (d.version !== BENCH_FORMAT_VERSION) throw new BenchFileError(`${what} has bench format version ${JSON.stringify(d.version)}; this ncp-silicon reads version ${BENCH_FORMAT_VERSION}`);
  if (!Array.isArray(d.results)) throw new BenchFileError(`${what} has no "results" array`);
  d.results.forEach((r: Partial<BenchCaseResult>, i) => {
    const ok = typeof r === 'object' && r !== null && typeof r.caseId === 'string' && typeof r.backend === 'string'
      && Number.isFinite(r.sampleStepsPerSecond) && (r.sampleStepsPerSecond as number) > 0 && typeof r.latencyMs === 'object' && r.latencyMs !== null && Number.isFinite(r.latencyMs.p99);
    if (!ok) throw new BenchFileError(`${what}: results[${i}] is not a bench case result (expected caseId, backend, a positive finite sampleStepsPerSecond and latencyMs.p99), received ${JSON.stringify(r).slice(0, 200)}`);
  });
  return d as BenchReport;
}
