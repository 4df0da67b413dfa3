/**
 * The calendar module's contract: the {@link CalendarProvider} port and its Microsoft Graph
 * implementation's factory (with the types its dependencies are written against). Everything else
 * under `graph/` is internal.
 */
export type {
  CalendarProvider,
  CallContext,
  CreatedEvent,
  DirectoryUser,
  DirectoryUserResult,
  MailboxFailure,
  MailboxFailureStatus,
  MailboxSettingsResult,
  NewEvent,
  ScheduleResult,
} from './provider';
export { createGraphCalendarProvider } from './graph/graph-provider';
export type { AuditSink, GraphCalendarProviderDeps, GraphLogger } from './graph/graph-provider';
export type { AppTokenSource, FetchLike } from './graph/client';
export type { Clock, RetryOptions, Random, Sleep } from './graph/retry';
export { GraphError, isGraphError } from './graph/errors';
