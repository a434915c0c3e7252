/**
 * Times repeated calls of one case: every call's duration (so the report has the distribution, not only a mean),
 * within a time budget (at least `minCalls` calls, unless that would take over three budgets). The loop yields to the event loop every ~50 ms, so Ctrl-C (a signal handler) and an
 * AbortSignal are seen promptly even while a fast synchronous call runs thousands of times.
 */
import type { AbortSignalLike } from '../../train/types.js';
import type { TimingBudget } from './cases.js';

export type { AbortSignalLike };

const YIELD_EVERY_MS = 50;

/** Rejects with the signal's reason (an Error, or one saying the bench was aborted). */
export function throwIfAborted(signal: AbortSignalLike | undefined): void {
  if (!signal?.aborted) return;
  throw signal.reason instanceof Error ? signal.reason : new Error('ncp-silicon bench: aborted');
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Durations in ms of each timed call (after `warmupCalls` untimed ones). */
export async function timeCalls(run: () => unknown, budget: TimingBudget, signal?: AbortSignalLike): Promise<number[]> {
  for (let i = 0; i < budget.warmupCalls; i++) {
    const r = run();
    if (r instanceof Promise) await r;
  }
  const durations: number[] = [];
  const start = performance.now();
  let lastYield = start;
  for (;;) {
    const t0 = performance.now();
    const r = run();
    if (r instanceof Promise) await r;
    const t1 = performance.now();
    durations.push(t1 - t0);
    if (durations.length >= budget.maxCalls) break;
    // At least minCalls, unless one call is so slow that they would take over three budgets.
    if (t1 - start >= budget.budgetMs && (durations.length >= budget.minCalls || t1 - start >= 3 * budget.budgetMs)) break;
    if (t1 - lastYield >= YIELD_EVERY_MS) {
      await yieldToEventLoop();
      throwIfAborted(signal);
      lastYield = performance.now();
    }
  }
  throwIfAborted(signal);
  return durations;
}
