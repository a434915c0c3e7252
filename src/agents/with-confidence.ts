/**
 * withConfidence: wraps an async agent function so that its result carries the policy's calibrated probability
 * in the `{ value, confidence }` shape agent platforms already pass around, plus the callId to report the
 * outcome with. The wrapped function may return a bare value or `{ value, confidence }` (its own confidence in
 * [0, 1], 0.5 when missing).
 */
import { argumentError } from '../errors.js';
import type { ConfidencePolicy } from './policy.js';

export interface WithConfidenceOptions<A extends unknown[]> {
  agentId: string;
  /** The agent's raw confidence when the function does not return one: a number, or computed from the arguments. */
  confidence?: number | ((...args: A) => number);
  /** Context features per call (featureSize numbers), from the arguments. */
  features?: (...args: A) => ArrayLike<number>;
}

export interface CalibratedResult<T> {
  value: T;
  /** The calibrated probability that this result is right. */
  confidence: number;
  /** The agent's own confidence, as it came. */
  rawConfidence: number;
  callId: number;
}

export interface ConfidenceWrapped<A extends unknown[], T> {
  (...args: A): Promise<CalibratedResult<T>>;
  /** Reports the outcome of a call (true/false or 1/0). */
  report(callId: number, outcome: boolean | number): void;
}

function isValueWithConfidence(r: unknown): r is { value: unknown; confidence?: unknown } {
  return typeof r === 'object' && r !== null && 'value' in r && ('confidence' in r || Object.keys(r).length === 1);
}

export function withConfidence<A extends unknown[], T>(
  fn: (...args: A) => Promise<T | { value: T; confidence?: number }> | T | { value: T; confidence?: number },
  policy: ConfidencePolicy,
  options: WithConfidenceOptions<A>,
): ConfidenceWrapped<A, T> {
  const api = 'withConfidence';
  if (typeof fn !== 'function') throw argumentError(TypeError, api, 'fn', 'an (async) function', fn);
  if (typeof options !== 'object' || options === null || typeof options.agentId !== 'string') {
    throw argumentError(TypeError, api, 'options.agentId', 'a non-empty string', options?.agentId);
  }
  const wrapped = async (...args: A): Promise<CalibratedResult<T>> => {
    const result = await fn(...args);
    let value: T, confidence: number | undefined;
    if (isValueWithConfidence(result)) {
      value = result.value as T;
      confidence = result.confidence as number | undefined;
    } else {
      value = result as T;
    }
    if (confidence === undefined) {
      const c = options.confidence;
      confidence = typeof c === 'function' ? c(...args) : c;
    }
    const raw = confidence ?? 0.5;
    const { callId, probability } = policy.score({ agentId: options.agentId, time: Date.now(), confidence: raw, features: options.features?.(...args) });
    return { value, confidence: probability, rawConfidence: raw, callId };
  };
  return Object.assign(wrapped, { report: (callId: number, outcome: boolean | number) => policy.observe(callId, outcome) });
}
