import { randomUUID } from 'node:crypto';
import {
  EventStore,
  ExpectedVersion,
  GENESIS_HASH,
  InvalidEventError,
  NewEvent,
  RecordedEvent,
  WrongExpectedVersionError,
} from '../src';

export interface ContractSubject {
  store: EventStore;
  teardown(): Promise<void>;
}

export function anEvent(type = 'ActualSubmitted', data: unknown = { value: 42 }): NewEvent {
  const commandId = randomUUID();
  return {
    type,
    schemaVersion: 1,
    data,
    metadata: {
      commandId,
      correlationId: commandId,
      causationId: commandId,
      actor: { userId: 'user-1', role: 'department_staff', department: '市民課' },
      occurredAt: '2021-03-31T00:00:00.000Z',
    },
  };
}

export const newStreamId = (prefix = 'stream') => `${prefix}-${randomUUID()}`;

const events = (count: number, type?: string) =>
  Array.from({ length: count }, (_, index) => anEvent(type, { index }));

async function appendOrError(store: EventStore, streamId: string, expectedVersion: ExpectedVersion) {
  try {
    return await store.appendToStream(streamId, [anEvent()], { expectedVersion });
  } catch (error) {
    return error;
  }
}

/** Collects what a subscription delivers until `done` says so or the time runs out. */
async function follow(
  store: EventStore,
  fromPosition: number,
  done: (seen: RecordedEvent[]) => boolean,
  timeoutMs = 60_000,
): Promise<RecordedEvent[]> {
  const subscription = store.subscribe({ fromPosition });
  const seen: RecordedEvent[] = [];
  const timer = setTimeout(() => void subscription.close(), timeoutMs);
  try {
    for await (const event of subscription) {
      seen.push(event);
      if (done(seen)) break;
    }
  } finally {
    clearTimeout(timer);
    await subscription.close();
  }
  return seen;
}

/**
 * What every EventStore adapter must do. Each test uses streams of its own, so
 * the suite also runs against a store that holds other data.
 */
export function eventStoreContract(adapter: string, createSubject: () => Promise<ContractSubject>) {
  describe(`EventStore contract: ${adapter}`, () => {
    let subject: ContractSubject;
    let store: EventStore;

    beforeAll(async () => {
      subject = await createSubject();
      store = subject.store;
    });
    afterAll(() => subject?.teardown());

    describe('appendToStream and readStream', () => {
      it('records the full envelope, numbering versions from 1 and chaining hashes', async () => {
        const streamId = newStreamId();
        const written = [anEvent('ItemRegistered', { title: '窓口のワンストップ化' }), anEvent('TargetSet', { value: 120 })];
        const before = new Date(Date.now() - 1000);

        const result = await store.appendToStream(streamId, written, { expectedVersion: 'no_stream' });
        const read = await store.readStream(streamId);

        expect(result.nextExpectedVersion).toBe(2);
        expect(read.map((event) => event.streamVersion)).toEqual([1, 2]);
        expect(read[1].globalPosition).toBe(result.lastPosition);
        expect(read[0].globalPosition).toBeLessThan(read[1].globalPosition);
        expect(read[0]).toMatchObject({
          type: 'ItemRegistered',
          schemaVersion: 1,
          streamId,
          data: { title: '窓口のワンストップ化' },
          metadata: written[0].metadata,
          previousHash: GENESIS_HASH,
        });
        expect(read[0].id).toMatch(/^[0-9a-f-]{36}$/);
        expect(read[1].previousHash).toBe(read[0].hash);
        expect(read[0].recordedAt.getTime()).toBeGreaterThanOrEqual(before.getTime());
      });

      it('keeps the event id it was given', async () => {
        const streamId = newStreamId();
        const event = { ...anEvent(), id: randomUUID() };
        await store.appendToStream(streamId, [event], { expectedVersion: 'any' });
        expect((await store.readStream(streamId))[0].id).toBe(event.id);
      });

      it('reads a stream that does not exist as empty', async () => {
        expect(await store.readStream(newStreamId())).toEqual([]);
      });

      it('reads a range of versions', async () => {
        const streamId = newStreamId();
        await store.appendToStream(streamId, events(5), { expectedVersion: 'no_stream' });
        const read = await store.readStream(streamId, { fromVersion: 2, toVersion: 4 });
        expect(read.map((event) => event.streamVersion)).toEqual([2, 3, 4]);
      });

      it('reads a stream as it stood at a moment or a global position', async () => {
        const streamId = newStreamId();
        const first = await store.appendToStream(streamId, events(2), { expectedVersion: 'no_stream' });
        const [, second] = await store.readStream(streamId);
        await new Promise((resolve) => setTimeout(resolve, 20));
        await store.appendToStream(streamId, events(1), { expectedVersion: 2 });

        expect((await store.readStream(streamId, { asOf: second.recordedAt })).length).toBe(2);
        expect((await store.readStream(streamId, { toPosition: first.lastPosition })).length).toBe(2);
        expect((await store.readStream(streamId)).length).toBe(3);
      });

      it('refuses an empty append and an event without its metadata, writing nothing', async () => {
        const streamId = newStreamId();
        await expect(store.appendToStream(streamId, [], { expectedVersion: 'any' })).rejects.toBeInstanceOf(
          InvalidEventError,
        );
        const withoutActor = anEvent();
        delete (withoutActor.metadata as Partial<NewEvent['metadata']>).actor;
        await expect(
          store.appendToStream(streamId, [anEvent(), withoutActor], { expectedVersion: 'any' }),
        ).rejects.toThrow('metadata.actor.userId');
        expect(await store.readStream(streamId)).toEqual([]);
      });
    });

    describe('expected versions', () => {
      let streamId: string;
      beforeEach(async () => {
        streamId = newStreamId();
        await store.appendToStream(streamId, events(2), { expectedVersion: 'no_stream' });
      });

      it.each<[ExpectedVersion, number]>([
        [2, 3],
        ['any', 3],
        ['stream_exists', 3],
      ])('accepts %p on a stream at version 2', async (expectedVersion, next) => {
        const result = await store.appendToStream(streamId, [anEvent()], { expectedVersion });
        expect(result.nextExpectedVersion).toBe(next);
      });

      it.each<[ExpectedVersion]>([[1], [3], ['no_stream']])(
        'refuses %p on a stream at version 2, saying what it expected and found',
        async (expectedVersion) => {
          const error = await appendOrError(store, streamId, expectedVersion);
          expect(error).toBeInstanceOf(WrongExpectedVersionError);
          expect(error).toMatchObject({ streamId, expectedVersion, actualVersion: 2 });
          expect((await store.readStream(streamId)).length).toBe(2);
        },
      );

      it('refuses stream_exists and a version on a new stream, with actual version 0', async () => {
        const fresh = newStreamId();
        expect(await appendOrError(store, fresh, 'stream_exists')).toMatchObject({ actualVersion: 0 });
        expect(await appendOrError(store, fresh, 1)).toMatchObject({ actualVersion: 0 });
        expect(await store.readStream(fresh)).toEqual([]);
      });

      it('lets exactly one of 50 concurrent appends expecting the same version win', async () => {
        const outcomes = await Promise.all(Array.from({ length: 50 }, () => appendOrError(store, streamId, 2)));

        const winners = outcomes.filter((outcome) => !(outcome instanceof Error));
        const conflicts = outcomes.filter((outcome) => outcome instanceof WrongExpectedVersionError);
        expect(winners).toHaveLength(1);
        expect(conflicts).toHaveLength(49);
        expect(conflicts[0]).toMatchObject({ expectedVersion: 2, actualVersion: 3 });
        const versions = (await store.readStream(streamId)).map((event) => event.streamVersion);
        expect(versions).toEqual([1, 2, 3]);
      });
    });

    describe('readAll', () => {
      it('returns every stream in global order, from a position (inclusive), up to a limit', async () => {
        const start = (await store.headPosition()) + 1;
        const [a, b] = [newStreamId('a'), newStreamId('b')];
        await store.appendToStream(a, events(2), { expectedVersion: 'no_stream' });
        await store.appendToStream(b, events(1), { expectedVersion: 'no_stream' });
        await store.appendToStream(a, events(1), { expectedVersion: 2 });

        const read = (await store.readAll({ fromPosition: start, limit: 1000 })).filter((event) =>
          [a, b].includes(event.streamId),
        );
        expect(read.map((event) => [event.streamId, event.streamVersion])).toEqual([
          [a, 1],
          [a, 2],
          [b, 1],
          [a, 3],
        ]);
        const positions = read.map((event) => event.globalPosition);
        expect(positions).toEqual([...positions].sort((x, y) => x - y));

        const fromThird = await store.readAll({ fromPosition: read[2].globalPosition, limit: 2 });
        expect(fromThird.map((event) => event.id)).toEqual([read[2].id, read[3].id]);
        expect(await store.headPosition()).toBeGreaterThanOrEqual(read[3].globalPosition);
      });
    });

    describe('subscribe', () => {
      it('catches up from a position, then follows live appends', async () => {
        const streamId = newStreamId();
        const start = (await store.headPosition()) + 1;
        await store.appendToStream(streamId, events(3), { expectedVersion: 'no_stream' });

        const mine = (seen: RecordedEvent[]) => seen.filter((event) => event.streamId === streamId);
        const following = follow(store, start, (seen) => mine(seen).length === 5, 20_000);
        await new Promise((resolve) => setTimeout(resolve, 100));
        await store.appendToStream(streamId, events(2), { expectedVersion: 3 });

        expect(mine(await following).map((event) => event.streamVersion)).toEqual([1, 2, 3, 4, 5]);
      });

      it('delivers every event of 8 concurrent writers once, in global order, while following live', async () => {
        const writers = 8;
        const perWriter = 2000;
        const streams = Array.from({ length: writers }, () => newStreamId('writer'));
        const start = (await store.headPosition()) + 1;
        const ours = new Set(streams);

        const subscriber = follow(
          store,
          start,
          (seen) => seen.filter((event) => ours.has(event.streamId)).length >= writers * perWriter,
          120_000,
        );
        await Promise.all(
          streams.map(async (streamId) => {
            for (let version = 0; version < perWriter; version++) {
              await store.appendToStream(streamId, [anEvent('ActualSubmitted', { version })], {
                expectedVersion: version === 0 ? 'no_stream' : version,
              });
            }
          }),
        );
        const live = await subscriber;
        // A second subscriber catches up over the same range after the fact, page by page.
        const catchingUp = await follow(
          store,
          start,
          (seen) => seen.filter((event) => ours.has(event.streamId)).length >= writers * perWriter,
          120_000,
        );

        for (const seen of [live, catchingUp]) {
          const positions = seen.map((event) => event.globalPosition);
          expect(positions.every((position, index) => index === 0 || position > positions[index - 1])).toBe(true);
          const delivered = seen.filter((event) => ours.has(event.streamId));
          expect(delivered).toHaveLength(writers * perWriter);
          expect(new Set(delivered.map((event) => event.id)).size).toBe(writers * perWriter);
          for (const streamId of streams) {
            const versions = delivered.filter((event) => event.streamId === streamId).map((event) => event.streamVersion);
            expect(versions).toEqual(Array.from({ length: perWriter }, (_, index) => index + 1));
          }
        }
      }, 180_000);
    });

    describe('hash chain verification', () => {
      it('finds an untouched stream and store intact', async () => {
        const streamId = newStreamId();
        await store.appendToStream(streamId, events(3), { expectedVersion: 'no_stream' });
        await store.appendToStream(streamId, events(2), { expectedVersion: 3 });

        const stream = await store.verifyStream(streamId);
        expect(stream).toMatchObject({ ok: true, eventsChecked: 5, streamsChecked: 1 });
        expect(stream.upToPosition).toBe((await store.readStream(streamId))[4].globalPosition);

        const all = await store.verifyAll();
        expect(all.ok).toBe(true);
        expect(all.eventsChecked).toBeGreaterThanOrEqual(5);
        expect(all.upToPosition).toBeGreaterThanOrEqual(stream.upToPosition);
      });
    });
  });
}
