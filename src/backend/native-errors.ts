/**
 * The addons report a failure that is not the caller's fault as a plain Error with code NCP_NATIVE or
 * NCP_NATIVE_OUT_OF_MEMORY (native/addon/errors.cpp), or from MLX NCP_MLX_METALLIB / NCP_MLX_COMPILE
 * (native/mlx/mlx_errors.h); callers of the package get it as a NativeError (an NcpError) with the same code and
 * message, the original kept as `cause`. TypeErrors and RangeErrors (bad arguments, size limits) pass through
 * unchanged.
 */
import { NativeError, NcpError, type NativeErrorCode } from '../errors.js';

const NATIVE_CODES: readonly string[] = ['NCP_NATIVE', 'NCP_NATIVE_OUT_OF_MEMORY', 'NCP_MLX_METALLIB', 'NCP_MLX_COMPILE'] satisfies NativeErrorCode[];

export function asNativeError(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof NcpError || error instanceof TypeError || error instanceof RangeError) return error;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !NATIVE_CODES.includes(code)) return error;
  const wrapped = new NativeError(error.message, { cause: error, code: code as NativeErrorCode });
  if (error.stack) wrapped.stack = `${wrapped.name}: ${error.message}\n${error.stack.split('\n').slice(1).join('\n')}`;
  return wrapped;
}
