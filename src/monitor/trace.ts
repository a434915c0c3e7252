/**
 * Chrome trace-event JSON (the format Perfetto and chrome://tracing open): one complete slice ('X') per native
 * call on the thread that ran it, one per training batch and epoch on a "training" track, and counters ('C') for
 * memory. Timestamps are microseconds from the profile's start.
 */
import type { ProfileView } from './profile-data.js';

export interface TraceEvent {
  name: string;
  /** 'X' complete slice, 'C' counter, 'M' metadata. */
  ph: 'X' | 'C' | 'M';
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  cat?: string;
  args?: Record<string, number | string>;
}

export interface TraceFile {
  traceEvents: TraceEvent[];
  displayTimeUnit: 'ms';
  metadata: Record<string, string | number>;
}

const PID = 1;
const TRAINING_TID = 0; // native thread indices start at 1
const MIB = 2 ** 20;

export function buildTrace(result: ProfileView): TraceFile {
  const events: TraceEvent[] = [];
  const meta = (tid: number, name: string, sortIndex: number): void => {
    events.push({ name: 'thread_name', ph: 'M', ts: 0, pid: PID, tid, args: { name } });
    events.push({ name: 'thread_sort_index', ph: 'M', ts: 0, pid: PID, tid, args: { sort_index: sortIndex } });
  };
  events.push({ name: 'process_name', ph: 'M', ts: 0, pid: PID, tid: 0, args: { name: `ncp-silicon (node ${process.pid})` } });
  meta(TRAINING_TID, 'training', 0);
  const threads = new Set(result.calls.map((c) => c.thread));
  threads.add(result.mainThread);
  for (const tid of [...threads].sort((a, b) => a - b)) {
    meta(tid, tid === result.mainThread ? 'JS main thread (synchronous calls)' : `worker ${tid} (async calls)`, tid);
  }

  for (const c of result.calls) {
    const seconds = c.durationMs / 1000;
    const bytes = c.bytesRead + c.bytesWritten;
    events.push({
      name: c.kernel,
      cat: 'kernel',
      ph: 'X',
      ts: us(c.startMs),
      dur: us(c.durationMs),
      pid: PID,
      tid: c.thread,
      args: {
        batch: c.batch,
        steps: c.steps,
        flops: c.flops,
        bytesRead: c.bytesRead,
        bytesWritten: c.bytesWritten,
        uniqueBytes: c.uniqueBytes,
        gflopsPerSecond: seconds > 0 ? round(c.flops / seconds / 1e9) : 0,
        gbPerSecond: seconds > 0 ? round(bytes / seconds / 1e9) : 0,
      },
    });
    events.push({ name: 'native live MiB', ph: 'C', ts: us(c.startMs + c.durationMs), pid: PID, tid: 0, args: { native: round(c.nativeLiveBytes / MIB) } });
  }

  for (const s of result.training) {
    const name = s.kind === 'epoch' ? `epoch ${s.epoch}` : `batch ${s.batch} (epoch ${s.epoch})`;
    const args: Record<string, number> = { epoch: s.epoch };
    if (s.batch !== undefined) args.batch = s.batch;
    if (s.loss !== undefined && Number.isFinite(s.loss)) args.loss = s.loss;
    events.push({ name, cat: s.kind, ph: 'X', ts: us(s.startMs), dur: us(s.endMs - s.startMs), pid: PID, tid: TRAINING_TID, args });
  }

  for (const m of result.memory) {
    const args: Record<string, number> = {
      rss: round(m.rssBytes / MIB),
      heapUsed: round(m.heapUsedBytes / MIB),
      arrayBuffers: round(m.arrayBufferBytes / MIB),
    };
    if (m.native) args.native = round(m.native.liveBytes / MIB);
    if (m.physFootprintBytes !== undefined) args.physFootprint = round(m.physFootprintBytes / MIB);
    events.push({ name: 'memory MiB', ph: 'C', ts: us(m.timeMs), pid: PID, tid: 0, args });
  }
  // Perfetto draws slices of one thread correctly in any order, but chrome://tracing wants them by time.
  // Enclosing slices (longer) go first at equal start times, so an epoch opens before its first batch.
  events.sort((a, b) => (a.ph === 'M' ? -1 : 0) - (b.ph === 'M' ? -1 : 0) || a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  return {
    traceEvents: events,
    displayTimeUnit: 'ms',
    metadata: { startedAt: result.startedAt, platform: result.system.platform, cpu: result.system.cpuModel, 'clock-domain': 'profile start = 0' },
  };
}

function us(ms: number): number {
  return Math.round(ms * 1000 * 1000) / 1000; // µs with ns resolution
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
