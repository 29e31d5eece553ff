import { z } from 'zod';

export const email = z.string().trim().toLowerCase().pipe(z.email({ message: 'Enter a valid email address.' }));
export const password = z.string().min(10, 'Use at least 10 characters.').max(200);
export const role = z.enum(['admin', 'organiser', 'parent']);

export const loginBody = z.object({ email, password: z.string().min(1).max(200) });
export const createUserBody = z.object({
  email,
  name: z.string().trim().min(1).max(200),
  role,
  sendInvitation: z.boolean().default(true),
});
export const acceptInvitationBody = z.object({ password });
export const resetRequestBody = z.object({ email });
export const resetBody = z.object({ password });
export const apiTokenBody = z.object({
  name: z.string().trim().min(1).max(100),
  /** How long the token works; default one year. */
  days: z.number().int().min(1).max(3 * 365).optional(),
});
export const nameBody = z.object({ name: z.string().trim().min(1, 'Enter your name.').max(200) });
export const emailBody = z.object({ email });
export const changePasswordBody = z.object({ currentPassword: z.string().min(1).max(200), password });
export const staffRole = z.enum(['admin', 'organiser']);
export const roleBody = z.object({ role: staffRole });
export const inviteAllBody = z.object({ expected: z.number().int().min(0) });
export const listUsersQuery = z.object({ role: role.optional(), q: z.string().trim().max(100).optional() });
export const statusBody = z.object({ status: z.enum(['active', 'disabled']) });
