/**
 * MLX's own failures become typed errors (native/mlx/mlx_errors.h): the messages MLX 0.32.1 throws, raised through
 * the addon's test-only hook on the same path as its evaluations, sync and on a worker.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { MlxAddon } from '../../src/backend/mlx-types.js';
import { asNativeError } from '../../src/backend/native-errors.js';
import { NativeError } from '../../src/errors.js';
import { requireMlx } from './harness.js';

/** A second instance of the MLX addon, loaded with its test-only hooks (NCP_SILICON_TEST_HOOKS=1 at load). */
function addonWithHooks(): MlxAddon {
  requireMlx();
  const path =
    process.env.NCP_SILICON_MLX_ADDON_PATH ??
    ['build-mlx/Release/ncp_silicon_mlx.node', 'build-mlx/ncp_silicon_mlx.node']
      .map((relative) => fileURLToPath(new URL(`../../${relative}`, import.meta.url)))
      .find((candidate) => existsSync(candidate))!;
  const previous = process.env.NCP_SILICON_TEST_HOOKS;
  process.env.NCP_SILICON_TEST_HOOKS = '1';
  try {
    const module = { exports: {} as MlxAddon };
    process.dlopen(module, path);
    return module.exports;
  } finally {
    if (previous === undefined) delete process.env.NCP_SILICON_TEST_HOOKS;
    else process.env.NCP_SILICON_TEST_HOOKS = previous;
  }
}

// The messages MLX 0.32.1 throws (mlx/backend/metal/allocator.cpp, metal/device.cpp, cpu/compiled.cpp,
// compile.cpp), and what each must become.
const MLX_MESSAGES: { message: string; code: string; says: RegExp[] }[] = [
  {
    message: '[malloc] Unable to allocate 34359738368 bytes.',
    code: 'NCP_NATIVE_OUT_OF_MEMORY',
    says: [/ran out of memory on MLX's CPU device/, /34359738368 bytes \(32 GiB\)/, /smaller batch or shorter sequences/, /backend: 'cpu'/],
  },
  {
    message: '[metal::malloc] Resource limit (499000) exceeded.',
    code: 'NCP_NATIVE_OUT_OF_MEMORY',
    says: [/ran out of memory/, /limit of 499000/, /smaller batch/],
  },
  {
    message: '[metal::malloc] Attempting to allocate 40000000000 bytes which is greater than the maximum allowed buffer size of 28991029248 bytes.',
    code: 'NCP_NATIVE_OUT_OF_MEMORY',
    says: [/one buffer of 40000000000 bytes/, /largest buffer \(28991029248 bytes\)/, /smaller batch/],
  },
  {
    message: 'Failed to load the default metallib. library not found library not found ',
    code: 'NCP_MLX_METALLIB',
    says: [/mlx\.metallib/, /Release\/mlx\.metallib/, /beside build-mlx\/Release\/ncp_silicon_mlx\.node/, /npm run build:mlx/],
  },
  {
    message: 'Failed to load the metallib mlx.metallib. We attempted to load it from </opt/app/build-mlx/Release/mlx.metallib>',
    code: 'NCP_MLX_METALLIB',
    says: [/We attempted to load it from <\/opt\/app\/build-mlx\/Release\/mlx\.metallib>/, /npm run build:mlx/],
  },
  {
    message: 'Can not load metallib from specified location "/tmp/none.metallib": file not found.',
    code: 'NCP_MLX_METALLIB',
    says: [/\/tmp\/none\.metallib/, /npm run build:mlx/],
  },
  {
    message: '[Compile::eval_cpu] Failed to load compiled function Compiled_f32_abc\n/tmp/mlx/libCompiled_f32_abc.so: undefined symbol: Compiled_f32_abc',
    code: 'NCP_MLX_COMPILE',
    says: [/run-time compiler failed/, /Compiled_f32_abc/, /NCP_SILICON_MLX_COMPILE/],
  },
  {
    message: '[Compile::eval_cpu] Failed to compile function Compiled_f32_abc: Failed to execute command with return code 127: "g++ …", the output is: sh: g++: not found',
    code: 'NCP_MLX_COMPILE',
    says: [/run-time compiler failed/, /g\+\+: not found/],
  },
  {
    message: 'Could not load C++ shared library /tmp/mlx/libCompiled_f32_abc.so: cannot open shared object file',
    code: 'NCP_MLX_COMPILE',
    says: [/run-time compiler failed/],
  },
  {
    message: '[metal::Device] Unable to build metal library from source\nprogram_source:1:10: error',
    code: 'NCP_MLX_COMPILE',
    says: [/run-time compiler failed/],
  },
];

function expectTyped(error: unknown, code: string, says: RegExp[], message: string): void {
  expect(error, message).toBeInstanceOf(Error);
  expect((error as { code?: string }).code, message).toBe(code);
  const typed = asNativeError(error);
  expect(typed, message).toBeInstanceOf(NativeError);
  expect((typed as NativeError).code, message).toBe(code);
  for (const pattern of says) expect((typed as Error).message, message).toMatch(pattern);
  // MLX's own words are kept, so nothing it said is lost.
  expect((typed as Error).message, message).toContain(message.split('\n')[0].trim());
}

describe('MLX failures become typed errors', () => {
  it('each MLX failure message maps to its code and class, with what to do', () => {
    // The test-only hooks exist only in an instance loaded with NCP_SILICON_TEST_HOOKS=1.
    expect(requireMlx()._throwMlxError).toBeUndefined();
    expect(requireMlx()._throwMlxErrorAsync).toBeUndefined();
    const mlx = addonWithHooks();
    expect(mlx._throwMlxError).toBeTypeOf('function');
    expect(mlx._throwMlxErrorAsync).toBeTypeOf('function');
    for (const { message, code, says } of MLX_MESSAGES) {
      let error: unknown;
      try {
        mlx._throwMlxError!(message);
      } catch (e) {
        error = e;
      }
      expectTyped(error, code, says, message);
    }
  });

  it('the same mapping holds on the async worker path', async () => {
    const mlx = addonWithHooks();
    for (const { message, code, says } of MLX_MESSAGES) {
      const error = await mlx._throwMlxErrorAsync!(message).then(() => undefined, (e: unknown) => e);
      expectTyped(error, code, says, message);
    }
  });

  it('any other MLX failure stays NCP_NATIVE with its message', async () => {
    const mlx = addonWithHooks();
    const message = '[matmul] Last dimension of first input with shape (2,3) must match second to last dimension of second input with shape (4,5).';
    for (const error of [
      (() => { try { mlx._throwMlxError!(message); } catch (e) { return e; } })(),
      await mlx._throwMlxErrorAsync!(message).then(() => undefined, (e: unknown) => e),
    ]) {
      expect((error as { code?: string }).code).toBe('NCP_NATIVE');
      expect(asNativeError(error)).toBeInstanceOf(NativeError);
      expect((error as Error).message).toContain(message);
    }
  });

});
