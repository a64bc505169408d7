import { eventStoreMigrations } from '@app/event-store';

/** Every migration of the database, in order: the server and the tests apply these. */
export const migrations = [...eventStoreMigrations];
