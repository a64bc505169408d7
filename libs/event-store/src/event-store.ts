/**
 * The event store port. Everything that writes or reads events goes through it;
 * adapters (PostgreSQL, EventStoreDB) implement it and pass one contract suite.
 *
 * Versions and positions:
 * - a stream's version is the number of events in it: a stream with no events is
 *   at version 0, its first event has version 1;
 * - a global position orders every event of the store; it only grows, and a reader
 *   that has seen position p will never later see an event below p.
 */

export interface Actor {
  userId: string;
  role?: string;
  department?: string;
}

export interface EventMetadata {
  commandId: string;
  correlationId: string;
  causationId: string;
  actor: Actor;
  /** Business time: when the fact happened in the world (ISO 8601). */
  occurredAt: string;
  [extra: string]: unknown;
}

export interface NewEvent<Data = unknown> {
  /** A uuid; generated when omitted. */
  id?: string;
  type: string;
  schemaVersion: number;
  data: Data;
  metadata: EventMetadata;
}

export interface RecordedEvent<Data = unknown> {
  id: string;
  type: string;
  schemaVersion: number;
  data: Data;
  metadata: EventMetadata;
  streamId: string;
  streamVersion: number;
  globalPosition: number;
  /** Store time: when the store committed the event. */
  recordedAt: Date;
  /** Hash of the previous event in the stream (all zeros for the first). */
  previousHash: string;
  /** sha256 over previousHash and this event's canonical content. */
  hash: string;
}

export type ExpectedVersion = number | 'no_stream' | 'stream_exists' | 'any';

export interface AppendOptions {
  expectedVersion: ExpectedVersion;
}

export interface AppendResult {
  /** The stream's version after the append: the version of its last event. */
  nextExpectedVersion: number;
  /** Global position of the last event written. */
  lastPosition: number;
}

export interface ReadStreamOptions {
  /** First version to return (inclusive, default 1). */
  fromVersion?: number;
  /** Last version to return (inclusive). */
  toVersion?: number;
  /** Only events the store had recorded at this moment (inclusive). */
  asOf?: Date;
  /** Only events at or below this global position. */
  toPosition?: number;
}

export interface ReadAllOptions {
  /** First global position to return (inclusive, default 0: from the start). */
  fromPosition?: number;
  /** Most events to return (default 1000). */
  limit?: number;
}

export interface SubscribeOptions {
  /** First global position to deliver (inclusive, default 0). */
  fromPosition?: number;
  /** Events fetched per read while catching up (default 500). */
  batchSize?: number;
}

/** Catches up from a position, then follows live appends, until closed. */
export interface EventSubscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export type ChainBreakReason =
  /** The event's stored hash is not the hash of its content. */
  | 'hash_mismatch'
  /** The event's previousHash is not the stored hash of the event before it. */
  | 'previous_hash_mismatch'
  /** A version is missing or repeated. */
  | 'version_gap';

export interface ChainBreak {
  streamId: string;
  streamVersion: number;
  /** Absent when the event at that version is missing altogether. */
  globalPosition?: number;
  reason: ChainBreakReason;
}

export interface ChainVerification {
  ok: boolean;
  /** The first break found, in global order; absent when ok. */
  firstBreak?: ChainBreak;
  eventsChecked: number;
  streamsChecked: number;
  /** The highest global position covered by the check (0 for an empty range). */
  upToPosition: number;
}

export interface EventStoreHealth {
  ok: boolean;
  detail?: string;
}

/**
 * Abstract class rather than interface so that it can serve as Nest's
 * injection token while the library itself stays free of Nest.
 */
export abstract class EventStore {
  /**
   * Appends all events atomically, or none. Fails with WrongExpectedVersionError
   * when the stream is not at the expected version.
   */
  abstract appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult>;

  /** The stream's events in version order; empty for a stream that does not exist. */
  abstract readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /** Events of all streams in global-position order. */
  abstract readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;

  /**
   * The global position of the last event committed (0 when empty). readAll may
   * reach it a moment later: a store can hold an event back until every write
   * begun before it has ended, so that no reader passes over one still to come.
   */
  abstract headPosition(): Promise<number>;

  abstract subscribe(options?: SubscribeOptions): EventSubscription;

  abstract verifyStream(streamId: string): Promise<ChainVerification>;

  abstract verifyAll(): Promise<ChainVerification>;

  abstract checkHealth(): Promise<EventStoreHealth>;

  abstract close(): Promise<void>;
}

export class WrongExpectedVersionError extends Error {
  override readonly name = 'WrongExpectedVersionError';

  constructor(
    readonly streamId: string,
    readonly expectedVersion: ExpectedVersion,
    /** The stream's version when the append was refused (0: no stream). */
    readonly actualVersion: number,
  ) {
    super(
      `Stream ${streamId} is at version ${actualVersion}, the append expected ${String(expectedVersion)}`,
    );
  }
}

export class EventStoreTimeoutError extends Error {
  override readonly name = 'EventStoreTimeoutError';

  constructor(
    readonly operation: string,
    readonly timeoutMs: number,
  ) {
    super(`Event store call ${operation} did not answer within ${timeoutMs} ms`);
  }
}

export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

/** Whether a stream now at actualVersion satisfies the expectation. */
export function satisfiesExpectedVersion(expected: ExpectedVersion, actualVersion: number): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actualVersion === 0;
    case 'stream_exists':
      return actualVersion > 0;
    default:
      return expected === actualVersion;
  }
}
