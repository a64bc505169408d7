import { ItemEvent, fold, itemDecider, suggestedGrade } from '../src';
import { deciderSpec } from './decider-spec';

const given = deciderSpec(itemDecider);
const period = { firstFiscalYear: 2018, lastFiscalYear: 2021 };

const registered: ItemEvent = {
  type: 'ItemRegistered',
  data: {
    itemId: 'item-1',
    planId: 'ube',
    basicItemId: 'bi-1',
    number: 1,
    planPeriod: period,
    gradingRule: { id: 'ube-achievement-rate', version: 1 },
    title: '窓口のワンストップ化',
    divisionIds: ['div-shimin'],
    description: '手続きを一か所で',
    schedulePhases: [{ label: '運用・検証', firstFiscalYear: 2019, lastFiscalYear: 2021 }],
  },
};
const indicator: ItemEvent = {
  type: 'IndicatorDefined',
  data: { indicatorId: 'ind-1', name: '電子申請件数', unit: '件', direction: 'higher', kind: 'annual', baseline: { value: 1200, fiscalYear: 2017 } },
};
const rateIndicator: ItemEvent = {
  type: 'IndicatorDefined',
  data: { indicatorId: 'ind-rate', name: '利用率', unit: '%', direction: 'higher', kind: 'rate' },
};
const target: ItemEvent = { type: 'TargetSet', data: { fiscalYear: 2020, targets: [{ indicatorId: 'ind-1', value: 3000 }] } };
const actual: ItemEvent = {
  type: 'ActualSubmitted',
  data: { fiscalYear: 2020, actuals: [{ indicatorId: 'ind-1', value: 2901 }], narrative: '電子申請を拡充した', evidenceLinks: [] },
};
const computed = { grade: 'mostly_achieved', rate: 2901 / 3000, ruleId: 'ube-achievement-rate', ruleVersion: 1 } as const;
const submitted: ItemEvent = {
  type: 'EvaluationSubmitted',
  data: { fiscalYear: 2020, grade: 'mostly_achieved', comment: '概ね順調', computed },
};
const approved: ItemEvent = {
  type: 'EvaluationApproved',
  data: { fiscalYear: 2020, grade: 'mostly_achieved', comment: '承認', computed },
};
const reported = [registered, indicator, target, actual];

describe('item decider', () => {
  describe('RegisterItem', () => {
    const command = { type: 'RegisterItem' as const, ...registered.data };

    it('registers an item', () => given([]).when(command).then([registered]));
    it('refuses an item registered before', () => given([registered]).when(command).thenRefuses('item.already_registered', 'conflict'));
    it('refuses an item without a division', () =>
      given([]).when({ ...command, divisionIds: [] }).thenRefuses('item.divisions_required', 'invalid'));
    it('refuses a schedule phase outside the plan period', () =>
      given([])
        .when({ ...command, schedulePhases: [{ label: '検討', firstFiscalYear: 2016, lastFiscalYear: 2018 }] })
        .thenRefuses('fiscal_year.outside_plan', 'invalid'));
    it('refuses a reversed schedule phase', () =>
      given([])
        .when({ ...command, schedulePhases: [{ label: '検討', firstFiscalYear: 2021, lastFiscalYear: 2019 }] })
        .thenRefuses('schedule.phase_reversed'));
    it('refuses a title that is too long', () =>
      given([]).when({ ...command, title: 'あ'.repeat(201) }).thenRefuses('title.too_long', 'invalid'));
    it('refuses an item number below 1', () => given([]).when({ ...command, number: 0 }).thenRefuses('item.number_invalid'));
  });

  it('refuses any change to an item that does not exist', () =>
    given([]).when({ type: 'RetireItem', reason: '統合' }).thenRefuses('item.not_found', 'not_found'));

  describe('ReviseItem', () => {
    it('records what changed, what it was, and why', () =>
      given([registered])
        .when({ type: 'ReviseItem', changes: { title: '窓口のワンストップ化の推進' }, reason: '名称変更' })
        .then([
          {
            type: 'ItemRevised',
            data: { changes: { title: '窓口のワンストップ化の推進' }, previous: { title: '窓口のワンストップ化' }, reason: '名称変更' },
          },
        ]));
    it('refuses a revision without a reason', () =>
      given([registered]).when({ type: 'ReviseItem', changes: { title: '新' }, reason: '' }).thenRefuses('reason.required', 'invalid'));
    it('refuses a revision that changes nothing', () =>
      given([registered])
        .when({ type: 'ReviseItem', changes: { title: '窓口のワンストップ化' }, reason: '確認' })
        .thenRefuses('revision.no_change'));
  });

  describe('DefineIndicator and ReviseIndicator', () => {
    it('defines an indicator', () => given([registered]).when({ type: 'DefineIndicator', ...indicator.data } as never).then([indicator]));
    it('refuses an indicator defined before', () =>
      given([registered, indicator]).when({ type: 'DefineIndicator', ...indicator.data } as never).thenRefuses('indicator.already_defined', 'conflict'));
    it('refuses an unknown direction', () =>
      given([registered]).when({ type: 'DefineIndicator', ...indicator.data, direction: 'up' } as never).thenRefuses('indicator.direction_invalid'));
    it('refuses an unknown kind', () =>
      given([registered]).when({ type: 'DefineIndicator', ...indicator.data, kind: 'weekly' } as never).thenRefuses('indicator.kind_invalid'));
    it('refuses a percentage baseline above 100', () =>
      given([registered])
        .when({ type: 'DefineIndicator', ...rateIndicator.data, baseline: { value: 120, fiscalYear: 2017 } } as never)
        .thenRefuses('number.out_of_range', 'invalid'));
    it('refuses bounds where the minimum exceeds the maximum', () =>
      given([registered])
        .when({ type: 'DefineIndicator', ...indicator.data, minimum: 10, maximum: 5 } as never)
        .thenRefuses('indicator.bounds_reversed', 'invalid'));
    it('refuses a baseline year that is no fiscal year', () =>
      given([registered])
        .when({ type: 'DefineIndicator', ...indicator.data, baseline: { value: 1, fiscalYear: 20.5 } } as never)
        .thenRefuses('baseline.fiscal_year_invalid', 'invalid'));
    it('revises an indicator, keeping the old definition in the event', () =>
      given([registered, indicator])
        .when({ type: 'ReviseIndicator', indicatorId: 'ind-1', changes: { name: 'オンライン申請件数' }, reason: '名称の統一' })
        .then([
          {
            type: 'IndicatorRevised',
            data: { indicatorId: 'ind-1', changes: { name: 'オンライン申請件数' }, previous: { name: '電子申請件数' }, reason: '名称の統一' },
          },
        ]));
    it('refuses a revision of an unknown indicator', () =>
      given([registered])
        .when({ type: 'ReviseIndicator', indicatorId: 'ind-9', changes: { name: 'x' }, reason: 'y' })
        .thenRefuses('indicator.not_found', 'not_found'));
    it('refuses an indicator revision without a reason', () =>
      given([registered, indicator])
        .when({ type: 'ReviseIndicator', indicatorId: 'ind-1', changes: { name: 'x' }, reason: ' ' })
        .thenRefuses('reason.required'));
  });

  describe('SetTarget', () => {
    it('sets a target for a fiscal year', () =>
      given([registered, indicator]).when({ type: 'SetTarget', fiscalYear: 2020, targets: [{ indicatorId: 'ind-1', value: 3000 }] }).then([target]));
    it('sets a written goal for an item graded by judgement', () =>
      given([registered])
        .when({ type: 'SetTarget', fiscalYear: 2020, targets: [], goalText: '全窓口で導入' })
        .then([{ type: 'TargetSet', data: { fiscalYear: 2020, targets: [], goalText: '全窓口で導入' } }]));
    it('refuses a target outside the plan period', () =>
      given([registered, indicator])
        .when({ type: 'SetTarget', fiscalYear: 2022, targets: [{ indicatorId: 'ind-1', value: 1 }] })
        .thenRefuses('fiscal_year.outside_plan', 'invalid'));
    it('refuses an empty target', () =>
      given([registered]).when({ type: 'SetTarget', fiscalYear: 2020, targets: [] }).thenRefuses('target.empty'));
    it('refuses a number that is not finite', () =>
      given([registered, indicator])
        .when({ type: 'SetTarget', fiscalYear: 2020, targets: [{ indicatorId: 'ind-1', value: Number.NaN }] })
        .thenRefuses('number.not_finite', 'invalid'));
    it('refuses a negative count', () =>
      given([registered, indicator])
        .when({ type: 'SetTarget', fiscalYear: 2020, targets: [{ indicatorId: 'ind-1', value: -1 }] })
        .thenRefuses('number.out_of_range'));
    it('refuses the same indicator twice', () =>
      given([registered, indicator])
        .when({ type: 'SetTarget', fiscalYear: 2020, targets: [{ indicatorId: 'ind-1', value: 1 }, { indicatorId: 'ind-1', value: 2 }] })
        .thenRefuses('indicator.repeated'));
    it('refuses a target of a year already approved', () =>
      given([...reported, submitted, approved])
        .when({ type: 'SetTarget', fiscalYear: 2020, targets: [{ indicatorId: 'ind-1', value: 1 }] })
        .thenRefuses('evaluation.locked', 'conflict'));
  });

  describe('SubmitActual', () => {
    const command = {
      type: 'SubmitActual' as const,
      fiscalYear: 2020,
      actuals: [{ indicatorId: 'ind-1', value: 2901 }],
      narrative: '電子申請を拡充した',
      evidenceLinks: [],
    };
    it('submits the actual and the results', () => given([registered, indicator, target]).when(command).then([actual]));
    it('refuses an actual outside the plan period', () =>
      given([registered, indicator]).when({ ...command, fiscalYear: 2017 }).thenRefuses('fiscal_year.outside_plan'));
    it('refuses a percentage above 100', () =>
      given([registered, rateIndicator])
        .when({ ...command, actuals: [{ indicatorId: 'ind-rate', value: 100.5 }] })
        .thenRefuses('number.out_of_range'));
    it('accepts a percentage above 100 where the indicator allows it', () => {
      const actuals = [{ indicatorId: 'ind-rate', value: 150 }];
      given([registered, { type: 'IndicatorDefined', data: { ...rateIndicator.data, maximum: 200 } } as ItemEvent])
        .when({ ...command, actuals })
        .then([{ type: 'ActualSubmitted', data: { fiscalYear: 2020, actuals, narrative: command.narrative, evidenceLinks: [] } }]);
    });
    it('refuses results without a narrative', () =>
      given([registered, indicator]).when({ ...command, narrative: '' }).thenRefuses('narrative.required'));
    it('refuses an evidence link that is not http(s)', () =>
      given([registered, indicator]).when({ ...command, evidenceLinks: ['javascript:alert(1)'] }).thenRefuses('evidence.link_invalid'));
    it('refuses more than ten evidence links', () =>
      given([registered, indicator])
        .when({ ...command, evidenceLinks: Array.from({ length: 11 }, (_, index) => `https://example.jp/${index}`) })
        .thenRefuses('evidence.too_many', 'invalid'));
    it('refuses an unknown indicator', () =>
      given([registered]).when(command).thenRefuses('indicator.not_found', 'not_found'));
    it('refuses results of a year already approved', () =>
      given([...reported, submitted, approved]).when(command).thenRefuses('evaluation.locked', 'conflict'));
  });

  describe('SubmitEvaluation', () => {
    it('records the self-assessment with the grade the rule suggests', () =>
      given(reported).when({ type: 'SubmitEvaluation', fiscalYear: 2020, grade: 'mostly_achieved', comment: '概ね順調' }).then([submitted]));
    it('refuses a self-assessment before the results', () =>
      given([registered, indicator, target])
        .when({ type: 'SubmitEvaluation', fiscalYear: 2020, grade: 'achieved', comment: '' })
        .thenRefuses('evaluation.results_missing', 'conflict'));
    it('refuses an unknown grade', () =>
      given(reported).when({ type: 'SubmitEvaluation', fiscalYear: 2020, grade: 'S' as never, comment: '' }).thenRefuses('grade.invalid'));
    it('refuses a self-assessment of an approved year', () =>
      given([...reported, submitted, approved])
        .when({ type: 'SubmitEvaluation', fiscalYear: 2020, grade: 'achieved', comment: '' })
        .thenRefuses('evaluation.locked'));
  });

  describe('ApproveEvaluation', () => {
    it('approves the suggested grade', () =>
      given([...reported, submitted])
        .when({ type: 'ApproveEvaluation', fiscalYear: 2020, grade: 'mostly_achieved', comment: '承認' })
        .then([approved]));
    it('approves another grade only with a reason, and keeps both', () =>
      given([...reported, submitted])
        .when({ type: 'ApproveEvaluation', fiscalYear: 2020, grade: 'achieved', comment: '', reason: '計画人数を達成' })
        .then([{ type: 'EvaluationApproved', data: { fiscalYear: 2020, grade: 'achieved', comment: '', computed, reason: '計画人数を達成' } }]));
    it('refuses another grade without a reason', () =>
      given([...reported, submitted])
        .when({ type: 'ApproveEvaluation', fiscalYear: 2020, grade: 'achieved', comment: '' })
        .thenRefuses('evaluation.override_reason_required', 'invalid'));
    it('approves any grade of an item graded by judgement', () =>
      given([
        registered,
        { type: 'ActualSubmitted', data: { fiscalYear: 2020, actuals: [], narrative: '導入した', evidenceLinks: [] } },
        { type: 'EvaluationSubmitted', data: { fiscalYear: 2020, grade: 'achieved', comment: '' } },
      ])
        .when({ type: 'ApproveEvaluation', fiscalYear: 2020, grade: 'achieved', comment: '' })
        .then([{ type: 'EvaluationApproved', data: { fiscalYear: 2020, grade: 'achieved', comment: '' } }]));
    it('refuses an approval before submission', () =>
      given(reported)
        .when({ type: 'ApproveEvaluation', fiscalYear: 2020, grade: 'mostly_achieved', comment: '' })
        .thenRefuses('evaluation.not_submitted', 'conflict'));
    it('refuses a second approval: approved is locked', () =>
      given([...reported, submitted, approved])
        .when({ type: 'ApproveEvaluation', fiscalYear: 2020, grade: 'mostly_achieved', comment: '' })
        .thenRefuses('evaluation.locked', 'conflict'));
  });

  describe('ReturnEvaluation and ReopenEvaluation', () => {
    it('returns a submission with a reason', () =>
      given([...reported, submitted])
        .when({ type: 'ReturnEvaluation', fiscalYear: 2020, reason: '実績の根拠を添付してください' })
        .then([{ type: 'EvaluationReturned', data: { fiscalYear: 2020, reason: '実績の根拠を添付してください' } }]));
    it('refuses a return without a reason', () =>
      given([...reported, submitted]).when({ type: 'ReturnEvaluation', fiscalYear: 2020, reason: '' }).thenRefuses('reason.required'));
    it('refuses to return what was not submitted', () =>
      given(reported).when({ type: 'ReturnEvaluation', fiscalYear: 2020, reason: 'x' }).thenRefuses('evaluation.not_submitted'));
    it('reopens an approved year with a reason, after which it can be approved again', () => {
      given([...reported, submitted, approved])
        .when({ type: 'ReopenEvaluation', fiscalYear: 2020, reason: '実績値の訂正' })
        .then([{ type: 'EvaluationReopened', data: { fiscalYear: 2020, reason: '実績値の訂正' } }]);
      given([...reported, submitted, approved, { type: 'EvaluationReopened', data: { fiscalYear: 2020, reason: '訂正' } }])
        .when({ type: 'ApproveEvaluation', fiscalYear: 2020, grade: 'mostly_achieved', comment: '' })
        .then([{ type: 'EvaluationApproved', data: { fiscalYear: 2020, grade: 'mostly_achieved', comment: '', computed } }]);
    });
    it('refuses to reopen what is not approved', () =>
      given([...reported, submitted]).when({ type: 'ReopenEvaluation', fiscalYear: 2020, reason: 'x' }).thenRefuses('evaluation.not_approved'));
    it('refuses a reopening without a reason', () =>
      given([...reported, submitted, approved]).when({ type: 'ReopenEvaluation', fiscalYear: 2020, reason: '' }).thenRefuses('reason.required'));
  });

  describe('SetNextYearPlan', () => {
    it('records the plan and the next target', () =>
      given([registered, indicator])
        .when({ type: 'SetNextYearPlan', fiscalYear: 2021, planText: '対象手続を拡大する', nextTargets: [{ indicatorId: 'ind-1', value: 3500 }] })
        .then([
          { type: 'NextYearPlanSet', data: { fiscalYear: 2021, planText: '対象手続を拡大する' } },
          { type: 'TargetSet', data: { fiscalYear: 2021, targets: [{ indicatorId: 'ind-1', value: 3500 }] } },
        ]));
    it('refuses a plan for a year after the plan period', () =>
      given([registered]).when({ type: 'SetNextYearPlan', fiscalYear: 2022, planText: 'x', nextTargets: [] }).thenRefuses('fiscal_year.outside_plan'));
    it('refuses an empty plan', () =>
      given([registered]).when({ type: 'SetNextYearPlan', fiscalYear: 2021, planText: ' ', nextTargets: [] }).thenRefuses('planText.required'));
  });

  describe('RetireItem', () => {
    it('retires an item with a reason', () =>
      given([registered]).when({ type: 'RetireItem', reason: '項目を統合' }).then([{ type: 'ItemRetired', data: { reason: '項目を統合' } }]));
    it('refuses a retirement without a reason', () =>
      given([registered]).when({ type: 'RetireItem', reason: '' }).thenRefuses('reason.required'));
    it('refuses every change to a retired item', () =>
      given([registered, { type: 'ItemRetired', data: { reason: '統合' } }])
        .when({ type: 'ReviseItem', changes: { title: 'x' }, reason: 'y' })
        .thenRefuses('item.retired', 'conflict'));
  });

  it('suggests the weakest indicator grade, and none while a value is missing', () => {
    const second: ItemEvent = { type: 'IndicatorDefined', data: { indicatorId: 'ind-2', name: '満足度', unit: '%', direction: 'higher', kind: 'rate' } };
    const state = fold(itemDecider, [
      ...reported,
      second,
      { type: 'TargetSet', data: { fiscalYear: 2020, targets: [{ indicatorId: 'ind-2', value: 80 }] } },
    ]);
    expect(suggestedGrade(state, 2020)).toBeUndefined();
    const complete = itemDecider.evolve(state, {
      type: 'ActualSubmitted',
      data: { fiscalYear: 2020, actuals: [{ indicatorId: 'ind-2', value: 50 }], narrative: 'x', evidenceLinks: [] },
    });
    expect(suggestedGrade(complete, 2020)?.grade).toBe('not_achieved');
  });
});
