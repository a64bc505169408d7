import { Decider, DomainError, DomainEvent, GRADES, Grade, IndicatorValue, requireFiniteNumber, requireReason, requireText } from '@app/domain';
import { REVIEW_STAGES, StageField, StageKind } from './stages';
import { CalendarDate } from './working-days';

/** What a department fills in for one item in one stage: the stage's fields, by key. */
export type SubmissionContent = Record<string, string | IndicatorValue[]>;

export type SubmissionStatus = 'not_started' | 'draft' | 'submitted' | 'returned' | 'approved';

export interface SubmissionState {
  status: 'none' | SubmissionStatus;
  planId: string;
  fiscalYear: number;
  stage: StageKind;
  itemId: string;
  /** The item's divisions when the task was created: whom the work is asked of. */
  divisionIds: string[];
  content: SubmissionContent;
  submittedBy?: string;
  /** Everyone who saved this submission's content: none of them may approve it. */
  editors: string[];
  /** Deadlines passed unsubmitted, and deadlines reminded of: each marked once. */
  overdueDeadlines: CalendarDate[];
  remindedDeadlines: CalendarDate[];
  reopened: boolean;
}

/** The item's indicators, as the caller read them: the ids indicator values may name. */
interface ItemContext {
  indicatorIds: string[];
}

export type SubmissionCommand =
  | { type: 'CreateTask'; planId: string; fiscalYear: number; stage: StageKind; itemId: string; divisionIds: string[] }
  | ({ type: 'SaveDraft'; content: SubmissionContent; by: string } & ItemContext)
  | ({ type: 'SubmitForReview'; by: string } & ItemContext)
  | { type: 'ApproveSubmission'; by: string; grade?: Grade; reason?: string; batchId?: string }
  | { type: 'ReturnSubmission'; by: string; reason: string }
  | { type: 'ReopenSubmission'; by: string; reason: string }
  | { type: 'MarkOverdue'; deadline: CalendarDate }
  | { type: 'RecordReminder'; deadline: CalendarDate };

export type SubmissionEvent =
  | DomainEvent<'TaskCreated', { planId: string; fiscalYear: number; stage: StageKind; itemId: string; divisionIds: string[] }>
  | DomainEvent<'DraftSaved', { content: SubmissionContent; changedFields: string[]; by: string }>
  | DomainEvent<'SubmittedForReview', { content: SubmissionContent; by: string }>
  | DomainEvent<'SubmissionApproved', { by: string; content: SubmissionContent; grade?: Grade; reason?: string; batchId?: string }>
  | DomainEvent<'SubmissionReturned', { by: string; reason: string }>
  | DomainEvent<'SubmissionReopened', { by: string; reason: string }>
  | DomainEvent<'SubmissionOverdue', { deadline: CalendarDate }>
  | DomainEvent<'ReminderSent', { deadline: CalendarDate }>;

export const submissionStreamId = (planId: string, fiscalYear: number, stage: StageKind, itemId: string) =>
  `submission-${planId}-${fiscalYear}-${stage}-${itemId}`;

/**
 * One item's work in one stage: not started → draft → submitted → approved, or
 * submitted → returned → draft → submitted; approved is locked until the office
 * reopens it with a reason. Four-eyes: whoever submitted or edited it cannot approve it.
 */
export const submissionDecider: Decider<SubmissionState, SubmissionCommand, SubmissionEvent> = {
  initialState: () => ({
    status: 'none',
    planId: '',
    fiscalYear: 0,
    stage: 'spring',
    itemId: '',
    divisionIds: [],
    content: {},
    editors: [],
    overdueDeadlines: [],
    remindedDeadlines: [],
    reopened: false,
  }),

  decide(command, state) {
    if (command.type === 'CreateTask') {
      if (state.status !== 'none') return [];
      const { type: _type, ...task } = command;
      return [{ type: 'TaskCreated', data: task }];
    }
    if (state.status === 'none') {
      throw new DomainError('not_found', 'submission.not_found', 'この項目はこのレビューの対象ではありません');
    }
    const fields = REVIEW_STAGES[state.stage].fields;
    switch (command.type) {
      case 'SaveDraft': {
        requireEditable(state);
        const content = checkContent(command.content, fields, command.indicatorIds);
        const changedFields = Object.keys(content).filter((key) => JSON.stringify(content[key]) !== JSON.stringify(state.content[key]));
        if (changedFields.length === 0 && state.status !== 'not_started' && state.status !== 'returned') return [];
        return [{ type: 'DraftSaved', data: { content: { ...state.content, ...content }, changedFields, by: command.by } }];
      }
      case 'SubmitForReview': {
        requireEditable(state);
        requireComplete(state.content, fields, command.indicatorIds);
        return [{ type: 'SubmittedForReview', data: { content: state.content, by: command.by } }];
      }
      case 'ApproveSubmission': {
        requireSubmitted(state, '承認');
        if (command.by === state.submittedBy || state.editors.includes(command.by)) {
          throw new DomainError(
            'forbidden',
            'review.four_eyes',
            '提出または編集した人は、その提出を承認できません（4つの目の原則）',
          );
        }
        if (command.grade !== undefined && !(GRADES as readonly string[]).includes(command.grade)) {
          throw new DomainError('invalid', 'grade.invalid', '評価は achieved / mostly_achieved / not_achieved のいずれかです', 'grade');
        }
        const reason = command.reason?.trim() ? requireReason(command.reason) : undefined;
        return [
          {
            type: 'SubmissionApproved',
            data: {
              by: command.by,
              content: state.content,
              ...(command.grade ? { grade: command.grade } : {}),
              ...(reason ? { reason } : {}),
              ...(command.batchId ? { batchId: command.batchId } : {}),
            },
          },
        ];
      }
      case 'ReturnSubmission':
        requireSubmitted(state, '差し戻し');
        return [{ type: 'SubmissionReturned', data: { by: command.by, reason: requireReason(command.reason) } }];
      case 'ReopenSubmission':
        if (state.status !== 'approved') {
          throw new DomainError('conflict', 'submission.not_approved', '承認されていない提出は再開できません');
        }
        return [{ type: 'SubmissionReopened', data: { by: command.by, reason: requireReason(command.reason) } }];
      case 'MarkOverdue':
        if (state.status === 'submitted' || state.status === 'approved' || state.overdueDeadlines.includes(command.deadline)) return [];
        return [{ type: 'SubmissionOverdue', data: { deadline: command.deadline } }];
      case 'RecordReminder':
        if (state.status === 'submitted' || state.status === 'approved' || state.remindedDeadlines.includes(command.deadline)) return [];
        return [{ type: 'ReminderSent', data: { deadline: command.deadline } }];
    }
  },

  evolve(state, event) {
    switch (event.type) {
      case 'TaskCreated':
        return { ...state, status: 'not_started', ...event.data };
      case 'DraftSaved':
        return {
          ...state,
          status: 'draft',
          content: event.data.content,
          editors: state.editors.includes(event.data.by) ? state.editors : [...state.editors, event.data.by],
        };
      case 'SubmittedForReview':
        return { ...state, status: 'submitted', submittedBy: event.data.by };
      case 'SubmissionApproved':
        return { ...state, status: 'approved' };
      case 'SubmissionReturned':
        return { ...state, status: 'returned' };
      case 'SubmissionReopened':
        return { ...state, status: 'returned', reopened: true };
      case 'SubmissionOverdue':
        return { ...state, overdueDeadlines: [...state.overdueDeadlines, event.data.deadline] };
      case 'ReminderSent':
        return { ...state, remindedDeadlines: [...state.remindedDeadlines, event.data.deadline] };
    }
  },
};

function requireEditable(state: SubmissionState): void {
  if (state.status === 'submitted') {
    throw new DomainError('conflict', 'submission.submitted', '提出済みです。審査の結果を待つか、差し戻しを受けてから編集してください');
  }
  if (state.status === 'approved') {
    throw new DomainError('conflict', 'submission.locked', '承認済みのため変更できません（事務局による再開が必要です）');
  }
}

function requireSubmitted(state: SubmissionState, action: string): void {
  if (state.status !== 'submitted') {
    throw new DomainError('conflict', 'submission.not_submitted', `提出されていないため${action}できません`);
  }
}

/** A draft's fields: only the stage's own, each of its kind; a draft may leave any out. */
function checkContent(content: unknown, fields: StageField[], indicatorIds: string[]): SubmissionContent {
  if (typeof content !== 'object' || content === null || Array.isArray(content)) {
    throw new DomainError('invalid', 'submission.content_invalid', '入力内容が正しくありません', 'content');
  }
  const checked: SubmissionContent = {};
  for (const [key, value] of Object.entries(content)) {
    const field = fields.find((candidate) => candidate.key === key);
    if (!field) {
      throw new DomainError('invalid', 'submission.field_not_in_stage', `「${key}」はこの段階で入力する項目ではありません`, `content.${key}`);
    }
    if (value === undefined) continue;
    if (field.kind === 'text') {
      checked[key] = requireText(value, field.textKind ?? 'narrative', `content.${key}`);
    } else if (field.kind === 'grade') {
      if (!(GRADES as readonly unknown[]).includes(value)) {
        throw new DomainError('invalid', 'grade.invalid', '評価は achieved / mostly_achieved / not_achieved のいずれかです', `content.${key}`);
      }
      checked[key] = value as string;
    } else {
      checked[key] = checkIndicatorValues(value, indicatorIds, `content.${key}`);
    }
  }
  return checked;
}

function checkIndicatorValues(value: unknown, indicatorIds: string[], field: string): IndicatorValue[] {
  if (!Array.isArray(value)) {
    throw new DomainError('invalid', 'submission.values_invalid', '指標の値は [{ indicatorId, value }] の配列です', field);
  }
  const seen = new Set<string>();
  return value.map((entry, index) => {
    const indicatorId = (entry as IndicatorValue)?.indicatorId;
    if (!indicatorIds.includes(indicatorId)) {
      throw new DomainError('not_found', 'indicator.not_found', '指標が見つかりません', `${field}.${index}.indicatorId`);
    }
    if (seen.has(indicatorId)) {
      throw new DomainError('invalid', 'indicator.repeated', '同じ指標が2回指定されています', `${field}.${index}.indicatorId`);
    }
    seen.add(indicatorId);
    return { indicatorId, value: requireFiniteNumber((entry as IndicatorValue).value, `${field}.${index}.value`) };
  });
}

function requireComplete(content: SubmissionContent, fields: StageField[], indicatorIds: string[]): void {
  for (const field of fields.filter((candidate) => candidate.required)) {
    const value = content[field.key];
    const missing =
      field.kind === 'indicator_values'
        ? indicatorIds.some((indicatorId) => !(value as IndicatorValue[] | undefined)?.some((entry) => entry.indicatorId === indicatorId))
        : value === undefined;
    if (missing) {
      throw new DomainError('invalid', 'submission.field_required', `「${field.label}」を入力してから提出してください`, `content.${field.key}`);
    }
  }
}
