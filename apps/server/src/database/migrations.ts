import { eventStoreMigrations } from '@app/event-store';
import { projectionMigrations } from '@app/projections';
import { CreateAuthTables1763910000000 } from '../auth/migrations/1763910000000-create-auth-tables';
import { CreateIdempotencyKeys1763920000000 } from '../http/migrations/1763920000000-create-idempotency-keys';
import { CreateReviewTables1764000000000 } from '../review/migrations/1764000000000-create-review-tables';

/** Every migration of the database, in order: the server and the tests apply these. */
export const migrations = [
  ...eventStoreMigrations,
  CreateAuthTables1763910000000,
  CreateIdempotencyKeys1763920000000,
  ...projectionMigrations,
  CreateReviewTables1764000000000,
];
