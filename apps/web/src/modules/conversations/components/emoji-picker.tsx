import { EmojiPicker } from 'frimousse';
import { useTranslation } from 'react-i18next';
import '../emoji-picker.css';

// Emojibase data from our own server (see vite.config.ts), in the UI's language: Chinese names and search in zh-CN.
const emojibaseUrl = '/emojibase';

/** The emoji grid with search (frimousse, unstyled; styled in emoji-picker.css). Loaded lazily by EmojiButton. */
export default function EmojiPickerPanel({ onPick }: { onPick: (emoji: string) => void }) {
  const { t, i18n } = useTranslation();
  return (
    <EmojiPicker.Root
      className="hk-emoji-picker"
      locale={i18n.language === 'en' ? 'en' : 'zh'}
      emojibaseUrl={emojibaseUrl}
      columns={9}
      onEmojiSelect={({ emoji }) => onPick(emoji)}
      data-testid="emoji-picker"
    >
      <EmojiPicker.Search className="hk-emoji-search" placeholder={t('chat.emojiSearch')} autoFocus />
      <EmojiPicker.Viewport className="hk-emoji-viewport">
        <EmojiPicker.Loading className="hk-emoji-state">{t('chat.emojiLoading')}</EmojiPicker.Loading>
        <EmojiPicker.Empty className="hk-emoji-state">{t('chat.emojiEmpty')}</EmojiPicker.Empty>
        <EmojiPicker.List className="hk-emoji-list" />
      </EmojiPicker.Viewport>
    </EmojiPicker.Root>
  );
}
