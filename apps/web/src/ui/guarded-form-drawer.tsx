import { App } from 'antd';
import { type ComponentProps, useCallback, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { FormDrawer } from './form-drawer.tsx';

/** Popups that own an Esc press while they show: a Select's options, a date picker's calendar, a menu, a popconfirm. */
const OPEN_POPUP = [
  '.ant-select-dropdown:not(.ant-select-dropdown-hidden)',
  '.ant-picker-dropdown:not(.ant-picker-dropdown-hidden)',
  '.ant-cascader-dropdown:not(.ant-select-dropdown-hidden)',
  '.ant-dropdown:not(.ant-dropdown-hidden)',
  '.ant-popover:not(.ant-popover-hidden)',
].join(',');

/**
 * Whether an Esc pressed on `target` is meant for a field rather than the drawer: a dropdown or calendar is open, the
 * field is an expanded combobox, or it is a Select's search / tag input with text typed into it (a tag not yet added).
 */
function escapeBelongsToField(target: EventTarget | null): boolean {
  if (document.querySelector(OPEN_POPUP)) return true;
  if (!(target instanceof HTMLElement)) return false;
  if (target.getAttribute('aria-expanded') === 'true') return true;
  return target instanceof HTMLInputElement && Boolean(target.closest('.ant-select')) && target.value !== '';
}

const isEscape = (event: unknown): boolean =>
  typeof event === 'object' && event !== null && (event as { key?: unknown }).key === 'Escape';

type GuardOptions = {
  open: boolean;
  /** True when the form holds something the user typed and has not saved. */
  isDirty: () => boolean;
  onClose: () => void;
};

/**
 * The close handler for a form drawer (Esc, ×, mask click, 取消): an Esc that closes a dropdown inside the drawer
 * only closes the dropdown, and unsaved changes are only thrown away after 「放弃未保存的修改？」.
 */
export function useCloseGuard({ open, isDirty, onClose }: GuardOptions): (event?: unknown) => void {
  const { t } = useTranslation();
  const { modal } = App.useApp();
  // Decided when the key goes down, before any field reacts to it (a Select closes its list on the same keydown).
  const escapeForField = useRef(false);
  const isAsking = useRef(false);

  useEffect(() => {
    if (!open) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape') escapeForField.current = escapeBelongsToField(event.target);
    };
    window.addEventListener('keydown', onKeyDown, true);
    return () => window.removeEventListener('keydown', onKeyDown, true);
  }, [open]);

  return useCallback(
    (event?: unknown) => {
      if (isEscape(event) && escapeForField.current) {
        escapeForField.current = false;
        return;
      }
      if (!isDirty()) {
        onClose();
        return;
      }
      if (isAsking.current) return;
      isAsking.current = true;
      modal.confirm({
        title: t('common.discardTitle'),
        content: t('common.discardHelp'),
        okText: t('common.discard'),
        okButtonProps: { danger: true, 'data-testid': 'discard-confirm' },
        cancelText: t('common.keepEditing'),
        onOk: onClose,
        afterClose: () => {
          isAsking.current = false;
        },
      });
    },
    [isDirty, onClose, modal, t],
  );
}

type Props = ComponentProps<typeof FormDrawer> & {
  /** Asked when the drawer is about to close without saving; a dirty form asks before it loses what was typed. */
  isDirty: () => boolean;
};

/** FormDrawer that keeps what was typed: Esc in a dropdown stays in the dropdown, unsaved changes are confirmed. */
export function GuardedFormDrawer({ isDirty, onClose, ...props }: Props) {
  const requestClose = useCloseGuard({ open: props.open, isDirty, onClose });
  return <FormDrawer {...props} onClose={requestClose} />;
}
