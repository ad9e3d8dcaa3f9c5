import { builder } from '../builder.js';

export type UserErrorCode = 'VALIDATION_FAILED' | 'NOT_FOUND' | 'ALREADY_EXISTS' | 'INSUFFICIENT_HOLDINGS' | 'IDEMPOTENCY_KEY_REUSED';

export interface UserErrorModel {
  field: string[] | null;
  message: string;
  code: UserErrorCode;
}

export const UserErrorCodeEnum = builder.enumType('UserErrorCode', {
  description: 'Why a mutation wrote nothing.',
  values: {
    VALIDATION_FAILED: { description: 'An input value is out of range or malformed.' },
    NOT_FOUND: { description: 'A referenced id or symbol does not exist.' },
    ALREADY_EXISTS: { description: 'The thing to create exists already.' },
    INSUFFICIENT_HOLDINGS: { description: 'The write would leave holdings below zero on some day.' },
    IDEMPOTENCY_KEY_REUSED: { description: 'The idempotency key was used before with a different input.' },
  } as const satisfies Record<UserErrorCode, unknown>,
});

export const UserError = builder.objectRef<UserErrorModel>('UserError').implement({
  description: 'An expected failure of a mutation: nothing was written.',
  fields: (t) => ({
    field: t.exposeStringList('field', {
      nullable: true,
      description: 'Path to the input field at fault, e.g. ["input", "points", "12", "high"].',
    }),
    message: t.exposeString('message', { description: 'What is wrong, in words meant for a person.' }),
    code: t.field({ type: UserErrorCodeEnum, description: 'What is wrong, for a program.', resolve: (error) => error.code }),
  }),
});
