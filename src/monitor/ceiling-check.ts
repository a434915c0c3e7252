/**
 * Whether a report's ceilings can be trusted. A ratio above 100 % means the ceiling is lower than what a kernel
 * achieved: the calibration ran on a busy machine, or (for bandwidth and the memory roof) the kernel's operands
 * came from cache, which the DRAM figure does not cover. Reports mark every such ratio and say why, and flag
 * ceilings that calibrate() itself found suspect, so no figure over 100 % is ever shown bare.
 */
import type { Calibration } from './calibrate.js';
import { formatNumber, formatPercent } from './format.js';

export interface CeilingCheck {
  /** True when the ceilings were measured under contention or any ratio to them exceeds 100 %. */
  suspect: boolean;
  /** One sentence per reason (empty when the ceilings look sound). */
  reasons: string[];
}

interface Ratios {
  kernel: string;
  fractionOfPeakFlops?: number;
  fractionOfPeakBandwidth?: number;
  roofline?: { boundBy: 'memory' | 'compute'; fractionOfRoofline: number };
}

export function checkCeilings(ceilings: Calibration | undefined, kernels: readonly Ratios[]): CeilingCheck {
  if (!ceilings) return { suspect: false, reasons: [] };
  const reasons: string[] = [];
  if (ceilings.contention?.suspect) reasons.push(`the ceilings were measured on a busy machine: ${ceilings.contention.reasons.join('; ')}`);
  for (const k of kernels) {
    if ((k.fractionOfPeakFlops ?? 0) > 1) reasons.push(`${k.kernel} reached ${formatCeilingRatio(k.fractionOfPeakFlops)} of the FMA peak: the peak was measured too low`);
    if ((k.fractionOfPeakBandwidth ?? 0) > 1) reasons.push(`${k.kernel} moved ${formatCeilingRatio(k.fractionOfPeakBandwidth)} of the measured DRAM bandwidth: its operands came from cache, or the bandwidth was measured too low`);
    if (k.roofline && k.roofline.fractionOfRoofline > 1) reasons.push(`${k.kernel} reached ${formatCeilingRatio(k.roofline.fractionOfRoofline)} of the ${k.roofline.boundBy} roofline: the ${k.roofline.boundBy === 'memory' ? 'bandwidth (or the cache traffic it assumes)' : 'FMA peak'} is too low`);
  }
  return { suspect: reasons.length > 0, reasons };
}

/** A ratio to a ceiling, marked '⚠' when above 100 % (the reasons are listed beside the ceilings). */
export function formatCeilingRatio(fraction: number | undefined): string {
  if (fraction === undefined) return formatPercent(fraction);
  return fraction > 1 ? `${formatNumber(fraction * 100)} % ⚠` : formatPercent(fraction);
}
