import { GRADES, achievementRate, findGradingRule, gradeForRate, worstGrade } from '@app/domain/grading';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, CommandResult } from '../api';
import { useSession } from '../auth';
import { fiscalYearLabel, percent, quantity } from '../format';
import { Grade, GradeBadge } from './GradeBadge';
import { FieldError, Problem } from './Problem';

/** Props of the reviewer's decision panel on a submission (written by the reviewer screens). */
export interface ReviewPanelProps {
  planId: string;
  fiscalYear: number;
  stage: 'spring' | 'autumn';
  itemId: string;
  /** GET /api/reviews/:planId/:fiscalYear/stages/:stage/items/:itemId */
  submission: { status: string; version: number; content: Record<string, unknown>; submittedBy?: string; editors: string[] };
  /** Called after a decision, to reload. */
  onDone: () => void;
}


interface IndicatorStatus {
  indicatorId: string;
  name: string;
  unit: string;
  direction: 'higher' | 'lower';
  target: number | null;
  actual: number | null;
}

/** One row of GET /api/items/:itemId/status: the item in one fiscal year. */
interface YearStatus {
  fiscalYear: number;
  indicators: IndicatorStatus[];
  approvedGrade: Grade | null;
  /** The grading rule the item is judged by. */
  rule: { id: string; version: number };
}

interface IndicatorLine {
  indicator: IndicatorStatus;
  actual: number | null;
  rate?: number;
  grade?: Grade;
  previousActual: number | null;
}

/** A refusal naming one of the form's fields is shown beside it; any other goes above the form. */
export function outsideFields(error: unknown, fields: string[]): unknown {
  return error instanceof ApiError && fields.some((field) => error.fieldMessage(field)) ? null : error;
}

export const describedBy = (...ids: Array<string | false | undefined>) => ids.filter(Boolean).join(' ') || undefined;
export const hasError = (error: unknown, field: string) => error instanceof ApiError && !!error.fieldMessage(field);


const valueMap = (value: unknown) =>
  new Map(Array.isArray(value) ? (value as Array<{ indicatorId: string; value: number }>).map((entry) => [entry.indicatorId, entry.value]) : []);
const text = (value: unknown) => (typeof value === 'string' && value.trim() ? value : undefined);

/**
 * Spring: the reported year's targets against the submitted actuals, each graded
 * by the rule; the item's grade is its lowest indicator's, only when every one can be graded.
 */
function springLines(years: YearStatus[], reportedYear: number, content: Record<string, unknown>) {
  const actuals = valueMap(content.actuals);
  const previous = years.find((year) => year.fiscalYear === reportedYear - 1);
  const reported = years.find((year) => year.fiscalYear === reportedYear);
  // The server's own grading rule, by the id and version the item is judged by.
  const rule = reported && findGradingRule(reported.rule.id, reported.rule.version);
  const lines: IndicatorLine[] = (reported?.indicators ?? []).map((indicator) => {
    const actual = actuals.get(indicator.indicatorId) ?? null;
    const rate = indicator.target !== null && actual !== null ? achievementRate(indicator.target, actual, indicator.direction) : undefined;
    const previousActual = previous?.indicators.find((candidate) => candidate.indicatorId === indicator.indicatorId)?.actual ?? null;
    return { indicator, actual, rate, grade: rule && rate !== undefined ? gradeForRate(rule, rate) : undefined, previousActual };
  });
  const graded = lines.map((line) => line.grade).filter((grade): grade is Grade => grade !== undefined);
  const ruleGrade = lines.length > 0 && graded.length === lines.length ? worstGrade(graded) : undefined;
  return { lines, ruleGrade, previousGrade: previous?.approvedGrade ?? null };
}

/** The reviewer's view of one submission: what was submitted beside what decides it, and the decision. */
export function ReviewPanel({ planId, fiscalYear, stage, itemId, submission, onDone }: ReviewPanelProps) {
  const { t } = useTranslation();
  const status = useQuery({
    queryKey: ['item-status', itemId],
    queryFn: () => api.get<{ years: YearStatus[] }>(`/api/items/${itemId}/status`),
  });
  const years = status.data?.years ?? [];
  // Spring reports the year before the cycle's; autumn plans the year after it.
  const spring = stage === 'spring' ? springLines(years, fiscalYear - 1, submission.content) : undefined;
  return (
    <section aria-labelledby="review-panel-heading" className="card">
      <h2 id="review-panel-heading">{t('reviewer.panel.heading')}</h2>
      {status.error && (
        <p role="alert" className="problem">
          {t('reviewer.panel.statusError', { message: (status.error as Error).message })}
        </p>
      )}
      {status.isPending && <p>{t('loading')}</p>}
      {spring && <SpringFacts reportedYear={fiscalYear - 1} content={submission.content} {...spring} />}
      {stage === 'autumn' && <AutumnFacts years={years} fiscalYear={fiscalYear} content={submission.content} />}
      <Decision
        key={submission.version}
        path={`/api/reviews/${planId}/${fiscalYear}/stages/${stage}/items/${itemId}`}
        stage={stage}
        submission={submission}
        ruleGrade={spring?.ruleGrade}
        onDone={onDone}
      />
    </section>
  );
}

interface SpringFactsProps {
  reportedYear: number;
  content: Record<string, unknown>;
  lines: IndicatorLine[];
  ruleGrade?: Grade;
  previousGrade: Grade | null;
}

function SpringFacts({ reportedYear, content, lines, ruleGrade, previousGrade }: SpringFactsProps) {
  const { t } = useTranslation();
  const previousYear = fiscalYearLabel(reportedYear - 1);
  const change = (line: IndicatorLine) => {
    if (line.actual === null || line.previousActual === null) return '—';
    const difference = line.actual - line.previousActual;
    return difference === 0 ? '±0' : `${difference > 0 ? '+' : ''}${quantity(difference, line.indicator.unit)}`;
  };
  return (
    <>
      <h3>{t('reviewer.panel.springHeading', { year: fiscalYearLabel(reportedYear) })}</h3>
      <dl>
        <dt>{t('reviewer.panel.ruleGrade')}</dt>
        <dd>{ruleGrade ? <GradeBadge grade={ruleGrade} /> : t('reviewer.panel.noRuleGrade')}</dd>
        <dt>{t('reviewer.panel.selfGrade')}</dt>
        <dd>
          <GradeBadge grade={content.selfGrade as Grade | undefined} />
        </dd>
        <dt>{t('reviewer.panel.previousGrade', { year: previousYear })}</dt>
        <dd>
          <GradeBadge grade={previousGrade} />
        </dd>
      </dl>
      <h4>{t('reviewer.panel.indicators')}</h4>
      {lines.length === 0 ? (
        <p>{t('reviewer.panel.noIndicators')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('reviewer.panel.columns.indicator')}</th>
              <th scope="col" className="number">
                {t('reviewer.panel.columns.target')}
              </th>
              <th scope="col" className="number">
                {t('reviewer.panel.columns.actual')}
              </th>
              <th scope="col" className="number">
                {t('reviewer.panel.columns.rate')}
              </th>
              <th scope="col">{t('reviewer.panel.columns.ruleGrade')}</th>
              <th scope="col" className="number">
                {t('reviewer.panel.columns.previousActual', { year: previousYear })}
              </th>
              <th scope="col" className="number">
                {t('reviewer.panel.columns.change')}
              </th>
            </tr>
          </thead>
          <tbody>
            {lines.map((line) => (
              <tr key={line.indicator.indicatorId}>
                <th scope="row">
                  {line.indicator.name}
                  {line.indicator.direction === 'lower' && t('reviewer.panel.lowerIsBetter')}
                </th>
                <td className="number">{quantity(line.indicator.target, line.indicator.unit)}</td>
                <td className="number">{quantity(line.actual, line.indicator.unit)}</td>
                <td className="number">
                  {line.rate === Number.POSITIVE_INFINITY ? t('reviewer.panel.unboundedRate') : percent(line.rate)}
                </td>
                <td>{line.grade ? <GradeBadge grade={line.grade} /> : '—'}</td>
                <td className="number">{quantity(line.previousActual, line.indicator.unit)}</td>
                <td className="number">{change(line)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h4>{t('reviewer.panel.narrative')}</h4>
      <p style={{ whiteSpace: 'pre-wrap' }}>{text(content.narrative) ?? t('reviewer.panel.notEntered')}</p>
    </>
  );
}

function AutumnFacts({ years, fiscalYear, content }: { years: YearStatus[]; fiscalYear: number; content: Record<string, unknown> }) {
  const { t } = useTranslation();
  const targets = valueMap(content.nextYearTargets);
  const thisYear = years.find((year) => year.fiscalYear === fiscalYear);
  const planned = years.find((year) => year.fiscalYear === fiscalYear + 1);
  const indicators = (thisYear ?? planned)?.indicators ?? [];
  const plannedTarget = (indicatorId: string) => planned?.indicators.find((candidate) => candidate.indicatorId === indicatorId)?.target ?? null;
  return (
    <>
      <h3>{t('reviewer.panel.autumnHeading', { year: fiscalYearLabel(fiscalYear + 1) })}</h3>
      <h4>{t('reviewer.panel.progress')}</h4>
      <p style={{ whiteSpace: 'pre-wrap' }}>{text(content.progress) ?? t('reviewer.panel.notEntered')}</p>
      <h4>{t('reviewer.panel.nextYearPlan')}</h4>
      <p style={{ whiteSpace: 'pre-wrap' }}>{text(content.nextYearPlan) ?? t('reviewer.panel.notEntered')}</p>
      <h4>{t('reviewer.panel.targets')}</h4>
      {indicators.length === 0 ? (
        <p>{t('reviewer.panel.noIndicators')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t('reviewer.panel.columns.indicator')}</th>
              <th scope="col" className="number">
                {t('reviewer.panel.columns.thisYearTarget')}
              </th>
              <th scope="col" className="number">
                {t('reviewer.panel.columns.plannedTarget')}
              </th>
              <th scope="col" className="number">
                {t('reviewer.panel.columns.submittedTarget')}
              </th>
            </tr>
          </thead>
          <tbody>
            {indicators.map((indicator) => (
              <tr key={indicator.indicatorId}>
                <th scope="row">
                  {indicator.name}
                  {indicator.direction === 'lower' && t('reviewer.panel.lowerIsBetter')}
                </th>
                <td className="number">{quantity(thisYear?.indicators.find((candidate) => candidate.indicatorId === indicator.indicatorId)?.target, indicator.unit)}</td>
                <td className="number">{quantity(plannedTarget(indicator.indicatorId), indicator.unit)}</td>
                <td className="number">{quantity(targets.get(indicator.indicatorId), indicator.unit)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

interface DecisionProps {
  path: string;
  stage: ReviewPanelProps['stage'];
  submission: ReviewPanelProps['submission'];
  ruleGrade?: Grade;
  onDone: () => void;
}

/** Approve or return a submitted one, reopen an approved one; nothing to decide otherwise. */
function Decision({ path, stage, submission, ruleGrade, onDone }: DecisionProps) {
  const { t } = useTranslation();
  const me = useSession().user?.userId;
  const form = { path, version: submission.version, onDone };
  if (submission.status === 'submitted') {
    const ownWork = me !== undefined && (submission.submittedBy === me || submission.editors.includes(me));
    return (
      <>
        {ownWork && <p className="notice">{t('reviewer.panel.ownWork')}</p>}
        {stage === 'spring' ? (
          <ApproveForm {...form} ruleGrade={ruleGrade} selfGrade={submission.content.selfGrade as Grade | undefined} />
        ) : (
          <ApproveForm {...form} />
        )}
        <ReasonForm {...form} action="return" texts="giveBack" />
      </>
    );
  }
  if (submission.status === 'approved') return <ReasonForm {...form} action="reopen" texts="reopen" />;
  return <p>{t('reviewer.panel.notDecidable', { status: t(`status.${submission.status}`) })}</p>;
}

interface FormProps {
  path: string;
  version: number;
  onDone: () => void;
}

/** A decision sent with the submission's version; afterwards the lists and the item's figures are read again. */
function useDecision<T>(url: string, version: number, onDone: () => void) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: T) => api.post<CommandResult>(url, body, version),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['reviews'] });
      void queryClient.invalidateQueries({ queryKey: ['item-status'] });
      onDone();
    },
  });
}

/** Four-eyes refusals explained; a 409 offers the latest version; field errors stay beside their fields. */
function DecisionProblem({ error, fields, onReload }: { error: unknown; fields: string[]; onReload: () => void }) {
  const { t } = useTranslation();
  if (error instanceof ApiError && error.status === 403 && error.rule === 'review.four_eyes') {
    return (
      <div role="alert" className="problem">
        {t('reviewer.panel.fourEyes')}
      </div>
    );
  }
  return <Problem error={outsideFields(error, fields)} onReload={onReload} />;
}

interface ReasonFieldProps {
  id: string;
  label: string;
  hint?: string;
  value: string;
  onChange: (value: string) => void;
  error: unknown;
  /** The message when the screen itself finds the reason missing. */
  missing?: string;
  required?: boolean;
}

function ReasonField({ id, label, hint, value, onChange, error, missing, required }: ReasonFieldProps) {
  const invalid = !!missing || hasError(error, 'reason');
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <textarea
        id={id}
        value={value}
        required={required}
        aria-invalid={invalid || undefined}
        aria-describedby={describedBy(hint && `${id}-hint`, invalid && `${id}-error`)}
        onChange={(event) => onChange(event.target.value)}
      />
      {hint && <p id={`${id}-hint`}>{hint}</p>}
      {missing ? (
        <p id={`${id}-error`} className="field-error" role="alert">
          {missing}
        </p>
      ) : (
        <FieldError id={`${id}-error`} error={error} field="reason" />
      )}
    </>
  );
}

/** Spring approves a grade (the self-assessed one unless another is chosen); autumn approves the plan as it stands. */
function ApproveForm({ path, version, onDone, ruleGrade, selfGrade }: FormProps & { ruleGrade?: Grade; selfGrade?: Grade }) {
  const { t } = useTranslation();
  const [grade, setGrade] = useState<Grade | ''>('');
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState<string>();
  const mutation = useDecision<{ grade?: Grade; reason?: string }>(`${path}/approve`, version, onDone);
  const grading = selfGrade !== undefined;
  const ruleLabel = ruleGrade ? t(`grade.${ruleGrade}`) : '';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // The item refuses a grade other than the rule's without a reason, after the approval is stored: ask for it first.
    const approved = grade || selfGrade;
    if (ruleGrade && approved && approved !== ruleGrade && !reason.trim()) {
      setMissing(t('reviewer.panel.approve.reasonRequired', { grade: ruleLabel }));
      return;
    }
    setMissing(undefined);
    mutation.mutate({ ...(grade ? { grade } : {}), ...(reason.trim() ? { reason } : {}) });
  };
  const error = mutation.error;
  return (
    <form onSubmit={submit} noValidate className="card">
      <h3>{t('reviewer.panel.approve.heading')}</h3>
      <DecisionProblem error={error} fields={['grade', 'reason']} onReload={() => {
          mutation.reset();
          onDone();
        }} />
      {grading && (
        <>
          <label htmlFor="approve-grade">{t('reviewer.panel.approve.grade')}</label>
          <select
            id="approve-grade"
            value={grade}
            onChange={(event) => setGrade(event.target.value as Grade | '')}
            aria-describedby={describedBy(hasError(error, 'grade') && 'approve-grade-error')}
          >
            <option value="">{t('reviewer.panel.approve.asSelfGrade', { grade: selfGrade ? t(`grade.${selfGrade}`) : t('grade.none') })}</option>
            {GRADES.map((option) => (
              <option key={option} value={option}>
                {t(`grade.${option}`)}
              </option>
            ))}
          </select>
          <FieldError id="approve-grade-error" error={error} field="grade" />
          <ReasonField
            id="approve-reason"
            label={t('reviewer.panel.approve.reason')}
            hint={ruleGrade && t('reviewer.panel.approve.reasonHint', { grade: ruleLabel })}
            value={reason}
            onChange={setReason}
            error={error}
            missing={missing}
          />
        </>
      )}
      <button type="submit" disabled={mutation.isPending}>
        {t('reviewer.panel.approve.submit')}
      </button>
    </form>
  );
}

/** Return (差し戻し) or reopen (再開): both need a reason, which the division will read. */
function ReasonForm({ path, version, onDone, action, texts }: FormProps & { action: 'return' | 'reopen'; texts: 'giveBack' | 'reopen' }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState<string>();
  const mutation = useDecision<{ reason: string }>(`${path}/${action}`, version, onDone);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!reason.trim()) {
      setMissing(t(`reviewer.panel.${texts}.reasonRequired`));
      return;
    }
    setMissing(undefined);
    mutation.mutate({ reason });
  };
  return (
    <form onSubmit={submit} noValidate className="card">
      <h3>{t(`reviewer.panel.${texts}.heading`)}</h3>
      <DecisionProblem error={mutation.error} fields={['reason']} onReload={() => {
          mutation.reset();
          onDone();
        }} />
      <ReasonField
        id={`${action}-reason`}
        label={t(`reviewer.panel.${texts}.reason`)}
        hint={texts === 'giveBack' ? t('reviewer.panel.giveBack.reasonHint') : undefined}
        value={reason}
        onChange={setReason}
        error={mutation.error}
        missing={missing}
        required
      />
      <button type="submit" disabled={mutation.isPending}>
        {t(`reviewer.panel.${texts}.submit`)}
      </button>
    </form>
  );
}
