import { randomBytes } from 'node:crypto';

/** 128 random bits, base64url (22 characters). Ids that leave the server are never sequential. */
export function newId(): string {
  return randomBytes(16).toString('base64url');
}
