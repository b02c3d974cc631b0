export { seedDemoTemplates } from './demo-templates.ts';
export { fillVariables } from './template-render.ts';
export { templatesRoutes } from './templates.routes.ts';
export {
  createTemplatesService,
  findTemplate,
  renderTemplateForConversation,
  type TemplatesService,
  toTemplate,
} from './templates.service.ts';
