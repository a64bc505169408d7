import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api, ApiError, CommandResult } from '../api';
import { FieldError, Problem } from '../components/Problem';
import { describedBy, hasError, outsideFields } from '../components/ReviewPanel';
import { calendarDate, dateTime, fiscalYearLabel } from '../format';

type Stage = 'spring' | 'autumn';
const STAGES: Stage[] = ['spring', 'autumn'];
const PROGRESS = ['not_started', 'draft', 'submitted', 'returned', 'approved', 'overdue'] as const;
const PER_PAGE = 20;
const PLAN_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

interface StageProgress {
  stage: Stage;
  status: 'open' | 'closed';
  deadline: string;
  itemCount: number;
  closedEarly: boolean | null;
  closeReason: string | null;
  progress: Record<(typeof PROGRESS)[number], number>;
}

interface Cycle {
  version: number;
  stages: StageProgress[];
}

interface QueueRow {
  itemId: string;
  title: string | null;
  planOrder: number[] | null;
  submittedAt: string;
  submittedBy: string;
  overdue: boolean;
}

interface BulkResult {
  position: number;
  results: Array<{ itemId: string; outcome: 'approved' | 'refused'; rule?: string; message?: string }>;
}

interface Department {
  departmentId: string;
  name: string;
  divisions: Array<{ divisionId: string; name: string }>;
}

/** The fiscal year (April to March) that today falls in, by the date in Japan. */
function currentFiscalYear(): number {
  const japan = new Date(Date.now() + 9 * 3_600_000);
  return japan.getUTCMonth() >= 3 ? japan.getUTCFullYear() : japan.getUTCFullYear() - 1;
}

/** "1-5": basic item and item number, as the plan prints them. */
function itemNumber(row: { itemId: string; planOrder: number[] | null }): string {
  return row.planOrder ? `${row.planOrder[1]}-${row.planOrder[2]}` : row.itemId;
}

/** 審査: a plan's review of one fiscal year, its stages, and the submissions waiting for a decision. */
export function ReviewQueue() {
  const { t } = useTranslation();
  // The choice lives in the address, so that coming back from a submission keeps it.
  const [params, setParams] = useSearchParams();
  const planText = params.get('planId') ?? 'ube';
  const yearText = params.get('fiscalYear') ?? String(currentFiscalYear());
  const stage: Stage = params.get('stage') === 'autumn' ? 'autumn' : 'spring';
  const choose = (key: string, value: string) =>
    setParams(
      (previous) => {
        const next = new URLSearchParams(previous);
        next.set(key, value);
        return next;
      },
      { replace: true },
    );
  // Where the last command left the store: reads wait for the read side to get there.
  const [minPosition, setMinPosition] = useState(0);
  const planId = planText.trim();
  const fiscalYear = Number(yearText);
  const valid = PLAN_ID.test(planId) && Number.isInteger(fiscalYear) && fiscalYear >= 1989 && fiscalYear <= 2200;
  return (
    <>
      <h1>{t('reviewer.title')}</h1>
      <div className="toolbar">
        <div>
          <label htmlFor="review-plan">{t('reviewer.planId')}</label>
          <input id="review-plan" value={planText} onChange={(event) => choose('planId', event.target.value)} />
        </div>
        <div>
          <label htmlFor="review-year">{t('reviewer.fiscalYear')}</label>
          <input
            id="review-year"
            type="number"
            min={1989}
            max={2200}
            value={yearText}
            aria-describedby="review-year-label"
            onChange={(event) => choose('fiscalYear', event.target.value)}
          />{' '}
          <span id="review-year-label">{valid ? fiscalYearLabel(fiscalYear) : ''}</span>
        </div>
        <div>
          <label htmlFor="review-stage">{t('reviewer.stage')}</label>
          <select id="review-stage" value={stage} onChange={(event) => choose('stage', event.target.value)}>
            {STAGES.map((kind) => (
              <option key={kind} value={kind}>
                {t(`stage.${kind}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {valid && (
        <>
          <CyclePanel key={`${planId}/${fiscalYear}`} planId={planId} fiscalYear={fiscalYear} stage={stage} minPosition={minPosition} />
          <Queue key={`${planId}/${fiscalYear}/${stage}`} planId={planId} fiscalYear={fiscalYear} stage={stage} minPosition={minPosition} onCommand={setMinPosition} />
        </>
      )}
    </>
  );
}

function CyclePanel({ planId, fiscalYear, stage, minPosition }: { planId: string; fiscalYear: number; stage: Stage; minPosition: number }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const cycle = useQuery({
    queryKey: ['reviews', 'cycle', planId, fiscalYear, minPosition],
    queryFn: () => api.get<Cycle>(`/api/reviews/${planId}/${fiscalYear}${minPosition ? `?minPosition=${minPosition}` : ''}`),
    placeholderData: keepPreviousData,
  });
  const start = useMutation({
    mutationFn: () => api.post<CommandResult>('/api/reviews', { planId, fiscalYear }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['reviews'] }),
  });
  const notOpened = cycle.error instanceof ApiError && cycle.error.rule === 'review_cycle.not_found';

  return (
    <section aria-labelledby="cycle-heading">
      <h2 id="cycle-heading">{t('reviewer.cycle.heading')}</h2>
      {cycle.isPending && <p>{t('loading')}</p>}
      {notOpened && (
        <div className="notice">
          <p>{t('reviewer.cycle.notOpened', { year: fiscalYearLabel(fiscalYear) })}</p>
          <button type="button" disabled={start.isPending} onClick={() => start.mutate()}>
            {t('reviewer.cycle.start')}
          </button>
        </div>
      )}
      <Problem error={start.error} />
      {!notOpened && <Problem error={cycle.error} />}
      {cycle.data && (
        <>
          <ProgressTable stages={cycle.data.stages} />
          <button type="button" className="secondary" onClick={() => void cycle.refetch()}>
            {t('reviewer.cycle.reload')}
          </button>
          <StageActions
            key={stage}
            path={`/api/reviews/${planId}/${fiscalYear}/stages/${stage}`}
            stage={stage}
            current={cycle.data.stages.find((row) => row.stage === stage)}
            version={cycle.data.version}
          />
        </>
      )}
    </section>
  );
}

function ProgressTable({ stages }: { stages: StageProgress[] }) {
  const { t } = useTranslation();
  if (stages.length === 0) return <p>{t('reviewer.cycle.noStages')}</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{t('reviewer.cycle.columns.stage')}</th>
          <th scope="col">{t('reviewer.cycle.columns.status')}</th>
          <th scope="col">{t('reviewer.cycle.columns.deadline')}</th>
          <th scope="col" className="number">
            {t('reviewer.cycle.columns.itemCount')}
          </th>
          {PROGRESS.map((key) => (
            <th key={key} scope="col" className="number">
              {t(`status.${key}`)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {stages.map((row) => (
          <tr key={row.stage}>
            <th scope="row">{t(`stage.${row.stage}`)}</th>
            <td>
              {t(`reviewer.cycle.stageStatus.${row.status}`)}
              {row.closedEarly && <div>{t('reviewer.cycle.closedEarly', { reason: row.closeReason })}</div>}
            </td>
            <td>{calendarDate(row.deadline)}</td>
            <td className="number">{row.itemCount}</td>
            {PROGRESS.map((key) => (
              <td key={key} className="number">
                {row.progress[key]}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface StageActionsProps {
  path: string;
  stage: Stage;
  current: StageProgress | undefined;
  version: number;
}

/** What the office can do with the chosen stage now: open it, or extend its deadline and close it. */
function StageActions({ path, stage, current, version }: StageActionsProps) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const command = { path, version, onDone: () => queryClient.invalidateQueries({ queryKey: ['reviews'] }) };
  return (
    <section aria-labelledby="stage-actions-heading">
      <h3 id="stage-actions-heading">{t('reviewer.stageActions.heading', { stage: t(`stage.${stage}`) })}</h3>
      {!current && <OpenStageForm {...command} />}
      {current?.status === 'open' && (
        <>
          <ExtendDeadlineForm {...command} />
          <CloseStageForm {...command} />
        </>
      )}
      {current?.status === 'closed' && <p>{t('reviewer.stageActions.closed')}</p>}
    </section>
  );
}

interface CommandFormProps {
  path: string;
  version: number;
  onDone: () => unknown;
}

/** A stage command sent with the cycle's version; a 409 offers to reload the cycle. */
function useStageCommand<T>(path: string, version: number, onDone: () => unknown) {
  const queryClient = useQueryClient();
  const mutation = useMutation({
    mutationFn: (body: T) => api.post<CommandResult>(path, body, version),
    onSuccess: onDone,
  });
  const reload = () => {
    mutation.reset();
    void queryClient.invalidateQueries({ queryKey: ['reviews', 'cycle'] });
  };
  return { mutation, reload };
}

function OpenStageForm({ path, version, onDone }: CommandFormProps) {
  const { t } = useTranslation();
  const [deadline, setDeadline] = useState('');
  const [reminder, setReminder] = useState('3');
  const { mutation, reload } = useStageCommand<{ deadline: string; reminderWorkingDays: number }>(`${path}/open`, version, onDone);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate({ deadline, reminderWorkingDays: Number(reminder) });
  };
  const error = mutation.error;
  return (
    <form onSubmit={submit} className="card">
      <h4>{t('reviewer.stageActions.open.heading')}</h4>
      <Problem error={outsideFields(error, ['deadline', 'reminderWorkingDays'])} onReload={reload} />
      <label htmlFor="open-deadline">{t('reviewer.stageActions.open.deadline')}</label>
      <input
        id="open-deadline"
        type="date"
        required
        value={deadline}
        onChange={(event) => setDeadline(event.target.value)}
        aria-describedby={describedBy('open-deadline-hint', hasError(error, 'deadline') && 'open-deadline-error')}
      />
      <p id="open-deadline-hint">{t('reviewer.stageActions.open.deadlineHint')}</p>
      <FieldError id="open-deadline-error" error={error} field="deadline" />
      <label htmlFor="open-reminder">{t('reviewer.stageActions.open.reminder')}</label>
      <input
        id="open-reminder"
        type="number"
        min={0}
        max={20}
        required
        value={reminder}
        onChange={(event) => setReminder(event.target.value)}
        aria-describedby={describedBy('open-reminder-hint', hasError(error, 'reminderWorkingDays') && 'open-reminder-error')}
      />
      <p id="open-reminder-hint">{t('reviewer.stageActions.open.reminderHint')}</p>
      <FieldError id="open-reminder-error" error={error} field="reminderWorkingDays" />
      <button type="submit" disabled={mutation.isPending}>
        {t('reviewer.stageActions.open.submit')}
      </button>
    </form>
  );
}

function ExtendDeadlineForm({ path, version, onDone }: CommandFormProps) {
  const { t } = useTranslation();
  const [deadline, setDeadline] = useState('');
  const [reason, setReason] = useState('');
  const { mutation, reload } = useStageCommand<{ deadline: string; reason: string }>(`${path}/deadline`, version, () => {
    setDeadline('');
    setReason('');
    return onDone();
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate({ deadline, reason });
  };
  const error = mutation.error;
  return (
    <form onSubmit={submit} className="card">
      <h4>{t('reviewer.stageActions.extend.heading')}</h4>
      <Problem error={outsideFields(error, ['deadline', 'reason'])} onReload={reload} />
      <label htmlFor="extend-deadline">{t('reviewer.stageActions.extend.deadline')}</label>
      <input
        id="extend-deadline"
        type="date"
        required
        value={deadline}
        onChange={(event) => setDeadline(event.target.value)}
        aria-describedby={describedBy('extend-deadline-hint', hasError(error, 'deadline') && 'extend-deadline-error')}
      />
      <p id="extend-deadline-hint">{t('reviewer.stageActions.open.deadlineHint')}</p>
      <FieldError id="extend-deadline-error" error={error} field="deadline" />
      <label htmlFor="extend-reason">{t('reviewer.stageActions.extend.reason')}</label>
      <textarea
        id="extend-reason"
        required
        value={reason}
        onChange={(event) => setReason(event.target.value)}
        aria-describedby={describedBy(hasError(error, 'reason') && 'extend-reason-error')}
      />
      <FieldError id="extend-reason-error" error={error} field="reason" />
      <button type="submit" disabled={mutation.isPending}>
        {t('reviewer.stageActions.extend.submit')}
      </button>
      <p role="status">{mutation.isSuccess ? t('reviewer.stageActions.extend.done') : ''}</p>
    </form>
  );
}

function CloseStageForm({ path, version, onDone }: CommandFormProps) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const { mutation, reload } = useStageCommand<{ reason?: string }>(`${path}/close`, version, onDone);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate(reason.trim() ? { reason } : {});
  };
  // stage.items_not_approved names the reason field: it is shown there, not as a conflict to reload.
  const error = mutation.error;
  return (
    <form onSubmit={submit} className="card">
      <h4>{t('reviewer.stageActions.close.heading')}</h4>
      <Problem error={outsideFields(error, ['reason'])} onReload={reload} />
      <label htmlFor="close-reason">{t('reviewer.stageActions.close.reason')}</label>
      <textarea
        id="close-reason"
        value={reason}
        onChange={(event) => setReason(event.target.value)}
        aria-describedby={describedBy('close-reason-hint', hasError(error, 'reason') && 'close-reason-error')}
      />
      <p id="close-reason-hint">{t('reviewer.stageActions.close.reasonHint')}</p>
      <FieldError id="close-reason-error" error={error} field="reason" />
      <button type="submit" disabled={mutation.isPending}>
        {t('reviewer.stageActions.close.submit')}
      </button>
    </form>
  );
}

interface QueueProps {
  planId: string;
  fiscalYear: number;
  stage: Stage;
  minPosition: number;
  onCommand: (position: number) => void;
}

/** Submitted items, oldest first, to open one by one or to approve several at once. */
function Queue({ planId, fiscalYear, stage, minPosition, onCommand }: QueueProps) {
  const { t } = useTranslation();
  const [divisionId, setDivisionId] = useState('');
  const [page, setPage] = useState(1);
  // Rows by item id, so that a selection (and its results) keep their titles across pages.
  const [selected, setSelected] = useState<Map<string, QueueRow>>(new Map());
  const [outcome, setOutcome] = useState<{ result: BulkResult; rows: Map<string, QueueRow> }>();
  const departments = useQuery({ queryKey: ['departments'], queryFn: () => api.get<{ items: Department[] }>('/api/departments') });
  const search = new URLSearchParams({ planId, fiscalYear: String(fiscalYear), stage, page: String(page), perPage: String(PER_PAGE) });
  if (divisionId) search.set('divisionId', divisionId);
  if (minPosition) search.set('minPosition', String(minPosition));
  const queue = useQuery({
    queryKey: ['reviews', 'queue', planId, fiscalYear, stage, divisionId, page, minPosition],
    queryFn: () => api.get<{ items: QueueRow[]; total: number }>(`/api/reviews/queue?${search}`),
    placeholderData: keepPreviousData,
  });
  const bulk = useMutation({
    mutationFn: (rows: Map<string, QueueRow>) =>
      api.post<BulkResult>(`/api/reviews/${planId}/${fiscalYear}/stages/${stage}/bulk-approve`, { itemIds: [...rows.keys()] }),
    onSuccess: (result, rows) => {
      setOutcome({ result, rows });
      setSelected(new Map());
      onCommand(result.position);
    },
  });

  const rows = queue.data?.items ?? [];
  const toggle = (row: QueueRow, on: boolean) =>
    setSelected((previous) => {
      const next = new Map(previous);
      if (on) next.set(row.itemId, row);
      else next.delete(row.itemId);
      return next;
    });
  const allOnPage = rows.length > 0 && rows.every((row) => selected.has(row.itemId));

  return (
    <section aria-labelledby="queue-heading">
      <h2 id="queue-heading">{t('reviewer.queue.heading')}</h2>
      <div className="toolbar">
        <div>
          <label htmlFor="queue-division">{t('reviewer.queue.division')}</label>
          <select
            id="queue-division"
            value={divisionId}
            onChange={(event) => {
              setDivisionId(event.target.value);
              setPage(1);
            }}
          >
            <option value="">{t('reviewer.queue.allDivisions')}</option>
            {departments.data?.items.map((department) => (
              <optgroup key={department.departmentId} label={department.name}>
                {department.divisions.map((division) => (
                  <option key={division.divisionId} value={division.divisionId}>
                    {division.name}
                  </option>
                ))}
              </optgroup>
            ))}
          </select>
        </div>
      </div>
      <Problem error={queue.error} />
      {queue.isPending && <p>{t('loading')}</p>}
      {queue.data && rows.length === 0 && <p>{t('reviewer.queue.empty')}</p>}
      {rows.length > 0 && (
        <table>
          <caption>
            {t('reviewer.queue.caption', { total: queue.data!.total, from: (page - 1) * PER_PAGE + 1, to: (page - 1) * PER_PAGE + rows.length })}
          </caption>
          <thead>
            <tr>
              <th scope="col">
                <label htmlFor="queue-select-all" className="visually-hidden">
                  {t('reviewer.queue.selectAll')}
                </label>
                <input id="queue-select-all" type="checkbox" checked={allOnPage} onChange={(event) => rows.forEach((row) => toggle(row, event.target.checked))} />
              </th>
              <th scope="col">{t('reviewer.queue.columns.item')}</th>
              <th scope="col">{t('reviewer.queue.columns.submittedAt')}</th>
              <th scope="col">{t('reviewer.queue.columns.submittedBy')}</th>
              <th scope="col">{t('reviewer.queue.columns.overdue')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.itemId}>
                <td>
                  <label htmlFor={`queue-select-${row.itemId}`} className="visually-hidden">
                    {row.title ?? row.itemId}
                  </label>
                  <input
                    id={`queue-select-${row.itemId}`}
                    type="checkbox"
                    checked={selected.has(row.itemId)}
                    onChange={(event) => toggle(row, event.target.checked)}
                  />
                </td>
                <td>
                  <Link to={`/submissions/${planId}/${fiscalYear}/${stage}/${row.itemId}`}>
                    {itemNumber(row)} {row.title ?? ''}
                  </Link>
                </td>
                <td>{dateTime(row.submittedAt)}</td>
                <td>{row.submittedBy}</td>
                <td>{row.overdue ? <span className="badge status-overdue">⚠ {t('status.overdue')}</span> : t('reviewer.queue.notOverdue')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {queue.data && <Pager page={page} total={queue.data.total} onPage={setPage} />}
      <div className="toolbar">
        <button type="button" disabled={selected.size === 0 || bulk.isPending} onClick={() => bulk.mutate(selected)}>
          {t('reviewer.queue.bulkApprove')}
        </button>
        <span role="status">{t('reviewer.queue.selected', { count: selected.size })}</span>
      </div>
      <Problem error={bulk.error} />
      {outcome && <BulkResults {...outcome} />}
    </section>
  );
}

/** One line per item of the batch: approved, or refused with the rule and its message. */
function BulkResults({ result, rows }: { result: BulkResult; rows: Map<string, QueueRow> }) {
  const { t } = useTranslation();
  const approved = result.results.filter((entry) => entry.outcome === 'approved').length;
  return (
    <section aria-labelledby="bulk-heading" className="card">
      <h3 id="bulk-heading">{t('reviewer.bulk.heading')}</h3>
      <table>
        <caption>{t('reviewer.bulk.summary', { approved, refused: result.results.length - approved })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('reviewer.bulk.columns.item')}</th>
            <th scope="col">{t('reviewer.bulk.columns.outcome')}</th>
            <th scope="col">{t('reviewer.bulk.columns.detail')}</th>
          </tr>
        </thead>
        <tbody>
          {result.results.map((entry) => {
            const row = rows.get(entry.itemId);
            return (
              <tr key={entry.itemId}>
                <th scope="row">{row ? `${itemNumber(row)} ${row.title ?? ''}` : entry.itemId}</th>
                <td>
                  {entry.outcome === 'approved' ? (
                    <span className="badge status-approved">✓ {t('reviewer.bulk.approved')}</span>
                  ) : (
                    <span className="badge status-returned">✕ {t('reviewer.bulk.refused')}</span>
                  )}
                </td>
                <td>{entry.outcome === 'refused' ? t('reviewer.bulk.refusal', { message: entry.message, rule: entry.rule }) : '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function Pager({ page, total, onPage }: { page: number; total: number; onPage: (page: number) => void }) {
  const { t } = useTranslation();
  if (total <= PER_PAGE) return null;
  const pages = Math.ceil(total / PER_PAGE);
  return (
    <nav aria-label={t('reviewer.pager.label')} className="toolbar">
      <button type="button" className="secondary" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        {t('reviewer.pager.previous')}
      </button>
      <span>{t('reviewer.pager.position', { page, pages })}</span>
      <button type="button" className="secondary" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        {t('reviewer.pager.next')}
      </button>
    </nav>
  );
}
