/** ConfidencePolicy's options, their defaults and their validation (one place, so save/load reuse it). */
import { expectBoolean, expectInteger, expectNumber, expectOneOf, expectOptions, expectPlainObject } from '../validate.js';
import { argumentError } from '../errors.js';

export interface ConfidencePolicyOptions {
  /** Context features per call (0 or more). */
  featureSize: number;
  /** Seeds the cell, the wiring and nothing else (there is no other randomness). Default 1. */
  seed?: number;
  /** 'cfc' (default) or 'ltc'. */
  cell?: 'cfc' | 'ltc';
  /** Neurons of the AutoNCP wiring (default 16). */
  units?: number;
  /** Milliseconds per unit of the cell's timespan (default one hour). */
  timeUnitMs?: number;
  /** Half-lives of the per-agent outcome memories fed to the cell, in ms (default 1 h, 6 h, 48 h). */
  memoryHalfLivesMs?: number[];
  /** Calls per BPTT window (default 4). */
  window?: number;
  /** Examples per learning step (default 256: each step makes the next score() re-read the parameters). */
  learnBatch?: number;
  /** Adam learning rate of the cell (default 0.002). */
  learningRate?: number;
  /** Learn in call order at fixed points (see docs/agents.md), so runs are reproducible. Default false. */
  deterministic?: boolean;
  /** λ of the shared calibration head (default 0.9999: about 10 000 outcomes of memory). */
  headForgetting?: number;
  /** λ of each agent's bias (calibeating) head (default 0.99). */
  agentForgetting?: number;
  /** Recalibrate the head's output online (Platt + a smooth binned correction, agents/output-calibration.ts). Default true. */
  outputCalibration?: boolean;
  /** λ of the output calibration (default 0.9999). */
  outputForgetting?: number;
  /** Tracked agents; the least recently scored is evicted beyond it (default 10 000). */
  maxAgents?: number;
  /** Calls awaiting an outcome; the oldest is dropped beyond it (default 100 000). */
  maxPending?: number;
  /** A call whose outcome has not come after this long (policy clock, ms) expires (default 7 days). */
  pendingTtlMs?: number;
  /** Learning examples waiting for the learner; the oldest is dropped beyond it (default 65 536). */
  maxQueued?: number;
  /** Save to `path` after every `everyOutcomes` outcomes and/or every `everyMs` milliseconds. */
  autosave?: { path: string; everyOutcomes?: number; everyMs?: number };
}

export interface ResolvedPolicyOptions {
  featureSize: number;
  seed: number;
  cell: 'cfc' | 'ltc';
  units: number;
  timeUnitMs: number;
  memoryHalfLivesMs: number[];
  window: number;
  learnBatch: number;
  learningRate: number;
  deterministic: boolean;
  headForgetting: number;
  agentForgetting: number;
  outputCalibration: boolean;
  outputForgetting: number;
  maxAgents: number;
  maxPending: number;
  pendingTtlMs: number;
  maxQueued: number;
  autosave: { path: string; everyOutcomes: number; everyMs: number } | undefined;
}

const KEYS = [
  'featureSize', 'seed', 'cell', 'units', 'timeUnitMs', 'memoryHalfLivesMs', 'window', 'learnBatch', 'learningRate',
  'deterministic', 'headForgetting', 'agentForgetting', 'outputCalibration', 'outputForgetting', 'maxAgents', 'maxPending', 'pendingTtlMs', 'maxQueued', 'autosave',
];

/** Upper bounds that keep every slab allocation bounded (bytes per agent and per call are in docs/agents.md). */
export const LIMITS = { featureSize: 256, units: 64, window: 64, maxAgents: 1_000_000, maxPending: 10_000_000, maxQueued: 1_000_000, halfLives: 8 };

export function resolvePolicyOptions(api: string, options: unknown): ResolvedPolicyOptions {
  if (options === undefined) throw argumentError(TypeError, api, 'options', 'an object with featureSize', options);
  const o = expectOptions(api, options, KEYS);
  const int = (key: string, fallback: number, min: number, max: number): number =>
    o[key] === undefined ? fallback : expectInteger(api, `options.${key}`, o[key], { min, max });
  const num = (key: string, fallback: number, range: { greaterThan?: number; max?: number; min?: number }): number =>
    o[key] === undefined ? fallback : expectNumber(api, `options.${key}`, o[key], range);
  const featureSize = expectInteger(api, 'options.featureSize', o.featureSize, { min: 0, max: LIMITS.featureSize });
  let memoryHalfLivesMs = [3_600_000, 21_600_000, 172_800_000];
  if (o.memoryHalfLivesMs !== undefined) {
    const list = o.memoryHalfLivesMs;
    if (!Array.isArray(list) || list.length > LIMITS.halfLives) {
      throw argumentError(TypeError, api, 'options.memoryHalfLivesMs', `an array of at most ${LIMITS.halfLives} half-lives in ms`, list);
    }
    memoryHalfLivesMs = list.map((v, i) => expectNumber(api, `options.memoryHalfLivesMs[${i}]`, v, { greaterThan: 0 }));
  }
  let autosave: ResolvedPolicyOptions['autosave'];
  if (o.autosave !== undefined) {
    const a = expectPlainObject(api, 'options.autosave', o.autosave);
    if (typeof a.path !== 'string' || a.path === '') throw argumentError(TypeError, api, 'options.autosave.path', 'a file path', a.path);
    const everyOutcomes = a.everyOutcomes === undefined ? 0 : expectInteger(api, 'options.autosave.everyOutcomes', a.everyOutcomes, { min: 1 });
    const everyMs = a.everyMs === undefined ? 0 : expectNumber(api, 'options.autosave.everyMs', a.everyMs, { greaterThan: 0 });
    if (!everyOutcomes && !everyMs) throw argumentError(TypeError, api, 'options.autosave', 'everyOutcomes and/or everyMs', a);
    autosave = { path: a.path, everyOutcomes, everyMs };
  }
  return {
    featureSize,
    seed: int('seed', 1, 0, 2 ** 32 - 1),
    cell: o.cell === undefined ? 'cfc' : expectOneOf(api, 'options.cell', o.cell, ['cfc', 'ltc'] as const),
    units: int('units', 16, 8, LIMITS.units),
    timeUnitMs: num('timeUnitMs', 3_600_000, { greaterThan: 0 }),
    memoryHalfLivesMs,
    window: int('window', 4, 1, LIMITS.window),
    learnBatch: int('learnBatch', 256, 1, 4096),
    learningRate: num('learningRate', 0.002, { min: 0, max: 1 }),
    deterministic: o.deterministic === undefined ? false : expectBoolean(api, 'options.deterministic', o.deterministic),
    headForgetting: num('headForgetting', 0.9999, { greaterThan: 0, max: 1 }),
    agentForgetting: num('agentForgetting', 0.99, { greaterThan: 0, max: 1 }),
    outputCalibration: o.outputCalibration === undefined ? true : expectBoolean(api, 'options.outputCalibration', o.outputCalibration),
    outputForgetting: num('outputForgetting', 0.9999, { greaterThan: 0, max: 1 }),
    maxAgents: int('maxAgents', 10_000, 1, LIMITS.maxAgents),
    maxPending: int('maxPending', 100_000, 1, LIMITS.maxPending),
    pendingTtlMs: num('pendingTtlMs', 7 * 86_400_000, { greaterThan: 0 }),
    maxQueued: int('maxQueued', 65_536, 1, LIMITS.maxQueued),
    autosave,
  };
}
