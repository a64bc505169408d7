import { EventStore } from '@app/event-store';
import { ProjectionRunner, ProjectionStatus, itemsProjection, reviewsProjection } from '@app/projections';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, ServiceUnavailableException } from '@nestjs/common';
import { DATABASE_URL } from '../database/database.tokens';

/** How long a query asking for a position (read-your-writes) waits before a 503. */
export const READ_YOUR_WRITES_TIMEOUT_MS = 5000;

/** Runs the read models' projections in the server and answers how far they have got. */
@Injectable()
export class ProjectionsService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Projections');
  private readonly runners: ProjectionRunner[];

  constructor(@Inject(DATABASE_URL) databaseUrl: string, eventStore: EventStore) {
    this.runners = [itemsProjection, reviewsProjection].map(
      (projection) =>
        new ProjectionRunner({ connectionString: databaseUrl }, eventStore, projection, {
          idleMs: 50,
          log: (message) => this.logger.log(message),
        }),
    );
  }

  /** Starts following in the background; queries wait for the read model (see waitFor). */
  onApplicationBootstrap(): void {
    for (const runner of this.runners) runner.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.runners.map((runner) => runner.stop()));
  }

  async status(): Promise<ProjectionStatus[]> {
    return Promise.all(this.runners.map((runner) => runner.status()));
  }

  /**
   * Waits until the read models exist and have applied `position` (read-your-writes);
   * 503 with Retry-After when that takes too long, as while a first build runs.
   */
  async waitFor(position = 0): Promise<void> {
    const caughtUp = await Promise.all(this.runners.map((runner) => runner.waitFor(position, READ_YOUR_WRITES_TIMEOUT_MS)));
    if (caughtUp.every(Boolean)) return;
    throw new ServiceUnavailableException({
      rule: 'read_model.behind',
      message: `読み取りモデルがまだ位置 ${position} に追いついていません。少し待ってからやり直してください`,
      retryAfterSeconds: 1,
    });
  }
}
