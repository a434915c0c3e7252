/**
 * Apple's published figures for the M1–M4 chip families, shown next to what calibrate() measures on Apple
 * Silicon. These are datasheet numbers (press releases and Mac tech-spec pages), never measurements: memory
 * bandwidth is the DRAM interface's peak, GPU TFLOPS are FP32 peaks Apple quoted for M1 and M2 only, and Neural
 * Engine TOPS mix precisions (M1–M3 figures are commonly read as FP16, M4's 38 TOPS as INT8), so they do not
 * compare across generations one to one.
 */

export interface AppleChipDatasheet {
  /** 'Apple M2 Pro' */
  chip: string;
  /** Published unified-memory bandwidth; two values where bins differ (M3 Max 300/400, M4 Max 410/546). */
  memoryBandwidthGBps: { min: number; max: number };
  gpuCores: { min: number; max: number };
  /** FP32 TFLOPS of the largest GPU bin, where Apple published one. */
  gpuTflops?: number;
  neuralEngineCores: number;
  /** Neural Engine trillions of operations per second, where Apple published one. */
  neuralEngineTops?: number;
  /** Always 'datasheet': these figures are Apple's, not measured here. */
  source: 'datasheet';
  note?: string;
}

type Row = [string, [number, number], [number, number], number | undefined, number, number | undefined, string?];

// chip, bandwidth GB/s (min, max), GPU cores (min, max), GPU TFLOPS, Neural Engine cores, TOPS, note
const ROWS: Row[] = [
  ['Apple M1', [68.25, 68.25], [7, 8], 2.6, 16, 11, 'bandwidth of LPDDR4X-4266 on a 128-bit bus'],
  ['Apple M1 Pro', [200, 200], [14, 16], 5.2, 16, 11],
  ['Apple M1 Max', [400, 400], [24, 32], 10.4, 16, 11],
  ['Apple M1 Ultra', [800, 800], [48, 64], 21, 32, 22],
  ['Apple M2', [100, 100], [8, 10], 3.6, 16, 15.8],
  ['Apple M2 Pro', [200, 200], [16, 19], 6.8, 16, 15.8],
  ['Apple M2 Max', [400, 400], [30, 38], 13.6, 16, 15.8],
  ['Apple M2 Ultra', [800, 800], [60, 76], 27.2, 32, 31.6],
  ['Apple M3', [100, 100], [8, 10], undefined, 16, 18, 'Apple quotes no GPU TFLOPS for M3'],
  ['Apple M3 Pro', [150, 150], [14, 18], undefined, 16, 18],
  ['Apple M3 Max', [300, 400], [30, 40], undefined, 16, 18, '300 GB/s for the 30-core GPU bin, 400 GB/s for the 40-core'],
  ['Apple M3 Ultra', [819, 819], [60, 80], undefined, 32, undefined, 'Apple quotes a 32-core Neural Engine without a TOPS figure'],
  ['Apple M4', [120, 120], [8, 10], undefined, 16, 38, 'Neural Engine TOPS quoted at INT8'],
  ['Apple M4 Pro', [273, 273], [16, 20], undefined, 16, 38],
  ['Apple M4 Max', [410, 546], [32, 40], undefined, 16, 38, '410 GB/s for the 32-core GPU bin, 546 GB/s for the 40-core'],
];

export const APPLE_DATASHEETS: readonly AppleChipDatasheet[] = ROWS.map(([chip, bw, gpu, tflops, neCores, tops, note]) => ({
  chip,
  memoryBandwidthGBps: { min: bw[0], max: bw[1] },
  gpuCores: { min: gpu[0], max: gpu[1] },
  ...(tflops === undefined ? {} : { gpuTflops: tflops }),
  neuralEngineCores: neCores,
  ...(tops === undefined ? {} : { neuralEngineTops: tops }),
  source: 'datasheet' as const,
  ...(note === undefined ? {} : { note }),
}));

/** The datasheet of a chip named like machdep.cpu.brand_string ('Apple M2 Pro'), or undefined (not M1–M4). */
export function appleDatasheet(chip: string | undefined): AppleChipDatasheet | undefined {
  if (!chip) return undefined;
  const name = chip.trim().replace(/\s+/g, ' ');
  return APPLE_DATASHEETS.find((d) => d.chip === name);
}
