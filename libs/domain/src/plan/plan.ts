import { Decider, DomainError, DomainEvent } from '../decider';
import { findGradingRule } from './grading';
import { FiscalYearRange, requireText } from './rules';

/** The longest plan period accepted, in fiscal years. */
const MAX_PLAN_YEARS = 20;

export interface GradingRuleRef {
  id: string;
  version: number;
}

export interface PolicyArea {
  policyAreaId: string;
  number: number;
  title: string;
}

export interface BasicItem {
  basicItemId: string;
  policyAreaId: string;
  title: string;
}

export type PlanCommand =
  | {
      type: 'RegisterPlan';
      planId: string;
      name: string;
      firstFiscalYear: number;
      lastFiscalYear: number;
      gradingRule: GradingRuleRef;
    }
  | { type: 'AddPolicyArea'; policyAreaId: string; number: number; title: string }
  | { type: 'AddBasicItem'; basicItemId: string; policyAreaId: string; title: string };

export type PlanEvent =
  | DomainEvent<
      'PlanRegistered',
      { planId: string; name: string; firstFiscalYear: number; lastFiscalYear: number; gradingRule: GradingRuleRef }
    >
  | DomainEvent<'PolicyAreaAdded', PolicyArea>
  | DomainEvent<'BasicItemAdded', BasicItem>;

export interface PlanState extends FiscalYearRange {
  status: 'unregistered' | 'active';
  planId: string;
  name: string;
  gradingRule: GradingRuleRef;
  policyAreas: PolicyArea[];
  basicItems: BasicItem[];
}

export const planStreamId = (planId: string) => `plan-${planId}`;

export const planDecider: Decider<PlanState, PlanCommand, PlanEvent> = {
  initialState: () => ({
    status: 'unregistered',
    planId: '',
    name: '',
    firstFiscalYear: 0,
    lastFiscalYear: 0,
    gradingRule: { id: '', version: 0 },
    policyAreas: [],
    basicItems: [],
  }),

  decide(command, state) {
    if (command.type === 'RegisterPlan') {
      if (state.status !== 'unregistered') {
        throw new DomainError('conflict', 'plan.already_registered', `計画 ${command.planId} は登録済みです`, 'planId');
      }
      const name = requireText(command.name, 'name', 'name');
      const { firstFiscalYear, lastFiscalYear } = command;
      if (
        !Number.isInteger(firstFiscalYear) ||
        !Number.isInteger(lastFiscalYear) ||
        firstFiscalYear > lastFiscalYear ||
        lastFiscalYear - firstFiscalYear + 1 > MAX_PLAN_YEARS
      ) {
        throw new DomainError(
          'invalid',
          'plan.period_invalid',
          `計画期間は開始年度から終了年度まで、${MAX_PLAN_YEARS}年度以内で指定してください`,
          'lastFiscalYear',
        );
      }
      if (!findGradingRule(command.gradingRule.id, command.gradingRule.version)) {
        throw new DomainError('invalid', 'grading_rule.unknown', '評価基準が見つかりません', 'gradingRule');
      }
      return [
        {
          type: 'PlanRegistered',
          data: { planId: command.planId, name, firstFiscalYear, lastFiscalYear, gradingRule: command.gradingRule },
        },
      ];
    }
    if (state.status === 'unregistered') {
      throw new DomainError('not_found', 'plan.not_found', '計画が見つかりません', 'planId');
    }
    switch (command.type) {
      case 'AddPolicyArea': {
        const title = requireText(command.title, 'title', 'title');
        if (!Number.isInteger(command.number) || command.number < 1) {
          throw new DomainError('invalid', 'policy_area.number_invalid', '番号は1以上の整数です', 'number');
        }
        if (state.policyAreas.some((area) => area.number === command.number)) {
          throw new DomainError('conflict', 'policy_area.number_taken', `取組方針 ${command.number} は登録済みです`, 'number');
        }
        return [{ type: 'PolicyAreaAdded', data: { policyAreaId: command.policyAreaId, number: command.number, title } }];
      }
      case 'AddBasicItem': {
        const title = requireText(command.title, 'title', 'title');
        if (!state.policyAreas.some((area) => area.policyAreaId === command.policyAreaId)) {
          throw new DomainError('not_found', 'policy_area.not_found', '取組方針が見つかりません', 'policyAreaId');
        }
        if (state.basicItems.some((item) => item.policyAreaId === command.policyAreaId && item.title === title)) {
          throw new DomainError('conflict', 'basic_item.title_taken', `基本項目「${title}」は登録済みです`, 'title');
        }
        return [
          {
            type: 'BasicItemAdded',
            data: { basicItemId: command.basicItemId, policyAreaId: command.policyAreaId, title },
          },
        ];
      }
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'PlanRegistered':
        return { ...state, status: 'active', ...event.data };
      case 'PolicyAreaAdded':
        return { ...state, policyAreas: [...state.policyAreas, event.data] };
      case 'BasicItemAdded':
        return { ...state, basicItems: [...state.basicItems, event.data] };
    }
  },
};
