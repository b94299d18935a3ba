export type { WidgetContext, WidgetState, PendingMessage, VisitorSocket } from './shared/types';
