import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresEventStore } from '@app/event-store';
import { isAlive } from '../apps/server/src/database/embedded-database';
import { anEvent, newStreamId } from '../libs/event-store/test/event-store.contract';
import { ServerProcess, freePort, startServerProcess, waitForHealthy } from './support/server-process';

/**
 * The server as `npm start` runs it: an embedded PostgreSQL under DATA_DIR,
 * stopped, killed and restarted the ways a real machine does it.
 */
describe('server on its embedded PostgreSQL', () => {
  let dataDir: string;
  let env: Record<string, string>;
  let server: ServerProcess | undefined;

  const clusterDir = () => join(dataDir, 'postgres');
  const pidFile = () => join(clusterDir(), 'postmaster.pid');

  async function start(): Promise<ServerProcess> {
    server = await startServerProcess(env);
    await waitForHealthy(server);
    return server;
  }

  async function withStore<T>(work: (store: PostgresEventStore) => Promise<T>): Promise<T> {
    const password = (await readFile(`${clusterDir()}.password`, 'utf8')).trim();
    const store = new PostgresEventStore({
      connectionString: `postgres://postgres:${password}@localhost:${env.EMBEDDED_POSTGRES_PORT}/reform_ledger`,
    });
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  }

  function postmasterPid(): Promise<number> {
    return readFile(pidFile(), 'utf8').then((text) => Number(text.split('\n')[0]));
  }


  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'reform-ledger-data-'));
    await chmod(dataDir, 0o755);
    env = {
      DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(await freePort()),
      PORT: String(await freePort()),
    };
  });

  afterEach(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      process.kill(-server.child.pid!, 'SIGTERM');
      await server.exited;
    }
  });

  afterAll(async () => {
    if (existsSync(pidFile())) {
      const pid = await postmasterPid();
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps every event across a SIGTERM and a restart, and stops its PostgreSQL on the way out', async () => {
    const first = await start();
    const streamId = newStreamId();
    await withStore((store) =>
      store.appendToStream(streamId, Array.from({ length: 25 }, () => anEvent()), { expectedVersion: 'no_stream' }),
    );
    const postgresPid = await postmasterPid();

    process.kill(first.child.pid!, 'SIGTERM');
    expect(await first.exited).toBe(0);
    expect(isAlive(postgresPid)).toBe(false);
    expect(existsSync(pidFile())).toBe(false);

    await start();
    await withStore(async (store) => {
      expect((await store.readStream(streamId)).map((event) => event.streamVersion)).toEqual(
        Array.from({ length: 25 }, (_, index) => index + 1),
      );
      expect((await store.verifyStream(streamId)).ok).toBe(true);
    });
  });

  it('stops cleanly on a terminal Ctrl-C, which reaches PostgreSQL too', async () => {
    const running = await start();
    const postgresPid = await postmasterPid();

    process.kill(-running.child.pid!, 'SIGINT');

    expect(await running.exited).toBe(0);
    expect(isAlive(postgresPid)).toBe(false);
  });

  it('starts after being killed outright, shutting down the PostgreSQL it left running', async () => {
    const killed = await start();
    const streamId = newStreamId();
    await withStore((store) => store.appendToStream(streamId, [anEvent()], { expectedVersion: 'no_stream' }));
    const orphan = await postmasterPid();

    process.kill(killed.child.pid!, 'SIGKILL');
    await killed.exited;
    expect(isAlive(orphan)).toBe(true);

    const restarted = await start();
    expect(isAlive(orphan)).toBe(false);
    expect(restarted.output()).toContain('stopping a PostgreSQL left running by an earlier server');
    await withStore(async (store) => expect(await store.readStream(streamId)).toHaveLength(1));
  });

  it('starts over a stale postmaster.pid whose process is gone', async () => {
    const running = await start();
    const stalePid = await postmasterPid();
    const pidFileText = await readFile(pidFile(), 'utf8');
    process.kill(running.child.pid!, 'SIGTERM');
    await running.exited;
    // As a power cut leaves it: the file still names a postmaster that no longer runs.
    await writeFile(pidFile(), pidFileText);
    expect(isAlive(stalePid)).toBe(false);

    const restarted = await start();
    expect(restarted.output()).toContain('removing a stale');
  });
});
