import { PlanEvent, planDecider } from '../src';
import { deciderSpec } from './decider-spec';

const given = deciderSpec(planDecider);
const rule = { id: 'ube-achievement-rate', version: 1 };
const registered: PlanEvent = {
  type: 'PlanRegistered',
  data: { planId: 'ube', name: '宇部市行政サービス改革推進計画', firstFiscalYear: 2018, lastFiscalYear: 2021, gradingRule: rule },
};
const serviceReform: PlanEvent = { type: 'PolicyAreaAdded', data: { policyAreaId: 'pa-1', number: 1, title: 'サービス改革' } };

describe('plan decider', () => {
  it('registers a plan', () =>
    given([])
      .when({ type: 'RegisterPlan', planId: 'ube', name: '宇部市行政サービス改革推進計画', firstFiscalYear: 2018, lastFiscalYear: 2021, gradingRule: rule })
      .then([registered]));

  it('refuses a plan registered before', () =>
    given([registered])
      .when({ type: 'RegisterPlan', planId: 'ube', name: 'x', firstFiscalYear: 2018, lastFiscalYear: 2021, gradingRule: rule })
      .thenRefuses('plan.already_registered', 'conflict'));

  it.each([
    [2021, 2018],
    [2000, 2030],
  ])('refuses the period %p–%p', (firstFiscalYear, lastFiscalYear) =>
    given([])
      .when({ type: 'RegisterPlan', planId: 'p', name: '計画', firstFiscalYear, lastFiscalYear, gradingRule: rule })
      .thenRefuses('plan.period_invalid', 'invalid'));

  it('refuses an unknown grading rule', () =>
    given([])
      .when({ type: 'RegisterPlan', planId: 'p', name: '計画', firstFiscalYear: 2018, lastFiscalYear: 2021, gradingRule: { id: 'ube-achievement-rate', version: 9 } })
      .thenRefuses('grading_rule.unknown', 'invalid'));

  it('refuses a plan without a name', () =>
    given([])
      .when({ type: 'RegisterPlan', planId: 'p', name: ' ', firstFiscalYear: 2018, lastFiscalYear: 2021, gradingRule: rule })
      .thenRefuses('name.required', 'invalid'));

  it('adds a policy area', () =>
    given([registered]).when({ type: 'AddPolicyArea', policyAreaId: 'pa-1', number: 1, title: 'サービス改革' }).then([serviceReform]));

  it('refuses a policy area number taken', () =>
    given([registered, serviceReform])
      .when({ type: 'AddPolicyArea', policyAreaId: 'pa-2', number: 1, title: '別' })
      .thenRefuses('policy_area.number_taken', 'conflict'));

  it('refuses a policy area number below 1', () =>
    given([registered]).when({ type: 'AddPolicyArea', policyAreaId: 'pa-1', number: 0, title: 'x' }).thenRefuses('policy_area.number_invalid'));

  it('refuses to change a plan that does not exist', () =>
    given([]).when({ type: 'AddPolicyArea', policyAreaId: 'pa-1', number: 1, title: 'x' }).thenRefuses('plan.not_found', 'not_found'));

  it('adds a basic item to a policy area', () =>
    given([registered, serviceReform])
      .when({ type: 'AddBasicItem', basicItemId: 'bi-1', policyAreaId: 'pa-1', title: '行政サービスの質的向上' })
      .then([{ type: 'BasicItemAdded', data: { basicItemId: 'bi-1', policyAreaId: 'pa-1', title: '行政サービスの質的向上' } }]));

  it('refuses a basic item of an unknown policy area', () =>
    given([registered])
      .when({ type: 'AddBasicItem', basicItemId: 'bi-1', policyAreaId: 'pa-9', title: 'x' })
      .thenRefuses('policy_area.not_found', 'not_found'));

  it('refuses a basic item title taken within its policy area', () =>
    given([
      registered,
      serviceReform,
      { type: 'BasicItemAdded', data: { basicItemId: 'bi-1', policyAreaId: 'pa-1', title: '質的向上' } },
    ])
      .when({ type: 'AddBasicItem', basicItemId: 'bi-2', policyAreaId: 'pa-1', title: '質的向上' })
      .thenRefuses('basic_item.title_taken', 'conflict'));
});
