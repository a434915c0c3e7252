/**
 * Graphs exported with target 'coreml' contain only ops in onnxruntime's Core ML MLProgram list, with static
 * shapes and constant op parameters (checked by walking the decoded ModelProto), and constant work is folded.
 */
import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import { AutoNCP, CfC, LTC, NotImplementedError } from '../../src/index.js';
import { assertCoreMlCompatible, COREML_MLPROGRAM_OPS, coreMlProblems } from '../../src/onnx/coreml-ops.js';
import { exportOnnx } from '../../src/onnx/export.js';
import type { OnnxTypes } from '../../src/onnx/graph-builder.js';

const { onnx } = onnxProto;
const S = 4;

const MODELS: [string, () => LTC | CfC][] = [
  ['LTC FC mixed memory', () => new LTC(S, 6, { mixedMemory: true })],
  ['LTC AutoNCP', () => new LTC(S, new AutoNCP(10, 2))],
  ['CfC default lecun_tanh + projSize', () => new CfC(S, 6, { backboneUnits: 8, projSize: 2 })],
  ['CfC pure gelu, 2 layers', () => new CfC(S, 6, { mode: 'pure', activation: 'gelu', backboneUnits: 8, backboneLayers: 2 })],
  ['CfC no_gate silu mixed memory', () => new CfC(S, 6, { mode: 'no_gate', activation: 'silu', backboneUnits: 8, mixedMemory: true })],
  ['CfC relu, no backbone', () => new CfC(S, 6, { activation: 'relu', backboneLayers: 0 })],
  ['wired CfC pure', () => new CfC(S, new AutoNCP(10, 2), { mode: 'pure' })],
  ['wired CfC default mixed memory', () => new CfC(S, new AutoNCP(10, 2), { mixedMemory: true })],
];

type Decoded = OnnxTypes.IModelProto & { opsetImport: OnnxTypes.IOperatorSetIdProto[]; metadataProps: OnnxTypes.IStringStringEntryProto[] };

/** Decoded by onnx-proto (a dev dependency here), a protobuf implementation independent of our encoder. */
function decode(bytes: Uint8Array): Decoded {
  return onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes), { longs: Number, arrays: true }) as Decoded;
}

/** The decoded graph with its repeated fields typed as present (protobufjs always fills them when decoding). */
function graphOf(proto: OnnxTypes.IModelProto): { node: OnnxTypes.INodeProto[]; input: OnnxTypes.IValueInfoProto[]; output: OnnxTypes.IValueInfoProto[]; initializer: OnnxTypes.ITensorProto[] } {
  const g = proto.graph!;
  return { node: g.node!, input: g.input!, output: g.output!, initializer: g.initializer! };
}

function dimsOf(value: OnnxTypes.IValueInfoProto): OnnxTypes.IDimension[] {
  return value.type!.tensorType!.shape!.dim!;
}

describe.each(MODELS)('%s', (_name, make) => {
  const model = make();
  for (const [mode, dtype] of [['step', 'float32'], ['sequence', 'float32'], ['step', 'float16'], ['sequence', 'float16']] as const) {
    it(`${mode} ${dtype}: only Core ML MLProgram ops, static shapes, constant op parameters`, () => {
      const proto = decode(exportOnnx(model, { mode, sequenceLength: mode === 'sequence' ? 3 : undefined, dtype, target: 'coreml', batch: 2 }));
      const graph = graphOf(proto);
      const ops = new Set(graph.node.map((n) => n.opType!));
      for (const op of ops) expect(COREML_MLPROGRAM_OPS.has(op), `op ${op}`).toBe(true);
      for (const banned of ['Abs', 'Neg', 'Gather', 'Loop', 'Scan', 'If', 'Softplus']) expect(ops.has(banned), banned).toBe(false);
      for (const value of [...graph.input, ...graph.output]) {
        for (const dim of dimsOf(value)) {
          expect(dim.dimParam, `${value.name} dim`).toBeFalsy();
          expect(Number(dim.dimValue)).toBeGreaterThan(0);
        }
      }
      expect(coreMlProblems(proto)).toEqual([]);
      // Inputs and outputs stay float32 (1) in both dtypes; a float16 graph casts at its edges.
      for (const value of [...graph.input, ...graph.output]) expect(value.type!.tensorType!.elemType).toBe(1);
      const floatTypes = new Set(graph.initializer.filter((t) => t.dataType !== 7).map((t) => t.dataType));
      expect([...floatTypes]).toEqual([dtype === 'float16' ? 10 : 1]);
    });
  }
});

describe('graph structure', () => {
  it('an LTC graph folds softplus and the masks: only arithmetic, sigmoid and sums remain', () => {
    const graph = graphOf(decode(exportOnnx(new LTC(S, new AutoNCP(10, 2)))));
    const ops = new Set(graph.node.map((n) => n.opType));
    expect([...ops].sort()).toEqual(['Add', 'Div', 'Identity', 'Mul', 'ReduceSum', 'Sigmoid', 'Slice', 'Sub', 'Unsqueeze']);
    // 6 unfolds + the sensory layer: one sigmoid each.
    expect(graph.node.filter((n) => n.opType === 'Sigmoid')).toHaveLength(7);
  });

  it('an unrolled sequence shares its constants: initializers do not grow with L', () => {
    const model = new CfC(S, new AutoNCP(10, 2), { mixedMemory: true });
    const count = (L: number) => graphOf(decode(exportOnnx(model, { mode: 'sequence', sequenceLength: L }))).initializer.length;
    expect(count(8)).toBe(count(2));
  });

  it('writes the requested opset, a matching IR version, and the metadata OnnxPolicy reads', () => {
    const proto = decode(exportOnnx(new LTC(S, 5), { opset: 21, mode: 'sequence', sequenceLength: 4, batch: 3 }));
    expect(proto.opsetImport.map((o) => [o.domain, Number(o.version)])).toEqual([['', 21]]);
    expect(Number(proto.irVersion)).toBe(10);
    const meta = Object.fromEntries(proto.metadataProps.map((p) => [p.key, p.value]));
    expect(meta).toMatchObject({ 'ncp_silicon.model': 'LTC', 'ncp_silicon.mode': 'sequence', 'ncp_silicon.batch': '3', 'ncp_silicon.sequence_length': '4' });
    expect(graphOf(proto).input.map((i) => i.name)).toEqual(['x', 'timespans', 'state']);
    expect(graphOf(proto).output.map((o) => o.name)).toEqual(['y', 'next_state']);
  });

  it('a generic graph with a dynamic batch uses a symbolic dimension, which the Core ML check reports', () => {
    const proto = decode(exportOnnx(new CfC(S, 4, { backboneUnits: 4 }), { batch: 'dynamic' }));
    expect(dimsOf(graphOf(proto).input[0])[0].dimParam).toBe('B');
    expect(coreMlProblems(proto).map((p) => p.opType)).toEqual(['graph input', 'graph input', 'graph input']);
  });
});

describe('the Core ML check names what would fall back to the CPU', () => {
  const handMade: OnnxTypes.IModelProto = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'bad',
      input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 3 }] } } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 3 }] } } } }],
      initializer: [],
      node: [
        { opType: 'Abs', name: 'abs_0', input: ['x'], output: ['a'] },
        { opType: 'Unsqueeze', name: 'unsqueeze_1', input: ['a', 'x'], output: ['u'] },
        { opType: 'Squeeze', name: 'y', input: ['u'], output: ['y'] },
      ],
    },
  };

  it('lists an unlisted op and a runtime value where a constant is needed', () => {
    expect(coreMlProblems(handMade)).toEqual([
      { name: 'abs_0', opType: 'Abs', reason: 'is not in the Core ML MLProgram op list' },
      { name: 'unsqueeze_1', opType: 'Unsqueeze', reason: "needs a constant initializer as input 1, received the runtime value 'x'" },
    ]);
  });

  it('throws NotImplementedError naming every offending node and the alternative', () => {
    let error: unknown;
    try {
      assertCoreMlCompatible(handMade);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NotImplementedError);
    expect((error as NotImplementedError).code).toBe('NCP_NOT_IMPLEMENTED');
    expect((error as Error).message).toMatch(/^exportOnnx: this graph would not run entirely on onnxruntime's Core ML execution provider/);
    expect((error as Error).message).toMatch(/Abs 'abs_0' is not in the Core ML MLProgram op list/);
    expect((error as Error).message).toMatch(/Export with target 'generic'/);
  });
});
