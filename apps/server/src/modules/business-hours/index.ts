export { businessHoursRoutes } from './business-hours.routes.ts';
export { type BusinessHoursService, createBusinessHoursService } from './business-hours.service.ts';
export { HOLIDAY_PRESETS } from './holiday-presets.ts';
export {
  hoursStatus,
  type InboxBusinessHours,
  inboxBusinessHours,
  invalidateInboxBusinessHours,
  invalidateWorkspaceHolidays,
  renderOfflineReply,
  seedHolidays,
} from './inbox-hours.ts';
export { subscribeOfflineReplies } from './offline-reply.ts';
