/**
 * Autosave: after every N outcomes and/or every T ms, save the policy (atomically, agents/persist.ts). Saves never
 * overlap: a trigger during a save schedules one more save after it. A failed save is kept in `lastError` and
 * retried at the next trigger; it never throws into observe().
 */
import type { SnapshotSaver } from './policy-parts.js';

export interface AutosaveStatus {
  saves: number;
  /** Outcomes the policy had observed when the last completed save took its snapshot. */
  savedOutcomes: number;
  lastError: unknown;
}

export class Autosaver {
  readonly status: AutosaveStatus = { saves: 0, savedOutcomes: 0, lastError: undefined };
  private sinceSave = 0;
  private saving: Promise<void> | undefined;
  private again = false;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(private readonly policy: SnapshotSaver, private readonly config: { path: string; everyOutcomes: number; everyMs: number }) {
    if (config.everyMs) {
      this.timer = setInterval(() => this.trigger(), config.everyMs);
      this.timer.unref();
    }
  }

  outcome(): void {
    if (this.config.everyOutcomes && ++this.sinceSave >= this.config.everyOutcomes) this.trigger();
  }

  /** Resolves when no save is running (for tests and shutdown). */
  async flush(): Promise<void> {
    while (this.saving) await this.saving;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private trigger(): void {
    this.sinceSave = 0;
    if (this.saving) {
      this.again = true;
      return;
    }
    this.saving = (async () => {
      do {
        this.again = false;
        try {
          const outcomes = await this.policy.saveSnapshot(this.config.path);
          this.status.saves++;
          this.status.savedOutcomes = outcomes;
          this.status.lastError = undefined;
        } catch (error) {
          this.status.lastError = error;
        }
      } while (this.again);
      this.saving = undefined;
    })();
  }
}
