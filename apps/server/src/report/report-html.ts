import { GRADE_LABELS, Grade, formatFiscalYear, formatFiscalYearShort } from '@app/domain';
import type { AchievementReport, ItemReport } from './achievement-report';

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[character]!);
const number = (value: number | undefined) => (value === undefined ? '―' : value.toLocaleString('ja-JP', { maximumFractionDigits: 2 }));
const paragraphs = (text: string | undefined) => (text ? text.split('\n').map((line) => `<p>${escape(line)}</p>`).join('') : '<p>―</p>');
const grade = (value: Grade | undefined) => (value ? `<span class="grade grade-${value}">${GRADE_LABELS[value]}</span>` : '―');

/** What the report covers, for its cover and every page's footer. */
export function coverage(report: AchievementReport): string {
  const moment = 'date' in report.moment ? `${report.moment.date} 時点` : 'position' in report.moment ? `位置 ${report.moment.position} 時点` : '最新';
  return `${moment}・イベント位置 ${report.position.toLocaleString('ja-JP')} まで・チェーンのルートハッシュ ${report.rootHash}`;
}

/**
 * The achievement report (達成状況) laid out like the published one: a cover with
 * the grade legend and the counts, then per policy area and basic item each
 * item's block — departments, description, schedule over the plan's years, the
 * grade table, the indicator's baseline, targets and actuals, the year's
 * results and next year's plan.
 */
export function renderAchievementReport(report: AchievementReport): string {
  const years = Array.from({ length: report.lastFiscalYear - report.firstFiscalYear + 1 }, (_, index) => report.firstFiscalYear + index);
  const fy = formatFiscalYear(report.fiscalYear);
  const graded = report.counts.achieved + report.counts.mostly_achieved + report.counts.not_achieved;
  return `<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>${escape(report.planName)} ${fy}取組の達成状況</title>
<style>${STYLE}</style></head><body>
<section class="cover">
  <h1>${escape(report.planName)}</h1>
  <h2>${fy}取組の達成状況</h2>
  <p>達成状況は、指標や目標についてどのくらい達成できているかを下記のとおり3段階で評価しています。</p>
  <table class="legend"><thead><tr><th>達成区分</th><th>達成状況（達成率）</th></tr></thead><tbody>
    <tr><td>${grade('achieved')}</td><td>目標を達成している（達成率100％以上）</td></tr>
    <tr><td>${grade('mostly_achieved')}</td><td>目標を概ね達成している（達成率75％以上100％未満）</td></tr>
    <tr><td>${grade('not_achieved')}</td><td>目標が達成されていない（達成率75％未満）</td></tr>
  </tbody></table>
  <h3>${fy}の評価の集計</h3>
  <table class="counts"><thead><tr><th>個別項目</th><th>達成</th><th>概ね達成</th><th>未達成</th><th>評価なし</th></tr></thead><tbody>
    <tr><td>${report.counts.items}</td><td>${report.counts.achieved}</td><td>${report.counts.mostly_achieved}</td><td>${report.counts.not_achieved}</td><td>${report.counts.items - graded}</td></tr>
  </tbody></table>
  <p class="coverage">${escape(coverage(report))}</p>
</section>
${report.policyAreas
  .map(
    (area) => `<section class="policy-area"><h2>取組方針　${area.number}.${escape(area.title)}</h2>
${area.basicItems
  .map(
    (basicItem) => `<h3>○${escape(basicItem.title)}</h3>
${basicItem.items.map((item) => renderItem(item, years, report.fiscalYear)).join('\n')}`,
  )
  .join('\n')}</section>`,
  )
  .join('\n')}
</body></html>`;
}

function renderItem(item: ItemReport, years: number[], fiscalYear: number): string {
  const shown = years.filter((year) => year <= fiscalYear + 1);
  return `<article class="item">
  <h4><span class="number">${item.number}</span> ${escape(item.title)}</h4>
  <div class="meta"><div class="divisions">${item.divisions.map((division) => `<div>${escape(division)}</div>`).join('')}</div>
  <div class="description">${paragraphs(item.description)}${item.goal ? `<p class="goal">目標: ${escape(item.goal)}</p>` : ''}</div></div>
  <table class="schedule"><caption>実施期間</caption><thead><tr><th></th>${years.map((year) => `<th>${formatFiscalYearShort(year)}</th>`).join('')}</tr></thead><tbody>
  ${item.schedulePhases
    .map(
      (phase) =>
        `<tr><th>${escape(phase.label)}</th>${years.map((year) => `<td class="${year >= phase.firstFiscalYear && year <= phase.lastFiscalYear ? 'on' : ''}">${year >= phase.firstFiscalYear && year <= phase.lastFiscalYear ? '■' : ''}</td>`).join('')}</tr>`,
    )
    .join('')}
  </tbody></table>
  <table class="grades"><thead><tr>${shown.map((year) => `<th>${formatFiscalYearShort(year)}（${year <= fiscalYear ? '実績' : '計画'}）</th>`).join('')}</tr></thead>
  <tbody><tr>${shown.map((year) => `<td>${year <= fiscalYear ? grade(item.grades[year]) : ''}</td>`).join('')}</tr></tbody></table>
  ${item.indicators
    .map(
      (indicator) => `<table class="indicator"><caption>指標: ${escape(indicator.name)}（${escape(indicator.unit)}）${
        indicator.baseline ? `　基準値（${formatFiscalYearShort(indicator.baseline.fiscalYear)}年度）: ${number(indicator.baseline.value)}` : ''
      }</caption><thead><tr><th></th>${shown.map((year) => `<th>${formatFiscalYearShort(year)}</th>`).join('')}</tr></thead><tbody>
      <tr><th>目標</th>${shown.map((year) => `<td>${number(indicator.targets[year])}</td>`).join('')}</tr>
      <tr><th>実績</th>${shown.map((year) => `<td>${year <= fiscalYear ? number(indicator.actuals[year]) : ''}</td>`).join('')}</tr>
      </tbody></table>`,
    )
    .join('')}
  <div class="results"><h5>${formatFiscalYear(fiscalYear)}の取組実績</h5>${paragraphs(item.results)}</div>
  <div class="plan"><h5>（${formatFiscalYear(fiscalYear + 1)}の取組）</h5>${paragraphs(item.nextYearPlan)}</div>
</article>`;
}

const STYLE = `
@page { size: A4; margin: 14mm 12mm 18mm; }
body { font-family: 'IPAexGothic', 'IPAGothic', 'Noto Sans CJK JP', 'Noto Sans JP', sans-serif; font-size: 9.5pt; color: #111; line-height: 1.45; }
h1 { font-size: 18pt; margin: 0 0 4mm; } h2 { font-size: 14pt; } h3 { font-size: 12pt; margin: 4mm 0 2mm; }
h4 { font-size: 11pt; margin: 0 0 2mm; border-bottom: 1.5pt solid #333; } h5 { font-size: 9.5pt; margin: 2mm 0 1mm; }
p { margin: 0 0 1mm; }
.cover { page-break-after: always; }
.coverage { margin-top: 8mm; font-size: 8pt; word-break: break-all; }
.policy-area { page-break-before: always; }
.policy-area:first-of-type { page-break-before: auto; }
.item { page-break-inside: avoid; border: 0.75pt solid #555; padding: 3mm; margin: 0 0 4mm; }
.number { display: inline-block; min-width: 7mm; border: 1pt solid #333; text-align: center; margin-right: 2mm; }
.meta { display: flex; gap: 4mm; } .divisions { flex: 0 0 45mm; } .description { flex: 1; }
table { border-collapse: collapse; width: 100%; margin: 2mm 0; } caption { text-align: left; font-weight: bold; }
th, td { border: 0.5pt solid #777; padding: 0.8mm 1.5mm; text-align: center; } tbody th { text-align: left; font-weight: normal; }
.schedule td.on { background: #cfd8e3; }
.grade { font-weight: bold; } .grade-achieved::before { content: '◎'; } .grade-mostly_achieved::before { content: '○'; } .grade-not_achieved::before { content: '△'; }
.legend, .counts { width: auto; }
`;
