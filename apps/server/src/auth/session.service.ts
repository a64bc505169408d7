import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { InjectRepository } from '@nestjs/typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import { IsNull, Not, Repository } from 'typeorm';
import { SessionEntity } from './auth.entities';

export const SESSION_TTL_MS = Symbol('SESSION_TTL_MS');

export interface IssuedSession {
  token: string;
  csrfToken: string;
  sessionId: string;
  expiresAt: Date;
}

export interface SessionClaims {
  userId: string;
  sessionId: string;
  /** The session's CSRF token: a cookie-borne request must echo it in X-CSRF-Token. */
  csrf: string;
}

interface TokenPayload {
  sub: string;
  sid: string;
  csrf: string;
}

/**
 * Sessions, whatever proved who the person is (a local password now, a city's
 * OIDC provider later): a signed JWT naming a session row, so that a session
 * can be ended before the token expires.
 */
@Injectable()
export class SessionService {
  constructor(
    private readonly jwt: JwtService,
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    @Inject(SESSION_TTL_MS) private readonly ttlMs: number,
  ) {}

  async issue(userId: string): Promise<IssuedSession> {
    const sessionId = randomUUID();
    const csrfToken = randomBytes(24).toString('base64url');
    const now = new Date();
    const expiresAt = new Date(now.getTime() + this.ttlMs);
    await this.sessions.insert({ sessionId, userId, createdAt: now, expiresAt, revokedAt: null });
    const payload: TokenPayload = { sub: userId, sid: sessionId, csrf: csrfToken };
    const token = await this.jwt.signAsync(payload, { expiresIn: Math.floor(this.ttlMs / 1000) });
    return { token, csrfToken, sessionId, expiresAt };
  }

  /** The claims of a valid token whose session is still open; undefined otherwise. */
  async authenticate(token: string): Promise<SessionClaims | undefined> {
    let payload: TokenPayload;
    try {
      payload = await this.jwt.verifyAsync<TokenPayload>(token, { algorithms: ['HS256'] });
    } catch {
      return undefined;
    }
    // Every request asks this: one plain statement, without the ORM's query building.
    const open: unknown[] = await this.sessions.query(
      `SELECT 1 FROM sessions WHERE session_id = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > $3`,
      [payload.sid, payload.sub, new Date()],
    );
    if (open.length === 0) return undefined;
    return { userId: payload.sub, sessionId: payload.sid, csrf: payload.csrf };
  }

  async revoke(sessionId: string): Promise<void> {
    await this.sessions.update({ sessionId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  /** Ends every open session of the user, but the one given (the caller's own). */
  async revokeAllOf(userId: string, exceptSessionId?: string): Promise<void> {
    await this.sessions.update(
      { userId, revokedAt: IsNull(), ...(exceptSessionId ? { sessionId: Not(exceptSessionId) } : {}) },
      { revokedAt: new Date() },
    );
  }
}
