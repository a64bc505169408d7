import { EventStore } from '@app/event-store';
import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Clock } from '../apps/server/src/review/clock';
import { PlanSeed } from '../apps/server/src/seed/plan-seed';
import { IdentityFixtures } from './support/identity-fixtures';
import { TestClock, loadSeed, ubeBeforeFy2019, workflowSettled } from './support/review-fixtures';
import { createTestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

/** One full FY2020 review of ten Ube items: spring on FY2019's results, autumn on FY2021's plan. */
describe('the review workflow', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let published: PlanSeed;
  const clock = new TestClock(new Date('2020-04-01T09:00:00+09:00'));
  /** The first ten items the report grades for FY2019 (R1). */
  let ten: string[];
  let tokens: Record<'staff' | 'reviewer' | 'reviewer2' | 'management' | 'auditor', string>;
  let users: Record<'staff' | 'reviewer' | 'reviewer2', string>;

  const http = () => request(app.getHttpServer());
  const as = (token: string) => ({
    get: (path: string) => http().get(path).auth(token, { type: 'bearer' }),
    post: (path: string, body?: object) => http().post(path).auth(token, { type: 'bearer' }).send(body),
    put: (path: string, body?: object) => http().put(path).auth(token, { type: 'bearer' }).send(body),
  });
  const item = (stage: string, itemId: string) => `/api/reviews/ube/2020/stages/${stage}/items/${itemId}`;
  const seedItem = (itemId: string) => published.items.find((candidate) => candidate.itemId === itemId)!;

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createTestApp({ databaseUrl: database.url, overrides: [[Clock, clock]] });
    const before = await ubeBeforeFy2019();
    published = before.published;
    ten = published.items.filter((candidate) => candidate.grades.has(2019)).slice(0, 10).map((candidate) => candidate.itemId);
    await loadSeed(app, before.seed);
    const store = app.get(EventStore);
    const divisions = new Set<string>();
    for (const itemId of ten) {
      const [registered] = await store.readStream(`item-${itemId}`);
      for (const divisionId of (registered.data as { divisionIds: string[] }).divisionIds) divisions.add(divisionId);
    }
    const fixtures = new IdentityFixtures(app);
    users = {
      staff: await fixtures.user('department_staff', [...divisions]),
      reviewer: await fixtures.user('reviewer'),
      reviewer2: await fixtures.user('reviewer'),
    };
    tokens = {
      staff: await fixtures.token(users.staff),
      reviewer: await fixtures.token(users.reviewer),
      reviewer2: await fixtures.token(users.reviewer2),
      management: await fixtures.token(await fixtures.user('management')),
      auditor: await fixtures.token(await fixtures.user('auditor')),
    };
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await database.drop();
  });

  it('runs the spring stage: tasks for each item, drafts, submissions, returns and resubmissions, approvals, and closes itself', async () => {
    await as(tokens.reviewer).post('/api/reviews', { planId: 'ube', fiscalYear: 2020 }).expect(201);
    await as(tokens.reviewer).post('/api/reviews/ube/2020/stages/spring/open', { deadline: '2020-05-29', itemIds: ten }).expect(200);
    let settled = await workflowSettled(app);

    const inbox = await as(tokens.staff).get(`/api/reviews/tasks?planId=ube&fiscalYear=2020&stage=spring&minPosition=${settled}`).expect(200);
    expect(inbox.body.total).toBe(10);
    expect(inbox.body.items[0]).toMatchObject({ itemId: 'ube-1-1', title: '市民の利便性向上', status: 'not_started', deadline: '2020-05-29' });
    const notifications = await as(tokens.staff).get(`/api/reviews/notifications?minPosition=${settled}`).expect(200);
    expect(notifications.body.items[0]).toMatchObject({ kind: 'TaskCreated', message: 'スプリングレビュー: 提出の依頼があります' });

    // Departments report FY2019 (R1) as the report printed it.
    for (const itemId of ten) {
      const printed = seedItem(itemId);
      const actuals = printed.indicators.flatMap((indicator) =>
        indicator.actuals.has(2019) ? [{ indicatorId: indicator.indicatorId, value: indicator.actuals.get(2019)! }] : [],
      );
      const draft = { actuals, narrative: `○${printed.title}の令和元年度の取組`, selfGrade: printed.grades.get(2019) ?? 'achieved' };
      await as(tokens.staff).put(`${item('spring', itemId)}/draft`, { content: draft }).expect(200);
      await as(tokens.staff).post(`${item('spring', itemId)}/submit`).expect(200);
    }
    const queue = await as(tokens.reviewer).get(`/api/reviews/queue?planId=ube&fiscalYear=2020&minPosition=${await workflowSettled(app)}`).expect(200);
    expect(queue.body.items.map((task: { itemId: string }) => task.itemId)).toEqual(ten);

    // Two go back with a reason, are corrected and come again.
    for (const itemId of ['ube-1-2', 'ube-1-5']) {
      await as(tokens.reviewer).post(`${item('spring', itemId)}/return`, { reason: '根拠となる数値の出典を追記してください' }).expect(200);
      const returned = await as(tokens.staff).get(`/api/reviews/tasks?planId=ube&stage=spring&status=returned&minPosition=${await workflowSettled(app)}`).expect(200);
      expect(returned.body.items.find((task: { itemId: string }) => task.itemId === itemId)).toMatchObject({ lastReason: '根拠となる数値の出典を追記してください' });
      await as(tokens.staff).put(`${item('spring', itemId)}/draft`, { content: { narrative: '○出典（市の業務統計）を追記しました' } }).expect(200);
      await as(tokens.staff).post(`${item('spring', itemId)}/submit`).expect(200);
    }

    for (const itemId of ten.slice(0, 5)) await as(tokens.reviewer).post(`${item('spring', itemId)}/approve`, {}).expect(200);
    const bulk = await as(tokens.reviewer2).post('/api/reviews/ube/2020/stages/spring/bulk-approve', { itemIds: [...ten.slice(4), 'ube-9-9'] }).expect(200);
    expect(bulk.body.results).toEqual([
      expect.objectContaining({ itemId: 'ube-1-5', outcome: 'refused', rule: 'submission.not_submitted' }),
      ...ten.slice(5).map((itemId) => expect.objectContaining({ itemId, outcome: 'approved' })),
      expect.objectContaining({ itemId: 'ube-9-9', outcome: 'refused', rule: 'submission.not_found' }),
    ]);
    expect(bulk.body.approved).toBe(5);
    settled = await workflowSettled(app);

    const cycle = await as(tokens.management).get('/api/reviews/ube/2020').expect(200);
    expect(cycle.body.stages).toEqual([
      expect.objectContaining({ stage: 'spring', label: 'スプリングレビュー', status: 'closed', closedEarly: false, progress: expect.objectContaining({ approved: 10, overdue: 0 }) }),
    ]);

    // The items now hold FY2019's approved grades, and their history tells who did what and why.
    for (const itemId of ten) {
      const status = await as(tokens.auditor).get(`/api/items/${itemId}/status?minPosition=${settled}`).expect(200);
      const fy2019 = status.body.years.find((row: { fiscalYear: number }) => row.fiscalYear === 2019);
      expect({ itemId, grade: fy2019.approvedGrade }).toEqual({ itemId, grade: seedItem(itemId).grades.get(2019) ?? 'achieved' });
    }
    const history = await as(tokens.auditor).get(`/api/items/ube-1-2/history?perPage=100&minPosition=${settled}`).expect(200);
    const fy2019 = history.body.items.filter((entry: { fiscalYear: number }) => entry.fiscalYear === 2019);
    expect(fy2019.map((entry: { type: string; actor: { userId: string }; reason: string | null }) => [entry.type, entry.actor.userId, entry.reason])).toEqual(
      expect.arrayContaining([
        ['ActualSubmitted', users.staff, null],
        ['EvaluationReturned', users.reviewer, '根拠となる数値の出典を追記してください'],
        ['EvaluationApproved', users.reviewer, null],
      ]),
    );
    const summary = await as(tokens.management).get(`/api/summaries?planId=ube&fiscalYear=2019&by=basic_item&minPosition=${settled}`).expect(200);
    const approved = summary.body.groups.reduce((sum: number, group: { progress: { approved: number } }) => sum + group.progress.approved, 0);
    expect(approved).toBe(10);
  }, 120_000);

  it('runs the autumn stage: next year\'s plan and target become the item\'s FY2021 plan', async () => {
    clock.set('2020-10-01T09:00:00+09:00');
    await as(tokens.reviewer).post('/api/reviews/ube/2020/stages/autumn/open', { deadline: '2020-10-30', itemIds: ten }).expect(200);
    await workflowSettled(app);
    for (const itemId of ten) {
      const printed = seedItem(itemId);
      const nextYearTargets = printed.indicators.flatMap((indicator) =>
        indicator.targets.has(2021) ? [{ indicatorId: indicator.indicatorId, value: indicator.targets.get(2021)! }] : [],
      );
      const content = { progress: '○上半期は計画どおり進んでいます', nextYearPlan: printed.plans.get(2021) ?? '○引き続き取り組みます', nextYearTargets };
      await as(tokens.staff).put(`${item('autumn', itemId)}/draft`, { content }).expect(200);
      await as(tokens.staff).post(`${item('autumn', itemId)}/submit`).expect(200);
    }
    await as(tokens.reviewer).post(`${item('autumn', 'ube-1-3')}/return`, { reason: '翌年度の目標値を見直してください' }).expect(200);
    await as(tokens.staff).put(`${item('autumn', 'ube-1-3')}/draft`, { content: { nextYearTargets: [{ indicatorId: 'ind-1', value: 520 }] } }).expect(200);
    await as(tokens.staff).post(`${item('autumn', 'ube-1-3')}/submit`).expect(200);
    const bulk = await as(tokens.reviewer).post('/api/reviews/ube/2020/stages/autumn/bulk-approve', { itemIds: ten }).expect(200);
    expect(bulk.body.approved).toBe(10);
    const settled = await workflowSettled(app);

    const cycle = await as(tokens.management).get('/api/reviews/ube/2020').expect(200);
    expect(cycle.body.stages.map((stage: { stage: string; status: string }) => [stage.stage, stage.status])).toEqual([
      ['spring', 'closed'],
      ['autumn', 'closed'],
    ]);
    const status = await as(tokens.auditor).get(`/api/items/ube-1-1/status?minPosition=${settled}`).expect(200);
    const fy2021 = status.body.years.find((row: { fiscalYear: number }) => row.fiscalYear === 2021);
    expect(fy2021).toMatchObject({ nextYearPlan: seedItem('ube-1-1').plans.get(2021), indicators: [expect.objectContaining({ target: 5000 })] });
    const corrected = await as(tokens.auditor).get(`/api/items/ube-1-3/status?minPosition=${settled}`).expect(200);
    expect(corrected.body.years.find((row: { fiscalYear: number }) => row.fiscalYear === 2021).indicators[0].target).toBe(520);
    const events = await app.get(EventStore).readStream('item-ube-1-1');
    const planned = events.find((event) => event.type === 'NextYearPlanSet')!;
    expect(planned.metadata).toMatchObject({ actor: expect.objectContaining({ userId: users.reviewer }), causationId: expect.any(String) });
  }, 120_000);
});
