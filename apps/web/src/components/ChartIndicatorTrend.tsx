import { Line } from 'react-chartjs-2';
import { useTranslation } from 'react-i18next';
import { fiscalYearLabel, percent, quantity } from '../format';
import { ACCENT, MUTED } from './ChartSetup';
import { Grade, GradeBadge } from './GradeBadge';

/** One indicator of GET /api/summaries/trends, year by year. */
export interface IndicatorTrend {
  itemId: string;
  indicatorId: string;
  title: string;
  name: string;
  unit: string;
  years: Array<{ fiscalYear: number; target: number | null; actual: number | null; rate: number | null; grade: Grade | null }>;
}

/**
 * Target against actual over the fiscal years as two lines, told apart by
 * dash and point shape as well as colour, with the same numbers in a table.
 */
export function ChartIndicatorTrend({ indicator }: { indicator: IndicatorTrend }) {
  const { t } = useTranslation();
  const { years, unit } = indicator;
  return (
    <figure style={{ margin: '1.5rem 0' }}>
      <div style={{ position: 'relative', height: 320 }}>
        <Line
          role="img"
          aria-label={t('management.trends.chart')}
          data={{
            labels: years.map((year) => fiscalYearLabel(year.fiscalYear)),
            datasets: [
              {
                label: t('management.trends.target'),
                data: years.map((year) => year.target),
                borderColor: MUTED,
                backgroundColor: MUTED,
                borderDash: [6, 4],
                pointStyle: 'rect',
                pointRadius: 5,
              },
              {
                label: t('management.trends.actual'),
                data: years.map((year) => year.actual),
                borderColor: ACCENT,
                backgroundColor: ACCENT,
                pointStyle: 'circle',
                pointRadius: 5,
              },
            ],
          }}
          options={{
            maintainAspectRatio: false,
            scales: { y: { beginAtZero: true, title: { display: Boolean(unit), text: unit } } },
            plugins: {
              // The legend shows each line's point shape (square: target, circle: actual), not only its colour.
              legend: { labels: { usePointStyle: true } },
              tooltip: { callbacks: { label: (context) => `${context.dataset.label}: ${quantity(context.parsed.y, unit)}` } },
            },
          }}
        />
      </div>
      <table>
        <caption>
          {t('management.trends.caption', { title: indicator.title, name: indicator.name, unit: unit || t('management.trends.unitless') })}
        </caption>
        <thead>
          <tr>
            <th scope="col">{t('management.fiscalYear')}</th>
            <th scope="col" className="number">
              {t('management.trends.target')}
            </th>
            <th scope="col" className="number">
              {t('management.trends.actual')}
            </th>
            <th scope="col" className="number">
              {t('management.trends.rate')}
            </th>
            <th scope="col">{t('management.trends.grade')}</th>
          </tr>
        </thead>
        <tbody>
          {years.map((year) => (
            <tr key={year.fiscalYear}>
              <th scope="row">{fiscalYearLabel(year.fiscalYear)}</th>
              <td className="number">{quantity(year.target, unit)}</td>
              <td className="number">{quantity(year.actual, unit)}</td>
              <td className="number">{percent(year.rate)}</td>
              <td>{year.target !== null && year.actual !== null ? <GradeBadge grade={year.grade} /> : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
