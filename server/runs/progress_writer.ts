/**
 * Persists a run's progress without flooding Elasticsearch: the installer reports progress for
 * every bulk chunk, but the store gets at most one write per interval, plus an immediate write
 * (refreshed, so searches see it) when the state changes or the run ends. Writes never overlap,
 * so an older snapshot can never overwrite a newer one.
 */
import type { RunProgress } from '../../common/api';

export type WriteFn = (progress: RunProgress, refresh: boolean) => Promise<void>;

export class ProgressWriter {
  private latest?: RunProgress;
  private dirty = false;
  private urgent = false;
  private lastWriteAt = -Infinity;
  private timer?: NodeJS.Timeout;
  private writing?: Promise<void>;
  /** Writes done (tests and logs). */
  writes = 0;

  constructor(
    private readonly write: WriteFn,
    private readonly everyMs: number,
    private readonly onError: (error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Queues this snapshot; `urgent` writes it at once (state change, end of run). */
  save(progress: RunProgress, urgent = false): void {
    this.latest = progress;
    this.dirty = true;
    this.urgent ||= urgent;
    this.schedule();
  }

  /** Writes what is pending now and waits until every write has finished. */
  async flush(): Promise<void> {
    if (this.dirty) this.urgent = true;
    this.schedule();
    while (this.writing) await this.writing;
  }

  /** Stops the timer without writing (the process is going away). */
  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty = false;
  }

  private schedule(): void {
    if (this.writing || !this.dirty || !this.latest) return; // re-evaluated when the write ends
    const wait = this.urgent ? 0 : Math.max(0, this.lastWriteAt + this.everyMs - this.now());
    if (wait > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.schedule();
      }, wait);
      this.timer.unref?.();
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const snapshot = this.latest;
    const refresh = this.urgent;
    this.dirty = false;
    this.urgent = false;
    this.lastWriteAt = this.now();
    this.writes++;
    this.writing = this.write(snapshot, refresh)
      .catch((error) => this.onError(error))
      .finally(() => {
        this.writing = undefined;
        this.schedule();
      });
  }
}
