import { GRADES } from '@app/domain/grading';
import { FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, CommandResult } from '../api';
import { dateTime, fiscalYearLabel, quantity } from '../format';
import { Grade, GradeBadge } from './GradeBadge';
import { FieldError, Problem } from './Problem';
import { TEXT_LIMITS } from '@app/domain/rules';
import { REVIEW_STAGES, StageKind } from '@app/workflow/stages';

export type Stage = StageKind;

/** What each stage asks for: the server's own configuration, shared rather than copied. */
export const STAGES = REVIEW_STAGES;

export interface Indicator {
  indicatorId: string;
  name: string;
  unit: string;
  minimum?: number;
  maximum?: number;
}

/** GET /api/items/:itemId, as far as these screens read it. */
export interface ItemView {
  itemId: string;
  basicItemId: string;
  number: number;
  title: string;
  divisionIds: string[];
  qualitativeGoal?: string;
  indicators: Indicator[];
  years: Record<string, { targets: Record<string, number>; goalText?: string }>;
}

/** GET /api/reviews/:planId/:fiscalYear/stages/:stage/items/:itemId */
export interface Submission {
  status: string;
  version: number;
  content: Record<string, unknown>;
  editors: string[];
  submittedBy?: string;
  overdue: boolean;
}


type IndicatorValue = { indicatorId: string; value: number };
type FieldProblem = ApiError['errors'][number];

const inputId = (key: string, index?: number) => (index === undefined ? `field-${key}` : `field-${key}-${index}`);
const indicatorValues = (value: unknown): IndicatorValue[] => (Array.isArray(value) ? value : []);

/** Numbers as people type them here: full-width digits and thousands separators are fine. */
function parseNumber(text: string): number {
  const normalized = text.normalize('NFKC').replace(/[,\s]/g, '');
  return /^[-+]?(\d+\.?\d*|\.\d+)$/.test(normalized) ? Number(normalized) : NaN;
}

/** The server's unit rule: a percentage lies in 0–100, other values are 0 or more, unless the indicator says otherwise. */
function bounds(indicator: Indicator): { minimum: number; maximum: number } {
  const percentage = indicator.unit === '%' || indicator.unit === '％';
  return { minimum: indicator.minimum ?? 0, maximum: indicator.maximum ?? (percentage ? 100 : Infinity) };
}

/** The API names indicator values by their place in the array sent; the form by the indicator's place in the item. */
function byIndicator(error: unknown, sent: Record<string, string[]>, indicators: Indicator[]): unknown {
  if (!(error instanceof ApiError)) return error;
  const errors = error.errors.map((problem) => {
    const match = /^content\.(\w+)\.(\d+)(\..*)?$/.exec(problem.field);
    const index = match && sent[match[1]] ? indicators.findIndex((indicator) => indicator.indicatorId === sent[match[1]][Number(match[2])]) : -1;
    return index < 0 ? problem : { ...problem, field: `content.${match![1]}.${index}${match![3] ?? ''}` };
  });
  return new ApiError(error.status, error.rule, error.message, errors, error.body);
}

/** Only the problems about exactly this field (a fieldset's own message, not its inputs'). */
function exactly(error: unknown, field: string): unknown {
  if (!(error instanceof ApiError)) return undefined;
  return new ApiError(error.status, error.rule, error.message, error.errors.filter((problem) => problem.field === field));
}

function RequiredMark() {
  const { t } = useTranslation();
  return <span aria-hidden="true"> （{t('department.form.required')}）</span>;
}

interface FormProps {
  planId: string;
  fiscalYear: number;
  stage: Stage;
  item: ItemView;
  submission: Submission;
  /** After each command: a draft saved (submitted false) or the submission sent. */
  onCommand: (result: CommandResult, submitted: boolean) => void;
  /** Load the latest version after someone else changed it. */
  onReload: () => void;
}

/** The department's entry of one stage's fields, saved as drafts and then submitted. */
export function SubmissionForm({ planId, fiscalYear, stage, item, submission, onCommand, onReload }: FormProps) {
  const { t } = useTranslation();
  const fields = STAGES[stage].fields;
  const [texts, setTexts] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.filter((field) => field.kind !== 'indicator_values').map((field) => [field.key, String(submission.content[field.key] ?? '')])),
  );
  const [numbers, setNumbers] = useState<Record<string, Record<string, string>>>(() =>
    Object.fromEntries(
      fields
        .filter((field) => field.kind === 'indicator_values')
        .map((field) => [field.key, Object.fromEntries(indicatorValues(submission.content[field.key]).map((entry) => [entry.indicatorId, String(entry.value)]))]),
    ),
  );
  // The version this form's edits build on: If-Match of the next command.
  const [version, setVersion] = useState(submission.version);
  const [dirty, setDirty] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [savedAt, setSavedAt] = useState<string>();
  const url = `/api/reviews/${encodeURIComponent(planId)}/${fiscalYear}/stages/${stage}/items/${encodeURIComponent(item.itemId)}`;

  const message = (field: string) => (error instanceof ApiError ? error.fieldMessage(field) : undefined);
  const describedBy = (...ids: Array<string | false | undefined>) => ids.filter(Boolean).join(' ') || undefined;

  // Keyboard and screen-reader users land on the first field to correct.
  useEffect(() => {
    if (!(error instanceof ApiError)) return;
    for (const problem of error.errors) {
      const match = /^content\.(\w+)(?:\.(\d+))?/.exec(problem.field);
      const field = match && fields.find((candidate) => candidate.key === match[1]);
      if (!field) continue;
      const index = field.kind === 'indicator_values' ? Number(match[2] ?? 0) : undefined;
      const input = document.getElementById(inputId(field.key, index));
      if (input) return input.focus();
    }
  }, [error, fields]);

  /** The content to send and the field problems found first; submitting also asks for every required field. */
  function prepare(submitting: boolean) {
    const content: Record<string, unknown> = {};
    const sent: Record<string, string[]> = {};
    const problems: FieldProblem[] = [];
    const problem = (field: string, text: string) => problems.push({ field, rule: 'form.invalid', message: text });
    for (const field of fields) {
      const path = `content.${field.key}`;
      if (field.kind === 'indicator_values') {
        const values: IndicatorValue[] = [];
        item.indicators.forEach((indicator, index) => {
          const text = numbers[field.key][indicator.indicatorId] ?? '';
          if (!text.trim()) {
            if (submitting && field.required) problem(`${path}.${index}`, t('department.form.error.required'));
            return;
          }
          const value = parseNumber(text);
          const { minimum, maximum } = bounds(indicator);
          if (Number.isNaN(value)) problem(`${path}.${index}`, t('department.form.error.number'));
          else if (value < minimum || value > maximum)
            problem(
              `${path}.${index}`,
              Number.isFinite(maximum) ? t('department.form.error.range', { minimum, maximum }) : t('department.form.error.minimum', { minimum }),
            );
          else values.push({ indicatorId: indicator.indicatorId, value });
        });
        // Always sent, so that clearing an input clears the saved value too.
        content[field.key] = values;
        sent[field.key] = values.map((entry) => entry.indicatorId);
        continue;
      }
      const text = texts[field.key].trim();
      if (!text) {
        // The API refuses an empty text even in a draft: an unfilled field is left out.
        if (submitting && field.required) problem(path, t(field.kind === 'grade' ? 'department.form.error.choose' : 'department.form.error.required'));
        continue;
      }
      const count = [...text].length;
      // The server's own length rule for the field, counted in characters as it counts them.
      const limit = TEXT_LIMITS[field.textKind ?? 'narrative'];
      if (field.kind === 'text' && count > limit) problem(path, t('department.form.error.tooLong', { maximum: limit, count }));
      content[field.key] = text;
    }
    return { content, sent, problems };
  }

  async function send(submitting: boolean) {
    const { content, sent, problems } = prepare(submitting);
    setSavedAt(undefined);
    if (problems.length > 0) {
      setError(new ApiError(422, 'form.invalid', t('department.form.checkFields'), problems));
      return;
    }
    setError(undefined);
    setBusy(true);
    try {
      let current = version;
      // Submitting sends what is on the server: unsaved changes are saved first.
      if (dirty || !submitting) {
        const saved = await api.put<CommandResult>(`${url}/draft`, { content }, current);
        current = saved.version;
        setVersion(current);
        setDirty(false);
        onCommand(saved, false);
      }
      if (submitting) onCommand(await api.post<CommandResult>(`${url}/submit`, undefined, current), true);
      else setSavedAt(dateTime(new Date().toISOString()));
    } catch (caught) {
      setError(byIndicator(caught, sent, item.indicators));
    } finally {
      setBusy(false);
    }
  }

  function saveDraft(event: FormEvent) {
    event.preventDefault();
    void send(false);
  }

  const change = (update: () => void) => {
    update();
    setDirty(true);
  };

  const fieldsOnly =
    error instanceof ApiError &&
    error.errors.length > 0 &&
    error.errors.every((problem) => fields.some((field) => problem.field === `content.${field.key}` || problem.field.startsWith(`content.${field.key}.`)));

  return (
    <form onSubmit={saveDraft} noValidate aria-labelledby="submission-form-title">
      <h2 id="submission-form-title">{t('department.form.title')}</h2>
      <p>{t('department.form.help')}</p>
      {fields.map((field) => {
        const path = `content.${field.key}`;
        const label = t(`department.field.${field.key}`);
        if (field.kind === 'indicator_values') {
          const year = fiscalYear + (field.fiscalYearOffset ?? 0);
          const targets = item.years[year]?.targets ?? {};
          const goal = item.years[year]?.goalText ?? item.qualitativeGoal;
          const groupError = `${inputId(field.key)}-error`;
          const groupProblem = error instanceof ApiError && error.errors.some((problem) => problem.field === path);
          return (
            <fieldset key={field.key} className="card" aria-describedby={groupProblem ? groupError : undefined}>
              <legend>
                {t('department.form.withYear', { label, year: fiscalYearLabel(year) })}
                {field.required && <RequiredMark />}
              </legend>
              <FieldError id={groupError} error={exactly(error, path)} field={path} />
              {goal && <p>{t('department.form.goal', { goal })}</p>}
              {item.indicators.length === 0 && <p>{t('department.form.noIndicators')}</p>}
              {item.indicators.map((indicator, index) => {
                const id = inputId(field.key, index);
                const name = indicator.unit ? t('department.form.withUnit', { name: indicator.name, unit: indicator.unit }) : indicator.name;
                const target = targets[indicator.indicatorId];
                return (
                  <div key={indicator.indicatorId}>
                    <label htmlFor={id}>{t(`department.form.indicatorLabel.${field.key}`, { indicator: name })}</label>
                    <input
                      id={id}
                      type="text"
                      inputMode="decimal"
                      autoComplete="off"
                      value={numbers[field.key][indicator.indicatorId] ?? ''}
                      onChange={(event) => {
                        const value = event.target.value;
                        change(() => setNumbers((all) => ({ ...all, [field.key]: { ...all[field.key], [indicator.indicatorId]: value } })));
                      }}
                      aria-required={field.required}
                      aria-invalid={!!message(`${path}.${index}`)}
                      aria-describedby={describedBy(`${id}-target`, message(`${path}.${index}`) && `${id}-error`)}
                    />{' '}
                    <span id={`${id}-target`}>
                      {t(`department.form.target.${field.key}`, {
                        year: fiscalYearLabel(year),
                        value: target === undefined ? t('department.form.notSet') : quantity(target, indicator.unit),
                      })}
                    </span>
                    <FieldError id={`${id}-error`} error={error} field={`${path}.${index}`} />
                  </div>
                );
              })}
            </fieldset>
          );
        }
        const id = inputId(field.key);
        const common = {
          id,
          value: texts[field.key],
          'aria-required': field.required,
          'aria-invalid': !!message(path),
          'aria-describedby': describedBy(message(path) && `${id}-error`),
        };
        const onChange = (event: { target: { value: string } }) => {
          const value = event.target.value;
          change(() => setTexts((all) => ({ ...all, [field.key]: value })));
        };
        return (
          <div key={field.key}>
            <label htmlFor={id}>
              {label}
              {field.required && <RequiredMark />}
            </label>
            {field.kind === 'text' ? (
              <textarea {...common} rows={8} onChange={onChange} />
            ) : (
              <select {...common} onChange={onChange}>
                <option value="">{t('department.form.choose')}</option>
                {GRADES.map((grade) => (
                  <option key={grade} value={grade}>
                    {t(`grade.${grade}`)}
                  </option>
                ))}
              </select>
            )}
            <FieldError id={`${id}-error`} error={error} field={path} />
          </div>
        );
      })}
      {fieldsOnly ? <p className="field-error">{t('department.form.checkFields')}</p> : <Problem error={error} onReload={onReload} />}
      <p role="status">{savedAt && t('department.form.saved', { time: savedAt })}</p>
      <div className="toolbar">
        <button type="submit" className="secondary" disabled={busy}>
          {busy ? t('department.form.saving') : t('department.form.save')}
        </button>
        <button type="button" disabled={busy} onClick={() => void send(true)}>
          {t('department.form.submit')}
        </button>
      </div>
    </form>
  );
}

/** A submission's content as read-only text: what was submitted, or what a reviewer sees. */
export function SubmissionContentView({ stage, fiscalYear, item, content }: { stage: Stage; fiscalYear: number; item: ItemView; content: Record<string, unknown> }) {
  const { t } = useTranslation();
  const empty = <p>{t('department.form.empty')}</p>;
  return (
    <>
      {STAGES[stage].fields.map((field) => {
        const value = content[field.key];
        const label = t(`department.field.${field.key}`);
        if (field.kind === 'indicator_values') {
          const year = fiscalYear + (field.fiscalYearOffset ?? 0);
          const values = indicatorValues(value);
          return (
            <section key={field.key}>
              <h3>{t('department.form.withYear', { label, year: fiscalYearLabel(year) })}</h3>
              {item.indicators.length === 0 ? (
                <p>{t('department.form.noIndicators')}</p>
              ) : (
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('department.form.indicator')}</th>
                      <th scope="col" className="number">
                        {t(`department.form.targetColumn.${field.key}`, { year: fiscalYearLabel(year) })}
                      </th>
                      <th scope="col" className="number">
                        {label}
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {item.indicators.map((indicator) => (
                      <tr key={indicator.indicatorId}>
                        <th scope="row">{indicator.name}</th>
                        <td className="number">{quantity(item.years[year]?.targets[indicator.indicatorId], indicator.unit)}</td>
                        <td className="number">{quantity(values.find((entry) => entry.indicatorId === indicator.indicatorId)?.value, indicator.unit)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          );
        }
        return (
          <section key={field.key}>
            <h3>{label}</h3>
            {typeof value !== 'string' || !value ? (
              empty
            ) : field.kind === 'grade' ? (
              <p>
                <GradeBadge grade={value as Grade} />
              </p>
            ) : (
              <p style={{ whiteSpace: 'pre-wrap' }}>{value}</p>
            )}
          </section>
        );
      })}
    </>
  );
}
