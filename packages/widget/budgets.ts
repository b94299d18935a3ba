/**
 * The widget's gzip budgets (DESIGN.md "What fast means"), checked on the built files
 * (test/bundle.test.ts) and as Chromium fetches them (e2e). Raising one is a deliberate edit.
 */
/** before the chat is opened or an offer is shown: loader + Socket.IO client + tracker + launcher */
export const BEFORE_OPEN_CEILING = 16_384;
/** everything once the chat panel is open (or an offer is on screen) */
export const OPEN_CEILING = 28_672;
