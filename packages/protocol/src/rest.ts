import { z } from 'zod';
import { Role } from './common';

export const Email = z.string().trim().toLowerCase().max(254).pipe(z.email('not an email address'));
export const Password = z.string().min(10, 'at least 10 characters').max(200);

export const LoginBody = z.object({ email: Email, password: z.string().min(1).max(200) });
export type LoginBody = z.infer<typeof LoginBody>;

export const MemberCreate = z.object({
  email: Email,
  name: z.string().trim().min(1).max(80),
  role: Role,
  /** omitted: a password is generated and returned once */
  password: Password.optional(),
  capacity: z.number().int().min(1).max(50).optional(),
});
export type MemberCreate = z.infer<typeof MemberCreate>;

export const MemberPatch = z.object({
  role: Role.optional(),
  capacity: z.number().int().min(1).max(50).optional(),
  name: z.string().trim().min(1).max(80).optional(),
  /** department ids the member serves; empty: all */
  skills: z.array(z.string().regex(/^[a-z0-9_-]{1,32}$/)).max(20).optional(),
  /** a disabled member keeps their history but cannot sign in to the site; their chats go back to the queue */
  disabled: z.boolean().optional(),
});
export type MemberPatch = z.infer<typeof MemberPatch>;

export const PasswordChange = z.object({ current: z.string().min(1).max(200), next: Password });

export interface AccountView {
  id: string;
  email: string;
  name: string;
}
export interface MembershipView {
  siteId: string;
  siteName: string;
  role: Role;
  capacity: number;
}
export interface MeView {
  account: AccountView;
  memberships: MembershipView[];
}
export interface MemberView {
  accountId: string;
  email: string;
  name: string;
  role: Role;
  capacity: number;
  skills: string[];
  status: 'online' | 'away' | 'offline';
  disabled: boolean;
}
