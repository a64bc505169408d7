import { deciderSpec } from '../../domain/test/decider-spec';
import { SubmissionEvent, addWorkingDays, isWorkingDay, submissionDecider } from '../src';

const spec = deciderSpec(submissionDecider);
const task: SubmissionEvent = {
  type: 'TaskCreated',
  data: { planId: 'ube', fiscalYear: 2020, stage: 'spring', itemId: 'ube-1-1', divisionIds: ['div-1'] },
};
const complete = { actuals: [{ indicatorId: 'ind-1', value: 4217 }], narrative: '○コンビニ交付を拡大した', selfGrade: 'achieved' };
const drafted: SubmissionEvent = { type: 'DraftSaved', data: { content: complete, changedFields: ['actuals', 'narrative', 'selfGrade'], by: 'staff' } };
const submitted: SubmissionEvent = { type: 'SubmittedForReview', data: { content: complete, by: 'staff' } };
const approved: SubmissionEvent = { type: 'SubmissionApproved', data: { by: 'reviewer', content: complete } };
const indicators = { indicatorIds: ['ind-1'] };

describe('a submission', () => {
  it('is created once per item and stage, however often the process manager asks', () => {
    spec([]).when({ type: 'CreateTask', ...task.data } as never).then([task]);
    spec([task]).when({ type: 'CreateTask', ...task.data } as never).then([]);
  });

  it('saves a draft of the stage\'s own fields, each checked', () => {
    spec([task]).when({ type: 'SaveDraft', content: complete, by: 'staff', ...indicators }).then([drafted]);
    spec([task]).when({ type: 'SaveDraft', content: { nextYearPlan: '○拡大' }, by: 'staff', ...indicators }).thenRefuses('submission.field_not_in_stage', 'invalid');
    spec([task]).when({ type: 'SaveDraft', content: { actuals: [{ indicatorId: 'other', value: 1 }] }, by: 'staff', ...indicators }).thenRefuses('indicator.not_found');
    spec([task]).when({ type: 'SaveDraft', content: { selfGrade: 'excellent' }, by: 'staff', ...indicators }).thenRefuses('grade.invalid');
    spec([task]).when({ type: 'SaveDraft', content: { narrative: 'x'.repeat(4001) }, by: 'staff', ...indicators }).thenRefuses('narrative.too_long');
  });

  it('is submitted only when every required field is there, an indicator value for each indicator', () => {
    spec([task, drafted]).when({ type: 'SubmitForReview', by: 'staff', ...indicators }).then([submitted]);
    const partial: SubmissionEvent = { type: 'DraftSaved', data: { content: { narrative: '○途中' }, changedFields: ['narrative'], by: 'staff' } };
    spec([task, partial]).when({ type: 'SubmitForReview', by: 'staff', ...indicators }).thenRefuses('submission.field_required', 'invalid');
    spec([task, drafted]).when({ type: 'SubmitForReview', by: 'staff', indicatorIds: ['ind-1', 'ind-2'] }).thenRefuses('submission.field_required');
  });

  it('is approved by someone who neither submitted nor edited it (four-eyes)', () => {
    spec([task, drafted, submitted]).when({ type: 'ApproveSubmission', by: 'reviewer' }).then([approved]);
    spec([task, drafted, submitted]).when({ type: 'ApproveSubmission', by: 'staff' }).thenRefuses('review.four_eyes', 'forbidden');
    const editedByReviewer: SubmissionEvent = { type: 'DraftSaved', data: { content: complete, changedFields: ['narrative'], by: 'reviewer' } };
    const submittedByOther: SubmissionEvent = { type: 'SubmittedForReview', data: { content: complete, by: 'staff' } };
    spec([task, editedByReviewer, submittedByOther]).when({ type: 'ApproveSubmission', by: 'reviewer' }).thenRefuses('review.four_eyes', 'forbidden');
  });

  it('goes back to the department when returned with a reason, and is redrafted and resubmitted', () => {
    const returned: SubmissionEvent = { type: 'SubmissionReturned', data: { by: 'reviewer', reason: '実績値の根拠を追記してください' } };
    spec([task, drafted, submitted]).when({ type: 'ReturnSubmission', by: 'reviewer', reason: '実績値の根拠を追記してください' }).then([returned]);
    spec([task, drafted, submitted]).when({ type: 'ReturnSubmission', by: 'reviewer', reason: '' }).thenRefuses('reason.required');
    spec([task, drafted, submitted, returned])
      .when({ type: 'SaveDraft', content: { narrative: '○根拠を追記した' }, by: 'staff', ...indicators })
      .then([{ type: 'DraftSaved', data: { content: { ...complete, narrative: '○根拠を追記した' }, changedFields: ['narrative'], by: 'staff' } }]);
    spec([task, drafted, submitted, returned]).when({ type: 'SubmitForReview', by: 'staff', ...indicators }).then([submitted]);
  });

  it('is locked once approved, until the office reopens it with a reason', () => {
    const given = [task, drafted, submitted, approved];
    spec(given).when({ type: 'SaveDraft', content: { narrative: '○変更' }, by: 'staff', ...indicators }).thenRefuses('submission.locked', 'conflict');
    spec(given).when({ type: 'ApproveSubmission', by: 'reviewer2' }).thenRefuses('submission.not_submitted', 'conflict');
    spec(given).when({ type: 'ReturnSubmission', by: 'reviewer', reason: '再確認' }).thenRefuses('submission.not_submitted');
    const reopened: SubmissionEvent = { type: 'SubmissionReopened', data: { by: 'reviewer', reason: '数値の誤りが見つかったため' } };
    spec(given).when({ type: 'ReopenSubmission', by: 'reviewer', reason: '数値の誤りが見つかったため' }).then([reopened]);
    spec([...given, reopened]).when({ type: 'SubmitForReview', by: 'staff', ...indicators }).then([submitted]);
    spec([task]).when({ type: 'ReopenSubmission', by: 'reviewer', reason: '再開' }).thenRefuses('submission.not_approved');
  });

  it('is marked overdue and reminded once per deadline, and only while unsubmitted', () => {
    const overdue: SubmissionEvent = { type: 'SubmissionOverdue', data: { deadline: '2020-05-29' } };
    spec([task]).when({ type: 'MarkOverdue', deadline: '2020-05-29' }).then([overdue]);
    spec([task, overdue]).when({ type: 'MarkOverdue', deadline: '2020-05-29' }).then([]);
    spec([task, overdue]).when({ type: 'MarkOverdue', deadline: '2020-06-05' }).then([{ type: 'SubmissionOverdue', data: { deadline: '2020-06-05' } }]);
    spec([task, drafted, submitted]).when({ type: 'MarkOverdue', deadline: '2020-05-29' }).then([]);
    const reminded: SubmissionEvent = { type: 'ReminderSent', data: { deadline: '2020-05-29' } };
    spec([task, drafted]).when({ type: 'RecordReminder', deadline: '2020-05-29' }).then([reminded]);
    spec([task, drafted, reminded]).when({ type: 'RecordReminder', deadline: '2020-05-29' }).then([]);
  });

  it('refuses work on an item the stage does not ask for', () => {
    spec([]).when({ type: 'SaveDraft', content: {}, by: 'staff', ...indicators }).thenRefuses('submission.not_found', 'not_found');
  });
});

describe('working days', () => {
  it('skip weekends and Japanese public holidays, both ways', () => {
    expect(['2020-05-01', '2020-05-02', '2020-05-04', '2020-05-06', '2020-05-07'].map(isWorkingDay)).toEqual([true, false, false, false, true]);
    expect(addWorkingDays('2020-05-01', 1)).toBe('2020-05-07'); // across ゴールデンウィーク
    expect(addWorkingDays('2020-05-29', -3)).toBe('2020-05-26');
    expect(addWorkingDays('2021-01-04', -1)).toBe('2020-12-28'); // the city's year-end closing, 29 Dec – 3 Jan
  });
});
