/**
 * The reference backend: the plain-TypeScript cells (reference/), float64 internally, one sample at a time.
 * Slow; it is the readable oracle the native backends are checked against. Its optimizer is the TypeScript twin
 * of native/core/optim.cpp (reference/optimizer.ts).
 */
import type { CellSpec, ModelSpec } from './cell-spec.js';
import type { FloatArray } from './float-array.js';
import type { NativeOptimizerStepArgs } from './native-types.js';
import { ReferenceCfcCell } from './reference/cfc-cell.js';
import type { ReferenceCell } from './reference/cell.js';
import { ReferenceLstm, ReferenceProjection } from './reference/lstm.js';
import { ReferenceLtcCell } from './reference/ltc-cell.js';
import { referenceGradNorm, referenceOptimizerStep } from './reference/optimizer.js';
import { runReferenceSequence, type ReferenceSequenceModel } from './reference/sequence.js';
import { ReferenceWiredCfcCell } from './reference/wired-cfc-cell.js';
import { computeLoss } from './reference/loss.js';
import type { LossArgs, LossValue, SequenceArgs } from './sequence-args.js';
import type { BackendMemory, SequenceBackend } from './sequence-backend.js';

/** The TypeScript optimizer step (Optimizer uses it alone for host parameters). */
export const REFERENCE_OPTIMIZER: Pick<SequenceBackend, 'optimizerStep' | 'gradNorm'> = {
  optimizerStep: referenceOptimizerStep,
  gradNorm: referenceGradNorm,
};

export class ReferenceBackend implements SequenceBackend {
  readonly name = 'reference' as const;
  readonly device = 'typescript';

  constructor(private readonly spec: ModelSpec) {}

  forward(args: SequenceArgs): void {
    runReferenceSequence(this.model(), args, false);
  }

  forwardBackward(args: SequenceArgs): void {
    runReferenceSequence(this.model(), args, true);
  }

  async forwardAsync(args: SequenceArgs): Promise<void> {
    this.forward(args);
  }

  async forwardBackwardAsync(args: SequenceArgs): Promise<void> {
    this.forwardBackward(args);
  }

  forwardBackwardLoss(args: SequenceArgs & LossArgs): LossValue {
    let value: LossValue = { loss: 0, count: 0 };
    const outputs = args.output.length / (args.returnSequences ? args.batch * args.steps : args.batch);
    runReferenceSequence(this.model(), args, true, (output) => {
      const r = computeLoss(args.loss, { output, target: args.target, mask: args.mask, outputs, targetIsIndex: args.targetIsIndex });
      value = { loss: r.loss, count: r.count };
      return r.grad;
    });
    return value;
  }

  async forwardBackwardLossAsync(args: SequenceArgs & LossArgs): Promise<LossValue> {
    return this.forwardBackwardLoss(args);
  }

  optimizerStep(args: NativeOptimizerStepArgs): void {
    referenceOptimizerStep(args);
  }

  gradNorm(grads: FloatArray): number {
    return referenceGradNorm(grads);
  }

  threads(): number {
    return 1;
  }

  memory(): BackendMemory {
    return {};
  }

  dispose(): void {}

  /** The reference twin over a float64 copy of the parameters as they are now. */
  private model(): ReferenceSequenceModel {
    const { spec } = this;
    const params = Float64Array.from(spec.params);
    const offsets = spec.layout.offsets;
    const cell = referenceCell(spec.cell, params, offsets);
    return {
      cell,
      lstm: spec.mixedMemory ? new ReferenceLstm(spec.cell.inputSize, cell.stateSize, params, offsets) : undefined,
      projection: spec.projSize > 0 ? new ReferenceProjection(cell.outputSize, spec.projSize, params, offsets) : undefined,
    };
  }
}

function referenceCell(spec: CellSpec, params: Float64Array, offsets: Record<string, number>): ReferenceCell {
  switch (spec.kind) {
    case 'ltc':
      return new ReferenceLtcCell(spec, params, offsets);
    case 'cfc':
      return new ReferenceCfcCell(spec, params, offsets);
    case 'wired_cfc':
      return new ReferenceWiredCfcCell(spec, params, offsets);
  }
}
