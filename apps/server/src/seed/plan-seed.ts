import {
  Direction,
  GRADE_LABELS,
  Grade,
  GradingRuleRef,
  IndicatorKind,
  SchedulePhase,
  parseFiscalYear,
} from '@app/domain';
import Ajv2020, { ErrorObject } from 'ajv/dist/2020';
import { readFile, readdir } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import YAML from 'yaml';

/** A seed as the loader uses it: read, validated, fiscal years as numbers, grades as codes. */
export interface PlanSeed {
  directory: string;
  planId: string;
  name: string;
  firstFiscalYear: number;
  lastFiscalYear: number;
  gradingRule: GradingRuleRef;
  source?: { title: string; reason: string; file?: string };
  policyAreas: Array<{ policyAreaId: string; number: number; title: string }>;
  basicItems: Array<{ basicItemId: string; policyAreaId: string; title: string }>;
  items: SeedItem[];
}

export type ByYear<T> = Map<number, T>;

export interface SeedIndicator {
  indicatorId: string;
  name: string;
  unit: string;
  direction: Direction;
  kind: IndicatorKind;
  baseline?: { value: number; fiscalYear: number };
  targets: ByYear<number>;
  actuals: ByYear<number>;
  grades: ByYear<Grade>;
}

export interface SeedItem {
  itemId: string;
  basicItemId: string;
  number: number;
  title: string;
  /** As printed: "部 課", or a single name. */
  divisions: string[];
  description: string;
  schedulePhases: SchedulePhase[];
  indicators: SeedIndicator[];
  goal?: string;
  goals: ByYear<string>;
  grades: ByYear<Grade>;
  results: ByYear<string>;
  plans: ByYear<string>;
  notes: string[];
  /** Where it came from, for messages: the file and the JSON pointer inside it. */
  file: string;
  path: string;
}

export interface SeedProblem {
  file: string;
  /** Where in the file, as a JSON pointer (/items/3/indicators/0/targets/R2). */
  path: string;
  message: string;
}

export class SeedFormatError extends Error {
  override readonly name = 'SeedFormatError';

  constructor(readonly problems: SeedProblem[]) {
    super(
      `シードの形式が正しくありません（${problems.length}件）:\n` +
        problems.map((problem) => `  ${problem.file} ${problem.path || '/'}: ${problem.message}`).join('\n'),
    );
  }
}

export const SEEDS_DIRECTORY = 'seeds';
const SCHEMA_FILE = join(SEEDS_DIRECTORY, 'plan-seed.schema.json');
const GRADE_BY_LABEL = new Map(Object.entries(GRADE_LABELS).map(([grade, label]) => [label, grade as Grade]));

/** A seed named by SEED or on the command line: a folder under seeds/, or a path. */
export function seedDirectory(nameOrPath: string, root = process.cwd()): string {
  return /[/\\]/.test(nameOrPath) ? resolve(root, nameOrPath) : resolve(root, SEEDS_DIRECTORY, nameOrPath);
}

/** Reads plan.yaml and items/*.yaml, refusing the whole seed with every problem found. */
export async function readPlanSeed(directory: string, root = process.cwd()): Promise<PlanSeed> {
  const schema = JSON.parse(await readFile(resolve(root, SCHEMA_FILE), 'utf8'));
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  ajv.addSchema(schema);
  const validate = (definition: 'planFile' | 'itemsFile') => ajv.getSchema(`${schema.$id}#/$defs/${definition}`)!;

  const problems: SeedProblem[] = [];
  const parse = async (file: string, definition: 'planFile' | 'itemsFile') => {
    const name = join(basename(directory), file);
    let document: unknown;
    try {
      document = YAML.parse(await readFile(join(directory, file), 'utf8'));
    } catch (error) {
      problems.push({ file: name, path: '', message: (error as Error).message });
      return undefined;
    }
    const validator = validate(definition);
    if (validator(document)) return document;
    problems.push(...(validator.errors ?? []).map((error) => ({ file: name, path: error.instancePath, message: describe(error) })));
    return undefined;
  };

  const plan = (await parse('plan.yaml', 'planFile')) as PlanFile | undefined;
  const itemFiles = (await readdir(join(directory, 'items')).catch(() => []))
    .filter((file) => /\.ya?ml$/.test(file))
    .sort();
  const documents: Array<{ file: string; document: ItemsFile }> = [];
  for (const file of itemFiles) {
    const document = (await parse(join('items', file), 'itemsFile')) as ItemsFile | undefined;
    if (document) documents.push({ file: join(basename(directory), 'items', file), document });
  }
  if (!plan) throw new SeedFormatError(problems);
  const seed = normalize(directory, plan, documents, problems);
  if (problems.length > 0) throw new SeedFormatError(problems);
  return seed;
}

function describe(error: ErrorObject): string {
  if (error.keyword === 'additionalProperties') return `unknown field "${error.params.additionalProperty}"`;
  if (error.keyword === 'enum') return `${error.message}: ${(error.params.allowedValues as unknown[]).join(', ')}`;
  return error.message ?? error.keyword;
}

type FiscalYearLabel = string | number;
type YearMap<T> = Record<string, T>;

interface PlanFile {
  planId: string;
  name: string;
  firstFiscalYear: FiscalYearLabel;
  lastFiscalYear: FiscalYearLabel;
  gradingRule: GradingRuleRef;
  source?: PlanSeed['source'];
  policyAreas: Array<{ id: string; number: number; title: string; basicItems: Array<{ id: string; title: string }> }>;
}

interface ItemsFile {
  basicItem: string;
  items: Array<{
    id?: string;
    number: number;
    title: string;
    divisions: string[];
    description?: string;
    schedule?: Array<{ label: string; from: FiscalYearLabel; to: FiscalYearLabel }>;
    indicators?: Array<{
      id?: string;
      name: string;
      unit: string;
      direction: Direction;
      kind: IndicatorKind;
      baseline?: { value: number; year: FiscalYearLabel };
      targets?: YearMap<number>;
      actuals?: YearMap<number>;
      grades?: YearMap<string>;
    }>;
    goal?: string | null;
    goals?: YearMap<string>;
    grades?: YearMap<string>;
    results?: YearMap<string>;
    plans?: YearMap<string>;
    notes?: string[];
  }>;
}

/** What the schema cannot say: fiscal years that parse and fall in the plan, ids that resolve, numbers that do not repeat. */
function normalize(directory: string, plan: PlanFile, documents: Array<{ file: string; document: ItemsFile }>, problems: SeedProblem[]): PlanSeed {
  const planFile = join(basename(directory), 'plan.yaml');
  const year = (label: FiscalYearLabel, file: string, path: string, { inPlan = true } = {}): number => {
    const fiscalYear = parseFiscalYear(label);
    if (fiscalYear === undefined) {
      problems.push({ file, path, message: `"${label}" is not a fiscal year (H30, R2, 令和2年度 or 2020)` });
      return Number.NaN;
    }
    if (inPlan && (fiscalYear < firstFiscalYear || fiscalYear > lastFiscalYear)) {
      problems.push({ file, path, message: `FY${fiscalYear} is outside the plan's years (FY${firstFiscalYear}–FY${lastFiscalYear})` });
    }
    return fiscalYear;
  };
  const firstFiscalYear = parseFiscalYear(plan.firstFiscalYear) ?? Number.NaN;
  const lastFiscalYear = parseFiscalYear(plan.lastFiscalYear) ?? Number.NaN;
  year(plan.firstFiscalYear, planFile, '/firstFiscalYear', { inPlan: false });
  year(plan.lastFiscalYear, planFile, '/lastFiscalYear', { inPlan: false });
  const byYear = <In, Out>(map: YearMap<In> | undefined, file: string, path: string, convert: (value: In) => Out): ByYear<Out> =>
    new Map(Object.entries(map ?? {}).map(([label, value]) => [year(label, file, `${path}/${label}`), convert(value)]));
  const grade = (label: string) => GRADE_BY_LABEL.get(label)!;

  const basicItems = plan.policyAreas.flatMap((area) =>
    area.basicItems.map((basicItem) => ({ basicItemId: basicItem.id, policyAreaId: area.id, title: basicItem.title })),
  );
  const items: SeedItem[] = [];
  const seenNumbers = new Set<string>();
  for (const { file, document } of documents) {
    const position = basicItems.findIndex((basicItem) => basicItem.basicItemId === document.basicItem);
    if (position < 0) {
      problems.push({ file, path: '/basicItem', message: `no basic item "${document.basicItem}" in plan.yaml` });
      continue;
    }
    document.items.forEach((item, index) => {
      const path = `/items/${index}`;
      const key = `${document.basicItem}#${item.number}`;
      if (seenNumbers.has(key)) problems.push({ file, path: `${path}/number`, message: `item number ${item.number} appears twice in ${document.basicItem}` });
      seenNumbers.add(key);
      items.push({
        itemId: item.id ?? `${plan.planId}-${position + 1}-${item.number}`,
        basicItemId: document.basicItem,
        number: item.number,
        title: item.title,
        divisions: item.divisions.map((division) => division.trim().replace(/[\s　]+/g, ' ')),
        description: item.description ?? '',
        schedulePhases: (item.schedule ?? []).map((phase, phaseIndex) => ({
          label: phase.label,
          firstFiscalYear: year(phase.from, file, `${path}/schedule/${phaseIndex}/from`),
          lastFiscalYear: year(phase.to, file, `${path}/schedule/${phaseIndex}/to`),
        })),
        indicators: (item.indicators ?? []).map((indicator, indicatorIndex) => {
          const at = `${path}/indicators/${indicatorIndex}`;
          return {
            indicatorId: indicator.id ?? `ind-${indicatorIndex + 1}`,
            name: indicator.name,
            unit: indicator.unit,
            direction: indicator.direction,
            kind: indicator.kind,
            ...(indicator.baseline
              ? { baseline: { value: indicator.baseline.value, fiscalYear: year(indicator.baseline.year, file, `${at}/baseline/year`, { inPlan: false }) } }
              : {}),
            targets: byYear(indicator.targets, file, `${at}/targets`, Number),
            actuals: byYear(indicator.actuals, file, `${at}/actuals`, Number),
            grades: byYear(indicator.grades, file, `${at}/grades`, grade),
          };
        }),
        ...(item.goal ? { goal: item.goal } : {}),
        goals: byYear(item.goals, file, `${path}/goals`, String),
        grades: byYear(item.grades, file, `${path}/grades`, grade),
        results: byYear(item.results, file, `${path}/results`, String),
        plans: byYear(item.plans, file, `${path}/plans`, String),
        notes: item.notes ?? [],
        file,
        path,
      });
    });
  }
  items.sort(
    (a, b) =>
      basicItems.findIndex((basicItem) => basicItem.basicItemId === a.basicItemId) -
        basicItems.findIndex((basicItem) => basicItem.basicItemId === b.basicItemId) || a.number - b.number,
  );
  return {
    directory,
    planId: plan.planId,
    name: plan.name,
    firstFiscalYear,
    lastFiscalYear,
    gradingRule: plan.gradingRule,
    ...(plan.source ? { source: plan.source } : {}),
    policyAreas: plan.policyAreas.map((area) => ({ policyAreaId: area.id, number: area.number, title: area.title })),
    basicItems,
    items,
  };
}
