import { useTranslation } from 'react-i18next';

/** A submission's state as text (and colour), with 期限超過 beside it when overdue. */
export function StatusBadge({ status, overdue }: { status: string; overdue?: boolean }) {
  const { t } = useTranslation();
  return (
    <span className="status">
      <span className={`badge status-${status}`}>{t(`status.${status}`)}</span>
      {overdue && status !== 'submitted' && status !== 'approved' && <span className="badge status-overdue">⚠ {t('status.overdue')}</span>}
    </span>
  );
}
