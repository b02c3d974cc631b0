import {
  BoldOutlined,
  ItalicOutlined,
  LinkOutlined,
  OrderedListOutlined,
  UnorderedListOutlined,
} from '@ant-design/icons';
import { EditorContent, useEditor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { Button, Space, Tooltip } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import '../knowledge.css';

type Props = { value?: string; onChange?: (html: string) => void; placeholder?: string };

/**
 * Article body editor (TipTap): headings, bold, italic, lists, quotes, links. The server sanitises what it gets. The
 * whole framed area under the toolbar is the editor: a click anywhere in it puts the cursor in the text.
 */
export function RichTextEditor({ value = '', onChange, placeholder }: Props) {
  const { t } = useTranslation();
  const editor = useEditor({
    extensions: [StarterKit.configure({ heading: { levels: [2, 3] }, link: { openOnClick: false } })],
    content: value,
    onUpdate: ({ editor: current }) => onChange?.(current.isEmpty ? '' : current.getHTML()),
  });

  // A different article loaded into the same editor: replace its content (not on every keystroke). Silently: loading
  // an article is not an edit (the drawer asks before closing over unsaved edits).
  useEffect(() => {
    if (editor && value !== editor.getHTML() && !editor.isFocused)
      editor.commands.setContent(value, { emitUpdate: false });
  }, [editor, value]);

  if (!editor) return null;
  const chain = () => editor.chain().focus();
  const toggle = (active: boolean) => (active ? 'primary' : 'text');
  return (
    <div className="hk-rich-text" data-testid="kb-editor">
      <Space size={2} wrap className="hk-rich-text-toolbar">
        <Button
          size="small"
          type={toggle(editor.isActive('heading', { level: 2 }))}
          onClick={() => chain().toggleHeading({ level: 2 }).run()}
        >
          H2
        </Button>
        <Button
          size="small"
          type={toggle(editor.isActive('heading', { level: 3 }))}
          onClick={() => chain().toggleHeading({ level: 3 }).run()}
        >
          H3
        </Button>
        <Button
          size="small"
          icon={<BoldOutlined />}
          type={toggle(editor.isActive('bold'))}
          onClick={() => chain().toggleBold().run()}
        />
        <Button
          size="small"
          icon={<ItalicOutlined />}
          type={toggle(editor.isActive('italic'))}
          onClick={() => chain().toggleItalic().run()}
        />
        <Button
          size="small"
          icon={<UnorderedListOutlined />}
          type={toggle(editor.isActive('bulletList'))}
          onClick={() => chain().toggleBulletList().run()}
        />
        <Button
          size="small"
          icon={<OrderedListOutlined />}
          type={toggle(editor.isActive('orderedList'))}
          onClick={() => chain().toggleOrderedList().run()}
        />
        <Tooltip title={t('knowledge.link')}>
          <Button
            size="small"
            icon={<LinkOutlined />}
            type={toggle(editor.isActive('link'))}
            onClick={() => {
              if (editor.isActive('link')) {
                chain().unsetLink().run();
                return;
              }
              const href = window.prompt(t('knowledge.linkPrompt'), 'https://');
              if (href && /^https?:\/\//.test(href)) chain().setLink({ href }).run();
            }}
          />
        </Tooltip>
      </Space>
      {/* biome-ignore lint/a11y/noStaticElementInteractions: the text inside is the focusable editor; this only widens its target */}
      <div
        className="hk-rich-text-body"
        onMouseDown={(event) => {
          // Below or beside the last line: into the text at its end, as if the editor filled the box.
          if ((event.target as HTMLElement).closest('.ProseMirror')) return;
          event.preventDefault();
          editor.commands.focus('end');
        }}
      >
        {!value && placeholder && (
          <div className="hk-rich-text-placeholder" aria-hidden="true">
            {placeholder}
          </div>
        )}
        <EditorContent editor={editor} />
      </div>
    </div>
  );
}
