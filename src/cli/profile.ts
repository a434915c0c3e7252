/**
 * `ncp-silicon profile [checkpoint]`: calibrates this machine (cached), then profiles a model's forward pass,
 * single steps and (unless --epochs 0) training on synthetic data, and writes the HTML report (plus Markdown,
 * JSON and a Chrome trace when asked). The model is a checkpoint from saveModel/Trainer.save, or an AutoNCP-wired
 * LTC / CfC built from the options, or (--wiring fc) the one `new LTC(inputs, units)` / `new CfC(inputs, units)` builds.
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { loadModel } from '../io/checkpoint.js';
import { checkBatchSteps } from '../limits.js';
import { CfC } from '../models/cfc.js';
import { LTC } from '../models/ltc.js';
import type { SequenceModel } from '../models/sequence-model.js';
import { arrayTypeOf, type Tensor } from '../models/tensor.js';
import { calibrate } from '../monitor/calibrate.js';
import { startProfile } from '../monitor/profile.js';
import { fit } from '../train/fit.js';
import { AutoNCP } from '../wiring/index.js';
import type { Backend } from '../models/sequence-types.js';
import { backendOption } from './backend-option.js';

export interface ProfileCliOptions {
  cell: 'ltc' | 'cfc';
  wiring: 'autoncp' | 'fc';
  units: number;
  outputs: number;
  inputs: number;
  batch: number;
  steps: number;
  repeats: number;
  epochs: number;
  out: string;
  md?: string;
  json?: string;
  trace?: string;
  recalibrate?: boolean;
  force?: boolean;
  backend?: Backend;
}

/** Adds the `profile` command to the CLI. */
export function registerProfile(program: Command): void {
  program
    .command('profile')
    .description('profile a model (forward, step, training) against this machine\'s measured ceilings and write an HTML report')
    .argument('[checkpoint]', 'a model or trainer checkpoint (.safetensors); default: a new model from the options below')
    .option('--cell <kind>', 'ltc or cfc (without a checkpoint)', parseChoice(['ltc', 'cfc']), 'ltc')
    .option('--wiring <kind>', 'autoncp, or fc: the model new LTC(inputs, units) / new CfC(inputs, units) builds', parseChoice(['autoncp', 'fc']), 'autoncp')
    .option('--units <n>', 'neurons', parsePositive, 64)
    .option('--outputs <n>', 'motor neurons (AutoNCP only)', parsePositive, 8)
    .option('--inputs <n>', 'input features', parsePositive, 16)
    .option('--batch <n>', 'batch size B', parsePositive, 64)
    .option('--steps <n>', 'sequence length L', parsePositive, 100)
    .option('--repeats <n>', 'forward calls to time', parsePositive, 10)
    .option('--epochs <n>', 'training epochs on synthetic data (0: no training)', parseNonNegative, 1)
    .option('-o, --out <file>', 'HTML report', 'ncp-profile.html')
    .option('--md <file>', 'also write the Markdown summary')
    .option('--json <file>', 'also write the JSON report')
    .option('--trace <file>', 'also write a Chrome trace (Perfetto, chrome://tracing)')
    .option('--recalibrate', 'measure the ceilings again instead of using the cached ones')
    .option('--force', 'with --recalibrate: store the new ceilings even when they look contended or are lower than the cached ones')
    .addOption(backendOption())
    .action((checkpoint: string | undefined, options: ProfileCliOptions) => runProfile(checkpoint, options));
}

export async function runProfile(checkpoint: string | undefined, o: ProfileCliOptions): Promise<void> {
  // The model and the sizes first: a size over LIMITS is refused before the (slow) calibration.
  const backend = o.backend ?? 'auto';
  const model: SequenceModel = checkpoint ? await loadModel(checkpoint, { backend }) : buildModel(o, backend);
  const S = model.inputSize;
  const { batch: B, steps: L } = o;
  // Training draws 4·B samples of L steps; checked before any of the synthetic data is allocated.
  checkBatchSteps('ncp-silicon profile', '--batch × --steps (× 4 training samples per batch)', o.epochs > 0 ? 4 * B : B, L, `--batch ${B} --steps ${L}`);
  const ceilings = await calibrate({ remeasure: o.recalibrate === true, force: o.force === true });
  if (ceilings.rejected) {
    console.warn(`ncp-silicon profile: the new calibration looks contended and was not stored (${ceilings.rejected.reasons.join('; ')}); using the cached ceilings. --force stores it anyway.`);
  } else if (ceilings.contention?.suspect) {
    console.warn(`ncp-silicon profile: the ceilings were measured on a busy machine (${ceilings.contention.reasons.join('; ')}); ratios to them may be too high.`);
  }
  const input = uniform(model, [B, L, S], 1);
  const timespans = { data: fill(new (arrayTypeOf(model.dtype))(B * L), 2, 0.5, 1.5), shape: [B, L] };
  model.forward(input, { timespans }); // warm-up: builds the native model and the scratch arenas

  const profile = startProfile({ model, ceilings });
  for (let r = 0; r < o.repeats; r++) model.forward(input, { timespans });
  let state = model.step(uniform(model, [1, S], 3)).state;
  for (let t = 0; t < 100; t++) state = model.step(uniform(model, [1, S], 4 + t), state, 0.5 + (t % 3) * 0.25).state;
  if (o.epochs > 0) {
    const samples = 4 * B;
    const targets = uniform(model, model.returnSequences ? [samples, L, model.outputSize] : [samples, model.outputSize], 5);
    await fit(model, { inputs: uniform(model, [samples, L, S], 6), targets }, { epochs: o.epochs, batchSize: B, verbose: 0 });
  }
  const result = profile.stop();

  const out = resolve(o.out);
  await result.writeReport(out, { format: 'html' });
  const markdown = await result.report({ format: 'md' });
  if (o.md) await writeFile(resolve(o.md), markdown);
  if (o.json) await writeFile(resolve(o.json), await result.report({ format: 'json' }));
  if (o.trace) await result.writeTrace(resolve(o.trace));
  console.log(markdown);
  console.log(`report written to ${out}${o.trace ? `; trace to ${resolve(o.trace)} (open it in https://ui.perfetto.dev or chrome://tracing)` : ''}`);
}

// --wiring fc is what `new LTC(inputs, units)` / `new CfC(inputs, units)` build: a fully connected LTC, and for
// CfC the dense (backbone) cell rather than a wired one, since that is the model users profile it against.
function buildModel(o: ProfileCliOptions, backend: Backend): SequenceModel {
  const unitsOrWiring = o.wiring === 'fc' ? o.units : new AutoNCP(o.units, o.outputs, { seed: 22222 });
  return o.cell === 'ltc' ? new LTC(o.inputs, unitsOrWiring, { seed: 1, backend }) : new CfC(o.inputs, unitsOrWiring, { seed: 1, backend });
}

function uniform(model: SequenceModel, shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return { data: fill(new (arrayTypeOf(model.dtype))(n), seed, -1, 1), shape };
}

// A small LCG: the synthetic data only needs to be deterministic, not good.
function fill<A extends Float32Array | Float64Array>(out: A, seed: number, low: number, high: number): A {
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = low + ((high - low) * s) / 4294967296;
  }
  return out;
}

function parsePositive(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, received "${value}".`);
  return n;
}

function parseNonNegative(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a non-negative integer, received "${value}".`);
  return n;
}

function parseChoice(choices: string[]): (value: string) => string {
  return (value) => {
    if (!choices.includes(value)) throw new InvalidArgumentError(`expected one of ${choices.join(' | ')}, received "${value}".`);
    return value;
  };
}
