import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { APP_FILTER } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { Logger } from 'pino';
import { Environment, validateEnvironment } from './config/environment';
import { DATABASE_URL } from './database/database.tokens';
import { migrations } from './database/migrations';
import { EventStoreModule } from './event-store/event-store.module';
import { EventsModule } from './events/events.module';
import { ExchangeModule } from './exchange/exchange.module';
import { HealthModule } from './health/health.module';
import { IdentityBootstrapModule, IdentityModule } from './identity/identity.module';
import { PlanModule } from './plan/plan.module';
import { ReadModule } from './read/read.module';
import { ReportModule } from './report/report.module';
import { ReviewModule } from './review/review.module';
import { SeedModule } from './seed/seed.module';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { httpLogging } from './logging/logger';

export interface AppRuntime {
  environment: Environment;
  /** The PostgreSQL the server runs on, resolved before the app starts (it may be embedded). */
  databaseUrl: string;
  sessionSecret: string;
  logger: Logger;
}

@Module({})
export class AppModule {
  static register(runtime: AppRuntime): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, validate: validateEnvironment }),
        LoggerModule.forRoot(httpLogging(runtime.logger)),
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: runtime.databaseUrl,
          migrations,
          migrationsRun: true,
          migrationsTransactionMode: 'each',
          autoLoadEntities: true,
          synchronize: false,
          logging: ['error', 'migration'],
        }),
        DatabaseUrlModule.register(runtime.databaseUrl),
        EventStoreModule.register(),
        EventsModule,
        HealthModule,
        IdentityModule.register({
          sessionSecret: runtime.sessionSecret,
          sessionTtlMs: runtime.environment.SESSION_TTL_HOURS * 3_600_000,
          cookieSecure: runtime.environment.COOKIE_SECURE,
        }),
        IdentityBootstrapModule.register({ dataDir: runtime.environment.DATA_DIR, demo: runtime.environment.DEMO }),
        PlanModule,
        ReadModule,
        ExchangeModule,
        ReviewModule.register({
          timerIntervalMs: runtime.environment.REVIEW_TIMER_INTERVAL_SECONDS * 1000,
          mail: { smtpUrl: runtime.environment.SMTP_URL, from: runtime.environment.MAIL_FROM },
        }),
        ReportModule.register({ chromiumPath: runtime.environment.CHROMIUM_PATH }),
        SeedModule.register({ loadOnStart: runtime.environment.SEED }),
      ],
      providers: [{ provide: APP_FILTER, useClass: ProblemDetailsFilter }],
    };
  }
}

@Module({})
class DatabaseUrlModule {
  static register(databaseUrl: string): DynamicModule {
    return {
      module: DatabaseUrlModule,
      global: true,
      providers: [{ provide: DATABASE_URL, useValue: databaseUrl }],
      exports: [DATABASE_URL],
    };
  }
}
