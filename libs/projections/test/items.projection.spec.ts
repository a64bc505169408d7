import { itemsProjection } from '../src';
import { EventLog, projectionHarness } from './projection-spec';

const period = { firstFiscalYear: 2018, lastFiscalYear: 2021 };
const rule = { id: 'ube-achievement-rate', version: 1 };
const reviewer = { userId: 'suzuki', role: 'reviewer' };

function planWithOneItem(log = new EventLog()) {
  log.append('plan-ube', 'PlanRegistered', { planId: 'ube', name: '計画', ...period, gradingRule: rule });
  log.append('plan-ube', 'PolicyAreaAdded', { policyAreaId: 'pa-1', number: 1, title: 'サービス改革' });
  log.append('plan-ube', 'BasicItemAdded', { basicItemId: 'bi-1', policyAreaId: 'pa-1', title: '行政サービスの質的向上' });
  log.append('item-a', 'ItemRegistered', {
    itemId: 'a',
    planId: 'ube',
    basicItemId: 'bi-1',
    number: 1,
    planPeriod: period,
    gradingRule: rule,
    title: '窓口のワンストップ化',
    divisionIds: ['div-shimin'],
    description: '',
    schedulePhases: [],
  });
  log.append('item-a', 'IndicatorDefined', { indicatorId: 'ind-1', name: '電子申請件数', unit: '件', direction: 'higher', kind: 'annual' });
  return log;
}

describe('items projection', () => {
  let harness: Awaited<ReturnType<typeof projectionHarness>>;
  beforeAll(async () => (harness = await projectionHarness(itemsProjection)));
  afterAll(() => harness?.close());

  it('gives a registered item one status row per fiscal year of its plan, placed in its policy area', async () => {
    const t = await harness.given(planWithOneItem().events);
    const rows = await harness.rows(
      `SELECT item_id, fiscal_year, policy_area_id, title, division_ids, review_state FROM ${t.item_status} ORDER BY fiscal_year`,
    );
    expect(rows).toEqual(
      [2018, 2019, 2020, 2021].map((fiscalYear) => ({
        item_id: 'a',
        fiscal_year: fiscalYear,
        policy_area_id: 'pa-1',
        title: '窓口のワンストップ化',
        division_ids: ['div-shimin'],
        review_state: 'open',
      })),
    );
  });

  it('shows target, actual, rate and grades of a year, and who changed it last', async () => {
    const log = planWithOneItem();
    log.append('item-a', 'TargetSet', { fiscalYear: 2020, targets: [{ indicatorId: 'ind-1', value: 3000 }] }, reviewer);
    log.append('item-a', 'ActualSubmitted', { fiscalYear: 2020, actuals: [{ indicatorId: 'ind-1', value: 2901 }], narrative: '拡充した', evidenceLinks: [] });
    log.append('item-a', 'EvaluationSubmitted', { fiscalYear: 2020, grade: 'mostly_achieved', comment: '' });
    const approval = log.append('item-a', 'EvaluationApproved', { fiscalYear: 2020, grade: 'achieved', comment: '', reason: '計画人数を確保' }, reviewer);
    const t = await harness.given(log.events);

    const [row] = await harness.rows(`SELECT * FROM ${t.item_status} WHERE item_id = 'a' AND fiscal_year = 2020`);
    expect(row).toMatchObject({
      computed_grade: 'mostly_achieved',
      self_grade: 'mostly_achieved',
      approved_grade: 'achieved',
      review_state: 'approved',
      narrative: '拡充した',
      last_changed_by: 'suzuki',
      last_position: String(approval.globalPosition),
      indicators: [{ indicatorId: 'ind-1', target: 3000, actual: 2901, rate: 2901 / 3000, grade: 'mostly_achieved', unit: '件', name: '電子申請件数', direction: 'higher' }],
    });
    expect(row.computed_rate).toBeCloseTo(0.967, 3);
    const [untouched] = await harness.rows(`SELECT review_state, last_changed_by FROM ${t.item_status} WHERE item_id = 'a' AND fiscal_year = 2019`);
    expect(untouched).toEqual({ review_state: 'open', last_changed_by: 'tanaka' });
  });

  it('writes one history row per change: who, when, what before → after, and why', async () => {
    const log = planWithOneItem();
    log.append('item-a', 'ItemRevised', { changes: { title: '窓口の一元化' }, previous: { title: '窓口のワンストップ化' }, reason: '名称の統一' }, { userId: 'admin', role: 'administrator' });
    log.append('item-a', 'ActualSubmitted', { fiscalYear: 2020, actuals: [{ indicatorId: 'ind-1', value: 2901 }], narrative: '拡充した', evidenceLinks: [] });
    const t = await harness.given(log.events);

    const history = await harness.rows(
      `SELECT stream_version, event_type, summary, actor_user_id, actor_role, fiscal_year, changes, reason FROM ${t.item_history}
        WHERE item_id = 'a' ORDER BY stream_version`,
    );
    expect(history.map((row) => row.event_type)).toEqual(['ItemRegistered', 'IndicatorDefined', 'ItemRevised', 'ActualSubmitted']);
    expect(history[2]).toMatchObject({
      summary: '個別項目を修正',
      actor_user_id: 'admin',
      actor_role: 'administrator',
      reason: '名称の統一',
      changes: [{ field: 'title', label: '項目名', before: '窓口のワンストップ化', after: '窓口の一元化' }],
    });
    expect(history[3]).toMatchObject({
      fiscal_year: 2020,
      changes: expect.arrayContaining([
        { field: 'years.2020.actuals.ind-1', label: 'R2 実績（電子申請件数）', before: null, after: '2,901 件' },
        { field: 'years.2020.narrative', label: 'R2 取組実績', before: null, after: '拡充した' },
      ]),
    });
  });

  it('gives the same rows whatever the batch size', async () => {
    const log = planWithOneItem();
    for (let index = 0; index < 30; index++) {
      log.append('item-a', 'TargetSet', { fiscalYear: 2018 + (index % 4), targets: [{ indicatorId: 'ind-1', value: 100 + index }] }, reviewer);
    }
    const whole = await harness.given(log.events, 1000);
    const oneByOne = await harness.given(log.events, 1);
    for (const table of ['item_status', 'item_history', 'item_state'] as const) {
      const order = table === 'item_history' ? 'item_id, stream_version' : table === 'item_state' ? 'item_id' : 'item_id, fiscal_year';
      expect(await harness.rows(`SELECT * FROM ${oneByOne[table]} ORDER BY ${order}`)).toEqual(
        await harness.rows(`SELECT * FROM ${whole[table]} ORDER BY ${order}`),
      );
    }
  });
});
