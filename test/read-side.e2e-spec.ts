import { EventStore } from '@app/event-store';
import { itemsProjection, reviewsProjection } from '@app/projections';
import { INestApplication } from '@nestjs/common';
import { Client } from 'pg';
import request from 'supertest';
import { IdentityFixtures } from './support/identity-fixtures';
import { createTestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

describe('the read side', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let tokens: Record<'admin' | 'reviewer' | 'staff' | 'otherStaff' | 'auditor' | 'management', string>;
  let division: string;
  const http = () => request(app.getHttpServer());
  const as = (token: string) => ({
    get: (path: string) => http().get(path).auth(token, { type: 'bearer' }),
    post: (path: string, body?: object) => http().post(path).auth(token, { type: 'bearer' }).send(body),
    put: (path: string, body?: object) => http().put(path).auth(token, { type: 'bearer' }).send(body),
  });

  /** Registers an item with one indicator (件, higher is better) and FY2020 figures, self-assessed. */
  async function reportedItem(itemId: string, number: number, target: number, actual: number, title = '窓口のワンストップ化') {
    await as(tokens.admin)
      .post('/api/plans/ube/items', { itemId, basicItemId: 'bi-1', number, title, divisionIds: [division] })
      .expect(201);
    await as(tokens.admin)
      .post(`/api/items/${itemId}/indicators`, { indicatorId: 'ind-1', name: '件数', unit: '件', direction: 'higher', kind: 'annual' })
      .expect(201);
    await as(tokens.reviewer).put(`/api/items/${itemId}/years/2020/targets`, { targets: [{ indicatorId: 'ind-1', value: target }] }).expect(200);
    await as(tokens.staff)
      .put(`/api/items/${itemId}/years/2020/actual`, { actuals: [{ indicatorId: 'ind-1', value: actual }], narrative: `${title}を進めた` })
      .expect(200);
    const submitted = await as(tokens.staff).put(`/api/items/${itemId}/years/2020/self-evaluation`, { grade: 'mostly_achieved' }).expect(200);
    return submitted.body.position as number;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createTestApp({ databaseUrl: database.url });
    const fixtures = new IdentityFixtures(app);
    division = await fixtures.division('市民環境部', '市民課');
    const other = await fixtures.division('総務部', '総務課');
    tokens = {
      admin: await fixtures.token(await fixtures.user('administrator')),
      reviewer: await fixtures.token(await fixtures.user('reviewer')),
      staff: await fixtures.token(await fixtures.user('department_staff', [division])),
      otherStaff: await fixtures.token(await fixtures.user('department_staff', [other])),
      auditor: await fixtures.token(await fixtures.user('auditor')),
      management: await fixtures.token(await fixtures.user('management')),
    };
    await as(tokens.admin).post('/api/plans', { planId: 'ube', name: '計画', firstFiscalYear: 2018, lastFiscalYear: 2021 }).expect(201);
    await as(tokens.admin).post('/api/plans/ube/policy-areas', { policyAreaId: 'pa-1', number: 1, title: 'サービス改革' }).expect(201);
    await as(tokens.admin).post('/api/plans/ube/basic-items', { basicItemId: 'bi-1', policyAreaId: 'pa-1', title: '質的向上' }).expect(201);
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('sees its own write when it asks for the position: 100 times out of 100', async () => {
    await reportedItem('ryw', 1, 100, 90);
    for (let attempt = 1; attempt <= 100; attempt++) {
      const written = await as(tokens.staff)
        .put('/api/items/ryw/years/2020/actual', { actuals: [{ indicatorId: 'ind-1', value: attempt }], narrative: `第${attempt}版` })
        .expect(200);
      const read = await as(tokens.staff).get(`/api/items/ryw/status?minPosition=${written.body.position}`).expect(200);
      const year = read.body.years.find((row: { fiscalYear: number }) => row.fiscalYear === 2020);
      expect({ attempt, narrative: year.narrative, actual: year.indicators[0].actual }).toEqual({ attempt, narrative: `第${attempt}版`, actual: attempt });
    }
  });

  it('answers 503 with Retry-After when the read model cannot reach the position in time', async () => {
    const response = await as(tokens.staff).get('/api/items/ryw/status?minPosition=999999999').expect(503);
    expect(response.headers['retry-after']).toBe('1');
    expect(JSON.parse(response.text)).toMatchObject({ rule: 'read_model.behind' });
  }, 15_000);

  it('lists items with filters, Japanese text search and pagination, and summarises grades and progress', async () => {
    const last = await reportedItem('search-a', 2, 100, 100, '電子申請の推進');
    await reportedItem('search-b', 3, 100, 50, '窓口の改善');
    await as(tokens.reviewer).post('/api/items/search-a/years/2020/approval', { grade: 'achieved' }).expect(200);
    const approval = await as(tokens.reviewer).post('/api/items/search-b/years/2020/approval', { grade: 'not_achieved' }).expect(200);

    const found = await as(tokens.reviewer).get(`/api/items?planId=ube&fiscalYear=2020&q=${encodeURIComponent('電子申請')}&minPosition=${last}`).expect(200);
    expect(found.body.items.map((item: { itemId: string }) => item.itemId)).toEqual(['search-a']);
    const byGrade = await as(tokens.reviewer).get(`/api/items?fiscalYear=2020&grade=not_achieved&minPosition=${approval.body.position}`).expect(200);
    expect(byGrade.body.items.map((item: { itemId: string }) => item.itemId)).toEqual(['search-b']);
    const page = await as(tokens.reviewer).get(`/api/items?planId=ube&fiscalYear=2020&divisionId=${division}&perPage=2&page=1`).expect(200);
    expect(page.body).toMatchObject({ page: 1, perPage: 2 });
    expect(page.body.total).toBeGreaterThanOrEqual(2);
    expect(page.body.items).toHaveLength(2);

    const summary = await as(tokens.management).get('/api/summaries?planId=ube&fiscalYear=2020&by=policy_area').expect(200);
    expect(summary.body.groups).toEqual([
      expect.objectContaining({
        key: 'pa-1',
        label: '1.サービス改革',
        grades: { achieved: 1, mostly_achieved: 0, not_achieved: 1 },
        shares: { achieved: 0.5, mostly_achieved: 0, not_achieved: 0.5 },
        progress: expect.objectContaining({ approved: 2 }),
      }),
    ]);
    const byDivision = await as(tokens.management).get('/api/summaries?planId=ube&fiscalYear=2020&by=division').expect(200);
    expect(byDivision.body.groups[0]).toMatchObject({ key: division, label: expect.stringMatching(/^市民環境部.* 市民課$/) });

    const trends = await as(tokens.management).get('/api/summaries/trends?planId=ube').expect(200);
    const searchA = trends.body.indicators.find((series: { itemId: string }) => series.itemId === 'search-a');
    expect(searchA.years.find((year: { fiscalYear: number }) => year.fiscalYear === 2020)).toMatchObject({ target: 100, actual: 100, grade: 'achieved' });
  });

  it('shows drafts only to those who may see them: own divisions, reviewers, auditors', async () => {
    let position = await reportedItem('draft', 4, 100, 80);
    const visible = async (token: string) =>
      (await as(token).get(`/api/items/draft/status?minPosition=${position}`).expect(200)).body.years.find(
        (row: { fiscalYear: number }) => row.fiscalYear === 2020,
      );
    expect(await visible(tokens.staff)).toMatchObject({ redacted: false, selfGrade: 'mostly_achieved', narrative: expect.any(String) });
    expect(await visible(tokens.reviewer)).toMatchObject({ redacted: false });
    expect(await visible(tokens.auditor)).toMatchObject({ redacted: false });
    for (const token of [tokens.otherStaff, tokens.management]) {
      const row = await visible(token);
      expect(row).toMatchObject({ redacted: true, selfGrade: null, narrative: null, computedGrade: null });
      expect(row.indicators[0]).toMatchObject({ target: 100, actual: null });
    }
    position = (await as(tokens.reviewer).post('/api/items/draft/years/2020/approval', { grade: 'mostly_achieved' }).expect(200)).body
      .position;
    expect(await visible(tokens.management)).toMatchObject({ redacted: false, approvedGrade: 'mostly_achieved' });
  });

  it('keeps each change in the history: who, when, what before → after, why', async () => {
    await reportedItem('history', 5, 100, 90);
    const revised = await as(tokens.admin)
      .post('/api/items/history/revisions', { changes: { title: '新しい名称' }, reason: '名称の統一' })
      .expect(200);
    const history = await as(tokens.auditor).get(`/api/items/history/history?minPosition=${revised.body.position}`).expect(200);
    expect(history.body.total).toBe(6);
    expect(history.body.items.at(-1)).toMatchObject({
      type: 'ItemRevised',
      summary: '個別項目を修正',
      reason: '名称の統一',
      actor: { role: 'administrator' },
      changes: [{ field: 'title', label: '項目名', before: '窓口のワンストップ化', after: '新しい名称' }],
    });
    expect(history.body.items[3]).toMatchObject({ type: 'ActualSubmitted', actor: { role: 'department_staff', department: division } });
  });

  it('answers an item changed five times as it stood after each change, by time and by position, from the events', async () => {
    await as(tokens.admin)
      .post('/api/plans/ube/items', { itemId: 'asof', basicItemId: 'bi-1', number: 6, title: '版0', divisionIds: [division] })
      .expect(201);
    const moments: Array<{ title: string; position: number; at: string }> = [];
    for (let version = 1; version <= 5; version++) {
      await new Promise((resolve) => setTimeout(resolve, 15));
      const response = await as(tokens.admin)
        .post('/api/items/asof/revisions', { changes: { title: `版${version}` }, reason: `第${version}回の修正` })
        .expect(200);
      const [event] = await app.get(EventStore).readStream('item-asof', { fromVersion: response.body.version });
      moments.push({ title: `版${version}`, position: response.body.position, at: event.recordedAt.toISOString() });
    }
    for (const moment of moments) {
      const byTime = await as(tokens.auditor).get(`/api/items/asof/as-of?at=${moment.at}`).expect(200);
      const byPosition = await as(tokens.auditor).get(`/api/items/asof/as-of?position=${moment.position}`).expect(200);
      expect([byTime.body.state.title, byPosition.body.state.title]).toEqual([moment.title, moment.title]);
    }
    const diff = await as(tokens.auditor).get(`/api/items/asof/diff?from=${moments[0].position}&to=${moments[4].at}`).expect(200);
    expect(diff.body.changes).toEqual([{ field: 'title', label: '項目名', before: '版1', after: '版5' }]);
  });

  it('recomputes a year under another rule without writing: a 90% threshold moves exactly the items in [75%, 90%)', async () => {
    const rates = { 'wi-70': 70, 'wi-75': 75, 'wi-80': 80, 'wi-89': 89.9, 'wi-90': 90, 'wi-100': 100 };
    let last = 0;
    let number = 20;
    for (const [itemId, actual] of Object.entries(rates)) last = await reportedItem(itemId, number++, 100, actual);
    const before = await app.get(EventStore).headPosition();

    const response = await as(tokens.reviewer)
      .post('/api/summaries/what-if', {
        planId: 'ube',
        fiscalYear: 2020,
        thresholds: [
          { grade: 'achieved', minimumRate: 1 },
          { grade: 'mostly_achieved', minimumRate: 0.9 },
        ],
      })
      .query({ minPosition: last })
      .expect(200);
    const ours = response.body.items.filter((item: { itemId: string }) => item.itemId.startsWith('wi-'));
    expect(ours.filter((item: { changed: boolean }) => item.changed).map((item: { itemId: string }) => item.itemId).sort()).toEqual(['wi-75', 'wi-80', 'wi-89']);
    expect(ours.find((item: { itemId: string }) => item.itemId === 'wi-80')).toMatchObject({ computedGrade: 'mostly_achieved', whatIfGrade: 'not_achieved' });
    expect(await app.get(EventStore).headPosition()).toBe(before);
    const history = await as(tokens.auditor).get('/api/items/wi-80/history').expect(200);
    expect(history.body.total).toBe(5);
  });

  it('verifies the hash chain of one item or of the whole store, saying what it covers', async () => {
    const one = await as(tokens.auditor).get('/api/integrity?itemId=history').expect(200);
    expect(one.body).toMatchObject({ ok: true, scope: { itemId: 'history' }, eventsChecked: 6, coversUntil: expect.any(String) });
    const all = await as(tokens.auditor).get('/api/integrity').expect(200);
    expect(all.body).toMatchObject({ ok: true, scope: { store: 'all' } });
    expect(all.body.upToPosition).toBeGreaterThan(one.body.upToPosition);

    const sql = new Client({ connectionString: database.url });
    await sql.connect();
    try {
      await sql.query('ALTER TABLE events DISABLE TRIGGER events_append_only');
      await sql.query(`UPDATE events SET data = data || '{"title": "改ざん"}' WHERE stream_id = 'item-history' AND stream_version = 1`);
      await sql.query('ALTER TABLE events ENABLE TRIGGER events_append_only');
    } finally {
      await sql.end();
    }
    const broken = await as(tokens.auditor).get('/api/integrity?itemId=history').expect(200);
    expect(broken.body).toMatchObject({ ok: false, firstBreak: { streamId: 'item-history', streamVersion: 1, reason: 'hash_mismatch' } });
  });

  it('reports each projection with its position and lag', async () => {
    const status = await as(tokens.admin).get('/api/projections').expect(200);
    const following = { state: 'following', lagPositions: expect.any(Number), lagSeconds: expect.any(Number) };
    expect(status.body).toEqual([
      expect.objectContaining({ name: 'items', version: itemsProjection.version, ...following }),
      expect.objectContaining({ name: 'reviews', version: reviewsProjection.version, ...following }),
    ]);
  });
});
