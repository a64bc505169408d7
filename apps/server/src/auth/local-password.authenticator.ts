import { Injectable } from '@nestjs/common';
import { IdentityDirectory } from '../identity/identity-directory';
import { CredentialStore } from './credential-store';

/**
 * Proves who someone is from a login id and password. It is one way in among
 * possible others: an OIDC provider for the city's single sign-on would be a
 * second authenticator handing a user id to SessionService, and nothing behind
 * the session (the guard, the access rules) would change.
 */
@Injectable()
export class LocalPasswordAuthenticator {
  constructor(
    private readonly credentials: CredentialStore,
    private readonly directory: IdentityDirectory,
  ) {}

  /** The user id, or undefined for an unknown id, a wrong password or a disabled account alike. */
  async authenticate(loginId: string, password: string): Promise<string | undefined> {
    const userId = loginId.trim().toLowerCase();
    const passwordMatches = await this.credentials.verify(userId, password);
    const user = this.directory.user(userId);
    return passwordMatches && user?.status === 'active' ? userId : undefined;
  }
}
