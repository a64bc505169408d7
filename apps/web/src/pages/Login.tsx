import { FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { ApiError } from '../api';
import { useSession } from '../auth';

export function Login() {
  const { t } = useTranslation();
  const session = useSession();
  const navigate = useNavigate();
  const [loginId, setLoginId] = useState('');
  const [password, setPassword] = useState('');
  const [failed, setFailed] = useState<string | undefined>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailed(undefined);
    try {
      await session.signIn(loginId, password);
      navigate('/');
    } catch (error) {
      setFailed(error instanceof ApiError && error.status === 401 ? t('login.failed') : (error as Error).message);
    }
  }

  return (
    <main id="main" className="login">
      <h1>{t('appName')}</h1>
      <form onSubmit={submit} aria-labelledby="login-title">
        <h2 id="login-title">{t('login.title')}</h2>
        <label htmlFor="login-id">{t('login.loginId')}</label>
        <input id="login-id" name="loginId" autoComplete="username" value={loginId} onChange={(event) => setLoginId(event.target.value)} required />
        <label htmlFor="login-password">{t('login.password')}</label>
        <input
          id="login-password"
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          required
        />
        {failed && (
          <p role="alert" className="field-error">
            {failed}
          </p>
        )}
        <button type="submit">{t('login.submit')}</button>
      </form>
    </main>
  );
}
