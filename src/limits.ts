/**
 * The documented upper bounds on every size a caller (or a checkpoint, or the CLI) can ask for, in one place.
 * Each is checked before anything of that size is allocated, so an absurd size is a fast `SizeLimitError`
 * (a RangeError, code NCP_SIZE_LIMIT) instead of a V8 abort, an OOM kill or minutes of work.
 *
 * The native addon checks the same numbers when it reads a configuration, since it can be called directly:
 * native/addon/limits.h mirrors this object (change both together). docs/models.md has the table and reasons.
 */
import { SizeLimitError } from './errors.js';
import { describe } from './describe.js';
import { expectInteger } from './validate.js';

const GiB = 2 ** 30;

export const LIMITS = Object.freeze({
  /** Neurons of a model or a wiring (N). A wiring holds N² polarities and an LTC ~6·N² parameters. */
  maxUnits: 16_384,
  /** Input features (S, the sensory size). A built wiring holds S·N polarities. */
  maxInputs: 65_536,
  /** Width of a CfC backbone layer. */
  maxBackboneUnits: 65_536,
  /** Depth of a CfC backbone. */
  maxBackboneLayers: 64,
  /** Width of the output projection (`projSize`). */
  maxProjSize: 65_536,
  /** Batch × sequence length of one forward / forwardBackward call (samples × steps). */
  maxBatchSteps: 2 ** 27,
  /** Bytes of a model's flat parameter array (all parameters and buffers, at the model's dtype). */
  maxParameterBytes: 1 * GiB,
  /**
   * Bytes one forward / forwardBackward call allocates: its result arrays (outputs, states, gradients) plus the
   * native per-thread scratch, backpropagation tape and per-thread gradient buffers (estimated from the shapes).
   */
  maxWorkspaceBytes: 4 * GiB,
});

export type LimitName = keyof typeof LIMITS;

/** "1 GiB", "3.5 GiB", "512 MiB": bounds and estimates in messages. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const shown = unit === 0 ? String(value) : String(Number(value.toPrecision(3)));
  return `${shown} ${units[unit]}`;
}

/**
 * A size argument: an integer ≥ min (TypeError / RangeError otherwise, the same as every integer argument) and
 * at most LIMITS[limit] (SizeLimitError, whose message names the argument, the allowed range, the bound and the
 * value).
 */
export function expectSize(api: string, name: string, value: unknown, limit: LimitName, min = 1): number {
  const max = LIMITS[limit];
  if (typeof value === 'number' && Number.isInteger(value) && value > max) {
    throw new SizeLimitError(`${api}: expected an integer from ${min} to ${max} (LIMITS.${limit}) for ${name}, received ${describe(value)}.`, limit);
  }
  return expectInteger(api, name, value, { min });
}

/** Throws SizeLimitError when `bytes` exceeds LIMITS[limit]; `what` names what is that big, and why. */
export function checkBytes(api: string, what: string, bytes: number, limit: 'maxParameterBytes' | 'maxWorkspaceBytes', detail: string): void {
  const max = LIMITS[limit];
  if (bytes <= max) return;
  throw new SizeLimitError(
    `${api}: expected at most ${formatBytes(max)} (LIMITS.${limit} = ${max} bytes) for ${what}, received ${formatBytes(bytes)} (${detail}).`,
    limit,
  );
}

/** Throws SizeLimitError when batch × steps exceeds LIMITS.maxBatchSteps; `name` and `shown` say where they came from. */
export function checkBatchSteps(api: string, name: string, batch: number, steps: number, shown: string): void {
  const max = LIMITS.maxBatchSteps;
  if (batch * steps <= max) return;
  throw new SizeLimitError(
    `${api}: expected batch × length of at most ${max} (LIMITS.maxBatchSteps) for ${name}, received ${shown} (${batch} × ${steps} = ${batch * steps}).`,
    'maxBatchSteps',
  );
}
