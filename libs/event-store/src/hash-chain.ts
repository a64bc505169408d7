import { createHash, randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';
import {
  ChainBreak,
  ChainVerification,
  EventMetadata,
  InvalidEventError,
  NewEvent,
  RecordedEvent,
} from './event-store';

/** The previousHash of a stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What the hash covers: everything about an event except its global position. */
export interface HashedContent {
  id: string;
  streamId: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: EventMetadata;
  recordedAt: Date;
}

/**
 * sha256 over the previous hash and the RFC 8785 canonical JSON of the content,
 * so any store (or an auditor with a JSON export) computes the same bytes.
 * The global position is left out: it is assigned under the store's ordering
 * lock, after the hash is computed, and the chain runs per stream anyway.
 */
export function hashEvent(previousHash: string, content: HashedContent): string {
  return hashCanonical(previousHash, canonicalContent(content, canonicalJson(content.data), canonicalJson(content.metadata)));
}

function hashCanonical(previousHash: string, canonical: string): string {
  return createHash('sha256').update(previousHash).update('\n').update(canonical).digest('hex');
}

/**
 * RFC 8785 canonical JSON (sorted keys, ECMAScript number form): the bytes
 * `canonicalize` writes. JSON.stringify already writes strings and numbers the
 * RFC's way, so only the key order is left to do: objects whose keys are out of
 * order are copied in order, and stringify writes the text natively
 * (canonicalize builds it piece by piece, which was a quarter of the CPU of a
 * 100-event append). JavaScript lists integer-like keys ("7", "2020") first
 * whatever order they are given in, so values with such keys go to canonicalize.
 */
export function canonicalJson(value: unknown): string {
  const json = value ?? null;
  const ordered = inKeyOrder(json);
  return ordered === HAS_INTEGER_KEYS ? canonicalize(json)! : JSON.stringify(ordered);
}

const HAS_INTEGER_KEYS = Symbol('has integer-like keys');
const INTEGER_LIKE = /^(?:0|[1-9]\d*)$/;

/** The value with every object's keys in code-unit order: itself when they already are. */
function inKeyOrder(value: unknown): unknown {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new Error(`${value} is not allowed in JSON`);
  if (value === null || typeof value !== 'object') return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return inKeyOrder((value as { toJSON(): unknown }).toJSON());
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < value.length; index++) {
      const ordered = inKeyOrder(value[index]);
      if (ordered === HAS_INTEGER_KEYS) return HAS_INTEGER_KEYS;
      if (ordered !== value[index]) (copy ??= value.slice())[index] = ordered;
    }
    return copy ?? value;
  }
  const keys = Object.keys(value);
  const record = value as Record<string, unknown>;
  let changed = false;
  const entries: [string, unknown][] = [];
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index];
    if (INTEGER_LIKE.test(key)) return HAS_INTEGER_KEYS;
    if (index > 0 && keys[index - 1] > key) changed = true;
    const ordered = inKeyOrder(record[key]);
    if (ordered === HAS_INTEGER_KEYS) return HAS_INTEGER_KEYS;
    if (ordered !== record[key]) changed = true;
    entries.push([key, ordered]);
  }
  if (!changed) return value;
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
}

/**
 * The canonical JSON of an event's content, put together from its data and
 * metadata already in canonical form: the same string canonicalize() gives for
 * the whole object (its keys in sorted order), without walking data and
 * metadata again for every hash, and reusable for the store's own write.
 */
export function canonicalContent(
  content: Omit<HashedContent, 'data' | 'metadata'>,
  canonicalData: string,
  canonicalMetadata: string,
): string {
  return (
    `{"data":${canonicalData},"id":${JSON.stringify(content.id)},"metadata":${canonicalMetadata},` +
    `"recordedAt":${JSON.stringify(content.recordedAt.toISOString())},"schemaVersion":${content.schemaVersion},` +
    `"streamId":${JSON.stringify(content.streamId)},"streamVersion":${content.streamVersion},` +
    `"type":${JSON.stringify(content.type)}}`
  );
}

/** A new event checked and put in the form it will be stored and hashed in. */
export interface PreparedEvent {
  id: string;
  type: string;
  schemaVersion: number;
  /** data and metadata as canonical JSON: what the store keeps, and what the hash covers. */
  canonicalData: string;
  canonicalMetadata: string;
}

/**
 * Validates new events and gives them the shape they will have when read back:
 * ids assigned, data and metadata serialised once, canonically (as every store
 * keeps them as JSON), so the hash computed now equals the hash recomputed from
 * a read.
 */
export function prepareEvents(events: readonly NewEvent[]): PreparedEvent[] {
  if (events.length === 0) throw new InvalidEventError('An append needs at least one event');
  return events.map((event, index) => {
    const where = `event ${index + 1} of ${events.length}`;
    if (typeof event.type !== 'string' || event.type.length === 0 || event.type.startsWith('$')) {
      throw new InvalidEventError(`${where}: type must be a non-empty string not starting with $`);
    }
    if (!Number.isInteger(event.schemaVersion) || event.schemaVersion < 1) {
      throw new InvalidEventError(`${where}: schemaVersion must be a positive integer`);
    }
    if (event.id !== undefined && !UUID.test(event.id)) {
      throw new InvalidEventError(`${where}: id must be a uuid`);
    }
    const metadata = event.metadata;
    for (const field of ['commandId', 'correlationId', 'causationId', 'occurredAt'] as const) {
      if (typeof metadata?.[field] !== 'string' || metadata[field].length === 0) {
        throw new InvalidEventError(`${where}: metadata.${field} is required`);
      }
    }
    if (typeof metadata.actor?.userId !== 'string' || metadata.actor.userId.length === 0) {
      throw new InvalidEventError(`${where}: metadata.actor.userId is required`);
    }
    return {
      id: (event.id ?? randomUUID()).toLowerCase(),
      type: event.type,
      schemaVersion: event.schemaVersion,
      canonicalData: canonicalJson(event.data),
      canonicalMetadata: canonicalJson(metadata),
    };
  });
}

export interface ChainedEvent extends PreparedEvent {
  streamVersion: number;
  previousHash: string;
  hash: string;
}

/** Chains prepared events onto a stream whose last hash and version are given. */
export function chainEvents(
  streamId: string,
  events: readonly PreparedEvent[],
  head: { version: number; hash: string },
  recordedAt: Date,
): ChainedEvent[] {
  let previousHash = head.hash;
  return events.map((event, index) => {
    const streamVersion = head.version + index + 1;
    const content = { id: event.id, streamId, streamVersion, type: event.type, schemaVersion: event.schemaVersion, recordedAt };
    const hash = hashCanonical(previousHash, canonicalContent(content, event.canonicalData, event.canonicalMetadata));
    const chained = { ...event, streamVersion, previousHash, hash };
    previousHash = hash;
    return chained;
  });
}

/**
 * Walks events in global order (any number of streams, each in version order)
 * and reports the first place where a stream's chain breaks.
 */
export class ChainVerifier {
  private readonly heads = new Map<string, { version: number; hash: string }>();
  private eventsChecked = 0;
  private upToPosition = 0;
  private firstBreak?: ChainBreak;

  /** Checks one event; returns false once a break has been found. */
  check(event: RecordedEvent): boolean {
    if (this.firstBreak) return false;
    this.eventsChecked += 1;
    this.upToPosition = Math.max(this.upToPosition, event.globalPosition);
    const head = this.heads.get(event.streamId) ?? { version: 0, hash: GENESIS_HASH };
    this.heads.set(event.streamId, head);
    const reason =
      event.streamVersion !== head.version + 1
        ? 'version_gap'
        : event.previousHash !== head.hash
          ? 'previous_hash_mismatch'
          : hashEvent(event.previousHash, event) !== event.hash
            ? 'hash_mismatch'
            : undefined;
    if (reason) {
      this.firstBreak = {
        streamId: event.streamId,
        streamVersion: event.streamVersion,
        globalPosition: event.globalPosition,
        reason,
      };
      return false;
    }
    this.heads.set(event.streamId, { version: event.streamVersion, hash: event.hash });
    return true;
  }

  /** Checks that a stream's events, as walked so far, end at its recorded version. */
  expectHead(streamId: string, recordedVersion: number): void {
    if (this.firstBreak) return;
    const walkedVersion = this.heads.get(streamId)?.version ?? 0;
    if (walkedVersion !== recordedVersion) {
      this.firstBreak = { streamId, streamVersion: walkedVersion + 1, reason: 'version_gap' };
    }
  }

  result(): ChainVerification {
    return {
      ok: !this.firstBreak,
      ...(this.firstBreak ? { firstBreak: this.firstBreak } : {}),
      eventsChecked: this.eventsChecked,
      streamsChecked: this.heads.size,
      upToPosition: this.upToPosition,
    };
  }
}

/**
 * One hash for the whole store up to a position: sha256 folded over every
 * event's own hash in global order, from the genesis hash. Each event's hash
 * already covers its stream's history, so the root pins every event up to
 * the position; a reader with a JSON export recomputes it the same way.
 */
export function foldRoot(root: string, eventHash: string): string {
  return createHash('sha256').update(root).update(eventHash).digest('hex');
}
