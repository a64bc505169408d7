import { PostgresEventStore } from '@app/event-store';
import { Logger } from '@nestjs/common';
import type { Worker } from 'node:worker_threads';
import { generatePlan } from '../../../../test/support/plan-event-generator';
import { createTestDatabase, TestDatabase } from '../../../../test/support/test-database';
import { ProjectionsService } from './projections.service';

describe('ProjectionsService', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  let service: ProjectionsService;

  const append = async (planId: string) => {
    for (const stream of generatePlan({ planId, items: 2, eventsPerItem: 10 })) {
      await store.appendToStream(stream.streamId, stream.events, { expectedVersion: 'no_stream' });
    }
    return store.headPosition();
  };
  /** Read-your-writes, asked again while the read models catch up (each ask gives up after its timeout). */
  const caughtUpWith = async (position: number) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await service.waitFor(position);
      } catch (error) {
        if (attempt === 6) throw error;
      }
    }
  };

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    database = await createTestDatabase();
    store = new PostgresEventStore({ connectionString: database.url });
    service = new ProjectionsService({ adapter: 'postgres', databaseUrl: database.url }, store);
    service.onApplicationBootstrap();
  });
  afterAll(async () => {
    await service?.onApplicationShutdown();
    await store?.close();
    await database?.drop();
  });

  it('keeps the read models up to date from a worker thread, which it starts again when the thread dies', async () => {
    const first = await append('first');
    await caughtUpWith(first);
    expect((await service.status()).map(({ name, state, position }) => ({ name, state, reached: position >= first }))).toEqual([
      { name: 'items', state: 'following', reached: true },
      { name: 'reviews', state: 'following', reached: true },
    ]);

    await (service as unknown as { worker: Worker }).worker.terminate();
    const second = await append('second');
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Nothing in this thread applies events: with the worker gone, the read models stand still.
    expect((await service.status()).map(({ state, position }) => ({ state, reached: position >= second }))).toEqual([
      { state: 'stopped', reached: false },
      { state: 'stopped', reached: false },
    ]);

    await caughtUpWith(second);
    expect((await service.status()).map(({ state }) => state)).toEqual(['following', 'following']);
  }, 60_000);
});
