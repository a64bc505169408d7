/** Injection token of the PostgreSQL connection string the server runs on. */
export const DATABASE_URL = Symbol('DATABASE_URL');
