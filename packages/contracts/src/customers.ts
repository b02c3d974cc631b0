import { z } from 'zod';
import { id, isoDateTime } from './common.ts';

export const customer = z.object({
  id,
  name: z.string().nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  notes: z.string(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type Customer = z.infer<typeof customer>;

const optionalText = (max: number) => z.string().trim().max(max).nullable().optional();

export const updateCustomerBody = z.strictObject({
  name: optionalText(100),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 -]{5,20}$/, '手机号格式不正确')
    .nullable()
    .optional(),
  email: z.email().max(254).nullable().optional(),
  notes: z.string().max(5000).optional(),
});

export const customerListQuery = z.strictObject({
  q: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(30),
  cursor: z.string().max(200).optional(),
});
