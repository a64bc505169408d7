import { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { AppModule } from '../../apps/server/src/app.module';
import { validateEnvironment } from '../../apps/server/src/config/environment';
import { configureApp } from '../../apps/server/src/http/configure-app';
import { createLogger } from '../../apps/server/src/logging/logger';

export interface TestAppOptions {
  databaseUrl: string;
  logger?: Logger;
  environment?: Record<string, string>;
  /** Providers to replace, as [token, value]. */
  overrides?: Array<[unknown, unknown]>;
}

/** The HTTP app as main.ts builds it, in-process, on a test database. */
export async function createTestApp(options: TestAppOptions): Promise<INestApplication> {
  const environment = validateEnvironment({
    DATA_DIR: await mkdtemp(join(tmpdir(), 'reform-ledger-app-')),
    SEED: 'none',
    ...options.environment,
  });
  let builder = Test.createTestingModule({
    imports: [
      AppModule.register({
        environment,
        databaseUrl: options.databaseUrl,
        sessionSecret: randomBytes(32).toString('hex'),
        logger: options.logger ?? createLogger('silent'),
      }),
    ],
  });
  for (const [token, value] of options.overrides ?? []) {
    builder = builder.overrideProvider(token as never).useValue(value);
  }
  const app = (await builder.compile()).createNestApplication({ bufferLogs: true });
  app.useLogger(app.get(NestPinoLogger));
  configureApp(app, { webDir: environment.WEB_DIR });
  await app.init();
  return app;
}
