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
export const apiTokenBody = z.object({ name: z.string().trim().min(1).max(100) });
export const listUsersQuery = z.object({ role: role.optional(), q: z.string().trim().max(100).optional() });
export const statusBody = z.object({ status: z.enum(['active', 'disabled']) });
