import { ConfigurationError, validateEnvironment } from './environment';

describe('validateEnvironment', () => {
  it('fills in the defaults of an empty environment', () => {
    expect(validateEnvironment({})).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      DATA_DIR: './data',
      EMBEDDED_POSTGRES_PORT: 54329,
      EVENT_STORE: 'postgres',
      EVENTSTORE_TIMEOUT_MS: 5000,
      LOG_LEVEL: 'info',
    });
  });

  it('converts numbers given as text', () => {
    expect(validateEnvironment({ PORT: '8080' }).PORT).toBe(8080);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://localhost/db' }, 'DATABASE_URL'],
    [{ EVENT_STORE: 'kafka' }, 'EVENT_STORE'],
    [{ EVENT_STORE: 'eventstoredb' }, 'EVENTSTORE_CONNECTION_STRING'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
  ])('refuses %p, naming %s', (environment, variable) => {
    expect(() => validateEnvironment(environment)).toThrow(ConfigurationError);
    try {
      validateEnvironment(environment);
    } catch (error) {
      expect((error as ConfigurationError).problems.map((problem) => problem.variable)).toEqual([variable]);
      expect((error as Error).message).toContain(variable);
    }
  });

  it('reports every wrong variable at once', () => {
    expect(() => validateEnvironment({ PORT: 'x', LOG_LEVEL: 'y' })).toThrow(/PORT: .*; LOG_LEVEL: /);
  });

  it('accepts an EventStoreDB connection string when that store is chosen', () => {
    const environment = validateEnvironment({
      EVENT_STORE: 'eventstoredb',
      EVENTSTORE_CONNECTION_STRING: 'esdb://eventstore:2113?tls=false',
    });
    expect(environment.EVENTSTORE_CONNECTION_STRING).toBe('esdb://eventstore:2113?tls=false');
  });
});
