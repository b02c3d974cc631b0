import { useTranslation } from 'react-i18next';
import { useCustomerTyping } from '../../../realtime/typing.ts';

/** 「客户正在输入…」 above the composer while the website visitor types (live only, never stored). */
export function TypingLine({ conversationId }: { conversationId: string }) {
  const { t } = useTranslation();
  const isTyping = useCustomerTyping(conversationId);
  return (
    <div className="hk-typing-line" aria-live="polite" data-testid="customer-typing" hidden={!isTyping}>
      {isTyping ? t('chat.customerTyping') : null}
    </div>
  );
}
