export { customerSegmentIds } from './customer-segments.ts';
export { seedDemoTagsAndSegments } from './demo-segments.ts';
export { compileSegmentFilter, visibleCustomers } from './segment-filter.ts';
export { BULK_JOB_KIND, defineSegmentsJobs } from './segments.jobs.ts';
export { segmentsRoutes } from './segments.routes.ts';
export {
  createSegmentsService,
  resolveCustomerTarget,
  type SearchMatches,
  type SegmentsService,
  toSegment,
} from './segments.service.ts';
