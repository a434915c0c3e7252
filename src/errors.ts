import { describe } from './describe.js';

/** Base class of every ncp-silicon error that is neither a TypeError nor a RangeError. */
export class NcpError extends Error {
  readonly code: string;
  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The native addon (or a backend) cannot be used here; the message says why and how to fix it. */
export class BackendUnavailableError extends NcpError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'NCP_BACKEND_UNAVAILABLE', options);
  }
}

/** A feature that does not exist (yet); the message names the alternative. */
export class NotImplementedError extends NcpError {
  constructor(message: string) {
    super(message, 'NCP_NOT_IMPLEMENTED');
  }
}

/** A data file (CSV / JSON sequences) that cannot be read or windowed: a missing column, a cell that is not a
 * number, a time that does not increase. The message names the file, the row and the column. */
export class DataFormatError extends NcpError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'NCP_DATA_FORMAT', options);
  }
}

/** A checkpoint or weights file that is corrupt, truncated or does not fit the model. */
export class CheckpointError extends NcpError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'NCP_CHECKPOINT_INVALID', options);
  }
}

/** A save refused because a weight or optimizer moment is NaN or ±Infinity: such a checkpoint is never written. */
export class NonFiniteWeightsError extends NcpError {
  constructor(message: string) {
    super(message, 'NCP_NON_FINITE_WEIGHTS');
  }
}

/**
 * A native failure that is not the caller's fault: `NCP_NATIVE_OUT_OF_MEMORY` when an allocation failed (in the
 * CPU addon, or MLX's allocator on its device), `NCP_MLX_METALLIB` when MLX cannot load its Metal kernels
 * (mlx.metallib), `NCP_MLX_COMPILE` when MLX's run-time compiler fails, `NCP_NATIVE` for anything else (an internal
 * invariant). The message says what failed and what to do.
 */
export class NativeError extends NcpError {
  constructor(message: string, options?: { cause?: unknown; code?: NativeErrorCode }) {
    super(message, options?.code ?? 'NCP_NATIVE', options);
  }
}

export type NativeErrorCode = 'NCP_NATIVE' | 'NCP_NATIVE_OUT_OF_MEMORY' | 'NCP_MLX_METALLIB' | 'NCP_MLX_COMPILE';

/**
 * A size above one of the documented bounds in `LIMITS` (src/limits.ts): a RangeError, like every other
 * out-of-range argument, with code `NCP_SIZE_LIMIT` and the bound's name, so callers can tell "too big for this
 * library" from "invalid".
 */
export class SizeLimitError extends RangeError {
  readonly code = 'NCP_SIZE_LIMIT';
  /** The LIMITS key that was exceeded, e.g. 'maxUnits'; 'deviceBudgetBytes' when an MLX device's budget was smaller. */
  readonly limit: string;
  constructor(message: string, limit: string) {
    super(message);
    this.name = 'SizeLimitError';
    this.limit = limit;
  }
}

/** onnxruntime failed (creating a session, running it); the message says what was being done, `cause` holds its error. */
export class OnnxRuntimeError extends NcpError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'NCP_ONNX_RUNTIME', options);
  }
}

type ArgumentErrorClass = typeof TypeError | typeof RangeError;

/**
 * Builds the one message shape we use everywhere:
 * `<Api>: expected <what> for <argument>, received <description>.`
 */
export function argumentError<C extends ArgumentErrorClass>(
  ErrorClass: C,
  api: string,
  argument: string,
  expected: string,
  received: unknown,
): InstanceType<C> {
  const error = new ErrorClass(
    `${api}: expected ${expected} for ${argument}, received ${describe(received)}.`,
  ) as InstanceType<C>;
  Object.defineProperty(error, 'code', {
    value: ErrorClass === TypeError ? 'NCP_INVALID_TYPE' : 'NCP_INVALID_RANGE',
    enumerable: true,
  });
  return error;
}

/** Same shape as {@link argumentError}, but with a pre-rendered description of what was received. */
export function argumentErrorRendered<C extends ArgumentErrorClass>(
  ErrorClass: C,
  api: string,
  argument: string,
  expected: string,
  receivedText: string,
): InstanceType<C> {
  const error = new ErrorClass(
    `${api}: expected ${expected} for ${argument}, received ${receivedText}.`,
  ) as InstanceType<C>;
  Object.defineProperty(error, 'code', {
    value: ErrorClass === TypeError ? 'NCP_INVALID_TYPE' : 'NCP_INVALID_RANGE',
    enumerable: true,
  });
  return error;
}
