// Mirrors LIMITS.messageLength from @beckon/protocol (a type-only import keeps zod out of the
// bundle, so the value is repeated here and checked by test/limits.test.ts).
export const LIMITS_MESSAGE_LENGTH = 4000;
