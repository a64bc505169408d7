import { EventSubscription, ReadAllOptions, RecordedEvent } from './event-store';

/** Tells a subscription that something was appended, so that it reads again. */
export interface AppendSignal {
  /** A counter that moves on each append the signal hears of. */
  readonly generation: number;
  /** The highest position an append has announced (0 when the signal carries none). */
  readonly announcedPosition: number;
  /**
   * Resolves once generation has moved past `seenGeneration`, or after
   * `timeoutMs` (the polling fallback), or when `abort` fires.
   */
  waitForAppend(seenGeneration: number, timeoutMs: number, abort: AbortSignal): Promise<void>;
}

export interface CatchUpOptions {
  fromPosition: number;
  batchSize: number;
  /** Longest wait between reads when no append signal arrives. */
  pollIntervalMs: number;
}

/** How soon to read again when an announced event was not yet readable. */
const SETTLE_MS = 5;

/**
 * Reads the store page by page from a position; once a page comes back short it
 * is live, and waits for an append signal (or the poll interval) before reading
 * again. Ordering and completeness come from readAll; this only drives it.
 */
export class CatchUpSubscription implements EventSubscription {
  private readonly closing = new AbortController();
  private started = false;

  constructor(
    private readonly readAll: (options: ReadAllOptions) => Promise<RecordedEvent[]>,
    private readonly appendSignal: AppendSignal,
    private readonly options: CatchUpOptions,
  ) {}

  async close(): Promise<void> {
    this.closing.abort();
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    if (this.started) throw new Error('A subscription can be iterated only once');
    this.started = true;
    return this.follow();
  }

  private async *follow(): AsyncGenerator<RecordedEvent> {
    let nextPosition = this.options.fromPosition;
    try {
      while (!this.closing.signal.aborted) {
        // Taken before the read: an append that lands during the read moves the
        // generation, so the wait below returns at once instead of sleeping.
        const generationBeforeRead = this.appendSignal.generation;
        const page = await this.readAll({ fromPosition: nextPosition, limit: this.options.batchSize });
        for (const event of page) {
          if (this.closing.signal.aborted) return;
          yield event;
          nextPosition = event.globalPosition + 1;
        }
        if (page.length < this.options.batchSize && nextPosition <= this.appendSignal.announcedPosition) {
          // Committed but not yet readable: an older transaction is still open.
          await sleep(SETTLE_MS, this.closing.signal);
        } else if (page.length < this.options.batchSize) {
          await this.appendSignal.waitForAppend(
            generationBeforeRead,
            this.options.pollIntervalMs,
            this.closing.signal,
          );
        }
      }
    } finally {
      this.closing.abort();
    }
  }
}

/** An append signal that only polls: for stores without notifications. */
export const pollingOnly: AppendSignal = {
  generation: 0,
  announcedPosition: 0,
  waitForAppend: (_seen, timeoutMs, abort) => sleep(timeoutMs, abort),
};

export function sleep(ms: number, abort?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (abort?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    abort?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      abort?.removeEventListener('abort', done);
      resolve();
    }
  });
}
