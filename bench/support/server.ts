import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, watch } from '../../test/support/server-process';

const ROOT = join(__dirname, '..', '..');
/**
 * Node's flags (the heap budget) as `npm start` and `npm run cli` run the apps
 * (nest-cli.json's exec; start:prod and the Dockerfile give the same).
 */
const PRODUCTION_NODE_FLAGS = (JSON.parse(readFileSync(join(ROOT, 'nest-cli.json'), 'utf8')).exec as string)
  .split(/\s+/)
  .filter((word) => word.startsWith('--'));

/** A built app (dist/) running as a process of its own, as `npm run start:prod` runs it. */
export interface BenchProcess {
  child: ChildProcess;
  /** The highest resident set size the process has had so far (VmHWM), in bytes. */
  peakRss(): Promise<number>;
  output(): string;
  exited: Promise<number | string>;
  stop(): Promise<void>;
}

export function startBuiltApp(entry: 'server' | 'cli', args: string[], env: Record<string, string>): BenchProcess {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  // BENCH_CPU_PROFILE=folder: each app writes a .cpuprofile there when it exits (open it in Chrome's DevTools).
  const profile = process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : [];
  const child = spawn(process.execPath, [...PRODUCTION_NODE_FLAGS, ...profile, join(ROOT, 'dist', 'apps', entry, 'src', 'main.js'), ...args], {
    cwd: ROOT,
    env: { ...inherited, NODE_ENV: 'production', SEED: 'none', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { output, exited } = watch(child);
  return {
    child,
    peakRss: () => peakRss(child.pid!),
    output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kilobytes = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  // An exited process not yet reaped (a zombie) has no memory figures left.
  if (kilobytes === undefined) throw new Error(`process ${pid} has exited`);
  return Number(kilobytes) * 1024;
}

export interface BenchServer extends BenchProcess {
  baseUrl: string;
  /** A Bearer token of the first administrator. */
  adminToken: string;
  dataDir: string;
}

export async function startBenchServer(databaseUrl: string): Promise<BenchServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'reform-ledger-bench-server-'));
  const port = await freePort();
  // Requests are not logged one by one at warn: the log would measure the terminal, not the server.
  const server = startBuiltApp('server', [], { DATABASE_URL: databaseUrl, PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn', HOST: '127.0.0.1' });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (server.child.exitCode !== null) throw new Error(`the server exited while starting:\n${server.output()}`);
    const healthy = await fetch(`${baseUrl}/health`).then((response) => response.ok, () => false);
    if (healthy) break;
    if (Date.now() > deadline) throw new Error(`the server did not become healthy:\n${server.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const password = (await readFile(join(dataDir, 'initial-admin-password'), 'utf8')).trim();
  const adminToken = await token(baseUrl, 'admin', password);
  return {
    ...server,
    baseUrl,
    adminToken,
    dataDir,
    async stop() {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resolves once every read model of the server follows the log with nothing left to apply (a first build may take minutes). */
export async function projectionsCaughtUp(server: BenchServer, timeoutMs = 30 * 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const statuses = await call<{ name: string; state: string; lagPositions: number }[]>(server.baseUrl, server.adminToken, 'GET', '/api/projections');
    if (statuses.every((status) => status.state === 'following' && status.lagPositions === 0)) return;
    if (Date.now() > deadline) throw new Error(`the read models did not catch up: ${JSON.stringify(statuses)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function token(baseUrl: string, loginId: string, password: string): Promise<string> {
  const response = await fetch(`${baseUrl}/api/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ loginId, password }),
  });
  if (!response.ok) throw new Error(`sign-in of ${loginId} failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { accessToken: string }).accessToken;
}

/** One API call that must succeed; its JSON answer. */
export async function call<T = Record<string, unknown>>(
  baseUrl: string,
  bearer: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return (text ? JSON.parse(text) : {}) as T;
}
