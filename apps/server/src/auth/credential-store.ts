import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { CredentialEntity } from './auth.entities';
import { hashPassword, verifyPassword } from './passwords';

@Injectable()
export class CredentialStore {
  /** Verified when the user has no credentials, so that both refusals cost the same. */
  private readonly decoyHash = hashPassword('decoy password that matches nothing');

  constructor(@InjectRepository(CredentialEntity) private readonly credentials: Repository<CredentialEntity>) {}

  async setPassword(userId: string, password: string): Promise<void> {
    await this.credentials.upsert(
      { userId, passwordHash: await hashPassword(password), updatedAt: new Date() },
      ['userId'],
    );
  }

  /** True only for the user's current password; takes one argon2 verification either way. */
  async verify(userId: string, password: string): Promise<boolean> {
    const credential = await this.credentials.findOneBy({ userId });
    const matches = await verifyPassword(credential?.passwordHash ?? (await this.decoyHash), password);
    return credential !== null && matches;
  }
}
