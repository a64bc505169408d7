import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { api } from '../api';
import { AuditAsOf } from '../components/AuditAsOf';
import { AuditDiff } from '../components/AuditDiff';
import { AuditHistory } from '../components/AuditHistory';
import { AuditIntegrity } from '../components/AuditIntegrity';
import { AuditPager } from '../components/AuditPager';
import { Grade, GradeBadge } from '../components/GradeBadge';
import { Problem } from '../components/Problem';
import { fiscalYearLabel } from '../format';

const PLAN_ID = 'ube';
const DEFAULT_FISCAL_YEAR = 2020;
const PER_PAGE = 20;
/** Search as the auditor types, once they pause. */
const TYPING_PAUSE_MS = 300;

interface ItemRow {
  itemId: string;
  title: string;
  /** Policy area, basic item, item: the report numbers an item by the last two (5-1). */
  planOrder: number[];
  approvedGrade: Grade | null;
}

/** /audit: find an item; /audit/:itemId: its history, its state at a moment, a diff, the tamper check. */
export function AuditItem() {
  const { itemId } = useParams();
  return itemId ? <ItemAudit itemId={itemId} /> : <ItemSearch />;
}

/** The plan's fiscal years, for the year select. */
function usePlanYears(planId: string): number[] {
  const plan = useQuery({
    queryKey: ['plan', planId],
    queryFn: () => api.get<{ firstFiscalYear: number; lastFiscalYear: number }>(`/api/plans/${encodeURIComponent(planId)}`),
  });
  if (!plan.data) return [DEFAULT_FISCAL_YEAR];
  const { firstFiscalYear, lastFiscalYear } = plan.data;
  return Array.from({ length: lastFiscalYear - firstFiscalYear + 1 }, (_, index) => firstFiscalYear + index);
}

function ItemSearch() {
  const { t } = useTranslation();
  // The words, year and page live in the address, so going back from an item returns to the same results.
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const fiscalYear = Number(params.get('fiscalYear') ?? DEFAULT_FISCAL_YEAR);
  const page = Number(params.get('page') ?? 1);
  const [words, setWords] = useState(q);
  const years = usePlanYears(PLAN_ID);

  const update = (changes: Record<string, string | number>) =>
    setParams((current) => {
      const next = new URLSearchParams(current);
      for (const [key, value] of Object.entries(changes)) next.set(key, String(value));
      return next;
    }, { replace: true });

  useEffect(() => {
    if (words === q) return;
    const timer = setTimeout(() => update({ q: words, page: 1 }), TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [words, q]);

  const items = useQuery({
    queryKey: ['items', PLAN_ID, fiscalYear, q, page],
    queryFn: () =>
      api.get<{ items: ItemRow[]; total: number }>(
        `/api/items?${new URLSearchParams({ planId: PLAN_ID, fiscalYear: String(fiscalYear), q, page: String(page), perPage: String(PER_PAGE) })}`,
      ),
    // The previous results stay while the next words are looked up, instead of flickering away at each keystroke.
    placeholderData: keepPreviousData,
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    update({ q: words, page: 1 });
  }

  return (
    <>
      <h1>{t('auditor.title')}</h1>
      <section>
        <h2>{t('auditor.search.heading')}</h2>
        <form className="toolbar" role="search" onSubmit={submit}>
          <div>
            <label htmlFor="item-search">{t('auditor.search.label')}</label>
            <input id="item-search" type="search" value={words} onChange={(event) => setWords(event.target.value)} aria-describedby="item-search-hint" />
          </div>
          <div>
            <label htmlFor="item-search-year">{t('auditor.search.fiscalYear')}</label>
            <select id="item-search-year" value={fiscalYear} onChange={(event) => update({ fiscalYear: event.target.value, page: 1 })}>
              {years.map((year) => (
                <option key={year} value={year}>
                  {fiscalYearLabel(year)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit">{t('auditor.search.submit')}</button>
        </form>
        <p id="item-search-hint">
          <small>{t('auditor.search.hint')}</small>
        </p>
      </section>
      <section aria-busy={items.isFetching}>
        <h2>{t('auditor.search.results')}</h2>
        <Problem error={items.error} />
        {items.isPending && <p>{t('loading')}</p>}
        {items.data && <p aria-live="polite">{items.data.total === 0 ? t('auditor.search.none') : t('auditor.search.count', { total: items.data.total })}</p>}
        {items.data && items.data.total > 0 && (
          <>
            <ul>
              {items.data.items.map((item) => (
                <li key={item.itemId}>
                  <span>{t('auditor.search.number', { number: item.planOrder.slice(1).join('-') })}</span>{' '}
                  <Link to={`/audit/${encodeURIComponent(item.itemId)}`}>{item.title}</Link> <GradeBadge grade={item.approvedGrade} />
                </li>
              ))}
            </ul>
            <AuditPager list={t('auditor.search.heading')} page={page} perPage={PER_PAGE} total={items.data.total} onPage={(next) => update({ page: next })} />
          </>
        )}
      </section>
    </>
  );
}

function ItemAudit({ itemId }: { itemId: string }) {
  const { t } = useTranslation();
  const item = useQuery({
    queryKey: ['item', itemId],
    queryFn: () => api.get<{ title: string }>(`/api/items/${encodeURIComponent(itemId)}`),
  });
  return (
    <>
      <p>
        <Link to="/audit">{t('auditor.back')}</Link>
      </p>
      <h1>{item.data?.title ?? t('auditor.item.heading')}</h1>
      <p>
        <small>{t('auditor.item.id', { itemId })}</small>
      </p>
      <Problem error={item.error} />
      <AuditIntegrity itemId={itemId} />
      <AuditAsOf itemId={itemId} />
      <AuditDiff itemId={itemId} />
      <AuditHistory itemId={itemId} />
    </>
  );
}
