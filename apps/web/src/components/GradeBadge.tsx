import { useTranslation } from 'react-i18next';

export type Grade = 'achieved' | 'mostly_achieved' | 'not_achieved';

const SYMBOL: Record<Grade, string> = { achieved: '◎', mostly_achieved: '○', not_achieved: '△' };

/** A grade as text with a symbol, coloured too — never by colour alone. */
export function GradeBadge({ grade }: { grade: Grade | null | undefined }) {
  const { t } = useTranslation();
  if (!grade) return <span className="badge badge-none">{t('grade.none')}</span>;
  return (
    <span className={`badge badge-${grade}`}>
      <span aria-hidden="true">{SYMBOL[grade]} </span>
      {t(`grade.${grade}`)}
    </span>
  );
}
