import { EventStore, RecordedEvent } from '@app/event-store';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

const RETRY_DELAY_MS = 1000;
/** How often the checkpoint moves past events the follower has no reaction to. */
const SKIPPED_CHECKPOINT_MS = 1000;

/**
 * Follows the store from a named checkpoint, reacting to each event it reacts
 * to before moving the checkpoint past it: a crash between the two redelivers
 * the event, so reactions must be idempotent. A reaction that throws is
 * retried, never skipped. Past the other events the checkpoint moves only now
 * and then: after a crash they are read again and passed over again.
 */
export class CheckpointedFollower {
  private stopped = false;
  private closeSubscription?: () => Promise<void>;
  private running?: Promise<void>;
  private position = 0;
  private readonly waiters = new Set<{ position: number; resolve: () => void }>();

  constructor(
    private readonly name: string,
    private readonly eventStore: EventStore,
    private readonly database: DataSource,
    private readonly reactsTo: (event: RecordedEvent) => boolean,
    private readonly react: (event: RecordedEvent) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.running ??= this.follow();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.closeSubscription?.();
    await this.running;
  }

  /** Resolves once every event up to `position` has been reacted to. */
  async waitFor(position: number): Promise<void> {
    if (this.position >= position) return;
    await new Promise<void>((resolve) => this.waiters.add({ position, resolve }));
  }

  /**
   * Everything that reads the database is inside the retry: this promise is
   * awaited only by stop(), so a failure that escaped it (the database going
   * away while the server starts or stops) would be an unhandled rejection,
   * which ends the process.
   */
  private async follow(): Promise<void> {
    let resumed = false;
    while (!this.stopped) {
      try {
        if (!resumed) {
          const [row] = await this.database.query(`SELECT position FROM process_checkpoints WHERE name = $1`, [this.name]);
          // Waiters for positions already reacted to before a restart are answered now, not at the next event.
          this.advanceTo(row ? Number(row.position) : 0);
          resumed = true;
          continue; // stop() may have come during the read: the loop's condition looks again
        }
        const subscription = this.eventStore.subscribe({ fromPosition: this.position + 1 });
        this.closeSubscription = () => subscription.close();
        let checkpointedAt = Date.now();
        for await (const event of subscription) {
          const reacting = this.reactsTo(event);
          if (reacting) await this.react(event);
          if (reacting || Date.now() - checkpointedAt >= SKIPPED_CHECKPOINT_MS) {
            await this.database.query(
              `INSERT INTO process_checkpoints (name, position) VALUES ($1, $2)
               ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
              [this.name, event.globalPosition],
            );
            checkpointedAt = Date.now();
          }
          this.advanceTo(event.globalPosition);
        }
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn(`reacting failed after position ${this.position}, retrying: ${String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
      }
    }
  }

  private advanceTo(position: number): void {
    this.position = position;
    for (const waiter of this.waiters) {
      if (waiter.position <= position) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}
