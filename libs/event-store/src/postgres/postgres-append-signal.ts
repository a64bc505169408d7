import { Client, ClientConfig } from 'pg';
import { AppendSignal } from '../catch-up-subscription';

export const APPEND_CHANNEL = 'reform_ledger_events';

/**
 * One LISTEN connection shared by every subscription of a store, which also
 * hears the store's own appends directly. Notifications only shorten the wait:
 * when the connection is down, subscriptions fall back to polling, and the
 * listener reconnects in the background.
 */
export class PostgresAppendSignal implements AppendSignal {
  generation = 0;
  announcedPosition = 0;
  private readonly waiters = new Set<() => void>();
  private client?: Client;
  private connecting?: Promise<void>;
  private closed = false;

  constructor(
    private readonly clientConfig: ClientConfig,
    private readonly reconnectDelayMs = 1000,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  async waitForAppend(seenGeneration: number, timeoutMs: number, abort: AbortSignal): Promise<void> {
    void this.ensureListening();
    if (this.generation !== seenGeneration || abort.aborted) return;
    // Whichever comes first — a notification, the poll interval, closing — clears the other two.
    await new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        abort.removeEventListener('abort', finish);
        this.waiters.delete(finish);
        resolve();
      };
      const timer = setTimeout(finish, timeoutMs);
      abort.addEventListener('abort', finish, { once: true });
      this.waiters.add(finish);
    });
  }

  /** Events up to the position are in: announced by a notification, or appended by this process. */
  appended(position: number): void {
    this.announcedPosition = Math.max(this.announcedPosition, position);
    this.notify();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connecting?.catch(() => undefined);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
    for (const wake of this.waiters) wake();
  }

  private ensureListening(): Promise<void> {
    if (this.closed || this.client) return Promise.resolve();
    this.connecting ??= this.listen().finally(() => (this.connecting = undefined));
    return this.connecting;
  }

  private async listen(): Promise<void> {
    const client = new Client(this.clientConfig);
    const dropped = (error?: unknown) => {
      if (error) this.onError(error);
      if (this.client !== client) return;
      this.client = undefined;
      client.end().catch(() => undefined);
      // Appends may have happened while nobody listened: wake everyone to re-read.
      this.notify();
      if (!this.closed) setTimeout(() => void this.ensureListening(), this.reconnectDelayMs).unref();
    };
    client.on('error', dropped);
    client.on('end', () => dropped());
    client.on('notification', ({ payload }) => this.appended(Number(payload) || 0));
    try {
      await client.connect();
      await client.query(`LISTEN ${APPEND_CHANNEL}`);
      if (this.closed) {
        await client.end();
        return;
      }
      this.client = client;
      this.notify();
    } catch (error) {
      this.onError(error);
      client.end().catch(() => undefined);
      if (!this.closed) setTimeout(() => void this.ensureListening(), this.reconnectDelayMs).unref();
    }
  }

  private notify(): void {
    this.generation += 1;
    for (const wake of this.waiters) wake();
  }
}
