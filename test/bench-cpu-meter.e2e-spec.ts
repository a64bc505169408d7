import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Client } from 'pg';
import { postmasterOf, startCpuMeter } from '../bench/support/cpu';
import { createTestDatabase, TestDatabase } from './support/test-database';

/** The benchmark's CPU meter, against real processes: a Node child and the test run's PostgreSQL. */
describe('bench CPU meter', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database.drop();
  });

  it('counts a child process that has ended, by what it burned', async () => {
    const meter = startCpuMeter('ended children', undefined);
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 400; while (Date.now() < end);']);
    await new Promise((resolve) => child.on('exit', resolve));
    const use = meter.stop();
    expect(use.nodeMs).toBeGreaterThanOrEqual(300);
    expect(use.nodeMs).toBeLessThan(2 * use.wallMs);
    expect(use.postgresMs).toBeUndefined();
  });

  it('counts the work of PostgreSQL backends, those that have ended too', async () => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    const backendPid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
    const postmasterPid = postmasterOf(backendPid);
    expect(postmasterPid).toBeGreaterThan(1);

    const meter = startCpuMeter('self', postmasterPid);
    await client.query('SELECT sum(i) FROM generate_series(1, 20000000) AS i');
    await client.end();
    // Until the postmaster has waited for the backend, its CPU is in neither count.
    for (let waited = 0; existsSync(`/proc/${backendPid}`) && waited < 5_000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const use = meter.stop();
    expect(existsSync(`/proc/${backendPid}`)).toBe(false);
    expect(use.postgresMs).toBeGreaterThan(200);
    expect(use.postgresMs).toBeLessThan(2 * use.wallMs);
  });
});
