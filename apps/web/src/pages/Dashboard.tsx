import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { api, ApiError } from '../api';
import { ChartGradeDistribution, SummaryGroup } from '../components/ChartGradeDistribution';
import { ChartIndicatorTrend, IndicatorTrend } from '../components/ChartIndicatorTrend';
import { Problem } from '../components/Problem';
import { calendarDate, fiscalYearLabel, percent, quantity } from '../format';

const DEFAULT_PLAN_ID = 'ube';
const DEFAULT_FISCAL_YEAR = 2020;
const DIMENSIONS = ['policy_area', 'basic_item', 'division'] as const;
const PROGRESS = ['not_started', 'draft', 'submitted', 'returned', 'approved', 'overdue'] as const;

interface StageProgress {
  stage: string;
  status: 'not_opened' | 'open' | 'closed';
  deadline: string | null;
  itemCount: number;
  closeReason: string | null;
  progress: Record<(typeof PROGRESS)[number], number>;
}

/** For management: how the plan's items were graded, how indicators moved over the years, and where this year's review stands. */
export function Dashboard() {
  const { t } = useTranslation();
  // Plan and year live in the address, so a view can be bookmarked or passed on.
  const [params, setParams] = useSearchParams();
  const planId = params.get('planId') ?? DEFAULT_PLAN_ID;
  const fiscalYear = Number(params.get('fiscalYear') ?? DEFAULT_FISCAL_YEAR);
  const plan = useQuery({
    queryKey: ['plan', planId],
    queryFn: () => api.get<{ name: string; firstFiscalYear: number; lastFiscalYear: number }>(`/api/plans/${encodeURIComponent(planId)}`),
  });
  const years = plan.data
    ? Array.from({ length: plan.data.lastFiscalYear - plan.data.firstFiscalYear + 1 }, (_, index) => plan.data.firstFiscalYear + index)
    : [fiscalYear];

  return (
    <>
      <h1>{t('management.title')}</h1>
      {plan.data && <p>{plan.data.name}</p>}
      <Problem error={plan.error} />
      <div className="toolbar">
        <div>
          <label htmlFor="dashboard-year">{t('management.fiscalYear')}</label>
          <select
            id="dashboard-year"
            value={fiscalYear}
            onChange={(event) =>
              setParams((current) => {
                const next = new URLSearchParams(current);
                next.set('fiscalYear', event.target.value);
                return next;
              })
            }
          >
            {years.map((year) => (
              <option key={year} value={year}>
                {fiscalYearLabel(year)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <GradeDistribution planId={planId} fiscalYear={fiscalYear} />
      <Trends planId={planId} />
      <ReviewProgress planId={planId} fiscalYear={fiscalYear} />
    </>
  );
}

function GradeDistribution({ planId, fiscalYear }: { planId: string; fiscalYear: number }) {
  const { t } = useTranslation();
  return (
    <section>
      <h2>{t('management.distribution.heading')}</h2>
      <p>{t('management.distribution.explain')}</p>
      {DIMENSIONS.map((by) => (
        <Distribution key={by} planId={planId} fiscalYear={fiscalYear} by={by} />
      ))}
    </section>
  );
}

function Distribution({ planId, fiscalYear, by }: { planId: string; fiscalYear: number; by: (typeof DIMENSIONS)[number] }) {
  const { t } = useTranslation();
  const summary = useQuery({
    queryKey: ['summary', planId, fiscalYear, by],
    queryFn: () => api.get<{ groups: SummaryGroup[] }>(`/api/summaries?${new URLSearchParams({ planId, fiscalYear: String(fiscalYear), by })}`),
  });
  const caption = t(`management.distribution.by.${by}`);
  if (summary.error) return <Problem error={summary.error} />;
  if (!summary.data) return <p>{t('loading')}</p>;
  if (summary.data.groups.length === 0) return <p>{t('management.distribution.none')}</p>;
  return <ChartGradeDistribution caption={caption} groupHeader={t(`management.distribution.group.${by}`)} groups={summary.data.groups} />;
}

function Trends({ planId }: { planId: string }) {
  const { t } = useTranslation();
  const trends = useQuery({
    queryKey: ['trends', planId],
    queryFn: () => api.get<{ indicators: IndicatorTrend[] }>(`/api/summaries/trends?planId=${encodeURIComponent(planId)}`),
  });
  const [picked, setPicked] = useState<string | undefined>();
  const indicators = trends.data?.indicators ?? [];
  const keyOf = (indicator: IndicatorTrend) => `${indicator.itemId}/${indicator.indicatorId}`;
  const shown = indicators.find((indicator) => keyOf(indicator) === picked) ?? indicators[0];

  return (
    <section>
      <h2>{t('management.trends.heading')}</h2>
      <Problem error={trends.error} />
      {trends.isPending && <p>{t('loading')}</p>}
      {trends.data && indicators.length === 0 && <p>{t('management.trends.none')}</p>}
      {shown && (
        <>
          <label htmlFor="trend-indicator">{t('management.trends.indicator')}</label>
          <select id="trend-indicator" value={keyOf(shown)} onChange={(event) => setPicked(event.target.value)}>
            {indicators.map((indicator) => (
              <option key={keyOf(indicator)} value={keyOf(indicator)}>
                {t('management.trends.option', { title: indicator.title, name: indicator.name })}
              </option>
            ))}
          </select>
          <ChartIndicatorTrend indicator={shown} />
        </>
      )}
    </section>
  );
}


function ReviewProgress({ planId, fiscalYear }: { planId: string; fiscalYear: number }) {
  const { t } = useTranslation();
  const review = useQuery({
    queryKey: ['review', planId, fiscalYear],
    queryFn: () => api.get<{ stages: StageProgress[] }>(`/api/reviews/${encodeURIComponent(planId)}/${fiscalYear}`),
  });
  const year = fiscalYearLabel(fiscalYear);
  const notOpened = review.error instanceof ApiError && review.error.status === 404;

  return (
    <section>
      <h2>{t('management.reviews.heading')}</h2>
      {notOpened ? <p className="notice">{t('management.reviews.notOpened', { fiscalYear: year })}</p> : <Problem error={review.error} />}
      {review.isPending && <p>{t('loading')}</p>}
      {review.data && review.data.stages.length === 0 && <p>{t('management.reviews.noStages')}</p>}
      {review.data && review.data.stages.length > 0 && (
        <table>
          <caption>{t('management.reviews.caption', { fiscalYear: year })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('management.reviews.stage')}</th>
              <th scope="col">{t('management.reviews.state')}</th>
              <th scope="col">{t('management.reviews.deadline')}</th>
              <th scope="col" className="number">
                {t('management.reviews.items')}
              </th>
              {PROGRESS.map((status) => (
                <th scope="col" className="number" key={status}>
                  {t(`status.${status}`)}
                </th>
              ))}
              <th scope="col">{t('management.reviews.approvedShare')}</th>
            </tr>
          </thead>
          <tbody>
            {review.data.stages.map((stage) => {
              const share = stage.itemCount > 0 ? stage.progress.approved / stage.itemCount : null;
              return (
                <tr key={stage.stage}>
                  <th scope="row">{t(`stage.${stage.stage}`)}</th>
                  <td>
                    {t(`management.reviews.stageStatus.${stage.status}`)}
                    {stage.closeReason && (
                      <>
                        <br />
                        <small>{t('management.reviews.closedEarly', { reason: stage.closeReason })}</small>
                      </>
                    )}
                  </td>
                  <td>{calendarDate(stage.deadline)}</td>
                  <td className="number">{quantity(stage.itemCount)}</td>
                  {PROGRESS.map((status) => (
                    <td className="number" key={status}>
                      {quantity(stage.progress[status])}
                    </td>
                  ))}
                  <td>
                    {/* The bar is a picture of the number beside it; the number is what screen readers get. */}
                    <progress value={stage.progress.approved} max={Math.max(stage.itemCount, 1)} aria-hidden="true" /> {percent(share)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
