import { EventStore } from '@app/event-store';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { IdentityFixtures } from './support/identity-fixtures';
import { createTestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

describe('the command side over HTTP', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let tokens: { admin: string; reviewer: string; staff: string };
  let division: string;
  const http = () => request(app.getHttpServer());
  const problem = (response: request.Response) => JSON.parse(response.text);
  const as = (token: string) => ({
    get: (path: string) => http().get(path).auth(token, { type: 'bearer' }),
    post: (path: string, body?: object) => http().post(path).auth(token, { type: 'bearer' }).send(body),
    put: (path: string, body?: object) => http().put(path).auth(token, { type: 'bearer' }).send(body),
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createTestApp({ databaseUrl: database.url });
    const fixtures = new IdentityFixtures(app);
    division = await fixtures.division('市民環境部', '市民課');
    tokens = {
      admin: await fixtures.token(await fixtures.user('administrator')),
      reviewer: await fixtures.token(await fixtures.user('reviewer')),
      staff: await fixtures.token(await fixtures.user('department_staff', [division])),
    };
    await as(tokens.admin)
      .post('/api/plans', { planId: 'ube', name: '宇部市行政サービス改革推進計画', firstFiscalYear: 2018, lastFiscalYear: 2021 })
      .expect(201);
    await as(tokens.admin).post('/api/plans/ube/policy-areas', { policyAreaId: 'pa-1', number: 1, title: 'サービス改革' }).expect(201);
    await as(tokens.admin)
      .post('/api/plans/ube/basic-items', { basicItemId: 'bi-1', policyAreaId: 'pa-1', title: '行政サービスの質的向上' })
      .expect(201);
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  async function newItem(itemId: string): Promise<void> {
    await as(tokens.admin)
      .post('/api/plans/ube/items', {
        itemId,
        basicItemId: 'bi-1',
        number: 1,
        title: '窓口のワンストップ化',
        divisionIds: [division],
        schedulePhases: [{ label: '運用・検証', firstFiscalYear: 2019, lastFiscalYear: 2021 }],
      })
      .expect(201);
    await as(tokens.admin)
      .post(`/api/items/${itemId}/indicators`, { indicatorId: 'ind-1', name: '電子申請件数', unit: '件', direction: 'higher', kind: 'annual' })
      .expect(201);
  }

  it('runs submit → approve → reopen → approve, and the store holds each step with who did it', async () => {
    await newItem('one-stop');
    await as(tokens.reviewer).put('/api/items/one-stop/years/R2/targets', { targets: [{ indicatorId: 'ind-1', value: 3000 }] }).expect(200);
    await as(tokens.staff)
      .put('/api/items/one-stop/years/令和2年度/actual', {
        actuals: [{ indicatorId: 'ind-1', value: 2901 }],
        narrative: '電子申請の対象手続を拡大した',
        evidenceLinks: ['https://www.city.ube.yamaguchi.jp/'],
      })
      .expect(200);
    await as(tokens.staff).put('/api/items/one-stop/years/2020/self-evaluation', { grade: 'mostly_achieved', comment: '概ね順調' }).expect(200);

    const item = await as(tokens.staff).get('/api/items/one-stop').expect(200);
    expect(item.body.years['2020']).toMatchObject({
      label: '令和2年度 (FY2020)',
      suggestedGrade: { grade: 'mostly_achieved', ruleId: 'ube-achievement-rate', ruleVersion: 1 },
      evaluation: { status: 'submitted', selfGrade: 'mostly_achieved' },
    });

    const approved = await as(tokens.reviewer).post('/api/items/one-stop/years/2020/approval', { grade: 'mostly_achieved' }).expect(200);
    expect(approved.headers.etag).toBe(`"${approved.body.version}"`);
    expect(approved.body).toEqual({ streamId: 'item-one-stop', version: 6, position: expect.any(Number) });

    const locked = await as(tokens.staff)
      .put('/api/items/one-stop/years/2020/actual', { actuals: [{ indicatorId: 'ind-1', value: 2999 }], narrative: '訂正' })
      .expect(409);
    expect(problem(locked)).toMatchObject({ rule: 'evaluation.locked', status: 409 });

    await as(tokens.reviewer).post('/api/items/one-stop/years/2020/reopen', { reason: '実績値の確認のため' }).expect(200);
    const override = await as(tokens.reviewer).post('/api/items/one-stop/years/2020/approval', { grade: 'achieved' }).expect(422);
    expect(problem(override)).toMatchObject({
      rule: 'evaluation.override_reason_required',
      errors: [{ field: 'reason', rule: 'evaluation.override_reason_required' }],
    });
    await as(tokens.reviewer)
      .post('/api/items/one-stop/years/2020/approval', { grade: 'achieved', reason: '計画した人数を確保したため' })
      .expect(200);

    const events = await app.get(EventStore).readStream('item-one-stop');
    expect(events.map((event) => [event.type, event.metadata.actor.role])).toEqual([
      ['ItemRegistered', 'administrator'],
      ['IndicatorDefined', 'administrator'],
      ['TargetSet', 'reviewer'],
      ['ActualSubmitted', 'department_staff'],
      ['EvaluationSubmitted', 'department_staff'],
      ['EvaluationApproved', 'reviewer'],
      ['EvaluationReopened', 'reviewer'],
      ['EvaluationApproved', 'reviewer'],
    ]);
    expect(events[3].metadata.actor.department).toBe(division);
    expect(events.at(-1)!.data).toMatchObject({
      fiscalYear: 2020,
      grade: 'achieved',
      reason: '計画した人数を確保したため',
      computed: { grade: 'mostly_achieved', ruleVersion: 1 },
    });
  });

  it('tells an auditor who could act on an item at a past moment', async () => {
    await newItem('editors');
    const fixtures = new IdentityFixtures(app);
    const auditor = await fixtures.token(await fixtures.user('auditor'));
    const formerStaff = await fixtures.user('department_staff', [division]);
    const whileStaff = new Date();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await as(tokens.admin).post(`/api/users/${formerStaff}/disable`, { reason: '異動' }).expect(200);

    const editorsAt = async (at: Date) => (await as(auditor).get(`/api/items/editors/editors?at=${at.toISOString()}`).expect(200)).body;
    const then = await editorsAt(whileStaff);
    expect(then.divisionIds).toEqual([division]);
    expect(then.departmentStaff.map((person: { userId: string }) => person.userId)).toContain(formerStaff);
    expect(then.reviewers.length).toBeGreaterThan(0);
    const now = await editorsAt(new Date());
    expect(now.departmentStaff.map((person: { userId: string }) => person.userId)).not.toContain(formerStaff);
    await as(auditor).get('/api/items/editors/editors?at=2000-01-01T00:00:00Z').expect(404);
  });

  describe('If-Match', () => {
    beforeAll(() => newItem('if-match'));

    it('accepts the version the client saw and refuses a stale one with the current version', async () => {
      const item = await as(tokens.admin).get('/api/items/if-match').expect(200);
      expect(item.headers.etag).toBe('"2"');

      const stale = await as(tokens.admin)
        .post('/api/items/if-match/revisions', { changes: { title: '新しい名称' }, reason: '名称変更' })
        .set('If-Match', '"1"')
        .expect(409);
      expect(problem(stale)).toMatchObject({ rule: 'concurrency.version_mismatch', currentVersion: 2 });

      const fresh = await as(tokens.admin)
        .post('/api/items/if-match/revisions', { changes: { title: '新しい名称' }, reason: '名称変更' })
        .set('If-Match', item.headers.etag)
        .expect(200);
      expect(fresh.headers.etag).toBe('"3"');
    });

    it('refuses an If-Match that is not a version', async () => {
      const response = await as(tokens.admin)
        .post('/api/items/if-match/revisions', { changes: { title: '別名' }, reason: 'x' })
        .set('If-Match', 'yesterday')
        .expect(400);
      expect(problem(response)).toMatchObject({ rule: 'if_match.invalid' });
    });
  });

  describe('Idempotency-Key', () => {
    beforeAll(() => newItem('idempotent'));

    it('appends the events of one command sent 20 times at once with one key exactly once', async () => {
      const body = { targets: [{ indicatorId: 'ind-1', value: 500 }] };
      const responses = await Promise.all(
        Array.from({ length: 20 }, () =>
          as(tokens.reviewer).put('/api/items/idempotent/years/2021/targets', body).set('Idempotency-Key', 'target-2021-once'),
        ),
      );
      expect(responses.map((response) => response.status)).toEqual(Array(20).fill(200));
      expect(new Set(responses.map((response) => JSON.stringify(response.body))).size).toBe(1);
      expect(responses.filter((response) => response.headers['idempotent-replayed'] === 'true')).toHaveLength(19);

      const targetEvents = (await app.get(EventStore).readStream('item-idempotent')).filter((event) => event.type === 'TargetSet');
      expect(targetEvents).toHaveLength(1);
      expect(targetEvents[0].metadata.commandId).toMatch(/:target-2021-once$/);
    });

    it('refuses the same key with another body: 422', async () => {
      await as(tokens.reviewer)
        .put('/api/items/idempotent/years/2020/targets', { targets: [{ indicatorId: 'ind-1', value: 1 }] })
        .set('Idempotency-Key', 'reused-key')
        .expect(200);
      const reused = await as(tokens.reviewer)
        .put('/api/items/idempotent/years/2020/targets', { targets: [{ indicatorId: 'ind-1', value: 2 }] })
        .set('Idempotency-Key', 'reused-key')
        .expect(422);
      expect(problem(reused)).toMatchObject({ rule: 'idempotency.key_reused' });
    });

    it('creates one item, not two, when a creation is retried with its key', async () => {
      const body = { basicItemId: 'bi-1', number: 9, title: '再送される項目', divisionIds: [division] };
      const first = await as(tokens.admin).post('/api/plans/ube/items', body).set('Idempotency-Key', 'create-item-9').expect(201);
      const again = await as(tokens.admin).post('/api/plans/ube/items', body).set('Idempotency-Key', 'create-item-9').expect(201);
      expect(again.body).toEqual(first.body);
      expect(first.body.id).toMatch(/^item-/);
    });
  });

  describe('bad input', () => {
    it('names each field and rule in problem+json and writes nothing', async () => {
      const before = await app.get(EventStore).headPosition();
      const response = await as(tokens.admin)
        .post('/api/items/one-stop/indicators', { name: '', unit: '件', direction: 'sideways', kind: 'annual', minimum: 'low' })
        .expect(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(problem(response).errors.map((error: { field: string; rule: string }) => `${error.field}:${error.rule}`)).toEqual(
        expect.arrayContaining(['name:minLength', 'direction:isIn', 'minimum:isNumber']),
      );
      expect(await app.get(EventStore).headPosition()).toBe(before);
    });

    it('refuses a percentage above 100 and a year outside the plan, by the domain rule', async () => {
      await newItem('rules');
      await as(tokens.admin)
        .post('/api/items/rules/indicators', { indicatorId: 'ratio', name: '利用率', unit: '%', direction: 'higher', kind: 'rate' })
        .expect(201);
      const percentage = await as(tokens.staff)
        .put('/api/items/rules/years/2020/actual', { actuals: [{ indicatorId: 'ratio', value: 120 }], narrative: 'x' })
        .expect(422);
      expect(problem(percentage)).toMatchObject({
        rule: 'number.out_of_range',
        errors: [{ field: 'actuals.0.value', rule: 'number.out_of_range' }],
      });
      const outside = await as(tokens.staff).put('/api/items/rules/years/R5/actual', { narrative: 'x' }).expect(422);
      expect(problem(outside)).toMatchObject({ rule: 'fiscal_year.outside_plan' });
      const unreadable = await as(tokens.staff).put('/api/items/rules/years/next/actual', { narrative: 'x' }).expect(400);
      expect(problem(unreadable)).toMatchObject({ rule: 'fiscal_year.unreadable' });
    });

    it('answers an unknown item with 404', async () => {
      const response = await as(tokens.admin).post('/api/items/nothing-here/retirement', { reason: '統合' }).expect(404);
      expect(problem(response)).toMatchObject({ rule: 'item.not_found' });
    });
  });

  it('describes every endpoint in OpenAPI at /api/docs', async () => {
    const document = await http().get('/api/docs-json').expect(200);
    const paths = Object.keys(document.body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/plans',
        '/api/plans/{planId}/items',
        '/api/items/{itemId}/years/{fiscalYear}/actual',
        '/api/items/{itemId}/years/{fiscalYear}/approval',
        '/api/items/{itemId}/retirement',
        '/api/users',
      ]),
    );
    await http().get('/api/docs').expect(200);
  });
});
