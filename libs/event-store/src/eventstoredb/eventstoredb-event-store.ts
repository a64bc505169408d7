import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  ResolvedEvent,
  START,
  StreamNotFoundError,
  StreamingRead,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  jsonEvent,
} from '@eventstore/db-client';
import { CatchUpSubscription, pollingOnly } from '../catch-up-subscription';
import {
  AppendOptions,
  AppendResult,
  ChainVerification,
  EventMetadata,
  EventStore,
  EventStoreHealth,
  EventStoreTimeoutError,
  EventSubscription,
  InvalidEventError,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeOptions,
  WrongExpectedVersionError,
  satisfiesExpectedVersion,
} from '../event-store';
import { ChainVerifier, GENESIS_HASH, chainEvents, prepareEvents } from '../hash-chain';

export interface EventStoreDbEventStoreOptions {
  connectionString: string;
  /** Deadline of every call to the server (default 5000 ms). */
  timeoutMs?: number;
  /** Wait of a live subscription between reads (default 500 ms). */
  pollIntervalMs?: number;
}

/** What this adapter adds to each event's EventStoreDB metadata, beside ours. */
interface EnvelopeMetadata {
  $schemaVersion: number;
  $recordedAt: string;
  $previousHash: string;
  $hash: string;
  $correlationId: string;
  $causationId: string;
}

const APPEND_RETRIES = 3;

/**
 * The EventStore port over EventStoreDB. Versions map to revisions (version =
 * revision + 1) and global positions to commit positions.
 *
 * Every call runs under an application-level timeout: the client's own deadline
 * does not fire when a server accepts TCP and never answers.
 *
 * The hash chain is kept the same way as in PostgreSQL, in each event's metadata:
 * an append reads the stream's last event for its hash and revision, then appends
 * expecting exactly that revision, so two writers cannot fork the chain.
 *
 * Unverified on machines without an EventStoreDB server (see the README).
 */
export class EventStoreDbEventStore extends EventStore {
  private readonly client: EventStoreDBClient;
  private readonly timeoutMs: number;
  private readonly pollIntervalMs: number;

  constructor(options: EventStoreDbEventStoreOptions) {
    super();
    this.client = EventStoreDBClient.connectionString(options.connectionString);
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
  }

  async appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    { expectedVersion }: AppendOptions,
  ): Promise<AppendResult> {
    if (typeof streamId !== 'string' || streamId.length === 0 || streamId.startsWith('$')) {
      throw new InvalidEventError('streamId must be a non-empty string not starting with $');
    }
    const prepared = prepareEvents(events);
    for (let attempt = 1; ; attempt++) {
      const last = (await this.readStreamEvents(streamId, { direction: BACKWARDS, fromRevision: END, maxCount: 1 }))[0];
      const currentVersion = last?.streamVersion ?? 0;
      if (!satisfiesExpectedVersion(expectedVersion, currentVersion)) {
        throw new WrongExpectedVersionError(streamId, expectedVersion, currentVersion);
      }
      const recordedAt = new Date();
      const chained = chainEvents(streamId, prepared, { version: currentVersion, hash: last?.hash ?? GENESIS_HASH }, recordedAt);
      try {
        const result = await this.withTimeout('appendToStream', () =>
          this.client.appendToStream(
            streamId,
            chained.map((event) => {
              const metadata = JSON.parse(event.canonicalMetadata) as EventMetadata;
              return jsonEvent({
                id: event.id,
                type: event.type,
                data: JSON.parse(event.canonicalData),
                metadata: {
                  ...metadata,
                  $schemaVersion: event.schemaVersion,
                  $recordedAt: recordedAt.toISOString(),
                  $previousHash: event.previousHash,
                  $hash: event.hash,
                  $correlationId: metadata.correlationId,
                  $causationId: metadata.causationId,
                } satisfies EventMetadata & EnvelopeMetadata,
              });
            }),
            { expectedRevision: currentVersion === 0 ? NO_STREAM : BigInt(currentVersion - 1) },
          ),
        );
        return {
          nextExpectedVersion: Number(result.nextExpectedRevision) + 1,
          lastPosition: Number(result.position?.commit ?? 0n),
        };
      } catch (error) {
        if (!(error instanceof EsdbWrongExpectedVersionError)) throw error;
        // Someone appended between our read of the head and our append. A caller who
        // pinned a version gets the conflict; 'any' and 'stream_exists' try again.
        const retryable = expectedVersion === 'any' || expectedVersion === 'stream_exists';
        if (!retryable || attempt >= APPEND_RETRIES) {
          const actual = error.actualVersion === NO_STREAM ? 0 : Number(error.actualVersion) + 1;
          throw new WrongExpectedVersionError(streamId, expectedVersion, actual);
        }
      }
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const fromVersion = options.fromVersion ?? 1;
    const events = await this.readStreamEvents(streamId, {
      direction: FORWARDS,
      fromRevision: BigInt(Math.max(fromVersion, 1) - 1),
      ...(options.toVersion !== undefined ? { maxCount: Math.max(options.toVersion - fromVersion + 1, 0) } : {}),
    });
    return events.filter(
      (event) =>
        (options.asOf === undefined || event.recordedAt <= options.asOf) &&
        (options.toPosition === undefined || event.globalPosition <= options.toPosition),
    );
  }

  async readAll({ fromPosition = 0, limit = 1000 }: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const collected: RecordedEvent[] = [];
    let from = fromPosition;
    // System events are skipped, so one server page may yield fewer than asked for.
    while (collected.length < limit) {
      const pageSize = limit - collected.length;
      let lastCommit = -1;
      let received = 0;
      const page = await this.collect('readAll', () =>
        this.client.readAll({
          direction: FORWARDS,
          fromPosition: from === 0 ? START : { commit: BigInt(from), prepare: BigInt(from) },
          maxCount: pageSize,
        }),
      );
      for (const resolved of page) {
        received += 1;
        lastCommit = Number(resolved.event?.position?.commit ?? resolved.commitPosition ?? lastCommit);
        if (!resolved.event || isSystemEvent(resolved.event)) continue;
        const event = toRecordedEvent(resolved as ResolvedEvent);
        if (event.globalPosition >= fromPosition) collected.push(event);
      }
      if (received < pageSize) break;
      from = lastCommit + 1;
    }
    return collected;
  }

  async headPosition(): Promise<number> {
    const page = await this.collect('readAll', () =>
      this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }),
    );
    return Number(page[0]?.event?.position?.commit ?? 0n);
  }

  subscribe(options: SubscribeOptions = {}): EventSubscription {
    return new CatchUpSubscription((page) => this.readAll(page), pollingOnly, {
      fromPosition: options.fromPosition ?? 0,
      batchSize: options.batchSize ?? 500,
      pollIntervalMs: this.pollIntervalMs,
    });
  }

  async verifyStream(streamId: string): Promise<ChainVerification> {
    const verifier = new ChainVerifier();
    for (const event of await this.readStream(streamId)) {
      if (!verifier.check(event)) break;
    }
    return verifier.result();
  }

  async verifyAll(): Promise<ChainVerification> {
    const verifier = new ChainVerifier();
    const pageSize = 1000;
    for (let fromPosition = 0; ; ) {
      const page = await this.readAll({ fromPosition, limit: pageSize });
      for (const event of page) {
        if (!verifier.check(event)) return verifier.result();
      }
      if (page.length < pageSize) return verifier.result();
      fromPosition = page[page.length - 1].globalPosition + 1;
    }
  }

  async checkHealth(): Promise<EventStoreHealth> {
    try {
      await this.headPosition();
      return { ok: true };
    } catch (error) {
      return { ok: false, detail: error instanceof Error ? error.message : String(error) };
    }
  }

  async close(): Promise<void> {
    await this.withTimeout('dispose', () => this.client.dispose()).catch(() => undefined);
  }

  private async readStreamEvents(
    streamId: string,
    options: Parameters<EventStoreDBClient['readStream']>[1],
  ): Promise<RecordedEvent[]> {
    try {
      const resolved = await this.collect('readStream', () => this.client.readStream(streamId, options));
      return resolved.filter((item) => item.event).map(toRecordedEvent);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }

  private collect<E>(operation: string, open: () => StreamingRead<E>): Promise<E[]> {
    let read: StreamingRead<E> | undefined;
    return this.withTimeout(
      operation,
      async () => {
        read = open();
        const items: E[] = [];
        for await (const item of read) items.push(item);
        return items;
      },
      () => void read?.cancel().catch(() => undefined),
    );
  }

  private async withTimeout<T>(operation: string, call: () => Promise<T>, onTimeout?: () => void): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        onTimeout?.();
        reject(new EventStoreTimeoutError(operation, this.timeoutMs));
      }, this.timeoutMs);
    });
    try {
      return await Promise.race([call(), timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function isSystemEvent(event: { streamId: string; type: string }): boolean {
  return event.streamId.startsWith('$') || event.type.startsWith('$');
}

function toRecordedEvent(resolved: ResolvedEvent): RecordedEvent {
  const event = resolved.event!;
  const { $schemaVersion, $recordedAt, $previousHash, $hash, $correlationId, $causationId, ...metadata } =
    (event.metadata ?? {}) as EventMetadata & EnvelopeMetadata;
  void $correlationId;
  void $causationId;
  return {
    id: event.id,
    type: event.type,
    schemaVersion: $schemaVersion ?? 1,
    data: event.data,
    metadata: metadata as EventMetadata,
    streamId: event.streamId,
    streamVersion: Number(event.revision) + 1,
    globalPosition: Number(event.position?.commit ?? resolved.commitPosition ?? -1),
    recordedAt: $recordedAt ? new Date($recordedAt) : event.created,
    previousHash: $previousHash ?? '',
    hash: $hash ?? '',
  };
}
