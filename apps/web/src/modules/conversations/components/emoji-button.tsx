import { SmileOutlined } from '@ant-design/icons';
import { Button, Popover, Spin, Tooltip } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';

// The picker and its emoji data load on first open, so the inbox does not carry them.
const EmojiPicker = lazy(() => import('./emoji-picker.tsx'));

/** 表情: a picker of emoji; the chosen one goes in at the composer's caret (`onPick`). */
export function EmojiButton({ onPick, isDisabled }: { onPick: (emoji: string) => void; isDisabled: boolean }) {
  const { t } = useTranslation();
  const [isOpen, setOpen] = useState(false);
  const pick = (emoji: string) => {
    setOpen(false);
    onPick(emoji);
  };
  return (
    <Popover
      open={isOpen && !isDisabled}
      onOpenChange={setOpen}
      trigger="click"
      placement="topLeft"
      arrow={false}
      destroyOnHidden
      content={
        <Suspense fallback={<Spin size="small" className="hk-emoji-loading" />}>
          <EmojiPicker onPick={pick} />
        </Suspense>
      }
    >
      {/* No tooltip over the open picker. */}
      <Tooltip title={isOpen ? undefined : t('chat.emoji')}>
        <Button
          type="text"
          size="small"
          icon={<SmileOutlined />}
          disabled={isDisabled}
          aria-label={t('chat.emoji')}
          data-testid="composer-emoji"
        />
      </Tooltip>
    </Popover>
  );
}
