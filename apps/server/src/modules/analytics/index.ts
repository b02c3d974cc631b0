export { analyticsRoutes } from './analytics.routes.ts';
export { type AnalyticsService, createAnalyticsService } from './analytics.service.ts';
export { seedDemoReporting } from './demo-reporting.ts';
export { createReportingWriter, type ReportingWriter } from './reporting-writer.ts';
export { computeServiceReport } from './service-report.ts';
