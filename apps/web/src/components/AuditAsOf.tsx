import { useQuery } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api';
import { dateTime, fiscalYearLabel, quantity } from '../format';
import { Grade, GradeBadge } from './GradeBadge';
import { FieldError, Problem } from './Problem';
import { fromJapanLocal, japanLocal } from './AuditTime';

/** GET /api/items/:itemId/as-of — the item folded from its events up to a moment. */
interface ItemAsOf {
  state: {
    status: 'unregistered' | 'active' | 'retired';
    title: string;
    qualitativeGoal?: string;
    indicators: Array<{ indicatorId: string; name: string; unit: string; direction: 'higher' | 'lower' }>;
    years: Record<
      string,
      {
        targets: Record<string, number>;
        actuals: Record<string, number>;
        goalText?: string;
        evaluation: { status: string; approvedGrade?: Grade };
      }
    >;
  };
  version: number;
  position: number;
  recordedAt: string;
}

/** The picker 「この時点の状態」 and the item as it stood then: indicators, and per year targets, actuals and the approved grade. */
export function AuditAsOf({ itemId }: { itemId: string }) {
  const { t } = useTranslation();
  const [moment, setMoment] = useState(() => japanLocal());
  const [at, setAt] = useState<string | undefined>();
  const asOf = useQuery({
    queryKey: ['item-as-of', itemId, at],
    queryFn: () => api.get<ItemAsOf>(`/api/items/${encodeURIComponent(itemId)}/as-of?at=${encodeURIComponent(at!)}`),
    enabled: at !== undefined,
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setAt(fromJapanLocal(moment));
  }

  const notFound = asOf.error instanceof ApiError && asOf.error.status === 404;
  return (
    <section>
      <h2>{t('auditor.asOf.heading')}</h2>
      <form className="toolbar" onSubmit={submit}>
        <div>
          <label htmlFor="as-of-at">{t('auditor.asOf.label')}</label>
          <input
            id="as-of-at"
            type="datetime-local"
            step={1}
            required
            value={moment}
            onChange={(event) => setMoment(event.target.value)}
            aria-describedby="as-of-hint as-of-at-error"
          />
          <FieldError id="as-of-at-error" error={asOf.error} field="at" />
        </div>
        <button type="submit">{t('auditor.asOf.submit')}</button>
      </form>
      <p id="as-of-hint">
        <small>{t('auditor.moment.hint')}</small>
      </p>
      {notFound ? <p className="notice">{t('auditor.asOf.notFound')}</p> : <Problem error={asOf.error} />}
      {asOf.isFetching && <p>{t('loading')}</p>}
      {asOf.data && at && <ItemAtMoment item={asOf.data} at={at} />}
    </section>
  );
}

function ItemAtMoment({ item, at }: { item: ItemAsOf; at: string }) {
  const { t } = useTranslation();
  const { state } = item;
  const years = Object.keys(state.years)
    .map(Number)
    .sort((a, b) => a - b);
  // Items graded by judgement have no indicator: one row per year carries the written goal instead.
  const indicators = state.indicators.length > 0 ? state.indicators : [undefined];
  return (
    <div className="card">
      <p>{t('auditor.asOf.summary', { version: item.version, position: item.position, recordedAt: dateTime(item.recordedAt) })}</p>
      <dl>
        <dt>{t('auditor.asOf.title')}</dt>
        <dd>{state.title}</dd>
        <dt>{t('auditor.asOf.status')}</dt>
        <dd>{t(`auditor.asOf.itemStatus.${state.status}`)}</dd>
        {state.indicators.length > 0 && (
          <>
            <dt>{t('auditor.asOf.indicators')}</dt>
            {state.indicators.map((indicator) => (
              <dd key={indicator.indicatorId}>
                {t('auditor.asOf.indicatorLine', {
                  name: indicator.name,
                  unit: indicator.unit,
                  direction: t(`auditor.asOf.direction.${indicator.direction}`),
                })}
              </dd>
            ))}
          </>
        )}
        {state.qualitativeGoal && (
          <>
            <dt>{t('auditor.asOf.goal')}</dt>
            <dd>{state.qualitativeGoal}</dd>
          </>
        )}
      </dl>
      {years.length === 0 ? (
        <p>{t('auditor.asOf.noYears')}</p>
      ) : (
        <table>
          <caption>{t('auditor.asOf.caption', { moment: dateTime(at) })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('auditor.asOf.fiscalYear')}</th>
              <th scope="col">{t('auditor.asOf.indicator')}</th>
              <th scope="col" className="number">
                {t('auditor.asOf.target')}
              </th>
              <th scope="col" className="number">
                {t('auditor.asOf.actual')}
              </th>
              <th scope="col">{t('auditor.asOf.approvedGrade')}</th>
              <th scope="col">{t('auditor.asOf.evaluation')}</th>
            </tr>
          </thead>
          {years.map((fiscalYear) => {
            const year = state.years[fiscalYear];
            return (
              <tbody key={fiscalYear}>
                {indicators.map((indicator, index) => (
                  <tr key={indicator?.indicatorId ?? 'goal'}>
                    {index === 0 && (
                      <th scope="rowgroup" rowSpan={indicators.length}>
                        {fiscalYearLabel(fiscalYear)}
                      </th>
                    )}
                    <td>{indicator?.name ?? t('auditor.asOf.goal')}</td>
                    <td className="number">{indicator ? quantity(year.targets[indicator.indicatorId], indicator.unit) : (year.goalText ?? '—')}</td>
                    <td className="number">{indicator ? quantity(year.actuals[indicator.indicatorId], indicator.unit) : '—'}</td>
                    {index === 0 && (
                      <>
                        <td rowSpan={indicators.length}>
                          <GradeBadge grade={year.evaluation.approvedGrade} />
                        </td>
                        <td rowSpan={indicators.length}>{t(`auditor.asOf.evaluationStatus.${year.evaluation.status}`)}</td>
                      </>
                    )}
                  </tr>
                ))}
              </tbody>
            );
          })}
        </table>
      )}
    </div>
  );
}
