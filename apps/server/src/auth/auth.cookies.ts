import type { CookieOptions, Response } from 'express';
import type { IssuedSession } from './session.service';

export const SESSION_COOKIE = 'rl_session';
export const CSRF_COOKIE = 'rl_csrf';

/** The browser's session: an HttpOnly cookie, and a readable one the page echoes as X-CSRF-Token. */
export function setSessionCookies(response: Response, session: IssuedSession, secure: boolean): void {
  const common: CookieOptions = { sameSite: 'strict', secure, path: '/', expires: session.expiresAt };
  response.cookie(SESSION_COOKIE, session.token, { ...common, httpOnly: true });
  response.cookie(CSRF_COOKIE, session.csrfToken, { ...common, httpOnly: false });
}

export function clearSessionCookies(response: Response, secure: boolean): void {
  for (const name of [SESSION_COOKIE, CSRF_COOKIE]) {
    response.clearCookie(name, { sameSite: 'strict', secure, path: '/' });
  }
}
