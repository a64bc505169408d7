import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { api, ApiError, CommandResult, readYourWrites } from '../api';
import { useSession } from '../auth';
import { Problem } from '../components/Problem';
import { ReviewPanel } from '../components/ReviewPanel';
import { StatusBadge } from '../components/StatusBadge';
import { ItemView, Stage, STAGES, Submission, SubmissionContentView, SubmissionForm } from '../components/SubmissionForm';
import { calendarDate, fiscalYearLabel } from '../format';

const EDITABLE = ['not_started', 'draft', 'returned'];


export function submissionPath(task: { planId: string; fiscalYear: number; stage: string; itemId: string }): string {
  return `/submissions/${encodeURIComponent(task.planId)}/${task.fiscalYear}/${task.stage}/${encodeURIComponent(task.itemId)}`;
}

/** One item's submission in one stage: the department fills it in, the reviewer decides on it. */
export function SubmissionPage() {
  const { t } = useTranslation();
  const { planId = '', fiscalYear = '', stage = '', itemId = '' } = useParams();
  if ((stage !== 'spring' && stage !== 'autumn') || !/^\d{4}$/.test(fiscalYear)) {
    return <NotFound title={t('department.submission.notFoundTitle')} />;
  }
  return <SubmissionScreen planId={planId} fiscalYear={Number(fiscalYear)} stage={stage} itemId={itemId} />;
}

function NotFound({ title }: { title: string }) {
  const { t } = useTranslation();
  return (
    <>
      <h1>{title}</h1>
      <p>{t('department.submission.notFound')}</p>
      <p>
        <Link to="/inbox">{t('department.submission.back')}</Link>
      </p>
    </>
  );
}

function SubmissionScreen({ planId, fiscalYear, stage, itemId }: { planId: string; fiscalYear: number; stage: Stage; itemId: string }) {
  const { t } = useTranslation();
  const session = useSession();
  const queryClient = useQueryClient();
  const cycleUrl = `/api/reviews/${encodeURIComponent(planId)}/${fiscalYear}`;
  const submission = useQuery({
    queryKey: ['reviews', 'submission', planId, fiscalYear, stage, itemId],
    queryFn: () => api.get<Submission>(`${cycleUrl}/stages/${stage}/items/${encodeURIComponent(itemId)}`),
  });
  const item = useQuery({ queryKey: ['items', itemId], queryFn: () => api.get<ItemView>(`/api/items/${encodeURIComponent(itemId)}`) });
  const plan = useQuery({
    queryKey: ['plans', planId],
    queryFn: () => api.get<{ basicItems: Array<{ basicItemId: string }> }>(`/api/plans/${encodeURIComponent(planId)}`),
  });
  const cycle = useQuery({
    queryKey: ['reviews', 'cycle', planId, fiscalYear],
    queryFn: () => api.get<{ stages: Array<{ stage: string; deadline: string }> }>(cycleUrl),
  });
  const returned = submission.data?.status === 'returned';
  // The reviewer's reason is on the task row of the inbox, not on the submission.
  const reasonQuery = new URLSearchParams({ planId, fiscalYear: String(fiscalYear), stage, status: 'returned', perPage: '200', ...readYourWrites() }).toString();
  const reason = useQuery({
    queryKey: ['reviews', 'tasks', reasonQuery],
    enabled: returned,
    queryFn: () => api.get<{ items: Array<{ itemId: string; lastReason: string | null }> }>(`/api/reviews/tasks?${reasonQuery}`),
  });
  const [submitted, setSubmitted] = useState(false);
  // Bumped to start the form afresh from the latest version after a conflict.
  const [formKey, setFormKey] = useState(0);
  const notice = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (submitted) notice.current?.focus();
  }, [submitted]);

  if (submission.error instanceof ApiError && submission.error.status === 404) return <NotFound title={t('department.submission.notFoundTitle')} />;
  if (submission.error || item.error) {
    return (
      <>
        <h1>{t(`stage.${stage}`)}</h1>
        <Problem error={submission.error ?? item.error} />
      </>
    );
  }
  if (!submission.data || !item.data) return <p>{t('loading')}</p>;

  const current = submission.data;
  const itemView = item.data;
  const basicItemPosition = (plan.data?.basicItems.findIndex((basicItem) => basicItem.basicItemId === itemView.basicItemId) ?? -1) + 1;
  const number = basicItemPosition > 0 ? `${basicItemPosition}-${itemView.number}` : String(itemView.number);
  const { reportedYearOffset, plannedYearOffset } = STAGES[stage];
  const deadline = cycle.data?.stages.find((candidate) => candidate.stage === stage)?.deadline;
  const lastReason = reason.data?.items.find((row) => row.itemId === itemId)?.lastReason;
  const ownItem = !!session.user?.roles.some(
    (grant) => grant.role === 'department_staff' && grant.divisionIds.some((division) => itemView.divisionIds.includes(division)),
  );
  const editable = ownItem && EDITABLE.includes(current.status);

  function afterCommand(result: CommandResult, submittedNow: boolean) {
    if (submittedNow) setSubmitted(true);
    void queryClient.invalidateQueries({ queryKey: ['reviews'] });
  }

  async function reload() {
    await submission.refetch();
    setFormKey((key) => key + 1);
  }

  function afterDecision() {
    void queryClient.invalidateQueries({ queryKey: ['reviews'] });
    void queryClient.invalidateQueries({ queryKey: ['items', itemId] });
  }

  return (
    <>
      {session.has('department_staff') && (
        <p>
          <Link to="/inbox">{t('department.submission.back')}</Link>
        </p>
      )}
      <h1>
        {number} {itemView.title}
      </h1>
      <dl style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '0.25rem 1rem' }}>
        <dt>{t('department.submission.stage')}</dt>
        <dd>{t(`stage.${stage}`)}</dd>
        <dt>{t('department.submission.fiscalYear')}</dt>
        <dd>{fiscalYearLabel(fiscalYear)}</dd>
        <dt>{t('department.submission.reportedYear')}</dt>
        <dd>{fiscalYearLabel(fiscalYear + reportedYearOffset)}</dd>
        {plannedYearOffset !== undefined && (
          <>
            <dt>{t('department.submission.plannedYear')}</dt>
            <dd>{fiscalYearLabel(fiscalYear + plannedYearOffset)}</dd>
          </>
        )}
        <dt>{t('department.submission.deadline')}</dt>
        <dd>{calendarDate(deadline)}</dd>
        <dt>{t('department.submission.status')}</dt>
        <dd>
          <StatusBadge status={current.status} overdue={current.overdue} />
        </dd>
        {current.submittedBy && (
          <>
            <dt>{t('department.submission.submittedBy')}</dt>
            <dd>{current.submittedBy}</dd>
          </>
        )}
      </dl>
      {submitted && (
        <div ref={notice} className="notice" role="status" tabIndex={-1}>
          <strong>{t('department.submission.submitted')}</strong>
          <p>{t('department.submission.submittedHelp')}</p>
        </div>
      )}
      {returned && (
        <section className="problem" aria-labelledby="returned-title">
          <h2 id="returned-title">{t('department.submission.returnedTitle')}</h2>
          <p>{t('department.submission.returnedReason', { reason: lastReason ?? (reason.isPending ? t('loading') : t('department.submission.reasonUnknown')) })}</p>
          {editable && <p>{t('department.submission.returnedHelp')}</p>}
        </section>
      )}
      {editable ? (
        <SubmissionForm
          key={formKey}
          planId={planId}
          fiscalYear={fiscalYear}
          stage={stage}
          item={itemView}
          submission={current}
          onCommand={afterCommand}
          onReload={() => void reload()}
        />
      ) : (
        <section aria-labelledby="content-title">
          <h2 id="content-title">{t('department.submission.content')}</h2>
          <SubmissionContentView stage={stage} fiscalYear={fiscalYear} item={itemView} content={current.content} />
        </section>
      )}
      {session.has('reviewer') && (
        <ReviewPanel planId={planId} fiscalYear={fiscalYear} stage={stage} itemId={itemId} submission={current} onDone={afterDecision} />
      )}
    </>
  );
}
