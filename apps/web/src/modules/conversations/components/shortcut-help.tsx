import { Modal } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

const shortcuts = [
  { keys: ['↑', 'K'], action: 'shortcuts.previous' },
  { keys: ['↓', 'J'], action: 'shortcuts.next' },
  { keys: ['R'], action: 'shortcuts.reply' },
  { keys: ['N'], action: 'shortcuts.note' },
  { keys: ['A'], action: 'shortcuts.assign' },
  { keys: ['E'], action: 'shortcuts.resolve' },
  { keys: ['S'], action: 'shortcuts.snooze' },
  { keys: ['M'], action: 'shortcuts.claim' },
  { keys: ['F', 'Ctrl+K'], action: 'shortcuts.search' },
  { keys: ['T'], action: 'shortcuts.tag' },
  { keys: ['Shift', 'T'], action: 'shortcuts.tagConversation' },
  { keys: ['/'], action: 'shortcuts.templates' },
  { keys: ['Enter'], action: 'shortcuts.send' },
  { keys: ['Shift', 'Enter'], action: 'shortcuts.newline' },
  { keys: ['Esc'], action: 'shortcuts.leaveComposer' },
  { keys: ['?'], action: 'shortcuts.help' },
] as const;

const blurActive = () => {
  if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
};

export function ShortcutHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  // Hand focus back to the page at once: while it sits in the closing modal, the workbench ignores J/K.
  const close = () => {
    blurActive();
    onClose();
  };
  // Esc closes it also before the modal has taken focus (its own Esc handling needs focus inside).
  useEffect(() => {
    if (!open) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      blurActive();
      onClose();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [open, onClose]);
  return (
    <Modal
      open={open}
      onCancel={close}
      footer={null}
      title={t('shortcuts.title')}
      width={420}
      focusTriggerAfterClose={false}
    >
      <table className="hk-shortcuts" data-testid="shortcut-help">
        <tbody>
          {shortcuts.map((shortcut) => (
            <tr key={shortcut.action}>
              <td>
                {shortcut.keys.map((key, index) => (
                  <span key={key}>
                    {index > 0 && (shortcut.keys.length === 2 && shortcut.keys[0] === 'Shift' ? ' + ' : ' / ')}
                    <kbd>{key}</kbd>
                  </span>
                ))}
              </td>
              <td>{t(shortcut.action)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="hk-muted" style={{ marginTop: 12 }}>
        {t('shortcuts.footer')}
      </p>
    </Modal>
  );
}
