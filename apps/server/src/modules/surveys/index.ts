export { seedDemoSurveys } from './demo-surveys.ts';
export { publicSurveyRoutes, surveysRoutes } from './surveys.routes.ts';
export {
  type CreateFollowUpTicket,
  createSurveysService,
  getSurveySettings,
  NPS_JOB_KIND,
  type SurveysService,
} from './surveys.service.ts';
