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

/** A native failure that is not the caller's fault (allocation, internal invariant). */
export class NativeError extends NcpError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'NCP_NATIVE', options);
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
