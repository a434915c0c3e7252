/** The bench's results pivoted for reading: each case across the backends, against the CPU backend's time. */
import type { BenchReport } from './types.js';

export interface SideBySide {
  backends: string[];
  rows: { caseId: string; cells: ({ p50: number; overCpu?: number } | undefined)[] }[];
}

export function backendComparison(report: BenchReport): SideBySide {
  const backends = [...new Set(report.results.map((r) => r.backend))];
  const caseIds = [...new Set(report.results.map((r) => r.caseId))];
  const rows = caseIds.map((caseId) => {
    const cpu = report.results.find((r) => r.caseId === caseId && r.backend === 'cpu');
    return {
      caseId,
      cells: backends.map((b) => {
        const r = report.results.find((x) => x.caseId === caseId && x.backend === b);
        if (!r) return undefined;
        return { p50: r.latencyMs.p50, ...(cpu && b !== 'cpu' ? { overCpu: r.latencyMs.p50 / cpu.latencyMs.p50 } : {}) };
      }),
    };
  });
  return { backends, rows };
}
