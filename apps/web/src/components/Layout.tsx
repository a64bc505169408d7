import { NavLink, Outlet } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { Role, useSession } from '../auth';
import { switchLanguage } from '../i18n';

const NAVIGATION: Array<{ to: string; key: string; roles: Role[] }> = [
  { to: '/inbox', key: 'nav.inbox', roles: ['department_staff'] },
  { to: '/reviews', key: 'nav.reviews', roles: ['reviewer'] },
  { to: '/audit', key: 'nav.audit', roles: ['auditor', 'administrator'] },
  { to: '/dashboard', key: 'nav.dashboard', roles: ['management', 'reviewer', 'administrator', 'auditor'] },
];

/** Header, navigation for the person's roles, language switch; the page below. */
export function Layout() {
  const { t, i18n } = useTranslation();
  const session = useSession();
  return (
    <>
      <a className="skip-link" href="#main">
        {t('skipToContent')}
      </a>
      <header className="app-header">
        <span className="app-name">{t('appName')}</span>
        <nav aria-label="main">
          <ul>
            {NAVIGATION.filter((entry) => entry.roles.some((role) => session.has(role))).map((entry) => (
              <li key={entry.to}>
                <NavLink to={entry.to}>{t(entry.key)}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="app-user">
          <label>
            {t('language')}{' '}
            <select value={i18n.language} onChange={(event) => switchLanguage(event.target.value as 'ja' | 'en')}>
              <option value="ja">日本語</option>
              <option value="en">English</option>
            </select>
          </label>
          <span>{session.user?.displayName}</span>
          <button type="button" onClick={() => void session.signOut()}>
            {t('signOut')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
