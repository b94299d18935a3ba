/** The demo site's rules: one of each kind, sensible defaults a site owner can start from. */
import type { RuleInput } from '@beckon/protocol';

const t = (en: string, ru: string) => ({ en, ru });

export function demoRules(shopOrigin: string | null): RuleInput[] {
  return [
    {
      name: 'Help choosing a coffee',
      priority: 90,
      kind: 'invite',
      when: { all: [{ fact: 'page.path', op: 'matches', value: '/coffee*' }, { fact: 'page.seconds', op: 'gte', value: 15 }] },
      variants: [
        { key: 'A', weight: 50, content: { text: t('Looking for the right roast? I can help you choose.', 'Ищете подходящую обжарку? Помогу выбрать.'), asOperator: true } },
        { key: 'B', weight: 50, content: { text: t('Hi! Tell me how you brew and I will suggest a coffee.', 'Здравствуйте! Расскажите, как вы завариваете, — подскажу кофе.'), asOperator: true } },
      ],
      controls: { expiresSeconds: 90 },
      goal: { event: 'purchase', windowHours: 24 },
    },
    {
      name: 'Big cart on checkout',
      priority: 95,
      kind: 'invite',
      when: { all: [{ fact: 'page.path', op: 'starts_with', value: '/checkout' }, { fact: 'cart.value', op: 'gte', value: 100 }, { fact: 'page.seconds', op: 'gte', value: 10 }] },
      variants: [{ key: 'A', weight: 1, content: { text: t('Any questions before you order? I am here to help.', 'Есть вопросы перед заказом? Я на связи.'), asOperator: true } }],
      goal: { event: 'purchase', windowHours: 24 },
    },
    {
      name: 'Exit coupon on checkout',
      priority: 80,
      kind: 'coupon',
      when: { all: [{ fact: 'page.path', op: 'starts_with', value: '/checkout' }, { fact: 'exit.intent', op: 'eq', value: true }] },
      variants: [{ key: 'A', weight: 1, content: { title: t('Wait — 10% off your order', 'Постойте — скидка 10%'), text: t('Use this code at checkout today.', 'Используйте код при оформлении сегодня.'), code: 'BEANS10' } }],
      controls: { holdoutPercent: 10 },
      goal: { event: 'purchase', windowHours: 24 },
    },
    {
      name: 'Lead form for ad visitors',
      priority: 60,
      kind: 'lead_form',
      when: { all: [{ fact: 'utm.source', op: 'exists' }, { fact: 'session.pages', op: 'gte', value: 3 }] },
      variants: [{ key: 'A', weight: 1, content: { title: t('Get our brewing guide', 'Получите гид по завариванию'), text: t('Leave your contact and we will send it with 5% off your first order.', 'Оставьте контакт — пришлём гид и скидку 5% на первый заказ.'), button: t('Send me the guide', 'Прислать гид') } }],
    },
    {
      name: 'Callback when nobody is online',
      priority: 50,
      kind: 'callback',
      when: { all: [{ fact: 'operators.available', op: 'eq', value: 0 }, { fact: 'page.seconds', op: 'gte', value: 15 }] },
      variants: [{ key: 'A', weight: 1, content: { title: t('Questions? We will call you', 'Есть вопросы? Мы перезвоним'), text: t('Our baristas are away right now. Leave your number and we will call you back.', 'Бариста сейчас не на связи. Оставьте номер — перезвоним.') } }],
      controls: { needsOperator: false },
    },
    {
      name: 'Grinder guide for readers',
      priority: 40,
      kind: 'article',
      when: { all: [{ fact: 'page.path', op: 'starts_with', value: '/grinders' }, { fact: 'scroll.depth', op: 'gte', value: 60 }] },
      variants: [{ key: 'A', weight: 1, content: { title: t('Which grind for which brew?', 'Какой помол для какого способа?'), text: t('A two-minute read on grind sizes from espresso to cold brew.', 'Двухминутный гид по помолу: от эспрессо до колд-брю.'), url: shopOrigin ? `${shopOrigin}/grinders.html#guide` : '', button: t('Read the guide', 'Читать') } }],
    },
    {
      name: 'Welcome back: this week’s roast',
      priority: 30,
      kind: 'media',
      when: { all: [{ fact: 'returning', op: 'eq', value: true }, { fact: 'page.path', op: 'eq', value: '/' }, { fact: 'page.seconds', op: 'gte', value: 5 }] },
      variants: [{ key: 'A', weight: 1, content: { title: t('Fresh this week: Kenya Nyeri', 'Свежая обжарка: Кения Ньери'), text: t('Blackcurrant and grapefruit, roasted on Monday.', 'Чёрная смородина и грейпфрут, обжарка в понедельник.'), imageUrl: shopOrigin ? `${shopOrigin}/roast.svg` : '', url: shopOrigin ? `${shopOrigin}/coffee.html` : '', button: t('See the coffee', 'Смотреть') } }],
    },
  ];
}
