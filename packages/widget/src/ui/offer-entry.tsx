/** offer.<hash>.js — the offer cards (an ES module), loaded only when an offer is to be shown. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import type { WidgetContext } from '../shared/types';
import { addStyles } from '../shared/styles';
import { createOfferActions } from './offer-actions';
import { OFFER_CSS, OfferCard } from './offer';
import { OFFER_STRINGS } from './offer-i18n';
import { register } from './register';
import { useWidgetState } from './state';

/** The offer on screen while the chat is closed; a sent form keeps its thanks up for a moment. */
function Offers({ ctx }: { ctx: WidgetContext }) {
  const s = useWidgetState(ctx);
  const [actions] = useState(() => createOfferActions(ctx));
  const [kept, setKept] = useState<typeof s.offer>(null);
  const [thanks, setThanks] = useState('');
  useEffect(() => {
    if (!thanks) return;
    const t = setTimeout(() => (setKept(null), setThanks('')), 4000);
    return () => clearTimeout(t);
  }, [thanks]);
  const offer = s.offer || kept;
  const a = s.site?.appearance;
  if (!offer || !a || s.open) return null;
  // the server takes the offer away as it accepts the form: keep the card up for the thanks
  const form = (event: 'offer:lead' | 'offer:callback', thanksText: string) => async (f: Parameters<typeof actions.submit>[1]) => {
    setKept(offer);
    const err = await actions.submit(event, f);
    if (err === null) setThanks(thanksText);
    else setKept(null);
    return err === '' ? OFFER_STRINGS[s.lang].failed : err;
  };
  const t = OFFER_STRINGS[s.lang];
  return (
    <OfferCard
      key={offer.id}
      offer={offer}
      lang={s.lang}
      color={a.color}
      position={a.position}
      teamName={a.teamName}
      done={thanks}
      onDismiss={() => (kept && !s.offer ? (setKept(null), setThanks('')) : actions.dismiss())}
      onAccept={actions.accept}
      onLead={form('offer:lead', t.thanksLead)}
      onCallback={form('offer:callback', t.thanksCallback)}
    />
  );
}

register('offer', (ctx) => {
  addStyles(ctx.mount.getRootNode() as ShadowRoot, OFFER_CSS);
  render(<Offers ctx={ctx} />, ctx.mount);
});
