import { EventStore } from '@app/event-store';
import { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import request from 'supertest';
import { Clock } from '../apps/server/src/review/clock';
import { ReviewTimers } from '../apps/server/src/review/review-timers';
import { IdentityFixtures } from './support/identity-fixtures';
import { PlanFixtures } from './support/plan-fixtures';
import { TestClock, workflowSettled } from './support/review-fixtures';
import { createTestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

/** Four-eyes, concurrent decisions, redelivery to the process manager, and deadline timers across restarts. */
describe('the review workflow\'s rules', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let planId: string;
  let items: string[];
  let users: Record<'staff' | 'reviewer' | 'reviewer2', string>;
  let tokens: typeof users;
  const clock = new TestClock(new Date('2021-04-01T09:00:00+09:00'));

  /** Starts the server (again) on the test database; sessions are signed anew, so tokens are issued anew. */
  const start = async () => {
    app = await createTestApp({ databaseUrl: database.url, overrides: [[Clock, clock]] });
    if (!users) return;
    const fixtures = new IdentityFixtures(app);
    tokens = { staff: await fixtures.token(users.staff), reviewer: await fixtures.token(users.reviewer), reviewer2: await fixtures.token(users.reviewer2) };
  };
  const http = () => request(app.getHttpServer());
  const as = (token: string) => ({
    get: (path: string) => http().get(path).auth(token, { type: 'bearer' }),
    post: (path: string, body?: object) => http().post(path).auth(token, { type: 'bearer' }).send(body),
    put: (path: string, body?: object) => http().put(path).auth(token, { type: 'bearer' }).send(body),
  });
  const submission = (itemId: string) => `/api/reviews/${planId}/2021/stages/spring/items/${itemId}`;
  const report = async (itemId: string, token = tokens.staff) => {
    await as(token).put(`${submission(itemId)}/draft`, { content: { actuals: [{ indicatorId: 'ind-1', value: 95 }], narrative: '○実施した', selfGrade: 'mostly_achieved' } }).expect(200);
    return as(tokens.staff).post(`${submission(itemId)}/submit`).expect(200);
  };
  const streamTypes = async (itemId: string) =>
    (await app.get(EventStore).readStream(`submission-${planId}-2021-spring-${itemId}`)).map((event) => event.type);

  beforeAll(async () => {
    database = await createTestDatabase();
    await start();
    const fixtures = new IdentityFixtures(app);
    const division = await fixtures.division('市民環境部', '市民課');
    users = {
      staff: await fixtures.user('department_staff', [division]),
      reviewer: await fixtures.user('reviewer'),
      reviewer2: await fixtures.user('reviewer'),
    };
    tokens = { staff: await fixtures.token(users.staff), reviewer: await fixtures.token(users.reviewer), reviewer2: await fixtures.token(users.reviewer2) };
    const plans = new PlanFixtures(app);
    ({ planId } = await plans.plan());
    items = [];
    for (let index = 0; index < 6; index++) items.push(await plans.item(planId, [division]));
    await as(tokens.reviewer).post('/api/reviews', { planId, fiscalYear: 2021 }).expect(201);
    // 2021-05-31 is a Monday; three working days before it is Wednesday 26 May.
    await as(tokens.reviewer).post(`/api/reviews/${planId}/2021/stages/spring/open`, { deadline: '2021-05-31', reminderWorkingDays: 3 }).expect(200);
    await workflowSettled(app);
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await database.drop();
  });

  it('refuses a deadline on a holiday and an approval by someone who edited the submission (403, rule named)', async () => {
    const holiday = await as(tokens.reviewer).post(`/api/reviews/${planId}/2021/stages/autumn/open`, { deadline: '2021-11-03' }).expect(422);
    expect(holiday.body).toMatchObject({ rule: 'deadline.not_working_day', errors: [expect.objectContaining({ field: 'deadline' })] });

    await report(items[0], tokens.reviewer);
    const refused = await as(tokens.reviewer).post(`${submission(items[0])}/approve`, {}).expect(403);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ status: 403, rule: 'review.four_eyes' });
    await as(tokens.reviewer2).post(`${submission(items[0])}/approve`, {}).expect(200);
    await as(tokens.staff).put(`${submission(items[0])}/draft`, { content: { narrative: '○変更' } }).expect(409);
  });

  it('refuses an approval the item would refuse — another grade than the rule\'s without a reason — and takes it with one', async () => {
    // The report is 95 against a target of 100: the rule says 概ね達成.
    await report(items[5]);
    const refused = await as(tokens.reviewer).post(`${submission(items[5])}/approve`, { grade: 'achieved' }).expect(422);
    expect(refused.body).toMatchObject({ rule: 'evaluation.override_reason_required', errors: [expect.objectContaining({ field: 'reason' })] });
    expect(await streamTypes(items[5])).not.toContain('SubmissionApproved');
    await as(tokens.reviewer).post(`${submission(items[5])}/approve`, { grade: 'achieved', reason: '年度途中の制度変更を考慮' }).expect(200);
    const settled = await workflowSettled(app);
    const status = await as(tokens.reviewer).get(`/api/items/${items[5]}/status?minPosition=${settled}`).expect(200);
    expect(status.body.years.find((row: { fiscalYear: number }) => row.fiscalYear === 2020)).toMatchObject({ approvedGrade: 'achieved', computedGrade: 'mostly_achieved' });
  });

  it('lets one of two reviewers deciding the same submission at once win; the other gets 409', async () => {
    await report(items[1]);
    const answers = await Promise.all([
      as(tokens.reviewer).post(`${submission(items[1])}/approve`, {}),
      as(tokens.reviewer2).post(`${submission(items[1])}/return`, { reason: '再確認してください' }),
    ]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409]);
    const decisions = (await streamTypes(items[1])).filter((type) => type === 'SubmissionApproved' || type === 'SubmissionReturned');
    expect(decisions).toHaveLength(1);
  });

  it('reminds the unsubmitted three working days ahead, and marks them overdue exactly once, also across a restart past the deadline', async () => {
    await report(items[2]);
    clock.set('2021-05-26T08:00:00+09:00');
    expect(await app.get(ReviewTimers).fireDue()).toBe(1);
    expect(await app.get(ReviewTimers).fireDue()).toBe(0);
    expect(await streamTypes(items[3])).toContain('ReminderSent');
    expect(await streamTypes(items[2])).not.toContain('ReminderSent');

    // Stopped before the deadline, started again after it: the overdue timer fires at start-up.
    await app.close();
    clock.set('2021-06-02T09:00:00+09:00');
    await start();
    await waitUntil(async () => (await streamTypes(items[3])).includes('SubmissionOverdue'));
    await app.close();
    await start();
    await app.get(ReviewTimers).fireDue();
    for (const itemId of [items[3], items[4]]) {
      expect((await streamTypes(itemId)).filter((type) => type === 'SubmissionOverdue')).toHaveLength(1);
    }
    expect(await streamTypes(items[2])).not.toContain('SubmissionOverdue');
    const overdue = await app.get(EventStore).readStream(`submission-${planId}-2021-spring-${items[3]}`);
    expect(overdue.find((event) => event.type === 'SubmissionOverdue')!.metadata.occurredAt).toBe('2021-05-31T15:00:00.000Z');
    // items[1] went back to the department if the return won the race above: then it is overdue too.
    const raced = await as(tokens.reviewer).get(submission(items[1])).expect(200);
    // The progress comes from the read model: asked as of the store's head, after every overdue mark.
    const head = await app.get(EventStore).headPosition();
    const progress = await as(tokens.reviewer).get(`/api/reviews/${planId}/2021?minPosition=${head}`).expect(200);
    expect(progress.body.stages[0].progress).toMatchObject({ overdue: raced.body.status === 'returned' ? 3 : 2 });
  }, 60_000);

  it('issues no command twice when its events are delivered again from the start', async () => {
    const head = await workflowSettled(app);
    await app.get(DataSource).query(`UPDATE process_checkpoints SET position = 0`);
    await app.close();
    await start();
    expect(await workflowSettled(app)).toBe(head);
    expect(await app.get(EventStore).headPosition()).toBe(head);
  }, 60_000);
});

async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
