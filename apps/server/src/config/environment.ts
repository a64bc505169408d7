import Joi from 'joi';

export interface Environment {
  NODE_ENV: 'development' | 'production' | 'test';
  HOST: string;
  PORT: number;
  /** Any PostgreSQL; when absent the server runs an embedded one under DATA_DIR. */
  DATABASE_URL?: string;
  DATA_DIR: string;
  EMBEDDED_POSTGRES_PORT: number;
  EVENT_STORE: 'postgres' | 'eventstoredb';
  EVENTSTORE_CONNECTION_STRING?: string;
  EVENTSTORE_TIMEOUT_MS: number;
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** Signs session tokens; when absent, one is generated and kept under DATA_DIR. */
  SESSION_SECRET?: string;
  SESSION_TTL_HOURS: number;
  /** Cookies only over HTTPS; on by default in production. */
  COOKIE_SECURE: boolean;
  /** Seed one user per role for trying the product (also `npm start -- --demo`). */
  DEMO: boolean;
  /** The web UI's production build, served under "/". */
  WEB_DIR: string;
  /** The Chromium that prints reports to PDF (Debian's package by default). */
  CHROMIUM_PATH: string;
  /** The seed loaded on first start (a folder under seeds/, or a path), or "none". */
  SEED: string;
  /** How often due deadline timers (reminders, overdue marks) are looked for. */
  REVIEW_TIMER_INTERVAL_SECONDS: number;
  /** The mail server for the workflow's notifications; without it they are shown in the app only. */
  SMTP_URL?: string;
  MAIL_FROM: string;
}

const schema = Joi.object<Environment, true>({
  NODE_ENV: Joi.string().valid('development', 'production', 'test').default('development'),
  HOST: Joi.string().hostname().default('0.0.0.0'),
  PORT: Joi.number().port().default(3000),
  DATABASE_URL: Joi.string().uri({ scheme: ['postgres', 'postgresql'] }),
  DATA_DIR: Joi.string().default('./data'),
  EMBEDDED_POSTGRES_PORT: Joi.number().port().default(54329),
  EVENT_STORE: Joi.string().valid('postgres', 'eventstoredb').default('postgres'),
  EVENTSTORE_CONNECTION_STRING: Joi.string()
    .uri({ scheme: ['esdb', 'esdb+discover'] })
    .when('EVENT_STORE', { is: 'eventstoredb', then: Joi.required() }),
  EVENTSTORE_TIMEOUT_MS: Joi.number().integer().min(100).default(5000),
  LOG_LEVEL: Joi.string().valid('fatal', 'error', 'warn', 'info', 'debug', 'trace').default('info'),
  SESSION_SECRET: Joi.string().min(32),
  SESSION_TTL_HOURS: Joi.number().min(0.1).max(24 * 30).default(8),
  COOKIE_SECURE: Joi.boolean().truthy('1').falsy('0').default(Joi.ref('$production')),
  DEMO: Joi.boolean().truthy('1').falsy('0').default(false),
  SEED: Joi.string().default('ube'),
  WEB_DIR: Joi.string().default('apps/web/dist'),
  CHROMIUM_PATH: Joi.string().default('/usr/bin/chromium'),
  REVIEW_TIMER_INTERVAL_SECONDS: Joi.number().integer().min(1).max(86_400).default(60),
  SMTP_URL: Joi.string().uri({ scheme: ['smtp', 'smtps'] }),
  MAIL_FROM: Joi.string().default('reform-ledger <no-reply@localhost>'),
}).unknown(true);

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';

  constructor(readonly problems: Array<{ variable: string; problem: string }>) {
    super(
      `Invalid configuration: ${problems.map(({ variable, problem }) => `${variable}: ${problem}`).join('; ')}`,
    );
  }
}

/**
 * Validates the environment and fills in defaults. The one place that says
 * which variables exist; @nestjs/config uses it as its validate function.
 */
export function validateEnvironment(raw: Record<string, unknown>): Environment {
  const { error, value } = schema.validate(raw, {
    abortEarly: false,
    convert: true,
    context: { production: raw.NODE_ENV === 'production' },
  });
  if (error) {
    throw new ConfigurationError(
      error.details.map((detail) => ({
        variable: String(detail.path[0]),
        problem: `${detail.message.replace(/^"[^"]+" /, '')} (got ${JSON.stringify(detail.context?.value ?? null)})`,
      })),
    );
  }
  return value;
}
