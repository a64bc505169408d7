import { useTranslation } from 'react-i18next';
import { ApiError } from '../api';

/** A refusal that belongs to no single field; a 409 offers to reload the latest version. */
export function Problem({ error, onReload }: { error: unknown; onReload?: () => void }) {
  const { t } = useTranslation();
  if (!error) return null;
  if (error instanceof ApiError && error.status === 409 && onReload) {
    return (
      <div role="alert" className="problem">
        <p>{t('conflict.message')}</p>
        <p className="problem-detail">{error.message}</p>
        <button type="button" onClick={onReload}>
          {t('conflict.reload')}
        </button>
      </div>
    );
  }
  const message =
    error instanceof ApiError && error.status === 403 ? t('error.forbidden', { rule: error.rule }) : t('error.generic', { message: (error as Error).message });
  return (
    <div role="alert" className="problem">
      {message}
    </div>
  );
}

/** The API's message for one field, shown next to it and tied to it for screen readers. */
export function FieldError({ id, error, field }: { id: string; error: unknown; field: string }) {
  const message = error instanceof ApiError ? error.fieldMessage(field) : undefined;
  if (!message) return null;
  return (
    <p id={id} className="field-error" role="alert">
      {message}
    </p>
  );
}
