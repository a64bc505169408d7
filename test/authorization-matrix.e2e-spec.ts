import { ROLES, Role } from '@app/domain';
import { EventStore } from '@app/event-store';
import { ProjectionsService } from '../apps/server/src/projections/projections.service';
import { addWorkingDays, japanDate } from '@app/workflow';
import { INestApplication } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { SYSTEM_ACTOR, runAs } from '../apps/server/src/context/request-context';
import { ChangeReviewCycle, ChangeSubmission } from '../apps/server/src/review/review.commands';
import request from 'supertest';
import { IdentityFixtures, PASSWORD } from './support/identity-fixtures';
import { ItemStage, PlanFixtures } from './support/plan-fixtures';
import { workflowSettled } from './support/review-fixtures';
import { createTestApp } from './support/test-app';
import { createTestDatabase, TestDatabase } from './support/test-database';

/**
 * Every endpoint × every kind of caller, with the status the rules promise.
 * The expectations are written out here, apart from ACCESS_RULES, so that this
 * test states the rules a second time instead of reading them back.
 *
 * A new endpoint joins by adding a row to `endpoints`: the first test fails
 * until every route the server has appears here.
 */

type Caller = 'anonymous' | 'no_role' | Role | 'department_staff_other_division';
const CALLERS: Caller[] = ['anonymous', 'no_role', ...ROLES, 'department_staff_other_division'];

interface Context {
  fixtures: IdentityFixtures;
  plans: PlanFixtures;
  planId: string;
  /** An item of divisionA, registered with an indicator and a FY2020 target. */
  itemId: string;
  /** A fresh item of divisionA at a stage. */
  itemAt(stage: ItemStage): Promise<string>;
  /** The division of the in-scope department staff; the other staff member covers another. */
  divisionA: string;
  departmentId: string;
  /** A fresh user holding the caller's role (for endpoints that end sessions or change passwords). */
  freshUserFor(caller: Caller): Promise<string | undefined>;
  /** A fresh FY2021 review cycle of a fresh plan, with one item of divisionA, at the state asked for. */
  reviewAt(state: ReviewState): Promise<ReviewAt>;
  /** A review with its spring stage open, for the reading endpoints. */
  review: ReviewAt;
}

interface Call {
  path: string;
  body?: object;
  /** A multipart upload in the field `file`, instead of a JSON body. */
  file?: { name: string; content: Buffer };
  /** Acts as this user instead of the caller's standing account. */
  asUser?: string;
}

interface Endpoint {
  route: string;
  /** Who may: anyone, anyone signed in, or these roles. */
  allowed: 'public' | 'signed-in' | Role[];
  /** department_staff are allowed only for targets of their own division. */
  ownDivisionOnly?: true;
  status: number;
  call(context: Context, caller: Caller): Promise<Call>;
}

type ReviewState = 'cycle' | 'open' | 'drafted' | 'submitted' | 'approved';
interface ReviewAt {
  /** /api/reviews/:planId/2021 */
  base: string;
  planId: string;
  itemId: string;
  /** …/stages/spring/items/:itemId */
  submission: string;
}

let serial = 0;
const EVERY_ROLE: Role[] = ['administrator', 'reviewer', 'auditor', 'management', 'department_staff'];
const unique = (prefix: string) => `${prefix}${++serial}x${Math.random().toString(36).slice(2, 6)}`;

const REVIEWERS_AND_OWN_STAFF: Role[] = ['department_staff', 'reviewer'];

const endpoints: Endpoint[] = [
  { route: 'GET /health', allowed: 'public', status: 200, call: async () => ({ path: '/health' }) },
  {
    route: 'GET /api/reports/achievement',
    allowed: ['reviewer', 'auditor', 'management', 'administrator'],
    status: 200,
    call: async ({ planId }) => ({ path: `/api/reports/achievement?planId=${planId}&fiscalYear=2020` }),
  },
  { route: 'GET /api/reviews/tasks', allowed: EVERY_ROLE, status: 200, call: async () => ({ path: '/api/reviews/tasks' }) },
  { route: 'GET /api/reviews/queue', allowed: EVERY_ROLE, status: 200, call: async () => ({ path: '/api/reviews/queue' }) },
  { route: 'GET /api/reviews/notifications', allowed: EVERY_ROLE, status: 200, call: async () => ({ path: '/api/reviews/notifications' }) },
  {
    route: 'POST /api/reviews',
    allowed: ['reviewer'],
    status: 201,
    call: async ({ plans }) => ({ path: '/api/reviews', body: { planId: (await plans.plan()).planId, fiscalYear: 2021 } }),
  },
  { route: 'GET /api/reviews/:planId/:fiscalYear', allowed: EVERY_ROLE, status: 200, call: async ({ review }) => ({ path: review.base }) },
  {
    route: 'POST /api/reviews/:planId/:fiscalYear/stages/:stage/open',
    allowed: ['reviewer'],
    status: 200,
    call: async ({ reviewAt }) => ({ path: `${(await reviewAt('cycle')).base}/stages/spring/open`, body: { deadline: workingDayAhead(30) } }),
  },
  {
    route: 'POST /api/reviews/:planId/:fiscalYear/stages/:stage/deadline',
    allowed: ['reviewer'],
    status: 200,
    call: async ({ reviewAt }) => ({
      path: `${(await reviewAt('open')).base}/stages/spring/deadline`,
      body: { deadline: workingDayAhead(40), reason: '提出が集中しているため' },
    }),
  },
  {
    route: 'POST /api/reviews/:planId/:fiscalYear/stages/:stage/close',
    allowed: ['reviewer'],
    status: 200,
    call: async ({ reviewAt }) => ({ path: `${(await reviewAt('open')).base}/stages/spring/close`, body: { reason: '年度末のため打ち切り' } }),
  },
  {
    route: 'POST /api/reviews/:planId/:fiscalYear/stages/:stage/bulk-approve',
    allowed: ['reviewer'],
    status: 200,
    call: async ({ reviewAt }) => {
      const review = await reviewAt('submitted');
      return { path: `${review.base}/stages/spring/bulk-approve`, body: { itemIds: [review.itemId] } };
    },
  },
  {
    route: 'GET /api/reviews/:planId/:fiscalYear/stages/:stage/items/:itemId',
    allowed: EVERY_ROLE,
    status: 200,
    call: async ({ review }) => ({ path: review.submission }),
  },
  {
    route: 'PUT /api/reviews/:planId/:fiscalYear/stages/:stage/items/:itemId/draft',
    allowed: REVIEWERS_AND_OWN_STAFF,
    ownDivisionOnly: true,
    status: 200,
    call: async ({ reviewAt }) => ({ path: `${(await reviewAt('open')).submission}/draft`, body: { content: { narrative: '○実施した' } } }),
  },
  {
    route: 'POST /api/reviews/:planId/:fiscalYear/stages/:stage/items/:itemId/submit',
    allowed: REVIEWERS_AND_OWN_STAFF,
    ownDivisionOnly: true,
    status: 200,
    call: async ({ reviewAt }) => ({ path: `${(await reviewAt('drafted')).submission}/submit` }),
  },
  {
    route: 'POST /api/reviews/:planId/:fiscalYear/stages/:stage/imports',
    allowed: REVIEWERS_AND_OWN_STAFF,
    // Staff of another division reach no item of the stage; each row is then checked against its own item.
    ownDivisionOnly: true,
    status: 200,
    call: async ({ reviewAt }) => {
      const review = await reviewAt('open');
      return {
        path: `${review.base}/stages/spring/imports`,
        file: { name: '実績.csv', content: Buffer.from(`個別項目ID,指標ID,実績値\r\n${review.itemId},ind-1,95\r\n`, 'utf8') },
      };
    },
  },
  {
    route: 'POST /api/reviews/:planId/:fiscalYear/stages/:stage/items/:itemId/approve',
    allowed: ['reviewer'],
    status: 200,
    call: async ({ reviewAt }) => ({ path: `${(await reviewAt('submitted')).submission}/approve`, body: {} }),
  },
  {
    route: 'POST /api/reviews/:planId/:fiscalYear/stages/:stage/items/:itemId/return',
    allowed: ['reviewer'],
    status: 200,
    call: async ({ reviewAt }) => ({ path: `${(await reviewAt('submitted')).submission}/return`, body: { reason: '根拠を追記してください' } }),
  },
  {
    route: 'POST /api/reviews/:planId/:fiscalYear/stages/:stage/items/:itemId/reopen',
    allowed: ['reviewer'],
    status: 200,
    call: async ({ reviewAt }) => ({ path: `${(await reviewAt('approved')).submission}/reopen`, body: { reason: '数値の訂正' } }),
  },
  {
    route: 'POST /api/auth/login',
    allowed: 'public',
    status: 200,
    call: async ({ fixtures }) => ({
      path: '/api/auth/login',
      body: { loginId: await fixtures.user('auditor'), password: PASSWORD },
    }),
  },
  {
    route: 'POST /api/auth/token',
    allowed: 'public',
    status: 200,
    call: async ({ fixtures }) => ({
      path: '/api/auth/token',
      body: { loginId: await fixtures.user('auditor'), password: PASSWORD },
    }),
  },
  {
    route: 'POST /api/auth/logout',
    allowed: 'signed-in',
    status: 204,
    call: async (context, caller) => ({ path: '/api/auth/logout', asUser: await context.freshUserFor(caller) }),
  },
  { route: 'GET /api/auth/me', allowed: 'signed-in', status: 200, call: async () => ({ path: '/api/auth/me' }) },
  {
    route: 'POST /api/auth/password',
    allowed: 'signed-in',
    status: 204,
    call: async (context, caller) => ({
      path: '/api/auth/password',
      body: { currentPassword: PASSWORD, newPassword: 'another long password' },
      asUser: await context.freshUserFor(caller),
    }),
  },
  {
    route: 'GET /api/users',
    allowed: ['administrator', 'auditor'],
    status: 200,
    call: async () => ({ path: '/api/users' }),
  },
  {
    route: 'GET /api/users/:userId',
    allowed: ['administrator', 'auditor'],
    status: 200,
    call: async () => ({ path: '/api/users/admin' }),
  },
  {
    route: 'POST /api/users',
    allowed: ['administrator'],
    status: 201,
    call: async () => ({
      path: '/api/users',
      body: { loginId: unique('new'), displayName: '新規 利用者', password: PASSWORD },
    }),
  },
  {
    route: 'POST /api/users/:userId/roles',
    allowed: ['administrator'],
    status: 201,
    call: async ({ fixtures }) => ({
      path: `/api/users/${await fixtures.user(undefined)}/roles`,
      body: { role: 'auditor' },
    }),
  },
  {
    route: 'DELETE /api/users/:userId/roles/:role',
    allowed: ['administrator'],
    status: 200,
    call: async ({ fixtures }) => ({ path: `/api/users/${await fixtures.user('auditor')}/roles/auditor` }),
  },
  {
    route: 'POST /api/users/:userId/disable',
    allowed: ['administrator'],
    status: 200,
    call: async ({ fixtures }) => ({
      path: `/api/users/${await fixtures.user('auditor')}/disable`,
      body: { reason: '退職' },
    }),
  },
  {
    route: 'POST /api/users/:userId/enable',
    allowed: ['administrator'],
    status: 200,
    call: async ({ fixtures }) => {
      const userId = await fixtures.user('auditor');
      await fixtures.disable(userId);
      return { path: `/api/users/${userId}/enable` };
    },
  },
  {
    route: 'POST /api/users/:userId/password',
    allowed: ['administrator'],
    status: 200,
    call: async ({ fixtures }) => ({
      path: `/api/users/${await fixtures.user('auditor')}/password`,
      body: { newPassword: 'a password set by the admin' },
    }),
  },
  {
    route: 'GET /api/departments',
    allowed: ['administrator', 'reviewer', 'auditor', 'management', 'department_staff'],
    status: 200,
    call: async () => ({ path: '/api/departments' }),
  },
  {
    route: 'POST /api/departments',
    allowed: ['administrator'],
    status: 201,
    call: async () => ({ path: '/api/departments', body: { name: unique('部') } }),
  },
  {
    route: 'POST /api/departments/:departmentId/divisions',
    allowed: ['administrator'],
    status: 201,
    call: async ({ departmentId }) => ({
      path: `/api/departments/${departmentId}/divisions`,
      body: { name: unique('課') },
    }),
  },
  {
    route: 'GET /api/divisions/:divisionId/members',
    allowed: ['administrator', 'reviewer', 'auditor', 'management', 'department_staff'],
    ownDivisionOnly: true,
    status: 200,
    call: async ({ divisionA }) => ({ path: `/api/divisions/${divisionA}/members` }),
  },
  {
    route: 'GET /api/access/division-staff',
    allowed: ['auditor', 'administrator'],
    status: 200,
    call: async ({ divisionA }) => ({ path: `/api/access/division-staff?divisionId=${divisionA}` }),
  },
  { route: 'GET /api/plans/:planId', allowed: EVERY_ROLE, status: 200, call: async ({ planId }) => ({ path: `/api/plans/${planId}` }) },
  {
    route: 'POST /api/plans',
    allowed: ['administrator'],
    status: 201,
    call: async () => ({
      path: '/api/plans',
      body: { planId: unique('plan-'), name: '新しい計画', firstFiscalYear: 2022, lastFiscalYear: 2025 },
    }),
  },
  {
    route: 'POST /api/plans/:planId/policy-areas',
    allowed: ['administrator'],
    status: 201,
    call: async ({ planId }) => ({ path: `/api/plans/${planId}/policy-areas`, body: { number: 2 + (serial++ % 90), title: unique('方針') } }),
  },
  {
    route: 'POST /api/plans/:planId/basic-items',
    allowed: ['administrator'],
    status: 201,
    call: async ({ planId }) => ({ path: `/api/plans/${planId}/basic-items`, body: { policyAreaId: 'pa-1', title: unique('基本項目') } }),
  },
  {
    route: 'POST /api/plans/:planId/items',
    allowed: ['administrator'],
    status: 201,
    call: async ({ planId, divisionA }) => ({
      path: `/api/plans/${planId}/items`,
      body: { basicItemId: 'bi-1', number: 2, title: unique('項目'), divisionIds: [divisionA] },
    }),
  },
  {
    route: 'GET /api/items/:itemId/editors',
    allowed: ['auditor', 'administrator'],
    status: 200,
    call: async ({ itemId }) => ({ path: `/api/items/${itemId}/editors` }),
  },
  { route: 'GET /api/items', allowed: EVERY_ROLE, status: 200, call: async ({ planId }) => ({ path: `/api/items?planId=${planId}` }) },
  { route: 'GET /api/items/:itemId/status', allowed: EVERY_ROLE, status: 200, call: async ({ itemId }) => ({ path: `/api/items/${itemId}/status` }) },
  { route: 'GET /api/items/:itemId/history', allowed: EVERY_ROLE, status: 200, call: async ({ itemId }) => ({ path: `/api/items/${itemId}/history` }) },
  {
    route: 'GET /api/summaries',
    allowed: EVERY_ROLE,
    status: 200,
    call: async ({ planId }) => ({ path: `/api/summaries?planId=${planId}&fiscalYear=2020` }),
  },
  {
    route: 'GET /api/exports/items.xlsx',
    allowed: EVERY_ROLE,
    status: 200,
    call: async ({ planId }) => ({ path: `/api/exports/items.xlsx?planId=${planId}&fiscalYear=2020` }),
  },
  {
    route: 'GET /api/exports/summaries.xlsx',
    allowed: EVERY_ROLE,
    status: 200,
    call: async ({ planId }) => ({ path: `/api/exports/summaries.xlsx?planId=${planId}&fiscalYear=2020` }),
  },
  {
    route: 'GET /api/summaries/trends',
    allowed: EVERY_ROLE,
    status: 200,
    call: async ({ planId }) => ({ path: `/api/summaries/trends?planId=${planId}` }),
  },
  {
    route: 'POST /api/summaries/what-if',
    allowed: EVERY_ROLE,
    status: 200,
    call: async ({ planId }) => ({
      path: '/api/summaries/what-if',
      body: { planId, fiscalYear: 2020, ruleId: 'ube-achievement-rate', ruleVersion: 1 },
    }),
  },
  {
    route: 'GET /api/items/:itemId/as-of',
    allowed: ['auditor', 'administrator'],
    status: 200,
    call: async ({ itemId }) => ({ path: `/api/items/${itemId}/as-of?at=${new Date().toISOString()}` }),
  },
  {
    route: 'GET /api/items/:itemId/diff',
    allowed: ['auditor', 'administrator'],
    status: 200,
    call: async ({ itemId }) => ({ path: `/api/items/${itemId}/diff?from=0&to=${new Date().toISOString()}` }),
  },
  { route: 'GET /api/integrity', allowed: ['auditor', 'administrator'], status: 200, call: async ({ itemId }) => ({ path: `/api/integrity?itemId=${itemId}` }) },
  { route: 'GET /api/projections', allowed: ['administrator', 'auditor'], status: 200, call: async () => ({ path: '/api/projections' }) },
  { route: 'GET /api/items/:itemId', allowed: EVERY_ROLE, status: 200, call: async ({ itemId }) => ({ path: `/api/items/${itemId}` }) },
  {
    route: 'POST /api/items/:itemId/revisions',
    allowed: ['administrator'],
    status: 200,
    call: async ({ itemId }) => ({ path: `/api/items/${itemId}/revisions`, body: { changes: { title: unique('名称') }, reason: '名称変更' } }),
  },
  {
    route: 'POST /api/items/:itemId/indicators',
    allowed: ['administrator'],
    status: 201,
    call: async ({ itemId }) => ({
      path: `/api/items/${itemId}/indicators`,
      body: { name: unique('指標'), unit: '件', direction: 'higher', kind: 'annual' },
    }),
  },
  {
    route: 'POST /api/items/:itemId/indicators/:indicatorId/revisions',
    allowed: ['administrator'],
    status: 200,
    call: async ({ itemId }) => ({
      path: `/api/items/${itemId}/indicators/ind-1/revisions`,
      body: { changes: { name: unique('指標名') }, reason: '名称の統一' },
    }),
  },
  {
    route: 'PUT /api/items/:itemId/years/:fiscalYear/targets',
    allowed: ['administrator', 'reviewer'],
    status: 200,
    call: async ({ itemId }) => ({ path: `/api/items/${itemId}/years/R2/targets`, body: { targets: [{ indicatorId: 'ind-1', value: 120 }] } }),
  },
  {
    route: 'PUT /api/items/:itemId/years/:fiscalYear/actual',
    allowed: ['department_staff'],
    ownDivisionOnly: true,
    status: 200,
    call: async ({ itemId }) => ({
      path: `/api/items/${itemId}/years/2020/actual`,
      body: { actuals: [{ indicatorId: 'ind-1', value: 95 }], narrative: '実施した' },
    }),
  },
  {
    route: 'PUT /api/items/:itemId/years/:fiscalYear/self-evaluation',
    allowed: ['department_staff'],
    ownDivisionOnly: true,
    status: 200,
    call: async ({ itemAt }) => ({ path: `/api/items/${await itemAt('reported')}/years/2020/self-evaluation`, body: { grade: 'mostly_achieved' } }),
  },
  {
    route: 'PUT /api/items/:itemId/years/:fiscalYear/plan',
    allowed: ['department_staff'],
    ownDivisionOnly: true,
    status: 200,
    call: async ({ itemId }) => ({ path: `/api/items/${itemId}/years/2021/plan`, body: { planText: '対象を広げる' } }),
  },
  {
    route: 'POST /api/items/:itemId/years/:fiscalYear/approval',
    allowed: ['reviewer'],
    status: 200,
    call: async ({ itemAt }) => ({ path: `/api/items/${await itemAt('submitted')}/years/2020/approval`, body: { grade: 'mostly_achieved' } }),
  },
  {
    route: 'POST /api/items/:itemId/years/:fiscalYear/return',
    allowed: ['reviewer'],
    status: 200,
    call: async ({ itemAt }) => ({ path: `/api/items/${await itemAt('submitted')}/years/2020/return`, body: { reason: '根拠を添付してください' } }),
  },
  {
    route: 'POST /api/items/:itemId/years/:fiscalYear/reopen',
    allowed: ['reviewer'],
    status: 200,
    call: async ({ itemAt }) => ({ path: `/api/items/${await itemAt('approved')}/years/2020/reopen`, body: { reason: '実績値の訂正' } }),
  },
  {
    route: 'POST /api/items/:itemId/retirement',
    allowed: ['administrator'],
    status: 200,
    call: async ({ itemAt }) => ({ path: `/api/items/${await itemAt('registered')}/retirement`, body: { reason: '統合' } }),
  },
];

/** A working day some working days from today, as a stage deadline. */
function workingDayAhead(days: number): string {
  return addWorkingDays(japanDate(new Date()), days);
}

function expectedStatus(endpoint: Endpoint, caller: Caller): number {
  if (endpoint.allowed === 'public') return endpoint.status;
  if (caller === 'anonymous') return 401;
  if (endpoint.allowed === 'signed-in') return endpoint.status;
  const role: Role = caller === 'department_staff_other_division' ? 'department_staff' : (caller as Role);
  if (caller === 'no_role' || !endpoint.allowed.includes(role)) return 403;
  if (endpoint.ownDivisionOnly && caller === 'department_staff_other_division') return 403;
  return endpoint.status;
}

describe('authorization matrix', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let context: Context;
  const tokens = new Map<Caller, string>();

  beforeAll(async () => {
    database = await createTestDatabase();
    app = await createTestApp({ databaseUrl: database.url });
    const fixtures = new IdentityFixtures(app);
    const divisionA = await fixtures.division();
    const divisionB = await fixtures.division();
    const departmentId = fixtures.departmentOf(divisionA);
    const userFor = (caller: Caller) =>
      caller === 'anonymous'
        ? Promise.resolve(undefined)
        : caller === 'no_role'
          ? fixtures.user(undefined)
          : caller === 'department_staff_other_division'
            ? fixtures.user('department_staff', [divisionB])
            : fixtures.user(caller, caller === 'department_staff' ? [divisionA] : []);
    const plans = new PlanFixtures(app);
    const { planId } = await plans.plan();
    const itemId = await plans.item(planId, [divisionA]);
    await app.get(ProjectionsService).waitFor(await app.get(EventStore).headPosition());
    const reviewStaff = await fixtures.user('department_staff', [divisionA]);
    const reviewAt = async (state: ReviewState): Promise<ReviewAt> => {
      const { planId: reviewPlan } = await plans.plan();
      const reviewItem = await plans.item(reviewPlan, [divisionA]);
      // A second item keeps the stage open once the first is approved (the last approval closes it).
      await plans.item(reviewPlan, [divisionA]);
      const base = `/api/reviews/${reviewPlan}/2021`;
      const review = { base, planId: reviewPlan, itemId: reviewItem, submission: `${base}/stages/spring/items/${reviewItem}` };
      const send = (command: object) => runAs(SYSTEM_ACTOR, () => app.get(CommandBus).execute(command));
      const step = (command: ChangeSubmission['command']) => send(new ChangeSubmission(reviewPlan, 2021, 'spring', reviewItem, command));
      await send(new ChangeReviewCycle(reviewPlan, 2021, { type: 'OpenReviewCycle' }));
      if (state === 'cycle') return review;
      await send(new ChangeReviewCycle(reviewPlan, 2021, { type: 'OpenStage', stage: 'spring', deadline: workingDayAhead(30) }));
      await workflowSettled(app);
      if (state === 'open') return review;
      await step({ type: 'SaveDraft', by: reviewStaff, content: { actuals: [{ indicatorId: 'ind-1', value: 90 }], narrative: '○実施した', selfGrade: 'mostly_achieved' } });
      if (state === 'drafted') return review;
      await step({ type: 'SubmitForReview', by: reviewStaff });
      if (state === 'approved') await step({ type: 'ApproveSubmission', by: 'another-reviewer' });
      await workflowSettled(app);
      return review;
    };
    context = {
      reviewAt,
      review: await reviewAt('open'),
      fixtures,
      plans,
      planId,
      itemId,
      itemAt: (stage) => plans.item(planId, [divisionA], stage),
      divisionA,
      departmentId,
      freshUserFor: userFor,
    };
    for (const caller of CALLERS) {
      const userId = await userFor(caller);
      if (userId) tokens.set(caller, await fixtures.token(userId));
    }
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('covers every route the server has', () => {
    const router = app.getHttpAdapter().getInstance().router;
    const routes = router.stack
      // Nest's own catch-all for 404s is not an endpoint; the API description is public by design.
      .filter(
        (layer: { route?: { path: string } }) =>
          layer.route && layer.route.path !== '/{*path}' && !layer.route.path.startsWith('/api/docs'),
      )
      .flatMap((layer: { route: { path: string; methods: Record<string, boolean> } }) =>
        Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${layer.route.path}`),
      );
    expect([...routes].sort()).toEqual(endpoints.map((endpoint) => endpoint.route).sort());
  });

  describe.each(endpoints)('$route', (endpoint) => {
    it.each(CALLERS)('as %s', async (caller) => {
      const call = await endpoint.call(context, caller);
      const token = call.asUser ? await context.fixtures.token(call.asUser) : tokens.get(caller);
      const [method] = endpoint.route.split(' ');
      let pending = request(app.getHttpServer())[method.toLowerCase() as 'get'](call.path);
      if (token) pending = pending.auth(token, { type: 'bearer' });
      const response = await (call.file ? pending.attach('file', call.file.content, call.file.name) : call.body ? pending.send(call.body) : pending);

      const expected = expectedStatus(endpoint, caller);
      expect({ caller, status: response.status, body: response.text }).toMatchObject({ caller, status: expected });
      if (expected === 403) {
        const problem = JSON.parse(response.text);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(problem.rule).toBe(
          endpoint.ownDivisionOnly && caller === 'department_staff_other_division'
            ? 'access.division_scope'
            : 'access.role_required',
        );
        expect(problem.detail).toEqual(expect.any(String));
      }
      if (expected === 401) expect(JSON.parse(response.text).rule).toBe('authentication.required');
    });
  });
});
