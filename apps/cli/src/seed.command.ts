import { GRADE_LABELS, formatFiscalYearShort } from '@app/domain';
import { SingleBar } from 'cli-progress';
import { PlanSeed, readPlanSeed, seedDirectory } from '../../server/src/seed/plan-seed';
import { GradeCheck, seedCommands } from '../../server/src/seed/seed-commands';
import { SeedLoader } from '../../server/src/seed/seed-loader';
import { describeLoad } from '../../server/src/seed/seed.module';

export const DEFAULT_SEED = 'ube';

export function readSeed(name = DEFAULT_SEED): Promise<PlanSeed> {
  return readPlanSeed(seedDirectory(name));
}

/** `seed load`: the seed's commands through the running app's command bus, with a progress bar. */
export async function loadSeed(loader: SeedLoader, seed: PlanSeed): Promise<void> {
  const bar = new SingleBar({
    format: 'シード読み込み [{bar}] {percentage}% | {value}/{total} コマンド | 残り {eta_formatted}',
    hideCursor: true,
    noTTYOutput: false,
  });
  bar.start(1, 0);
  const result = await loader
    .load(seed, (done, total) => {
      bar.setTotal(total);
      bar.update(done);
    })
    .finally(() => bar.stop());
  console.log(`読み込みました: ${describeLoad(seed, result)}`);
  if (result.eventsWritten === 0) console.log('（すでに読み込み済みのため、何も変わっていません）');
}

/**
 * `seed check`: per item and fiscal year, the grade the plan's rule computes
 * beside the published one, then every difference with its reason. From the
 * seed alone, decided by the same deciders as the loader; no database.
 */
export function checkSeed(seed: PlanSeed): number {
  const order = new Map(seed.items.map((item, index) => [item.itemId, index]));
  const checks = seedCommands(seed).checks.sort(
    (a, b) => order.get(a.itemId)! - order.get(b.itemId)! || a.fiscalYear - b.fiscalYear || Number(!!a.indicator) - Number(!!b.indicator),
  );
  const label = (check: GradeCheck) =>
    `${seed.basicItems.findIndex((basicItem) => basicItem.basicItemId === check.basicItemId) + 1}-${check.number}`;
  const grade = (check: GradeCheck) => (check.computed ? GRADE_LABELS[check.computed.grade] : '（判断）');
  const rate = (check: GradeCheck) => (check.computed ? `${(check.computed.rate * 100).toFixed(1)}%` : '―');

  console.log(`${seed.name}（${seed.planId}）: 算定した評価と公表された評価`);
  console.log(['項目', '年度', '達成率', '算定', '公表', '', '項目名 / 指標'].join('\t'));
  for (const check of checks) {
    console.log(
      [
        label(check),
        formatFiscalYearShort(check.fiscalYear),
        rate(check),
        grade(check),
        GRADE_LABELS[check.printed],
        check.differs ? '相違' : check.computed ? '一致' : '',
        check.indicator ? `  指標: ${check.indicator}` : check.title,
      ].join('\t'),
    );
  }
  const numeric = checks.filter((check) => check.computed && !check.indicator);
  const differences = checks.filter((check) => check.differs);
  console.log(
    `\n数値で算定できた項目・年度: ${numeric.length}件、うち公表と一致 ${numeric.filter((check) => !check.differs).length}件、` +
      `判断による評価: ${checks.filter((check) => !check.computed && !check.indicator).length}件`,
  );
  console.log(`相違: ${differences.length}件`);
  for (const check of differences) {
    console.log(
      `- ${label(check)} ${check.title}${check.indicator ? `（指標: ${check.indicator}）` : ''} ${formatFiscalYearShort(check.fiscalYear)}: ` +
        `算定 ${grade(check)}（達成率 ${rate(check)}）、公表 ${GRADE_LABELS[check.printed]}`,
    );
    if (!check.indicator) console.log(`    承認の理由として記録: ${seed.source?.reason ?? '（シードに理由なし）'}`);
    for (const note of check.notes) console.log(`    メモ: ${note}`);
  }
  return 0;
}
