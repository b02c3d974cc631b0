import {
  holiday,
  holidayDateParams,
  holidayList,
  holidayListQuery,
  importHolidayPresetBody,
  putHolidayBody,
} from '@huike/contracts';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireActor } from '../../platform/auth/request-auth.ts';
import type { BusinessHoursService } from './business-hours.service.ts';

export function businessHoursRoutes(app: FastifyInstance, service: BusinessHoursService) {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['business hours'];

  r.get(
    '/api/v1/holidays',
    { schema: { tags, querystring: holidayListQuery, response: { 200: holidayList } } },
    (request) => service.listHolidays(requireActor(request), request.query),
  );

  r.put(
    '/api/v1/holidays/:date',
    { schema: { tags, params: holidayDateParams, body: putHolidayBody, response: { 200: holiday } } },
    (request) => service.putHoliday(requireActor(request), request.params.date, request.body),
  );

  r.delete('/api/v1/holidays/:date', { schema: { tags, params: holidayDateParams } }, async (request, reply) => {
    await service.deleteHoliday(requireActor(request), request.params.date);
    return reply.status(204).send();
  });

  r.post(
    '/api/v1/holidays/import-preset',
    { schema: { tags, body: importHolidayPresetBody, response: { 200: holidayList } } },
    (request) => service.importPreset(requireActor(request), request.body.year),
  );
}
