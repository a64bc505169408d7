import { useQuery } from '@tanstack/react-query';
import { FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../api';
import { ChangeText, FieldChange } from './AuditHistory';
import { fromJapanLocal, japanLocal } from './AuditTime';
import { FieldError, Problem } from './Problem';

/** GET /api/items/:itemId/diff — every readable field that differs between two moments. */
interface ItemDiff {
  from: { version: number; position: number };
  to: { version: number; position: number };
  changes: FieldChange[];
}

/** Two pickers (「比較の開始」「比較の終了」) and what changed between them. */
export function AuditDiff({ itemId }: { itemId: string }) {
  const { t } = useTranslation();
  const [from, setFrom] = useState('');
  const [to, setTo] = useState(() => japanLocal());
  const [range, setRange] = useState<{ from: string; to: string } | undefined>();
  const diff = useQuery({
    queryKey: ['item-diff', itemId, range],
    queryFn: () =>
      api.get<ItemDiff>(`/api/items/${encodeURIComponent(itemId)}/diff?${new URLSearchParams({ from: range!.from, to: range!.to })}`),
    enabled: range !== undefined,
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    setRange({ from: fromJapanLocal(from), to: fromJapanLocal(to) });
  }

  const notFound = diff.error instanceof ApiError && diff.error.status === 404;
  return (
    <section>
      <h2>{t('auditor.diff.heading')}</h2>
      <form className="toolbar" onSubmit={submit}>
        <MomentField field="from" label={t('auditor.diff.from')} value={from} onChange={setFrom} error={diff.error} />
        <MomentField field="to" label={t('auditor.diff.to')} value={to} onChange={setTo} error={diff.error} />
        <button type="submit">{t('auditor.diff.submit')}</button>
      </form>
      <p id="diff-hint">
        <small>{t('auditor.moment.hint')}</small>
      </p>
      {notFound ? <p className="notice">{t('auditor.diff.notFound')}</p> : <Problem error={diff.error} />}
      {diff.isFetching && <p>{t('loading')}</p>}
      {diff.data &&
        (diff.data.changes.length === 0 ? (
          <p className="notice">{t('auditor.diff.none')}</p>
        ) : (
          <div className="card">
            <h3>{t('auditor.diff.range', { from: diff.data.from.version, to: diff.data.to.version, changes: diff.data.changes.length })}</h3>
            <ul>
              {diff.data.changes.map((change) => (
                <li key={change.field}>
                  <ChangeText change={change} />
                </li>
              ))}
            </ul>
          </div>
        ))}
    </section>
  );
}

/** One end of the range: a labelled date-time in Japan, with the API's problem for it beside it. */
function MomentField({ field, label, value, onChange, error }: { field: 'from' | 'to'; label: string; value: string; onChange: (value: string) => void; error: unknown }) {
  return (
    <div>
      <label htmlFor={`diff-${field}`}>{label}</label>
      <input
        id={`diff-${field}`}
        type="datetime-local"
        step={1}
        required
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-describedby={`diff-hint diff-${field}-error`}
      />
      <FieldError id={`diff-${field}-error`} error={error} field={field} />
    </div>
  );
}
