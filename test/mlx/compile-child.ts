/**
 * Run by compile.test.ts in a child process whose environment sets NCP_SILICON_MLX_COMPILE, PATH (which C++
 * compiler MLX finds, if any) and TMPDIR (MLX's kernel cache): forward and forwardBackward of an LTC and a CfC on
 * MLX, twice each, against the CPU backend. Prints { errors: { label: largest relative error }, failures: [...] }.
 */
import { loadNative } from '../../src/backend/load.js';
import { loadMlx } from '../../src/backend/mlx-load.js';
import type { SequenceArgs } from '../../src/backend/sequence-args.js';
import { CfC } from '../../src/models/cfc.js';
import { LTC } from '../../src/models/ltc.js';
import type { SequenceModel } from '../../src/models/sequence-model.js';
import { AutoNCP } from '../../src/wiring/index.js';
import { relativeError } from '../helpers/fixtures.js';

function args(model: SequenceModel, backward: boolean): SequenceArgs<Float32Array> {
  const B = 2, L = 3, S = model.inputSize, H = model.stateSize, P = model.outputSize;
  const fill = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(seed + i * 0.7));
  const a: SequenceArgs<Float32Array> = {
    version: 1, batch: B, steps: L, batchFirst: true, returnSequences: true,
    input: fill(B * L * S, 1), timespans: fill(B * L, 2).map((v) => 1 + 0.5 * v),
    output: new Float32Array(B * L * P), hFinal: new Float32Array(B * H),
    cFinal: model.hasMixedMemory ? new Float32Array(B * H) : undefined,
  };
  if (backward) Object.assign(a, { dOutput: fill(B * L * P, 3), dInput: new Float32Array(B * L * S), dParams: new Float32Array(model.parameters.length) });
  return a;
}

const errors: Record<string, number> = {};
const failures: string[] = [];
const models: Record<string, SequenceModel> = {
  LTC: new LTC(4, new AutoNCP(8, 2, { seed: 1 }), { seed: 2 }),
  CfC: new CfC(4, 6, { seed: 3, backboneUnits: 8, mixedMemory: true }),
};
for (const [name, model] of Object.entries(models)) {
  const config = model.nativeModelConfig();
  const cpu = new (loadNative().NativeModel)(config);
  const mlx = new (loadMlx().MlxModel)(config);
  for (const call of ['forward', 'forwardBackward'] as const) {
    for (const round of [1, 2]) {
      const expected = args(model, call === 'forwardBackward');
      const actual = args(model, call === 'forwardBackward');
      cpu[call](expected);
      try {
        mlx[call](actual);
      } catch (error) {
        failures.push(`${name} ${call} #${round}: ${(error as Error).message}`);
        continue;
      }
      const label = `${name} ${call} #${round}`;
      errors[label] = Math.max(relativeError(actual.output, expected.output), relativeError(actual.hFinal, expected.hFinal),
        actual.cFinal ? relativeError(actual.cFinal, expected.cFinal!) : 0,
        actual.dParams ? relativeError(actual.dParams, expected.dParams!) : 0);
    }
  }
}
process.stdout.write(JSON.stringify({ errors, failures }));
