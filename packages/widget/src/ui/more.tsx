/**
 * files.<hash>.js — pictures and documents in the chat: the preview of a picture (opening the
 * whole file), a document to download, and the upload of what the visitor picks or pastes.
 * Fetched only when a file is in the chat or about to be sent: it weighs nothing before.
 */
import type { Message } from '@beckon/protocol';
import type { PendingMessage, WidgetContext } from '../shared/types';
import type { Actions } from './actions';
import { EMOJI } from './emoji';

export { insertAt } from './emoji';

const CSS = `.bk-pic{display:block;margin:-2px -4px 4px;line-height:0}.bk-pic img{max-width:100%;height:auto;border-radius:8px;background:#eef1f5}.bk-doc small{font-weight:400;opacity:.75}`;

const size = (n: number) => (n < 1e6 ? `${Math.ceil(n / 1024)} KB` : `${(n / 1048576).toFixed(1)} MB`);

/** a picture (its preview, opening the whole file) or a document to download */
export function File({ a, base }: { a: NonNullable<Message['attachment']>; base: string }) {
  const url = `${base}/files/${a.id}`;
  if (a.thumb) {
    const w = a.width ?? 220;
    const h = a.height ?? 220;
    const scale = Math.min(1, 220 / w, 220 / h);
    return (
      <a class="bk-pic" href={url} target="_blank" rel="noopener noreferrer">
        <style>{CSS}</style>
        <img src={`${url}/thumb`} alt={a.name} width={Math.round(w * scale)} height={Math.round(h * scale)} loading="lazy" />
      </a>
    );
  }
  return (
    <a class="bk-doc" href={url} target="_blank" rel="noopener noreferrer" download={a.name}>
      <style>{CSS}</style>
      <svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" style="flex:none;align-self:center">
        <path fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" d="M6 2h8l5 5v15H6zM14 2v5h5" />
      </svg>
      {a.name} <small>{size(a.size)}</small>
    </a>
  );
}

/** uploads a file (a screenshot, a document) and sends it; resolves with an error text or null */
export async function upload(ctx: WidgetContext, actions: Actions, file: globalThis.File): Promise<string | null> {
  const srv = ctx.server();
  const st = ctx.getState;
  const p: PendingMessage = { clientId: `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`, body: file.name.slice(-120) || 'file', status: 'sending', createdAt: Date.now(), uploading: true };
  ctx.set({ pending: [...st().pending, p] });
  const res = await fetch(`${srv.base}/api/widget/attachments?key=${encodeURIComponent(srv.key)}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', authorization: `Bearer ${srv.token ?? ''}`, 'x-file-name': encodeURIComponent(file.name) }, body: file }).catch(() => null);
  const data = res && ((await res.json().catch(() => null)) as { attachment?: { id: string }; error?: { message: string } } | null);
  if (!res || !res.ok || !data?.attachment) {
    ctx.set({ pending: st().pending.filter((x) => x.clientId !== p.clientId) });
    return data?.error?.message ?? '';
  }
  const sent = { ...p, uploading: false, attachmentId: data.attachment.id };
  ctx.set({ pending: st().pending.map((x) => (x.clientId === p.clientId ? sent : x)) });
  actions.deliver(sent);
  return null;
}

const PICK_CSS = `.bk-emoji{position:absolute;bottom:100%;left:8px;right:8px;margin-bottom:6px;background:#fff;border:1px solid #e4e7ec;border-radius:12px;box-shadow:0 8px 24px rgba(16,24,40,.16);padding:6px;display:grid;grid-template-columns:repeat(auto-fill,minmax(34px,1fr));max-height:210px;overflow-y:auto;z-index:3}.bk-emoji button{border:0;background:none;font-size:22px;line-height:1;padding:5px 0;border-radius:8px;cursor:pointer}.bk-emoji button:hover,.bk-emoji button:focus-visible{background:#f2f4f7;outline:none}`;

/** a grid of emoji; picking one inserts it where the cursor is */
export function EmojiPicker({ onPick, label }: { onPick: (e: string) => void; label: string }) {
  return (
    <div class="bk-emoji" role="dialog" aria-label={label}>
      <style>{PICK_CSS}</style>
      {EMOJI.flatMap((g) => g.list).map((e) => (
        <button type="button" aria-label={e} onMouseDown={(ev) => ev.preventDefault()} onClick={() => onPick(e)}>
          {e}
        </button>
      ))}
    </div>
  );
}
