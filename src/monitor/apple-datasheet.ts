/**
 * Apple's published figures for the M1–M4 chip families, shown next to what calibrate() measures on Apple
 * Silicon. These are datasheet numbers (Apple's newsroom announcements and Mac tech-spec pages, each row naming
 * its sources), never measurements: memory bandwidth is the DRAM interface's peak; GPU TFLOPS appear only where
 * Apple announced an FP32 figure (M1, M1 Pro, M1 Max), since the figures quoted elsewhere for later chips are
 * third-party estimates from core counts and clocks; Neural Engine TOPS mix precisions (M1–M3 figures are commonly
 * read as FP16, M4's 38 TOPS as INT8), so they do not compare across generations one to one.
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
  /** Where the figures come from: Apple's announcement of the chip, and the tech-spec page for bins it leaves out. */
  sourceUrls: readonly string[];
  note?: string;
}

const NEWSROOM = 'https://www.apple.com/newsroom/';
const M1 = `${NEWSROOM}2020/11/apple-unleashes-m1/`;
const M1_PRO_MAX = `${NEWSROOM}2021/10/introducing-m1-pro-and-m1-max-the-most-powerful-chips-apple-has-ever-built/`;
const M1_ULTRA = `${NEWSROOM}2022/03/apple-unveils-m1-ultra-the-worlds-most-powerful-chip-for-a-personal-computer/`;
const M2 = `${NEWSROOM}2022/06/apple-unveils-m2-with-breakthrough-performance-and-capabilities/`;
const M2_PRO_MAX = `${NEWSROOM}2023/01/apple-unveils-m2-pro-and-m2-max-next-generation-chips-for-next-level-workflows/`;
const M2_ULTRA = `${NEWSROOM}2023/06/apple-introduces-m2-ultra/`;
const M3_FAMILY = `${NEWSROOM}2023/10/apple-unveils-m3-m3-pro-and-m3-max-the-most-advanced-chips-for-a-personal-computer/`;
const M3_ULTRA = `${NEWSROOM}2025/03/apple-reveals-m3-ultra-taking-apple-silicon-to-a-new-extreme/`;
const M4 = `${NEWSROOM}2024/05/apple-introduces-m4-chip/`;
const M4_PRO_MAX = `${NEWSROOM}2024/10/apple-introduces-m4-pro-and-m4-max/`;
const MAC_STUDIO_SPECS = 'https://www.apple.com/mac-studio/specs/';
const MACBOOK_PRO_SPECS = 'https://www.apple.com/macbook-pro/specs/';
const MACBOOK_AIR_SPECS = 'https://www.apple.com/macbook-air/specs/';
const MACBOOK_PRO_2023_SPECS = 'https://support.apple.com/en-us/117736';

type Row = [string, [number, number], [number, number], number | undefined, number, number | undefined, string[], string?];

// chip, bandwidth GB/s (min, max), GPU cores (min, max), GPU TFLOPS, Neural Engine cores, TOPS, sources, note
const ROWS: Row[] = [
  ['Apple M1', [68.25, 68.25], [7, 8], 2.6, 16, 11, [M1, MACBOOK_AIR_SPECS], 'Apple publishes no bandwidth for M1: 68.25 GB/s is LPDDR4X-4266 on its 128-bit bus'],
  ['Apple M1 Pro', [200, 200], [14, 16], 5.2, 16, 11, [M1_PRO_MAX, MACBOOK_PRO_2023_SPECS], 'TFLOPS and TOPS as Apple presented them at the October 2021 event'],
  ['Apple M1 Max', [400, 400], [24, 32], 10.4, 16, 11, [M1_PRO_MAX, MACBOOK_PRO_2023_SPECS], 'TFLOPS and TOPS as Apple presented them at the October 2021 event'],
  ['Apple M1 Ultra', [800, 800], [48, 64], undefined, 32, 22, [M1_ULTRA, MAC_STUDIO_SPECS]],
  ['Apple M2', [100, 100], [8, 10], undefined, 16, 15.8, [M2, MACBOOK_AIR_SPECS]],
  ['Apple M2 Pro', [200, 200], [16, 19], undefined, 16, 15.8, [M2_PRO_MAX]],
  ['Apple M2 Max', [400, 400], [30, 38], undefined, 16, 15.8, [M2_PRO_MAX]],
  ['Apple M2 Ultra', [800, 800], [60, 76], undefined, 32, 31.6, [M2_ULTRA, MAC_STUDIO_SPECS]],
  ['Apple M3', [100, 100], [8, 10], undefined, 16, 18, [M3_FAMILY]],
  ['Apple M3 Pro', [150, 150], [14, 18], undefined, 16, 18, [M3_FAMILY, MACBOOK_PRO_2023_SPECS]],
  ['Apple M3 Max', [300, 400], [30, 40], undefined, 16, 18, [M3_FAMILY, MACBOOK_PRO_2023_SPECS], '300 GB/s for the 30-core GPU bin, 400 GB/s for the 40-core'],
  ['Apple M3 Ultra', [819, 819], [60, 80], undefined, 32, undefined, [M3_ULTRA, MAC_STUDIO_SPECS], 'Apple announced "over 800GB/s" (819 GB/s on the tech specs) and a 32-core Neural Engine without a TOPS figure'],
  ['Apple M4', [120, 120], [8, 10], undefined, 16, 38, [M4, MACBOOK_AIR_SPECS], 'Neural Engine TOPS quoted at INT8'],
  ['Apple M4 Pro', [273, 273], [16, 20], undefined, 16, 38, [M4_PRO_MAX, MACBOOK_PRO_SPECS]],
  ['Apple M4 Max', [410, 546], [32, 40], undefined, 16, 38, [M4_PRO_MAX, MACBOOK_PRO_SPECS], '410 GB/s for the 32-core GPU bin, 546 GB/s for the 40-core'],
];

export const APPLE_DATASHEETS: readonly AppleChipDatasheet[] = ROWS.map(([chip, bw, gpu, tflops, neCores, tops, sourceUrls, note]) => ({
  chip,
  memoryBandwidthGBps: { min: bw[0], max: bw[1] },
  gpuCores: { min: gpu[0], max: gpu[1] },
  ...(tflops === undefined ? {} : { gpuTflops: tflops }),
  neuralEngineCores: neCores,
  ...(tops === undefined ? {} : { neuralEngineTops: tops }),
  source: 'datasheet' as const,
  sourceUrls,
  ...(note === undefined ? {} : { note }),
}));

/** The datasheet of a chip named like machdep.cpu.brand_string ('Apple M2 Pro'), or undefined (not M1–M4). */
export function appleDatasheet(chip: string | undefined): AppleChipDatasheet | undefined {
  if (!chip) return undefined;
  const name = chip.trim().replace(/\s+/g, ' ');
  return APPLE_DATASHEETS.find((d) => d.chip === name);
}
