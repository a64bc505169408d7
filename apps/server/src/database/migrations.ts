import { eventStoreMigrations } from '@app/event-store';
import { CreateAuthTables1763910000000 } from '../auth/migrations/1763910000000-create-auth-tables';

/** Every migration of the database, in order: the server and the tests apply these. */
export const migrations = [...eventStoreMigrations, CreateAuthTables1763910000000];
