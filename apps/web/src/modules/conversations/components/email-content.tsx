import { DownOutlined, MailOutlined, UpOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type EmailMeta, emailSrcDoc, estimateEmailHeight } from '../channel-meta.ts';

type Props = {
  email: EmailMeta;
  content: string;
  messageId?: string;
  /** Our reply before the channel described it: its To and subject are the thread's, not yet what was sent. */
  isExpected?: boolean;
};

/**
 * An email in the chat: subject, 发件人/收件人/抄送, the text (quoted history already stripped on the server) and
 * 「查看原邮件」, which shows the server-sanitised HTML in a sandboxed iframe: no allow-scripts and no
 * allow-same-origin (the mail can neither run code nor reach the app's cookies or DOM), a CSP in the document
 * itself, and links that can only open in a new tab.
 */
export function EmailContent({ email, content, messageId, isExpected }: Props) {
  const { t } = useTranslation();
  const [isOriginalOpen, setOriginalOpen] = useState(false);
  const html = email.html;
  const srcDoc = useMemo(() => (isOriginalOpen && html ? emailSrcDoc(html) : undefined), [isOriginalOpen, html]);
  const height = useMemo(() => (isOriginalOpen && html ? estimateEmailHeight(html) : 0), [isOriginalOpen, html]);

  return (
    <div className="hk-msg-bubble hk-email" data-testid="email-message" data-expected={isExpected ? 'true' : undefined}>
      <div className="hk-email-subject" data-testid="email-subject">
        <MailOutlined /> {email.subject ?? t('channelChat.email.noSubject')}
      </div>
      <dl className="hk-email-addresses">
        {email.from && (
          <>
            <dt>{t('channelChat.email.from')}</dt>
            <dd data-testid="email-from">{email.from}</dd>
          </>
        )}
        {email.to && (
          <>
            <dt>{t('channelChat.email.to')}</dt>
            <dd data-testid="email-to">{email.to}</dd>
          </>
        )}
        {email.cc && (
          <>
            <dt>{t('channelChat.email.cc')}</dt>
            <dd data-testid="email-cc">{email.cc}</dd>
          </>
        )}
      </dl>
      {content && <div className="hk-email-text">{content}</div>}
      {email.skippedAttachments.length > 0 && (
        <div className="hk-muted hk-small" data-testid="email-skipped-attachments">
          {t('channelChat.email.skipped', { names: email.skippedAttachments.join('、') })}
        </div>
      )}
      {html && (
        <div className="hk-email-original">
          <Button
            type="link"
            size="small"
            icon={isOriginalOpen ? <UpOutlined /> : <DownOutlined />}
            onClick={() => setOriginalOpen((value) => !value)}
            data-testid="email-toggle-original"
            aria-expanded={isOriginalOpen}
          >
            {isOriginalOpen ? t('channelChat.email.hideOriginal') : t('channelChat.email.showOriginal')}
          </Button>
          {isOriginalOpen && srcDoc && (
            <iframe
              className="hk-email-frame"
              title={t('channelChat.email.originalTitle')}
              // No allow-scripts, no allow-same-origin: an opaque origin that runs nothing.
              sandbox="allow-popups allow-popups-to-escape-sandbox"
              referrerPolicy="no-referrer"
              srcDoc={srcDoc}
              style={{ height }}
              data-testid="email-original"
              data-message-id={messageId}
            />
          )}
        </div>
      )}
    </div>
  );
}
