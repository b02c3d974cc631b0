import type { AutomationTrigger } from '@huike/contracts';
import type { TFunction } from 'i18next';

/** The trigger in one line of the admin's language: 「客户发来的消息」, 「客服 10 分钟未回复」, 「每周一 09:00」. */
export function triggerSummary(trigger: AutomationTrigger, t: TFunction, tagName?: (id: string) => string | undefined) {
  switch (trigger.type) {
    case 'message.created':
      return t('automation.summary.message', { direction: t(`automation.directions.${trigger.direction}`) });
    case 'time.no_agent_reply':
    case 'time.no_customer_reply':
      return t('automation.summary.noReply', {
        who: t(trigger.type === 'time.no_agent_reply' ? 'automation.summary.agent' : 'automation.summary.customer'),
        minutes: trigger.minutes,
      });
    case 'schedule':
      return trigger.frequency === 'daily'
        ? t('automation.summary.daily', { time: trigger.time })
        : t('automation.summary.weekly', {
            time: trigger.time,
            weekday: t(`automation.weekdays.${String(trigger.weekday ?? 1) as '1'}`),
          });
    case 'customer.tag_added':
    case 'conversation.tag_added': {
      const base = t(`automation.triggers.${trigger.type}`);
      const name = trigger.tagId ? (tagName?.(trigger.tagId) ?? '?') : undefined;
      return name ? `${base}${t('automation.summary.tag', { tag: name })}` : base;
    }
    default:
      return t(`automation.triggers.${trigger.type}`);
  }
}
