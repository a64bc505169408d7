import { EventStore } from '@app/event-store';
import { INestApplication } from '@nestjs/common';
import { readFile, stat } from 'node:fs/promises';
import { Writable } from 'node:stream';
import request from 'supertest';
import * as passwords from '../apps/server/src/auth/passwords';
import { createLogger } from '../apps/server/src/logging/logger';
import { IdentityFixtures, PASSWORD } from './support/identity-fixtures';
import { createTestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

describe('identity and access', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let fixtures: IdentityFixtures;
  let logText = '';
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    database = await createTestDatabase();
    const logger = createLogger(
      'debug',
      new Writable({
        write(chunk, _encoding, done) {
          logText += String(chunk);
          done();
        },
      }),
    );
    app = await createTestApp({ databaseUrl: database.url, logger });
    fixtures = new IdentityFixtures(app);
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  describe('first start on an empty database', () => {
    it('creates the administrator "admin", whose password is in a private file and nowhere in the log', async () => {
      const line = logText.split('\n').find((entry) => entry.includes('初回管理者を作成しました'));
      expect(line).toBeDefined();
      const file = JSON.parse(line!).msg.match(/初期パスワードは (.+) にあります/)[1];
      const password = (await readFile(file, 'utf8')).trim();
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(password.length).toBeGreaterThanOrEqual(20);
      expect(logText).not.toContain(password);

      const response = await http().post('/api/auth/token').send({ loginId: 'admin', password }).expect(200);
      const me = await http().get('/api/auth/me').auth(response.body.accessToken, { type: 'bearer' }).expect(200);
      expect(me.body).toMatchObject({ userId: 'admin', roles: [{ role: 'administrator' }] });
    });
  });

  describe('signing in', () => {
    let userId: string;
    beforeAll(async () => (userId = await fixtures.user('auditor')));

    it('gives a browser an HttpOnly SameSite session cookie and a CSRF token, never the session token', async () => {
      const response = await http().post('/api/auth/login').send({ loginId: userId, password: PASSWORD }).expect(200);
      const cookies = response.headers['set-cookie'] as unknown as string[];
      expect(cookies.find((cookie) => cookie.startsWith('rl_session='))).toMatch(/HttpOnly/);
      expect(cookies.find((cookie) => cookie.startsWith('rl_session='))).toMatch(/SameSite=Strict/);
      expect(response.body.csrfToken).toEqual(expect.any(String));
      expect(JSON.stringify(response.body)).not.toMatch(/accessToken|token"/);
      expect(response.body.user).toMatchObject({ userId, roles: [{ role: 'auditor' }] });
    });

    it('asks a cookie session for its CSRF token on changes, not on reads', async () => {
      const agent = request.agent(app.getHttpServer());
      const login = await agent.post('/api/auth/login').send({ loginId: userId, password: PASSWORD }).expect(200);
      await agent.get('/api/auth/me').expect(200);

      const refused = await agent.post('/api/auth/logout').expect(403);
      expect(JSON.parse(refused.text)).toMatchObject({ rule: 'csrf.token_mismatch' });
      await agent.post('/api/auth/logout').set('X-CSRF-Token', login.body.csrfToken).expect(204);
      await agent.get('/api/auth/me').expect(401);
    });

    it('answers a wrong password and an unknown user alike, after the same work', async () => {
      const verify = jest.spyOn(passwords, 'verifyPassword');
      const wrongPassword = await http().post('/api/auth/token').send({ loginId: userId, password: 'not the password' });
      const unknownUser = await http().post('/api/auth/token').send({ loginId: 'nobody-at-all', password: PASSWORD });
      expect(verify).toHaveBeenCalledTimes(2);
      verify.mockRestore();

      expect(wrongPassword.status).toBe(401);
      expect(unknownUser.status).toBe(401);
      const withoutRequestId = (text: string) => ({ ...JSON.parse(text), requestId: undefined });
      expect(withoutRequestId(wrongPassword.text)).toEqual(withoutRequestId(unknownUser.text));
      expect(JSON.parse(wrongPassword.text)).toMatchObject({ rule: 'authentication.failed', status: 401 });
    });

    it('never logs a password', async () => {
      const password = 'a password that must not leak 7f3a';
      const leaky = await fixtures.user('auditor', [], password);
      await http().post('/api/auth/login').send({ loginId: leaky, password }).expect(200);
      await http().post('/api/auth/login').send({ loginId: leaky, password: `${password}-wrong` }).expect(401);
      expect(logText).toContain(leaky);
      expect(logText).not.toContain(password);
    });

    it('stores passwords as argon2id hashes only', async () => {
      const { Client } = await import('pg');
      const sql = new Client({ connectionString: database.url });
      await sql.connect();
      try {
        const { rows } = await sql.query('SELECT password_hash FROM credentials WHERE user_id = $1', [userId]);
        expect(rows[0].password_hash).toMatch(/^\$argon2id\$/);
        expect(rows[0].password_hash).not.toContain(PASSWORD);
      } finally {
        await sql.end();
      }
    });
  });

  describe('password change', () => {
    it('takes the current password, ends the other sessions, and records the change without the secret', async () => {
      const userId = await fixtures.user('management');
      const kept = await fixtures.token(userId);
      const other = await fixtures.token(userId);
      const newPassword = 'a brand new long password';

      const wrong = await http()
        .post('/api/auth/password')
        .auth(kept, { type: 'bearer' })
        .send({ currentPassword: 'wrong', newPassword })
        .expect(422);
      expect(JSON.parse(wrong.text).errors).toEqual([expect.objectContaining({ field: 'currentPassword' })]);

      await http()
        .post('/api/auth/password')
        .auth(kept, { type: 'bearer' })
        .send({ currentPassword: PASSWORD, newPassword })
        .expect(204);

      await http().get('/api/auth/me').auth(kept, { type: 'bearer' }).expect(200);
      await http().get('/api/auth/me').auth(other, { type: 'bearer' }).expect(401);
      await http().post('/api/auth/token').send({ loginId: userId, password: PASSWORD }).expect(401);
      await http().post('/api/auth/token').send({ loginId: userId, password: newPassword }).expect(200);
      const events = await app.get(EventStore).readStream(`user-${userId}`);
      expect(events.at(-1)).toMatchObject({ type: 'PasswordChanged', data: { changedBy: 'self' } });
      expect(JSON.stringify(events)).not.toContain(newPassword);
    });
  });

  describe('disabling a user', () => {
    it('ends their sessions at once and refuses their sign-in', async () => {
      const admin = await fixtures.token(await fixtures.user('administrator'));
      const userId = await fixtures.user('reviewer');
      const session = await fixtures.token(userId);

      await http()
        .post(`/api/users/${userId}/disable`)
        .auth(admin, { type: 'bearer' })
        .send({ reason: '異動のため' })
        .expect(200);

      const refused = await http().get('/api/auth/me').auth(session, { type: 'bearer' }).expect(401);
      expect(refused.headers['content-type']).toMatch(/problem\+json/);
      await http().post('/api/auth/token').send({ loginId: userId, password: PASSWORD }).expect(401);
    });
  });

  describe('administration through the API', () => {
    it('creates a user with roles, who can sign in; refuses a second user with the same login id', async () => {
      const admin = await fixtures.token(await fixtures.user('administrator'));
      const divisionId = await fixtures.division();
      const body = {
        loginId: 'yamada.taro',
        displayName: '山田 太郎',
        divisionId,
        password: 'initial password 123',
        roles: [{ role: 'department_staff', divisionIds: [divisionId] }],
      };

      const created = await http().post('/api/users').auth(admin, { type: 'bearer' }).send(body).expect(201);
      expect(created.body).toMatchObject({ userId: 'yamada.taro', version: 2, position: expect.any(Number) });
      expect(JSON.stringify(created.body)).not.toContain(body.password);
      const user = await http().get('/api/users/yamada.taro').auth(admin, { type: 'bearer' }).expect(200);
      expect(user.body.roles).toEqual([{ role: 'department_staff', label: '担当課職員', divisionIds: [divisionId] }]);
      expect(JSON.stringify(user.body)).not.toMatch(/password/i);

      const again = await http().post('/api/users').auth(admin, { type: 'bearer' }).send(body).expect(409);
      expect(JSON.parse(again.text)).toMatchObject({ rule: 'user.already_registered' });
      await http().post('/api/auth/token').send({ loginId: 'yamada.taro', password: body.password }).expect(200);
    });

    it('refuses bad input with problem+json naming each field and rule, writing nothing', async () => {
      const admin = await fixtures.token(await fixtures.user('administrator'));
      const before = await app.get(EventStore).headPosition();
      const response = await http()
        .post('/api/users')
        .auth(admin, { type: 'bearer' })
        .send({ loginId: 'X', displayName: '', password: 'short', roles: [{ role: 'king' }], extra: 1 })
        .expect(400);
      const problem = JSON.parse(response.text);
      expect(response.headers['content-type']).toMatch(/problem\+json/);
      expect(problem.errors.map((error: { field: string; rule: string }) => `${error.field}:${error.rule}`)).toEqual(
        expect.arrayContaining([
          'loginId:matches',
          'displayName:isLength',
          'password:isLength',
          'roles.0.role:isIn',
          'extra:whitelistValidation',
        ]),
      );
      expect(await app.get(EventStore).headPosition()).toBe(before);
    });

    it('refuses a role for a division that does not exist', async () => {
      const admin = await fixtures.token(await fixtures.user('administrator'));
      const userId = await fixtures.user(undefined);
      const response = await http()
        .post(`/api/users/${userId}/roles`)
        .auth(admin, { type: 'bearer' })
        .send({ role: 'department_staff', divisionIds: ['div-nope'] })
        .expect(404);
      expect(JSON.parse(response.text)).toMatchObject({ rule: 'division.not_found' });
    });

    it('lists users a page at a time', async () => {
      const auditor = await fixtures.token(await fixtures.user('auditor'));
      const page = await http().get('/api/users?page=1&perPage=2').auth(auditor, { type: 'bearer' }).expect(200);
      expect(page.body.items).toHaveLength(2);
      expect(page.body).toMatchObject({ page: 1, perPage: 2, total: expect.any(Number) });
      expect(page.body.total).toBeGreaterThan(2);
    });
  });

  it('tells an auditor who could act for a division at a past moment', async () => {
    const admin = await fixtures.token(await fixtures.user('administrator'));
    const auditor = await fixtures.token(await fixtures.user('auditor'));
    const divisionId = await fixtures.division();
    const userId = await fixtures.user('department_staff', [divisionId]);
    const whileStaff = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await http().delete(`/api/users/${userId}/roles/department_staff`).auth(admin, { type: 'bearer' }).expect(200);

    const staffAt = async (at: Date) =>
      (
        await http()
          .get(`/api/access/division-staff?divisionId=${divisionId}&at=${at.toISOString()}`)
          .auth(auditor, { type: 'bearer' })
          .expect(200)
      ).body.staff.map((member: { userId: string }) => member.userId);

    expect(await staffAt(whileStaff)).toEqual([userId]);
    expect(await staffAt(new Date())).toEqual([]);
  });

  it('limits sign-in to ten attempts a minute from one address: the eleventh is 429', async () => {
    const fresh = await createTestApp({ databaseUrl: database.url });
    try {
      const statuses: number[] = [];
      for (let attempt = 1; attempt <= 11; attempt++) {
        const response = await request(fresh.getHttpServer())
          .post('/api/auth/login')
          .send({ loginId: 'someone', password: 'guess' });
        statuses.push(response.status);
      }
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
      expect(statuses[10]).toBe(429);
    } finally {
      await fresh.close();
    }
  });

  it('records the acting person in the metadata of every event written', async () => {
    const events = await app.get(EventStore).readAll({ limit: 100_000 });
    expect(events.length).toBeGreaterThan(20);
    for (const event of events) {
      expect(event.metadata.actor.userId).toEqual(expect.any(String));
      expect(event.metadata.actor.role).toEqual(expect.any(String));
    }
    const byApi = events.filter((event) => event.metadata.actor.userId !== 'system');
    expect(byApi.length).toBeGreaterThan(0);
    expect(byApi.map((event) => event.metadata.actor.role)).not.toContain(undefined);
  });
});
