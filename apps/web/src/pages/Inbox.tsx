import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api, readYourWrites } from '../api';
import { Problem } from '../components/Problem';
import { StatusBadge } from '../components/StatusBadge';
import type { ItemView } from '../components/SubmissionForm';
import { calendarDate, dateTime, fiscalYearLabel } from '../format';
import { submissionPath } from './SubmissionPage';

const PER_PAGE = 20;
const STATUSES = ['not_started', 'draft', 'submitted', 'returned', 'approved'];
const STAGE_KINDS = ['spring', 'autumn'];

interface Page<T> {
  items: T[];
  page: number;
  perPage: number;
  total: number;
}

interface Task {
  planId: string;
  fiscalYear: number;
  stage: string;
  itemId: string;
  title: string | null;
  /** [policy area, basic item's place in the plan, item number] */
  planOrder: number[] | null;
  status: string;
  overdue: boolean;
  deadline: string | null;
  lastReason: string | null;
}

interface Notification {
  eventId: string;
  planId: string;
  fiscalYear: number;
  stage: string;
  itemId: string;
  message: string;
  createdAt: string;
}

/** Items are numbered within their basic item, as in the city's report: 4-6. */
const itemNumber = (planOrder: number[] | null) => (planOrder ? `${planOrder[1]}-${planOrder[2]}` : '');

/** The department's work: its tasks in open stages with their deadlines, and the newest notifications. */
export function Inbox() {
  const { t } = useTranslation();
  const [search, setSearch] = useSearchParams();
  const status = search.get('status') ?? '';
  const stage = search.get('stage') ?? '';
  const overdue = search.get('overdue') === 'true';
  const page = Math.max(1, Number(search.get('page')) || 1);
  const consistency = readYourWrites();
  const query = new URLSearchParams({
    page: String(page),
    perPage: String(PER_PAGE),
    ...(status ? { status } : {}),
    ...(stage ? { stage } : {}),
    ...(overdue ? { overdue: 'true' } : {}),
    ...consistency,
  }).toString();
  const tasks = useQuery({
    queryKey: ['reviews', 'tasks', query],
    queryFn: () => api.get<Page<Task>>(`/api/reviews/tasks?${query}`),
    placeholderData: keepPreviousData,
  });

  /** A changed filter starts again at the first page; the URL keeps the filters for a reload or a shared link. */
  function filter(name: string, value: string) {
    const next = new URLSearchParams(search);
    if (value) next.set(name, value);
    else next.delete(name);
    if (name !== 'page') next.delete('page');
    setSearch(next, { replace: true });
  }

  return (
    <>
      <h1>{t('department.inbox.title')}</h1>
      <p>{t('department.inbox.intro')}</p>
      <section aria-labelledby="tasks-title">
        <h2 id="tasks-title">{t('department.inbox.tasks')}</h2>
        <div className="toolbar" role="group" aria-label={t('department.inbox.filters')}>
          <div>
            <label htmlFor="inbox-status">{t('department.inbox.status')}</label>
            <select id="inbox-status" value={status} onChange={(event) => filter('status', event.target.value)}>
              <option value="">{t('department.inbox.all')}</option>
              {STATUSES.map((value) => (
                <option key={value} value={value}>
                  {t(`status.${value}`)}
                </option>
              ))}
            </select>
          </div>
          <div>
            <label htmlFor="inbox-stage">{t('department.inbox.stage')}</label>
            <select id="inbox-stage" value={stage} onChange={(event) => filter('stage', event.target.value)}>
              <option value="">{t('department.inbox.all')}</option>
              {STAGE_KINDS.map((value) => (
                <option key={value} value={value}>
                  {t(`stage.${value}`)}
                </option>
              ))}
            </select>
          </div>
          <div>
            <input id="inbox-overdue" type="checkbox" checked={overdue} onChange={(event) => filter('overdue', event.target.checked ? 'true' : '')} />{' '}
            <label htmlFor="inbox-overdue" style={{ display: 'inline' }}>
              {t('department.inbox.overdueOnly')}
            </label>
          </div>
        </div>
        <Problem error={tasks.error} />
        {tasks.isPending && <p>{t('loading')}</p>}
        {tasks.data && tasks.data.total === 0 && <p>{t('department.inbox.empty')}</p>}
        {tasks.data && tasks.data.items.length > 0 && (
          <table>
            <thead>
              <tr>
                <th scope="col">{t('department.inbox.item')}</th>
                <th scope="col">{t('department.inbox.stage')}</th>
                <th scope="col">{t('department.inbox.fiscalYear')}</th>
                <th scope="col">{t('department.inbox.deadline')}</th>
                <th scope="col">{t('department.inbox.status')}</th>
                <th scope="col">{t('department.inbox.reason')}</th>
              </tr>
            </thead>
            <tbody>
              {tasks.data.items.map((task) => (
                <tr key={`${task.planId}/${task.fiscalYear}/${task.stage}/${task.itemId}`}>
                  <th scope="row">
                    {itemNumber(task.planOrder)} <Link to={submissionPath(task)}>{task.title ?? task.itemId}</Link>
                  </th>
                  <td>{t(`stage.${task.stage}`)}</td>
                  <td>{fiscalYearLabel(task.fiscalYear)}</td>
                  <td>{calendarDate(task.deadline)}</td>
                  <td>
                    <StatusBadge status={task.status} overdue={task.overdue} />
                  </td>
                  <td>{task.status === 'returned' ? task.lastReason : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {tasks.data && <Pages page={page} total={tasks.data.total} onPage={(next) => filter('page', String(next))} />}
      </section>
      <Notifications consistency={consistency} />
    </>
  );
}

function Pages({ page, total, onPage }: { page: number; total: number; onPage: (page: number) => void }) {
  const { t } = useTranslation();
  if (total <= PER_PAGE) return null;
  const pages = Math.ceil(total / PER_PAGE);
  return (
    <nav className="toolbar" aria-label={t('department.pages.label')}>
      <button type="button" className="secondary" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        {t('department.pages.previous')}
      </button>
      <span aria-live="polite">{t('department.pages.position', { page, pages, total })}</span>
      <button type="button" className="secondary" disabled={page >= pages} onClick={() => onPage(page + 1)}>
        {t('department.pages.next')}
      </button>
    </nav>
  );
}

/** The five newest notifications, each linked to its submission by the item's title. */
function Notifications({ consistency }: { consistency: Record<string, string> }) {
  const { t } = useTranslation();
  const query = new URLSearchParams({ perPage: '5', ...consistency }).toString();
  const notifications = useQuery({
    queryKey: ['reviews', 'notifications', query],
    queryFn: () => api.get<Page<Notification>>(`/api/reviews/notifications?${query}`),
  });
  // A notification names its item by id only; the titles come from the items (cached per item).
  const itemIds = [...new Set(notifications.data?.items.map((notification) => notification.itemId) ?? [])];
  const items = useQueries({
    queries: itemIds.map((itemId) => ({
      queryKey: ['items', itemId],
      queryFn: () => api.get<ItemView>(`/api/items/${encodeURIComponent(itemId)}`),
    })),
  });
  const title = (itemId: string) => items[itemIds.indexOf(itemId)]?.data?.title ?? itemId;

  return (
    <section aria-labelledby="notifications-title">
      <h2 id="notifications-title">{t('department.inbox.notifications')}</h2>
      <Problem error={notifications.error} />
      {notifications.isPending && <p>{t('loading')}</p>}
      {notifications.data?.items.length === 0 && <p>{t('department.inbox.noNotifications')}</p>}
      <ul>
        {notifications.data?.items.map((notification) => (
          <li key={notification.eventId}>
            <time dateTime={notification.createdAt}>{dateTime(notification.createdAt)}</time>{' '}
            <Link to={submissionPath(notification)}>{title(notification.itemId)}</Link>: {notification.message}
          </li>
        ))}
      </ul>
    </section>
  );
}
