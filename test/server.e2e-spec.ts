import { EventStore } from '@app/event-store';
import { INestApplication } from '@nestjs/common';
import { Writable } from 'node:stream';
import request from 'supertest';
import { createLogger } from '../apps/server/src/logging/logger';
import { createTestDatabase, TestDatabase } from './support/test-database';
import { startServerProcess } from './support/server-process';
import { createTestApp } from './support/test-app';

describe('server', () => {
  let database: TestDatabase;
  const logLines: Array<Record<string, any>> = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk, _encoding, done) {
        logLines.push(JSON.parse(String(chunk)));
        done();
      },
    }),
  );

  const createApp = (): Promise<INestApplication> => createTestApp({ databaseUrl: database.url, logger });

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database?.drop());

  describe('with its database and event store up', () => {
    let app: INestApplication;
    beforeAll(async () => (app = await createApp()));
    afterAll(() => app?.close());

    it('is ready: GET /health answers 200 with the database and the event store up', async () => {
      const response = await request(app.getHttpServer()).get('/health').expect(200);
      expect(response.body).toMatchObject({
        status: 'ok',
        info: { database: { status: 'up' }, eventStore: { status: 'up' } },
      });
    });

    it('answers an unknown route with problem+json carrying the request id', async () => {
      const response = await request(app.getHttpServer()).get('/api/no-such-thing').set('X-Request-Id', 'req-42').expect(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.headers['x-request-id']).toBe('req-42');
      expect(JSON.parse(response.text)).toMatchObject({
        type: 'about:blank',
        title: 'Not Found',
        status: 404,
        instance: '/api/no-such-thing',
        requestId: 'req-42',
      });
    });

    it('logs each request as one JSON line with its request and correlation id', async () => {
      const response = await request(app.getHttpServer())
        .get('/api/no-such-thing')
        .set('X-Correlation-Id', 'corr-7')
        .expect(404);
      expect(response.headers['x-request-id']).toBe('corr-7');
      const line = logLines.find((entry) => entry.req?.id === 'corr-7');
      expect(line).toMatchObject({ level: 40, correlationId: 'corr-7', res: { statusCode: 404 } });
    });

    it('gives a request without an id a fresh one', async () => {
      const response = await request(app.getHttpServer()).get('/health').expect(200);
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });
  });

  it('stops being ready when the event store goes away: 503 naming it', async () => {
    const app = await createApp();
    try {
      await app.get(EventStore).close();
      const response = await request(app.getHttpServer()).get('/health').expect(503);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(response.text)).toMatchObject({
        status: 503,
        info: { database: { status: 'up' } },
        error: { eventStore: { status: 'down' } },
      });
    } finally {
      await app.close();
    }
  });

  it('refuses to start on a wrong configuration value, naming the variable', async () => {
    const server = await startServerProcess({ PORT: '3000', EMBEDDED_POSTGRES_PORT: 'not-a-port' });
    expect(await server.exited).toBe(1);
    const fatal = JSON.parse(server.output().trim().split('\n').pop()!);
    expect(fatal.level).toBe(60);
    expect(fatal.msg).toContain('EMBEDDED_POSTGRES_PORT');
    expect(fatal.problems).toEqual([
      expect.objectContaining({ variable: 'EMBEDDED_POSTGRES_PORT', problem: expect.stringContaining('"not-a-port"') }),
    ]);
  });
});
