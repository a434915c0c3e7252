/**
 * The eager MLX path (NCP_SILICON_MLX_COMPILE=0, docs/mlx.md): the parity subset with compiling switched off, and
 * proof that nothing was compiled.
 */
import { describeParitySubset, useCompileSwitch } from './compile-cases.js';

describeParitySubset('0', useCompileSwitch('0'));
