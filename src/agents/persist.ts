/**
 * save/load of a ConfidencePolicy as one safetensors file, written atomically (temp + fsync + rename): the cell's
 * parameters and optimizer moments, the learned initial state, the calibration head, the feature scaler, every
 * tracked agent's slab rows (in least-recently-used order), every pending call, and the running metrics. A save
 * first waits for queued learning, so a loaded policy continues exactly where the saved one stood.
 */
import { CheckpointError } from '../errors.js';
import { loadSafetensors, saveSafetensors, type SafetensorsInput, type SafeTensor } from '../io/safetensors.js';
import type { FieldSpec, Slabs } from './slabs.js';
import type { PersistablePolicy, PolicyState } from './policy-parts.js';
import type { ConfidencePolicyOptions } from './options.js';

export const POLICY_FORMAT = 'ncp-silicon/confidence-policy';
/** Version 2 added the output calibration (its tensors and each pending call's head logit) and the calibration history. */
const VERSION = '2';

type AnySlabs = Slabs<Record<string, FieldSpec>>;
type Numeric = Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array;

function gather(slabs: AnySlabs, slots: number[], prefix: string, out: Record<string, SafetensorsInput>): void {
  for (const key of Object.keys(slabs.fields)) {
    const src = slabs.fields[key] as Numeric, w = slabs.width(key);
    const dst = new (src.constructor as new (n: number) => typeof src)(slots.length * w);
    slots.forEach((s, i) => dst.set(src.subarray(s * w, (s + 1) * w), i * w));
    out[`${prefix}.${key}`] = { data: dst, shape: [slots.length, w] };
  }
}

/** Builds the file's tensors and metadata from the policy as it is now (synchronous: one consistent instant). */
export function snapshot(policy: PolicyState): { tensors: Record<string, SafetensorsInput>; metadata: Record<string, string> } {
  const tensors: Record<string, SafetensorsInput> = {};
  for (const [name, t] of Object.entries(policy.model.stateDict())) tensors[`cell.${name}`] = { data: t.data as Float32Array, shape: t.shape };
  const vec = (data: Float32Array | Float64Array | Int32Array): SafetensorsInput => ({ data: data.slice(), shape: [data.length] });
  tensors['policy.h0'] = vec(policy.h0);
  tensors['optimizer.m'] = vec(policy.learner.optimizer.m as Float32Array);
  tensors['optimizer.v'] = vec(policy.learner.optimizer.v as Float32Array);
  tensors['optimizer.h0Moments'] = vec(policy.learner.h0Moments);
  tensors['head.weights'] = vec(policy.calibrator.head.weights);
  tensors['head.curvature'] = vec(policy.calibrator.head.curvature);
  tensors['output.platt.weights'] = vec(policy.output.platt.weights);
  tensors['output.platt.curvature'] = vec(policy.output.platt.curvature);
  tensors['output.bins'] = vec(policy.output.bins);
  tensors['scaler.stats'] = vec(policy.scaler.stats);
  tensors['metrics.overall'] = vec(policy.overall.sums);
  tensors['metrics.history'] = vec(policy.history.serialize());
  const agentIds = [...policy.agents.slots.keys()];
  const agentSlots = Int32Array.from(policy.agents.slots.values());
  // Slots are kept as they are: pending calls refer to their agent by slot (and generation).
  tensors['agents.slot'] = vec(agentSlots);
  gather(policy.agents.slabs as AnySlabs, [...agentSlots], 'agents', tensors);
  const callIds = Float64Array.from(policy.pending.slots.keys());
  tensors['pending.callId'] = vec(callIds);
  gather(policy.pending.slabs as AnySlabs, [...policy.pending.slots.values()], 'pending', tensors);
  const { autosave: _autosave, ...options } = policy.options;
  const c = policy.counters;
  const metadata = {
    format: POLICY_FORMAT,
    version: VERSION,
    options: JSON.stringify(options),
    agentIds: JSON.stringify(agentIds),
    counters: JSON.stringify({
      nextCallId: c.nextCallId, outcomes: c.outcomes, clock: Number.isFinite(c.clock) ? c.clock : null, optimizerStep: policy.learner.optimizer.step,
      learningSteps: policy.learner.steps, expired: policy.pending.expired, dropped: policy.pending.dropped, evictions: policy.agents.evictions,
    }),
  };
  return { tensors, metadata };
}

/** Waits for queued learning, snapshots, writes atomically. Resolves with the outcomes the file holds. */
export async function savePolicy(policy: PersistablePolicy, path: string): Promise<number> {
  await policy.idle();
  const { tensors, metadata } = snapshot(policy);
  const outcomes = policy.counters.outcomes;
  await saveSafetensors(tensors, path, { metadata });
  return outcomes;
}

export async function loadPolicy<P extends PersistablePolicy>(
  path: string,
  create: (options: ConfidencePolicyOptions) => P,
  extra: Pick<ConfidencePolicyOptions, 'autosave' | 'deterministic'> = {},
): Promise<P> {
  const api = 'ConfidencePolicy.load';
  const { tensors, metadata } = await loadSafetensors(path);
  if (metadata.format === POLICY_FORMAT && metadata.version === '1') {
    throw new CheckpointError(`${api}: ${path} is a confidence policy of format version 1, written before the output calibration stage; this version reads version ${VERSION} only. A version 1 policy cannot be migrated (its pending calls lack the head logit the output stage learns from): create a new policy, or load the file with the ncp-silicon release that wrote it.`);
  }
  if (metadata.format !== POLICY_FORMAT || metadata.version !== VERSION) {
    throw new CheckpointError(`${api}: ${path} is not a confidence policy file (format ${JSON.stringify(metadata.format)}, version ${JSON.stringify(metadata.version)}; expected ${POLICY_FORMAT} version ${VERSION}).`);
  }
  let options: ConfidencePolicyOptions, agentIds: string[], counters: Record<string, number | null>;
  try {
    options = JSON.parse(metadata.options);
    agentIds = JSON.parse(metadata.agentIds);
    counters = JSON.parse(metadata.counters);
  } catch (cause) {
    throw new CheckpointError(`${api}: ${path} has unreadable metadata.`, { cause });
  }
  const policy = create({ ...options, ...extra });
  const take = (name: string, length: number): SafeTensor['data'] => {
    const t = tensors[name];
    if (!t || t.data.length !== length) throw new CheckpointError(`${api}: ${path} has ${t ? `${t.data.length} elements` : 'no tensor'} for "${name}", expected ${length}.`);
    return t.data;
  };
  const fill = (dst: Float32Array | Float64Array, name: string): void => dst.set(take(name, dst.length) as ArrayLike<number>);
  const model = policy.model;
  const dict: Record<string, { data: ArrayLike<number>; shape: number[] }> = {};
  for (const e of model.layout.entries) dict[e.name] = { data: take(`cell.${e.name}`, e.size) as ArrayLike<number>, shape: e.shape };
  model.loadStateDict(dict);
  fill(policy.h0, 'policy.h0');
  fill(policy.learner.optimizer.m as Float32Array, 'optimizer.m');
  fill(policy.learner.optimizer.v as Float32Array, 'optimizer.v');
  fill(policy.learner.h0Moments, 'optimizer.h0Moments');
  fill(policy.calibrator.head.weights, 'head.weights');
  fill(policy.calibrator.head.curvature, 'head.curvature');
  fill(policy.output.platt.weights, 'output.platt.weights');
  fill(policy.output.platt.curvature, 'output.platt.curvature');
  fill(policy.output.bins, 'output.bins');
  fill(policy.scaler.stats, 'scaler.stats');
  fill(policy.overall.sums, 'metrics.overall');
  const history = tensors['metrics.history'];
  if (!history || !policy.history.restore(history.data as ArrayLike<number>)) throw new CheckpointError(`${api}: ${path} has a missing or inconsistent "metrics.history".`);
  if (!Array.isArray(agentIds) || agentIds.length > policy.options.maxAgents) throw new CheckpointError(`${api}: ${path} lists more agents than maxAgents.`);
  const agentSlots = take('agents.slot', agentIds.length) as Int32Array;
  agentSlots.forEach((slot, i) => {
    if (!(slot >= 0 && slot < policy.options.maxAgents)) throw new CheckpointError(`${api}: ${path} has agent slot ${slot} outside [0, maxAgents).`);
    policy.agents.restore(String(agentIds[i]), slot);
  });
  policy.agents.rebuildFreeList();
  scatter(policy.agents.slabs as AnySlabs, agentSlots, 'agents', take);
  const callIds = take('pending.callId', (tensors['pending.callId']?.data.length ?? 0)) as Float64Array;
  if (callIds.length > policy.options.maxPending) throw new CheckpointError(`${api}: ${path} holds more pending calls than maxPending.`);
  for (const id of callIds) policy.pending.restore(id);
  scatter(policy.pending.slabs as AnySlabs, Int32Array.from(callIds, (_, i) => i), 'pending', take);
  policy.learner.optimizer.step = Number(counters.optimizerStep ?? 0);
  policy.learner.steps = Number(counters.learningSteps ?? 0);
  policy.pending.expired = Number(counters.expired ?? 0);
  policy.pending.dropped = Number(counters.dropped ?? 0);
  policy.agents.evictions = Number(counters.evictions ?? 0);
  policy.counters.nextCallId = Number(counters.nextCallId ?? 1);
  policy.counters.outcomes = Number(counters.outcomes ?? 0);
  policy.counters.clock = counters.clock === null ? -Infinity : Number(counters.clock);
  return policy;
}

/** Row i of each saved field goes to slot slots[i]. */
function scatter(slabs: AnySlabs, slots: Int32Array, prefix: string, take: (name: string, length: number) => SafeTensor['data']): void {
  for (const slot of slots) slabs.ensure(slot);
  for (const key of Object.keys(slabs.fields)) {
    const w = slabs.width(key);
    const rows = take(`${prefix}.${key}`, slots.length * w) as Numeric;
    const dst = slabs.fields[key] as Numeric;
    slots.forEach((slot, i) => dst.set(rows.subarray(i * w, (i + 1) * w) as never, slot * w));
  }
}
