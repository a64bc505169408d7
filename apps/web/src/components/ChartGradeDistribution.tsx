import { GRADES } from '@app/domain/grading';
import { Bar } from 'react-chartjs-2';
import { useTranslation } from 'react-i18next';
import { quantity } from '../format';
import { GRADE_STYLE } from './ChartSetup';
import { Grade } from './GradeBadge';

/** One group of GET /api/summaries (a policy area, a basic item or a division). */
export interface SummaryGroup {
  key: string;
  label: string;
  items: number;
  grades: Record<Grade, number>;
}

/** Height per bar, so that forty divisions stay as readable as five policy areas. */
const BAR_HEIGHT_PX = 30;
const AXES_HEIGHT_PX = 90;

/**
 * Approved grades per group as stacked horizontal bars, and the same numbers in
 * the table right below: the table is the accessible form, the chart the glance.
 */
export function ChartGradeDistribution({ caption, groupHeader, groups }: { caption: string; groupHeader: string; groups: SummaryGroup[] }) {
  const { t } = useTranslation();
  const gradeLabel = (grade: Grade) => `${GRADE_STYLE[grade].symbol} ${t(`grade.${grade}`)}`;
  const ungraded = (group: SummaryGroup) => group.items - GRADES.reduce((sum, grade) => sum + group.grades[grade], 0);

  return (
    <figure style={{ margin: '1.5rem 0' }}>
      <div style={{ position: 'relative', height: groups.length * BAR_HEIGHT_PX + AXES_HEIGHT_PX }}>
        <Bar
          role="img"
          aria-label={t('management.distribution.chart', { caption })}
          data={{
            labels: groups.map((group) => group.label),
            datasets: GRADES.map((grade) => ({
              label: gradeLabel(grade),
              data: groups.map((group) => group.grades[grade]),
              backgroundColor: GRADE_STYLE[grade].colour,
            })),
          }}
          options={{
            indexAxis: 'y',
            maintainAspectRatio: false,
            scales: {
              x: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: t('management.distribution.count') } },
              y: { stacked: true },
            },
            plugins: { legend: { position: 'top' } },
          }}
        />
      </div>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{groupHeader}</th>
            <th scope="col" className="number">
              {t('management.distribution.items')}
            </th>
            {GRADES.map((grade) => (
              <th scope="col" className="number" key={grade}>
                {t(`grade.${grade}`)}
              </th>
            ))}
            <th scope="col" className="number">
              {t('management.distribution.ungraded')}
            </th>
          </tr>
        </thead>
        <tbody>
          {groups.map((group) => (
            <tr key={group.key}>
              <th scope="row">{group.label}</th>
              <td className="number">{quantity(group.items)}</td>
              {GRADES.map((grade) => (
                <td className="number" key={grade}>
                  {quantity(group.grades[grade])}
                </td>
              ))}
              <td className="number">{quantity(ungraded(group))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
