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
      const t = socket.timeout(ACK_TIMEOUT);
      // each event with its own payload, typed by protocol's event map
      // (the form's consent box is required; without it the server would refuse the same way)
      if ('consent' in form && !form.consent) return Promise.resolve('consent is needed');
      const sent = event === 'offer:lead' && o && 'email' in form ? t.emitWithAck('offer:lead', { offerId: o.id, name: form.name, email: form.email, phone: form.phone, consent: true }) : t.emitWithAck('offer:callback', { offerId: o ? o.id : null, name: form.name, phone: form.phone, time: 'time' in form ? form.time : '' });
      return sent.then(
        (res) => {
          if (!res.ok) return res.error.message || res.error.code;
          if (o) ctx.emitPublic('offer:accepted', { id: o.id, kind: o.kind, how: 'form' });
          return null;
        },
        () => '',
      );
    },
  };
}
