/**
 * The policy's output calibration stage (src/agents/output-calibration.ts): the identity until it has learned,
 * and online it straightens a reliability curve that is both tilted and bent, which online Platt alone cannot.
 * Policy level: on a stream whose agents misreport confidence along a curve, the default policy's ECE stays near
 * the sampling floor (the ECE a perfectly calibrated predictor shows on the same probabilities and n, ~0.008 at
 * 30,000 calls) where the policy without the stage (as it was before the stage existed) is far above it.
 */
import { describe, expect, it } from 'vitest';
import { ConfidencePolicy } from '../../src/agents/index.js';
import { OnlineLogistic, sigmoid } from '../../src/agents/online-logistic.js';
import { OutputCalibration } from '../../src/agents/output-calibration.js';
import { calibratedEce, equalMassEce } from '../../bench/agents/metrics.js';

function lcg(seed: number): { rand: () => number; normal: () => number } {
  let s = seed >>> 0;
  const rand = (): number => { s = (s * 1664525 + 1013904223) >>> 0; return (s + 0.5) / 4294967296; };
  return { rand, normal: () => Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand()) };
}

/** The true logit behind a reported logit z: too confident, shifted, and bent. */
const truth = (z: number): number => 0.6 * z - 0.4 + 0.12 * z * z;

describe('OutputCalibration', () => {
  it('is the identity before it learns, and when disabled', () => {
    const on = new OutputCalibration(true, 0.9999), off = new OutputCalibration(false, 0.9999);
    for (const z of [-7, -3.3, -0.2, 0, 1.7, 6]) {
      expect(on.logit(z)).toBeCloseTo(z, 12);
      expect(off.logit(z)).toBe(z);
    }
    for (let i = 0; i < 100; i++) off.learn(i % 7 - 3, i % 2);
    expect(off.logit(1.5)).toBe(1.5);
  });

  it('learns a tilted and bent reliability curve online, better than online Platt', () => {
    const { rand, normal } = lcg(5);
    const stage = new OutputCalibration(true, 0.9999);
    const platt = new OnlineLogistic(2, { forgetting: 0.9999, prior: 1, initial: [1, 0] });
    const n = 60_000, from = 20_000;
    const pStage: number[] = [], pPlatt: number[] = [], pRaw: number[] = [], y: number[] = [];
    for (let i = 0; i < n; i++) {
      const z = -0.5 + 1.6 * normal();
      const outcome = rand() < sigmoid(truth(z)) ? 1 : 0;
      if (i >= from) {
        pStage.push(stage.probability(z));
        pPlatt.push(sigmoid(platt.logit([z, 1])));
        pRaw.push(sigmoid(z));
        y.push(outcome);
      }
      stage.learn(z, outcome);
      platt.update([z, 1], outcome);
    }
    const eceStage = equalMassEce(pStage, y), ecePlatt = equalMassEce(pPlatt, y), eceRaw = equalMassEce(pRaw, y);
    expect(eceRaw).toBeGreaterThan(0.05);
    expect(ecePlatt).toBeGreaterThan(0.015);
    expect(eceStage).toBeLessThan(0.01);
  });
});

describe('ConfidencePolicy output calibration', () => {
  function curvedStream(seed: number, agents = 30, calls = 60_000) {
    const { rand, normal } = lcg(seed);
    const offset = Array.from({ length: agents }, () => 0.3 * normal());
    const out: { agent: number; time: number; confidence: number; outcome: number; reveal: number }[] = [];
    let t = 0;
    for (let j = 0; j < calls; j++) {
      t += -Math.log(rand()) * 60_000;
      const a = Math.floor(rand() * agents);
      const z = -0.5 + 1.6 * normal();
      out.push({ agent: a, time: t, confidence: sigmoid(z), outcome: rand() < sigmoid(truth(z) + offset[a]) ? 1 : 0, reveal: t + (2 + 60 * rand()) * 60_000 });
    }
    return out;
  }

  async function replayEce(outputCalibration: boolean): Promise<{ ece: number; floor: number }> {
    const calls = curvedStream(9);
    const policy = new ConfidencePolicy({ featureSize: 0, seed: 1, deterministic: true, outputCalibration });
    const order = calls.map((_, j) => j).sort((a, b) => calls[a].reveal - calls[b].reveal || a - b);
    const ids: number[] = [], p: number[] = [];
    let revealed = 0;
    for (let j = 0; j < calls.length; j++) {
      while (revealed < calls.length && calls[order[revealed]].reveal <= calls[j].time) {
        const k = order[revealed++];
        policy.observe(ids[k], calls[k].outcome);
      }
      const c = calls[j];
      const r = policy.score({ agentId: `a${c.agent}`, time: c.time, confidence: c.confidence, features: [] });
      ids.push(r.callId);
      p.push(r.probability);
    }
    await policy.idle();
    const half = calls.length / 2, late = p.slice(half);
    return { ece: equalMassEce(late, calls.slice(half).map((c) => c.outcome)), floor: calibratedEce(late) };
  }

  it('keeps ECE near the sampling floor on agents that misreport along a curve (without the stage it is far above)', async () => {
    const [withStage, without] = [await replayEce(true), await replayEce(false)];
    expect(without.ece).toBeGreaterThan(without.floor + 0.02);
    expect(withStage.ece).toBeLessThan(withStage.floor + 0.005);
  }, 120_000);
});
