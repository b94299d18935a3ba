/** What the visitor does with an offer, over the loader's socket. */
import type { Result, VisitorConversation } from '@beckon/protocol';
import type { WidgetContext } from '../shared/types';
import type { CallbackForm, LeadForm } from './offer';

const ACK_TIMEOUT = 10_000;

export function createOfferActions(ctx: WidgetContext) {
  const { socket } = ctx;
  const current = () => ctx.getState().offer;
  return {
    dismiss() {
      const o = current();
      if (!o) return;
      ctx.set({ offer: null });
      socket.emit('offer:dismiss', { offerId: o.id }, () => {});
      ctx.emitPublic('offer:dismissed', { id: o.id, kind: o.kind });
    },
    accept(how: 'click' | 'copy' | 'chat') {
      const o = current();
      if (!o) return;
      ctx.emitPublic('offer:accepted', { id: o.id, kind: o.kind, how });
      if (o.kind === 'invite') {
        ctx.set({ offer: null });
        ctx.setOpen(true);
      }
      socket.emit('offer:accept', { offerId: o.id, how }, (res: Result<{ conversation: VisitorConversation | null }>) => {
        if (res.ok && res.data.conversation) ctx.adopt(res.data.conversation);
      });
    },
    /** resolves with null when sent, the server's message when refused, '' when unreachable */
    submit(event: 'offer:lead' | 'offer:callback', form: LeadForm | CallbackForm): Promise<string | null> {
      const o = current();
      return new Promise((done) =>
        socket.timeout(ACK_TIMEOUT).emit(event as 'offer:lead', { ...(form as LeadForm), offerId: o ? o.id : null } as never, (err: Error | null, res?: Result<{ itemId: string }>) => {
          if (err || !res) return done('');
          if (!res.ok) return done(res.error.message || res.error.code);
          if (o) ctx.emitPublic('offer:accepted', { id: o.id, kind: o.kind, how: 'form' });
          done(null);
        }),
      );
    },
  };
}
