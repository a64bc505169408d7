import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Everything the server printed so far (its JSON log lines). */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
}

/**
 * Runs one of the apps from its TypeScript sources as a process of its own group
 * (so a test can send a terminal's Ctrl-C to the whole group), with the given
 * environment on top of this one minus DATABASE_URL (unless given), and without
 * the seed unless SEED names one.
 */
export function startTsProcess(entry: string, args: string[], env: Record<string, string>): ChildProcess {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  return spawn(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', entry, ...args],
    {
      cwd: ROOT,
      env: { ...inherited, TS_NODE_PROJECT: 'tsconfig.json', SEED: 'none', ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/** Collects a process's output and its end. */
export function watch(child: ChildProcess): { output(): string; exited: Promise<number | string> } {
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  return { output: () => output, exited };
}

/** Starts apps/server as `npm start` would run it, on a free port unless PORT is given. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = env.PORT ?? String(await freePort());
  const child = startTsProcess('apps/server/src/main.ts', [], { LOG_LEVEL: 'info', ...env, PORT: port });
  return { child, baseUrl: `http://127.0.0.1:${port}`, ...watch(child) };
}

/** Waits until GET /health answers 200, or fails with what the server printed. */
export async function waitForHealthy(server: ServerProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedWith: number | string | undefined;
  void server.exited.then((code) => (exitedWith = code));
  while (Date.now() < deadline && exitedWith === undefined) {
    try {
      const response = await fetch(`${server.baseUrl}/health`);
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(
    `server not healthy (${exitedWith === undefined ? 'timed out' : `exited with ${exitedWith}`}):\n${server.output()}`,
  );
}

/** Ports this process has handed out: the OS may offer a port again before whoever took it binds it. */
const handedOut = new Set<number>();

/** A port nothing listens on now, and that this process has not handed out before. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await unusedPort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

function unusedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
