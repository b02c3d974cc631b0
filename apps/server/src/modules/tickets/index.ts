export { seedDemoTickets } from './demo-tickets.ts';
export { ticketsRoutes } from './tickets.routes.ts';
export { type CreateSystemTicketInput, createTicketsService, type TicketsService } from './tickets.service.ts';
