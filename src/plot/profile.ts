/** A profile's charts (the ones its HTML report embeds) as SVG strings, for notebooks. */
import { argumentError } from '../errors.js';
import { kernelTimeSpec, memorySpec, renderSpec, rooflineSpec } from '../monitor/charts.js';
import { ProfileResult } from '../monitor/result.js';

function expectResult(api: string, result: unknown): ProfileResult {
  if (!(result instanceof ProfileResult)) throw argumentError(TypeError, api, 'result', 'a ProfileResult (startProfile(…).stop())', result);
  return result;
}

/** Achieved GFLOP/s per kernel against arithmetic intensity, under the calibrated memory and compute roofs. */
export async function roofline(result: ProfileResult): Promise<string> {
  const r = expectResult('plot.roofline', result);
  return renderSpec(rooflineSpec(r.kernels, r.ceilings));
}

/** RSS, V8 heap, ArrayBuffers and the addon's live bytes over the profile. */
export async function memoryOverTime(result: ProfileResult): Promise<string> {
  return renderSpec(memorySpec(expectResult('plot.memoryOverTime', result).memory));
}

/** Total time per kernel. */
export async function kernelTimes(result: ProfileResult): Promise<string> {
  return renderSpec(kernelTimeSpec(expectResult('plot.kernelTimes', result).kernels));
}
