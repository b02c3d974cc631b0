import { Modal } from 'antd';
import { useTranslation } from 'react-i18next';

const shortcuts = [
  { keys: ['↑', 'K'], action: 'shortcuts.previous' },
  { keys: ['↓', 'J'], action: 'shortcuts.next' },
  { keys: ['R'], action: 'shortcuts.reply' },
  { keys: ['N'], action: 'shortcuts.note' },
  { keys: ['A'], action: 'shortcuts.assign' },
  { keys: ['E'], action: 'shortcuts.resolve' },
  { keys: ['T'], action: 'shortcuts.tag' },
  { keys: ['Shift', 'T'], action: 'shortcuts.tagConversation' },
  { keys: ['/'], action: 'shortcuts.templates' },
  { keys: ['Enter'], action: 'shortcuts.send' },
  { keys: ['Shift', 'Enter'], action: 'shortcuts.newline' },
  { keys: ['Esc'], action: 'shortcuts.leaveComposer' },
  { keys: ['?'], action: 'shortcuts.help' },
] as const;

export function ShortcutHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal open={open} onCancel={onClose} footer={null} title={t('shortcuts.title')} width={420}>
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
