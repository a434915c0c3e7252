import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { backendInfo } from '../backend/info.js';
import { describeOnnxRuntime, onnxRuntimeInfo } from '../onnx/runtime-info.js';
import { AutoNCP } from '../wiring/index.js';

export interface InfoOptions {
  out: string;
  units: number;
  outputs: number;
  inputs: number;
  json?: boolean;
}

export async function runInfo(options: InfoOptions): Promise<void> {
  const info = backendInfo();
  const onnxRuntime = await onnxRuntimeInfo();
  if (options.json) {
    console.log(JSON.stringify({ ...info, onnxRuntime }, null, 2));
    return;
  }
  const rows: [string, string][] = [
    ['ncp-silicon', info.addonVersion],
    ['platform', `${info.platform} (Node ${info.nodeVersion})`],
    ['N-API', `addon ${info.napiVersion.addon}, runtime ${info.napiVersion.runtime}`],
    ['compiled backends', info.compiledBackends.join(', ')],
    ['SIMD', info.simdLevel],
    ['threads', `${info.numThreads} (default ${info.defaultNumThreads})`],
  ];
  if (info.compiler) rows.push(['compiler', info.compiler]);
  if (info.apple) rows.push(['Apple GPU', `${info.apple.chip} / ${info.apple.gpuName}`]);
  for (const b of info.backends) rows.push([`backend ${b.name}`, b.available ? 'available' : `unavailable: ${b.reason}`]);
  if (info.mlx) rows.push(['MLX', `${info.mlx.mlxVersion} on ${info.mlx.device}${info.mlx.deviceName ? ` (${info.mlx.deviceName})` : ''}`]);
  const c = info.crossover;
  const from = { override: 'NCP_SILICON_MLX_CROSSOVER', measured: 'measured here', estimate: 'an estimate' }[c.source];
  rows.push(["backend 'auto'", c.mlxEligible ? `MLX for float32 calls with batch × steps × units ≥ ${c.minWork} (${from}), else the CPU` : `the CPU (${c.reason})`]);
  rows.push(['MLX crossover', c.measured]);
  if (c.cacheProblem) rows.push(['crossover cache', `ignored: ${c.cacheProblem}`]);
  rows.push(['onnxruntime', describeOnnxRuntime(onnxRuntime)]);
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`);

  const wiring = new AutoNCP(options.units, options.outputs).build(options.inputs);
  const path = resolve(options.out);
  writeFileSync(path, wiring.toSVG({ title: `AutoNCP(${options.units}, ${options.outputs}), ${options.inputs} inputs` }));
  console.log(`\nwiring drawing (${wiring.synapseCount} synapses, ${wiring.sensorySynapseCount} sensory) written to ${path}`);
}
