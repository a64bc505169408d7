import { EventStoreDbEventStore, EventStoreTimeoutError } from '../src';
import { createServer, Server, Socket } from 'node:net';
import { eventStoreContract, newStreamId } from './event-store.contract';

const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;

if (connectionString) {
  eventStoreContract('EventStoreDB', async () => {
    const store = new EventStoreDbEventStore({ connectionString });
    return { store, teardown: () => store.close() };
  });
} else {
  describe('EventStore contract: EventStoreDB', () => {
    it.skip('needs EVENTSTORE_CONNECTION_STRING pointing at a running EventStoreDB', () => undefined);
  });
  // eslint-disable-next-line no-console
  console.info(
    'EventStoreDB contract suite skipped: EVENTSTORE_CONNECTION_STRING is not set, so the EventStoreDB adapter is unverified on this machine.',
  );
}

describe('EventStoreDbEventStore against a server that accepts connections and never answers', () => {
  let silent: Server;
  const sockets = new Set<Socket>();
  let port: number;

  beforeAll(async () => {
    silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  it('gives up after its own timeout instead of hanging', async () => {
    const store = new EventStoreDbEventStore({
      connectionString: `esdb://127.0.0.1:${port}?tls=false`,
      timeoutMs: 300,
    });
    try {
      const started = Date.now();
      await expect(store.readStream(newStreamId())).rejects.toBeInstanceOf(EventStoreTimeoutError);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(await store.checkHealth()).toMatchObject({ ok: false });
    } finally {
      await store.close();
    }
  });
});
