import { EventStore } from '@app/event-store';
import { ProjectionStatus, ReadModelProgress, statusOf } from '@app/projections';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, ServiceUnavailableException } from '@nestjs/common';
import { once } from 'node:events';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { EVENT_STORE_SETTINGS, EventStoreSettings } from '../event-store/create-event-store';
import { FromProjectionsWorker, ProjectionsWorkerData, SERVER_PROJECTIONS, ToProjectionsWorker } from './projections-worker.messages';

/** How long a query asking for a position (read-your-writes) waits before a 503. */
export const READ_YOUR_WRITES_TIMEOUT_MS = 5000;

/** How long the worker may take to stop its runners before it is terminated. */
const WORKER_STOP_MS = 10_000;
/** Wait before starting the worker again after it died. */
const WORKER_RESTART_MS = 2000;

/**
 * Built, the worker is the .js file beside this one; run from source (ts-node,
 * jest), it is the .ts file, which its thread can load only through ts-node.
 */
const WORKER_FILE = join(__dirname, `projections.worker${extname(__filename)}`);
const WORKER_EXEC_ARGV =
  extname(__filename) === '.ts' && !process.execArgv.some((argument) => argument.includes('ts-node'))
    ? [...process.execArgv, '--require', 'ts-node/register/transpile-only', '--require', 'tsconfig-paths/register']
    : undefined;

/**
 * Runs the read models' projections on a worker thread and answers how far they
 * have got, from the snapshots the worker sends after each step.
 */
@Injectable()
export class ProjectionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projections');
  private readonly progress = SERVER_PROJECTIONS.map(
    ({ name, version }) => new ReadModelProgress({ name, version, state: 'starting', position: 0 }),
  );
  private worker?: Worker;
  private stopping = false;

  constructor(
    @Inject(EVENT_STORE_SETTINGS) private readonly eventStoreSettings: EventStoreSettings,
    private readonly eventStore: EventStore,
  ) {}

  /** Starts following in the background; queries wait for the read model (see waitFor). */
  onApplicationBootstrap(): void {
    this.startWorker();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = once(worker, 'exit');
    worker.postMessage({ type: 'stop' } satisfies ToProjectionsWorker);
    const timer = setTimeout(() => void worker.terminate(), WORKER_STOP_MS);
    await exited;
    clearTimeout(timer);
  }

  async status(): Promise<ProjectionStatus[]> {
    return Promise.all(this.progress.map((progress) => statusOf(progress.snapshot, this.eventStore)));
  }

  /**
   * Waits until the read models exist and have applied `position` (read-your-writes);
   * 503 with Retry-After when that takes too long, as while a first build runs.
   */
  async waitFor(position = 0): Promise<void> {
    const caughtUp = await Promise.all(this.progress.map((progress) => progress.waitFor(position, READ_YOUR_WRITES_TIMEOUT_MS)));
    if (caughtUp.every(Boolean)) return;
    throw new ServiceUnavailableException({
      rule: 'read_model.behind',
      message: `読み取りモデルがまだ位置 ${position} に追いついていません。少し待ってからやり直してください`,
      retryAfterSeconds: 1,
    });
  }

  private startWorker(): void {
    const workerData: ProjectionsWorkerData = { eventStore: this.eventStoreSettings, idleMs: 50 };
    const worker = new Worker(WORKER_FILE, { workerData, execArgv: WORKER_EXEC_ARGV });
    worker.on('message', (message: FromProjectionsWorker) => {
      if (message.type === 'snapshot') this.progress.find((progress) => progress.snapshot.name === message.snapshot.name)?.update(message.snapshot);
      else if (message.level === 'warn') this.logger.warn(message.message);
      else this.logger.log(message.message);
    });
    worker.on('error', (error) => this.logger.error(`projections worker failed: ${error.stack ?? String(error)}`));
    worker.on('exit', (code) => {
      this.worker = undefined;
      for (const progress of this.progress) progress.update({ ...progress.snapshot, state: 'stopped' });
      if (this.stopping) return;
      this.logger.error(`projections worker exited with ${code}; starting it again in ${WORKER_RESTART_MS} ms`);
      setTimeout(() => this.stopping || this.startWorker(), WORKER_RESTART_MS).unref();
    });
    this.worker = worker;
  }
}
