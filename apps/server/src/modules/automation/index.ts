export { createAutomationEngine, type Engine as AutomationEngine } from './automation.engine.ts';
export { automationRoutes } from './automation.routes.ts';
export { type AutomationService, createAutomationService } from './automation.service.ts';
export { presetsFor, seedDemoAutomation } from './presets.ts';
