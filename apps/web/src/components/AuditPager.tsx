import { useTranslation } from 'react-i18next';

interface PagerProps {
  /** What is paged, for the navigation's accessible name ("検索結果"). */
  list: string;
  page: number;
  perPage: number;
  total: number;
  onPage: (page: number) => void;
}

/** Previous / next for a paginated list; nothing when everything fits on one page. */
export function AuditPager({ list, page, perPage, total, onPage }: PagerProps) {
  const { t } = useTranslation();
  if (total <= perPage) return null;
  const pages = Math.ceil(total / perPage);
  return (
    <nav className="toolbar" aria-label={t('auditor.pager.label', { list })}>
      <button type="button" className="secondary" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        {t('auditor.pager.previous')}
      </button>
      <span aria-live="polite">{t('auditor.pager.status', { page, pages, total })}</span>
      <button type="button" className="secondary" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        {t('auditor.pager.next')}
      </button>
    </nav>
  );
}
