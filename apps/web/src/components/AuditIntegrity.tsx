import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { dateTime, quantity } from '../format';
import { Problem } from './Problem';

/** GET /api/integrity?itemId= — the item's hash chain checked, and how far the check reached. */
interface ChainVerification {
  ok: boolean;
  firstBreak?: { streamId: string; streamVersion: number; globalPosition?: number; reason: string };
  eventsChecked: number;
  upToPosition: number;
  coversUntil: string | null;
  checkedAt: string;
}

/** The button 「改ざん検証」 and its verdict; run on demand, since it reads the item's whole stream. */
export function AuditIntegrity({ itemId }: { itemId: string }) {
  const { t } = useTranslation();
  const check = useMutation({ mutationFn: () => api.get<ChainVerification>(`/api/integrity?itemId=${encodeURIComponent(itemId)}`) });
  const result = check.data;
  return (
    <section>
      <h2>{t('auditor.integrity.heading')}</h2>
      <p>{t('auditor.integrity.explain')}</p>
      <button type="button" onClick={() => check.mutate()} disabled={check.isPending}>
        {check.isPending ? t('auditor.integrity.running') : t('auditor.integrity.run')}
      </button>
      <Problem error={check.error} />
      {result && (
        <div className={result.ok ? 'notice' : 'problem'} role={result.ok ? 'status' : 'alert'}>
          <p>
            <strong>{result.ok ? t('auditor.integrity.ok') : t('auditor.integrity.broken')}</strong>
          </p>
          <dl>
            {result.firstBreak && (
              <>
                <dt>{t('auditor.integrity.breakAt')}</dt>
                <dd>
                  {t('auditor.integrity.breakDetail', {
                    streamId: result.firstBreak.streamId,
                    version: result.firstBreak.streamVersion,
                    position: result.firstBreak.globalPosition ?? '—',
                  })}
                  <br />
                  {t(`auditor.integrity.reason.${result.firstBreak.reason}`, { defaultValue: result.firstBreak.reason })}
                </dd>
              </>
            )}
            <dt>{t('auditor.integrity.eventsChecked')}</dt>
            <dd>{quantity(result.eventsChecked)}</dd>
            <dt>{t('auditor.integrity.upToPosition')}</dt>
            <dd>{t('auditor.integrity.upTo', { position: result.upToPosition })}</dd>
            <dt>{t('auditor.integrity.coversUntil')}</dt>
            <dd>{dateTime(result.coversUntil)}</dd>
            <dt>{t('auditor.integrity.checkedAt')}</dt>
            <dd>{dateTime(result.checkedAt)}</dd>
          </dl>
        </div>
      )}
    </section>
  );
}
