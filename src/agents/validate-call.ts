/** Checks of score()/observe() arguments; every failure is a typed error with a code, thrown before any change. */
import { argumentError, argumentErrorRendered } from '../errors.js';
import { describe } from '../describe.js';

export interface AgentCall {
  /** Which agent made the call (any non-empty string). */
  agentId: string;
  /** When: milliseconds (e.g. Date.now()) or a Date. Each agent's times must not go backwards. */
  time: number | Date;
  /** The agent's own confidence in [0, 1]; missing means 0.5 (what agent platforms assume). */
  confidence?: number;
  /** `featureSize` finite numbers of context. */
  features?: ArrayLike<number>;
}

export interface CheckedCall {
  agentId: string;
  time: number;
  confidence: number;
  features: ArrayLike<number>;
}

const NO_FEATURES = new Float64Array(0);

export function checkCall(api: string, name: string, call: unknown, featureSize: number): CheckedCall {
  if (typeof call !== 'object' || call === null) throw argumentError(TypeError, api, name, 'an object { agentId, time, confidence, features }', call);
  const c = call as Record<string, unknown>;
  if (typeof c.agentId !== 'string' || c.agentId.length === 0 || c.agentId.length > 1024) {
    throw argumentError(TypeError, api, `${name}.agentId`, 'a non-empty string of at most 1024 characters', c.agentId);
  }
  let time: number;
  if (c.time instanceof Date) time = c.time.getTime();
  else if (typeof c.time === 'number') time = c.time;
  else throw argumentError(TypeError, api, `${name}.time`, 'milliseconds (a number) or a Date', c.time);
  if (!Number.isFinite(time)) throw argumentError(RangeError, api, `${name}.time`, 'a finite time in ms (or a valid Date)', c.time);
  let confidence = 0.5;
  if (c.confidence !== undefined) {
    if (typeof c.confidence !== 'number') throw argumentError(TypeError, api, `${name}.confidence`, 'a number in [0, 1]', c.confidence);
    if (!(c.confidence >= 0 && c.confidence <= 1)) throw argumentError(RangeError, api, `${name}.confidence`, 'a number in [0, 1]', c.confidence);
    confidence = c.confidence;
  }
  let features: ArrayLike<number> = NO_FEATURES;
  if (featureSize > 0 || c.features !== undefined) {
    const f = c.features as ArrayLike<number> | undefined;
    const isList = Array.isArray(f) || (ArrayBuffer.isView(f) && !(f instanceof DataView));
    if (!isList) throw argumentError(TypeError, api, `${name}.features`, `an array of ${featureSize} numbers`, f);
    if (f!.length !== featureSize) {
      throw argumentErrorRendered(RangeError, api, `${name}.features`, `${featureSize} numbers (featureSize)`, `${f!.length} (${describe(f)})`);
    }
    for (let i = 0; i < featureSize; i++) {
      const v = f![i];
      if (typeof v !== 'number' && typeof v !== 'bigint') throw argumentError(TypeError, api, `${name}.features[${i}]`, 'a finite number', v);
      if (!Number.isFinite(Number(v))) throw argumentError(RangeError, api, `${name}.features[${i}]`, 'a finite number', v);
    }
    features = f!;
  }
  return { agentId: c.agentId, time, confidence, features };
}

/** An outcome: true/false or 1/0. */
export function checkOutcome(api: string, outcome: unknown): number {
  if (outcome === true || outcome === 1) return 1;
  if (outcome === false || outcome === 0) return 0;
  if (typeof outcome === 'number') throw argumentError(RangeError, api, 'outcome', 'a boolean or 0/1', outcome);
  throw argumentError(TypeError, api, 'outcome', 'a boolean or 0/1', outcome);
}
