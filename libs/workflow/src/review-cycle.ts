import { Decider, DomainError, DomainEvent, requireReason } from '@app/domain';
import { REVIEW_STAGES, STAGE_KINDS, StageKind } from './stages';
import { CalendarDate, isCalendarDate, isWorkingDay } from './working-days';

/** Working days before a deadline when the departments that have not submitted are reminded. */
export const DEFAULT_REMINDER_WORKING_DAYS = 3;
const MAX_REMINDER_WORKING_DAYS = 20;

export type StageStatus = 'not_opened' | 'open' | 'closed';

export interface StageState {
  status: StageStatus;
  deadline?: CalendarDate;
  reminderWorkingDays?: number;
  /** The items the stage asks for; all the plan's active items when opened without a scope. */
  itemIds?: string[];
}

export interface ReviewCycleState {
  status: 'unopened' | 'open';
  planId: string;
  fiscalYear: number;
  stages: Record<StageKind, StageState>;
}

export type ReviewCycleCommand =
  | { type: 'OpenReviewCycle'; planId: string; fiscalYear: number }
  | {
      type: 'OpenStage';
      stage: StageKind;
      deadline: CalendarDate;
      reminderWorkingDays?: number;
      /** The items in scope, resolved by the caller (the plan's active items, or the ones asked for). */
      itemIds: string[];
      /** Today in Japan, from the caller's clock: a deadline cannot lie in the past. */
      today: CalendarDate;
    }
  | { type: 'ExtendDeadline'; stage: StageKind; deadline: CalendarDate; reason: string }
  | {
      type: 'CloseStage';
      stage: StageKind;
      /** Items of the stage not yet approved, counted by the caller. */
      unapprovedItems: number;
      reason?: string;
    };

export type ReviewCycleEvent =
  | DomainEvent<'ReviewCycleOpened', { planId: string; fiscalYear: number }>
  | DomainEvent<
      'StageOpened',
      { stage: StageKind; deadline: CalendarDate; reminderWorkingDays: number; itemIds: string[]; reportedFiscalYear: number }
    >
  | DomainEvent<'DeadlineExtended', { stage: StageKind; deadline: CalendarDate; previousDeadline: CalendarDate; reason: string }>
  | DomainEvent<'StageClosed', { stage: StageKind; early: boolean; unapprovedItems: number; reason?: string }>;

export const reviewCycleStreamId = (planId: string, fiscalYear: number) => `review-${planId}-${fiscalYear}`;

export const reviewCycleDecider: Decider<ReviewCycleState, ReviewCycleCommand, ReviewCycleEvent> = {
  initialState: () => ({
    status: 'unopened',
    planId: '',
    fiscalYear: 0,
    stages: Object.fromEntries(STAGE_KINDS.map((stage) => [stage, { status: 'not_opened' }])) as Record<StageKind, StageState>,
  }),

  decide(command, state) {
    if (command.type === 'OpenReviewCycle') {
      if (state.status === 'open') {
        throw new DomainError('conflict', 'review_cycle.already_open', `${command.fiscalYear}年度のレビューは開始済みです`, 'fiscalYear');
      }
      return [{ type: 'ReviewCycleOpened', data: { planId: command.planId, fiscalYear: command.fiscalYear } }];
    }
    if (state.status !== 'open') {
      throw new DomainError('not_found', 'review_cycle.not_found', 'この年度のレビューは開始されていません');
    }
    const stage = state.stages[command.stage];
    switch (command.type) {
      case 'OpenStage': {
        if (stage.status !== 'not_opened') {
          throw new DomainError('conflict', 'stage.already_opened', `${REVIEW_STAGES[command.stage].label}は開始済みです`, 'stage');
        }
        requireDeadline(command.deadline, command.today);
        const reminderWorkingDays = command.reminderWorkingDays ?? DEFAULT_REMINDER_WORKING_DAYS;
        if (!Number.isInteger(reminderWorkingDays) || reminderWorkingDays < 0 || reminderWorkingDays > MAX_REMINDER_WORKING_DAYS) {
          throw new DomainError(
            'invalid',
            'stage.reminder_days_invalid',
            `督促は期限の0〜${MAX_REMINDER_WORKING_DAYS}開庁日前で指定してください`,
            'reminderWorkingDays',
          );
        }
        if (command.itemIds.length === 0) {
          throw new DomainError('invalid', 'stage.no_items', '対象の個別項目がありません', 'itemIds');
        }
        return [
          {
            type: 'StageOpened',
            data: {
              stage: command.stage,
              deadline: command.deadline,
              reminderWorkingDays,
              itemIds: [...new Set(command.itemIds)],
              reportedFiscalYear: state.fiscalYear + REVIEW_STAGES[command.stage].reportedYearOffset,
            },
          },
        ];
      }
      case 'ExtendDeadline': {
        requireOpen(stage, command.stage);
        const reason = requireReason(command.reason);
        requireDeadline(command.deadline);
        if (command.deadline <= stage.deadline!) {
          throw new DomainError('invalid', 'deadline.not_later', `新しい期限は現在の期限（${stage.deadline}）より後にしてください`, 'deadline');
        }
        return [
          { type: 'DeadlineExtended', data: { stage: command.stage, deadline: command.deadline, previousDeadline: stage.deadline!, reason } },
        ];
      }
      case 'CloseStage': {
        requireOpen(stage, command.stage);
        const early = command.unapprovedItems > 0;
        const reason = command.reason?.trim() ? requireReason(command.reason) : undefined;
        if (early && !reason) {
          throw new DomainError(
            'conflict',
            'stage.items_not_approved',
            `未承認の項目が${command.unapprovedItems}件あります。早期に締め切るには理由が必要です`,
            'reason',
          );
        }
        return [
          {
            type: 'StageClosed',
            data: { stage: command.stage, early, unapprovedItems: command.unapprovedItems, ...(reason ? { reason } : {}) },
          },
        ];
      }
    }
  },

  evolve(state, event) {
    const stage = (kind: StageKind, change: Partial<StageState>) => ({
      ...state,
      stages: { ...state.stages, [kind]: { ...state.stages[kind], ...change } },
    });
    switch (event.type) {
      case 'ReviewCycleOpened':
        return { ...state, status: 'open', ...event.data };
      case 'StageOpened':
        return stage(event.data.stage, {
          status: 'open',
          deadline: event.data.deadline,
          reminderWorkingDays: event.data.reminderWorkingDays,
          itemIds: event.data.itemIds,
        });
      case 'DeadlineExtended':
        return stage(event.data.stage, { deadline: event.data.deadline });
      case 'StageClosed':
        return stage(event.data.stage, { status: 'closed' });
    }
  },
};

/** Work on a stage's items is accepted only while the stage is open. */
export function requireOpen(stage: StageState, kind: StageKind): void {
  if (stage.status !== 'open') {
    throw new DomainError(
      'conflict',
      stage.status === 'closed' ? 'stage.closed' : 'stage.not_opened',
      `${REVIEW_STAGES[kind].label}は${stage.status === 'closed' ? '締め切られています' : 'まだ開始されていません'}`,
      'stage',
    );
  }
}

function requireDeadline(deadline: unknown, today?: CalendarDate): void {
  if (!isCalendarDate(deadline)) {
    throw new DomainError('invalid', 'deadline.invalid', '期限は YYYY-MM-DD の日付で指定してください', 'deadline');
  }
  if (!isWorkingDay(deadline)) {
    throw new DomainError('invalid', 'deadline.not_working_day', `期限 ${deadline} は土日・祝日です。開庁日を指定してください`, 'deadline');
  }
  if (today !== undefined && deadline < today) {
    throw new DomainError('invalid', 'deadline.in_past', `期限 ${deadline} は過去の日付です`, 'deadline');
  }
}
