import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { dateTime, fiscalYearLabel } from '../format';
import i18n from '../i18n';
import { AuditPager } from './AuditPager';
import { Problem } from './Problem';

/** One field a change touched, in the projection's readable words. */
export interface FieldChange {
  field: string;
  label: string;
  before: string | null;
  after: string | null;
}

/** GET /api/items/:itemId/history — one entry per event, oldest first. */
interface HistoryPage {
  items: Array<{
    version: number;
    position: number;
    type: string;
    summary: string;
    fiscalYear: number | null;
    occurredAt: string;
    recordedAt: string;
    actor: { userId: string; role: string | null; department: string | null };
    changes: FieldChange[];
    reason: string | null;
  }>;
  page: number;
  perPage: number;
  total: number;
}

const PER_PAGE = 20;

/**
 * Business time is read against the fiscal calendar (令和元年度…), so in Japanese
 * it is shown in the Japanese era as official documents date it (令和元年5月31日).
 */
function businessTime(value: string): string {
  if (i18n.language === 'en') return dateTime(value);
  const format = { era: 'long', year: 'numeric', month: 'long', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZone: 'Asia/Tokyo' } as const;
  return new Intl.DateTimeFormat('ja-JP-u-ca-japanese', format).format(new Date(value));
}

/** 「項目: before → after」, with — for a value that was or became empty. */
export function ChangeText({ change }: { change: FieldChange }) {
  const { t } = useTranslation();
  return <>{t('auditor.change', { label: change.label, before: change.before ?? '—', after: change.after ?? '—' })}</>;
}

/** The item's history as a timeline: when, who, what and why for each event, oldest first. */
export function AuditHistory({ itemId }: { itemId: string }) {
  const { t } = useTranslation();
  const [page, setPage] = useState(1);
  const history = useQuery({
    queryKey: ['item-history', itemId, page],
    queryFn: () => api.get<HistoryPage>(`/api/items/${encodeURIComponent(itemId)}/history?page=${page}&perPage=${PER_PAGE}`),
  });

  return (
    <section>
      <h2 id="history-heading">{t('auditor.history.heading')}</h2>
      <p>{t('auditor.history.order')}</p>
      <Problem error={history.error} />
      {history.isPending && <p>{t('loading')}</p>}
      {history.data && (
        <>
          <ol className="timeline" aria-labelledby="history-heading">
            {history.data.items.map((entry) => {
              const recorded = dateTime(entry.recordedAt);
              return (
                <li key={entry.version}>
                  <h3>
                    {t(`auditor.event.${entry.type}`, { defaultValue: entry.summary })}
                    {entry.fiscalYear !== null && ` — ${fiscalYearLabel(entry.fiscalYear)}`}
                  </h3>
                  <p>
                    <small>{t('auditor.history.meta', { version: entry.version, position: entry.position })}</small>
                  </p>
                  <dl>
                    <dt>{t('auditor.history.recordedAt')}</dt>
                    <dd>{recorded}</dd>
                    {/* Business time matters only where it differs from the moment of recording (imports, back-dated entries). */}
                    {dateTime(entry.occurredAt) !== recorded && (
                      <>
                        <dt>{t('auditor.history.occurredAt')}</dt>
                        <dd>{businessTime(entry.occurredAt)}</dd>
                      </>
                    )}
                    <dt>{t('auditor.history.who')}</dt>
                    <dd>
                      {t('auditor.history.actor', {
                        userId: entry.actor.userId,
                        role: t(`auditor.role.${entry.actor.role ?? 'unknown'}`, { defaultValue: entry.actor.role }),
                      })}
                    </dd>
                    <dt>{t('auditor.history.what')}</dt>
                    <dd>
                      {entry.changes.length === 0 ? (
                        t('auditor.history.noChanges')
                      ) : (
                        <ul>
                          {entry.changes.map((change) => (
                            <li key={change.field} style={{ margin: 0 }}>
                              <ChangeText change={change} />
                            </li>
                          ))}
                        </ul>
                      )}
                    </dd>
                    {entry.reason && (
                      <>
                        <dt>{t('auditor.history.why')}</dt>
                        <dd>{entry.reason}</dd>
                      </>
                    )}
                  </dl>
                </li>
              );
            })}
          </ol>
          <AuditPager list={t('auditor.history.heading')} page={page} perPage={PER_PAGE} total={history.data.total} onPage={setPage} />
        </>
      )}
    </section>
  );
}
